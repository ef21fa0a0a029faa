"""What each sector module adds, checked on the solved Wuhan model."""

import numpy as np
import pytest

from peakpath.io.units import WAN_TCE_PER_YI_KWH
from tests.conftest import solve_wuhan


def test_heat_supply_fuel_follows_heat_demand(baseline_run):
    ds = baseline_run.dataset
    heat_use = ds["energy"].sel(fuel="heat").drop_sel(sector="heat").sum(["sector", "district"])
    fuel = ds["energy"].sel(sector="heat").sum("district")
    # base year: 400 万tce coal + 40 gas deliver 374 万tce heat (85 %) [inputs/wuhan/derive.py]
    k_coal = 400 / (0.85 * 440)
    built_coal = ds["adoption"].sel(measure=["heat_coal_to_gas", "heat_pump_district"]).sum(
        ["measure", "district"])
    expected = k_coal * heat_use - built_coal
    assert np.allclose(fuel.sel(fuel="coal"), expected, rtol=1e-9)


def test_purchased_electricity_balances_demand_and_local_generation(baseline_run):
    ds = baseline_run.dataset
    demand = ds["energy"].sel(fuel="electricity").sum(["sector", "district"])
    gen = ds["generation"].sum(["sector", "district"]) * WAN_TCE_PER_YI_KWH
    assert np.allclose(ds["purchased_electricity"], demand - gen, atol=1e-6)
    assert (ds["purchased_electricity"] >= -1e-9).all()


def test_scope2_attribution_adds_up_to_purchased_electricity_emissions(baseline_run):
    ds = baseline_run.dataset
    s2 = ds["scope2"].sum(["sector", "district"])
    s1 = ds["co2_scope1"]
    sinks = ds["emissions"].sel(gas="CO2", sector=["forest", "wetland"]).sum(["sector",
                                                                              "district"])
    assert np.allclose(ds["co2_total"], s1 + s2 + sinks, atol=1e-6)


def test_vehicle_builds_stay_within_fleet_turnover(wuhan):
    # let 90 % of the fleet go electric in every year: only turnover can then hold builds back
    res = solve_wuhan(wuhan, {"overrides": [{"table": "measure_potential",
                                             "where": {"measure": "nev_cars"}, "set": 0.9}]})
    ds = res.dataset
    builds = ds["new_builds"].sel(measure="nev_cars").sum("district").to_series()
    fleet = res.built.md.activity.query("sector == 'road_passenger'").set_index(
        "year")["value"]
    allowed = fleet / 12 + fleet.diff().clip(lower=0)
    assert (builds.loc[2021:] <= allowed.loc[2021:] + 1e-6).all()
    assert (np.isclose(builds.loc[2021:], allowed.loc[2021:])).any()  # it binds somewhere


def test_new_building_standard_only_on_floor_area_built_that_year(wuhan):
    # free of capex the standard pays on every new m2: only the new floor area can hold it back
    res = solve_wuhan(wuhan, {"overrides": [{"table": "measures", "column": "capex",
                                             "where": {"measure": "green_new_public"},
                                             "set": 0.0}]})
    ds = res.dataset
    b = ds["new_builds"].sel(measure="green_new_public").sum("district").to_series()
    area = res.built.md.activity.query("sector == 'public_commercial'").set_index(
        "year")["value"]
    assert (b.loc[2021:] <= area.diff().loc[2021:] + 1e-6).all()
    assert b.loc[2021:].sum() > 0


def test_retrofits_act_on_the_base_year_floor_area(wuhan):
    """A retrofit's potential is a share of the existing (base-year) floor area
    (``base_activity_share``), so retrofits and new-building standards never cover more floor
    area than there is; free of capex, retrofits fill that potential and no more."""
    res = solve_wuhan(wuhan, {"overrides": [{"table": "measures", "column": "capex",
                                             "where": {"measure": ["public_building_retrofit",
                                                                   "green_new_public"]},
                                             "set": 0.0}]})
    md, ds = res.built.md, res.dataset
    area = md.activity.query("sector == 'public_commercial'").set_index("year")["value"]
    pot = md.potential.query("measure == 'public_building_retrofit'").set_index("year")["value"]
    assert np.allclose(pot.loc[2021:], 0.6 * area.loc[2020])  # measure_potential.csv: 0.6
    stock = ds["adoption"].sum("district").to_series().unstack("measure")
    retro, green = stock["public_building_retrofit"], stock["green_new_public"]
    assert (retro <= 0.6 * area.loc[2020] + 1e-6).all()
    assert retro.loc[2035] == pytest.approx(0.6 * area.loc[2020], rel=1e-6)
    assert (retro + green <= area + 1e-6).all()
    assert area.loc[2035] > 1.5 * area.loc[2020]  # the case where a share of A[y] overlaps


def test_a_retrofit_never_exceeds_the_floor_area_still_standing(baseline_run, wuhan):
    # public floor area shrinking to 80 % of the base year's by 2035: the retrofit potential
    # (60 % of the existing stock) follows what still stands
    from peakpath.core.baseline import measure_potentials

    md = baseline_run.built.md
    act = md.activity.copy()
    pub = (act["sector"] == "public_commercial").to_numpy()
    years = act.loc[pub, "year"].to_numpy()
    base = act.loc[pub & (act["year"] == 2020).to_numpy(), "value"].to_numpy()
    act.loc[pub, "value"] = base * np.interp(years, [2020, 2035], [1.0, 0.8])
    pot, _ = measure_potentials(wuhan, md.measures, act, md.districts, md.all_years)
    pot = pot.query("measure == 'public_building_retrofit'").set_index("year")["value"]
    area = act[pub].set_index("year")["value"]
    assert np.allclose(pot, 0.6 * np.minimum(area[2020], area.loc[pot.index]))
    assert pot[2035] < 0.6 * area[2020]


def test_a_tonne_of_steel_not_made_costs_its_lost_margin(baseline_run):
    """The output cut's O&M is the lost margin (800 CNY/t, inputs/wuhan/SOURCES.md) plus the
    energy bill the model credits back per tonne: net of the bill, 800 CNY/t."""
    md, ds = baseline_run.built.md, baseline_run.dataset
    om = float(md.measures.set_index("measure").loc["steel_output_control", "om"])
    bill = ds["measure_bill_per_unit"].sel(measure="steel_output_control", year=2021)
    assert om + float(bill) == pytest.approx(800.0, abs=1.0)  # 万元 per 万t = CNY/t


def test_capture_never_exceeds_its_share_of_the_host(wuhan):
    res = solve_wuhan(wuhan, {"targets.carbon_cap": {2035: 10000}})
    ds = res.dataset
    for m, host, share, per_unit in (("ccus_steel", "steel", 0.5, 50),
                                     ("ccus_refinery", "petrochem", 0.5, 10),
                                     ("ccus_coal_power", "power_coal", 0.9, 140)):
        captured = ds["adoption"].sel(measure=m).sum("district") * per_unit
        host_co2 = ds["emissions"].sel(sector=host, gas="CO2").sum("district")
        assert (captured <= share * host_co2 + 1e-6).all()
    assert float(ds["adoption"].sel(measure=["ccus_steel", "ccus_coal_power",
                                             "ccus_refinery"]).sum()) > 0


def test_sinks_counted_only_when_the_scenario_says_so(wuhan, baseline_run):
    res = solve_wuhan(wuhan, {"accounting.count_sinks": False})
    diff = res.dataset["co2_total"] - baseline_run.dataset["co2_total"]
    sinks = baseline_run.dataset["emissions"].sel(gas="CO2", sector=["forest", "wetland"]).sum(
        ["sector", "district"])
    # base year: 166.7 kha forest at 3.7 t/ha + 162.5 kha wetland at 1 t/ha = 77.93 万t
    assert float(sinks.sel(year=2020)) == pytest.approx(-77.929, abs=1e-3)
    assert float(diff.sel(year=2020)) == pytest.approx(77.929, abs=1e-3)


def test_non_co2_enters_the_target_total_only_when_listed(wuhan, baseline_run):
    res = solve_wuhan(wuhan, {"accounting.target_gases": ["CO2", "CH4", "N2O"]})
    ds = baseline_run.dataset
    extra = float(ds["emissions"].sel(gas="CH4", year=2020).sum()) * 28 + float(
        ds["emissions"].sel(gas="N2O", year=2020).sum()) * 265
    got = float(res.dataset["co2_total"].sel(year=2020) - ds["co2_total"].sel(year=2020))
    assert got == pytest.approx(extra, rel=1e-9)
    assert extra == pytest.approx(53.088 + 30.87 + 14.58, rel=1e-2)  # rice, livestock, N2O


def test_feedstock_is_not_burned(baseline_run):
    ds = baseline_run.dataset
    oil = float(ds["energy"].sel(sector="petrochem", fuel="oil", year=2020).sum())
    coal = float(ds["energy"].sel(sector="petrochem", fuel="coal", year=2020).sum())
    gas = float(ds["energy"].sel(sector="petrochem", fuel="natural_gas", year=2020).sum())
    co2 = float(ds["emissions"].sel(sector="petrochem", gas="CO2", year=2020).sum())
    assert co2 == pytest.approx(oil * (1 - 0.6952) * 2.10 + coal * 2.66 + gas * 1.63, rel=1e-9)
