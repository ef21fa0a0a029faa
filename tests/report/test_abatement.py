"""Abatement per measure (MAC curve, wedges) against a hand-computed case, and the wedges
closing the gap between the reference path and the solved CO2 exactly."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from peakpath.core.baseline import derive
from peakpath.io.inputs import read_dataset
from peakpath.report.abatement import mac_curve, measure_effects_per_unit, wedges
from peakpath.results.dataset import load_results
from tests.conftest import DATASET, make_scenario
from tests.report.conftest import SHIPPED

YEAR = 2030


def hand_case(target_gases: list[str]):
    """The Wuhan model data with one measure (pv_rooftop) and the prices, emission factors,
    grid factor, heat supply and feedstock replaced by round numbers a hand can follow."""
    sc = make_scenario({"accounting": {"target_gases": target_gases}})
    md = derive(read_dataset(DATASET), sc)
    m = "pv_rooftop"
    effects = pd.DataFrame([
        (m, "energy", "coal", "steel", -2.0),          # 万tce coal saved in steel
        (m, "energy", "electricity", "steel", 0.5),    # 万tce electricity added
        (m, "renewable_generation", "electricity", "power_renewable", 1.0),  # 亿kWh
        (m, "energy", "oil", "petrochem", -1.0),       # burned oil (the sector's feedstock
                                                       # share applies to its baseline only)
        (m, "energy", "heat", "residential", -1.0),    # heat made from 1.2 coal per unit
        (m, "process", "CH4", "livestock", -1.0),      # 万t CH4
    ], columns=["measure", "kind", "item", "sector", "value"])
    years = pd.DataFrame({"year": md.all_years})
    effects = effects.merge(years, how="cross")  # effects are per year (technology stocks)
    price = {"coal": 1000.0, "oil": 4000.0, "electricity": 5000.0}  # CNY/tce
    md = dataclasses.replace(
        md,
        effects=pd.concat([md.effects[md.effects["measure"] != m], effects],
                          ignore_index=True),
        price_components=md.price_components.iloc[:0],  # no network charge in the hand case
        prices=pd.DataFrame({"fuel": list(price), "value": list(price.values())}).merge(
            years, how="cross"),
        emission_factor=pd.DataFrame({"fuel": ["coal", "oil"], "value": [2.5, 2.0]}).merge(
            years, how="cross"),
        grid=md.grid.assign(ef=4.0),  # t CO2 per tce of purchased electricity
        heat_intensity=pd.DataFrame({"fuel": ["coal"], "value": [1.2]}).merge(years,
                                                                              how="cross"),
        feedstock=pd.DataFrame({"sector": ["petrochem"], "fuel": ["oil"], "share": [0.5]}),
        capex=md.capex.assign(value=np.where(md.capex["measure"] == m, 1000.0,
                                             md.capex["value"])),
        measures=md.measures.assign(
            lifetime=np.where(md.measures["measure"] == m, 10, md.measures["lifetime"]),
            om=np.where(md.measures["measure"] == m, 5.0, md.measures["om"])),
        potential=md.potential.assign(value=np.where(
            (md.potential["measure"] == m) & (md.potential["year"] == YEAR), 100.0,
            md.potential["value"])),
    )
    return md


def by_hand(ch4_weight: float) -> tuple[float, float, float]:
    """Abatement (万t CO2/unit/yr), bill (万元/unit/yr) and LCOA (CNY/t) worked out by hand."""
    dc = (-2.0 * 2.5             # coal burned
          + 0.5 * 4.0            # electricity bought
          - 1.229 * 1.0 * 4.0    # 1 亿kWh made locally = 1.229 万tce not bought
          - 1.0 * 2.0            # oil: an energy effect is burned fuel
          - 1.0 * 1.2 * 2.5      # heat: the heat plant's coal
          - 1.0 * ch4_weight)    # CH4 counts only when targeted (GWP100 28)
    bill = -2.0 * 1000 + 0.5 * 5000 - 1.229 * 5000 - 1.0 * 4000 - 1.2 * 1000
    crf = 0.06 / (1 - 1.06 ** -10)
    return -dc, bill, (crf * 1000.0 + 5.0 + bill) / -dc


@pytest.mark.parametrize(("gases", "ch4_weight"), [(["CO2"], 0.0), (["CO2", "CH4"], 28.0)])
def test_unit_abatement_and_levelised_cost_by_hand(runs_dir, gases, ch4_weight):
    md = hand_case(gases)
    a, bill, lcoa = by_hand(ch4_weight)
    unit = measure_effects_per_unit(md).set_index(["measure", "year"]).loc[("pv_rooftop", YEAR)]
    assert unit["abatement"] == pytest.approx(a, rel=1e-12)
    assert unit["bill"] == pytest.approx(bill, rel=1e-12)
    # the hand case changes the model data, so the run's own per-unit effects are dropped and
    # the MAC curve computes them from the data with the same definition
    ds = load_results(runs_dir / "wuhan-peak-2030").drop_vars(
        ["measure_co2_per_unit", "measure_energy_per_unit", "measure_bill_per_unit"])
    row = mac_curve(md, ds, YEAR).set_index("measure").loc["pv_rooftop"]
    assert row["lcoa"] == pytest.approx(lcoa, rel=1e-12)
    assert row["potential_abatement"] == pytest.approx(100.0 * a, rel=1e-12)


def test_mac_curve_is_sorted_and_adds_up(runs_dir):
    ds = load_results(runs_dir / "wuhan-stretch")
    from peakpath.solve.rebuild import inputs_of

    _, _, md = inputs_of(ds, runs_dir / "wuhan-stretch")
    f = mac_curve(md, ds, YEAR)
    assert f["lcoa"].is_monotonic_increasing
    assert (f["abatement_per_unit"] > 0).all()
    assert np.allclose(f["cumulative"], f["potential_abatement"].cumsum())
    assert (f["adopted_abatement"] <= f["potential_abatement"] * (1 + 1e-9) + 1e-9).all()
    with pytest.raises(ValueError, match="outside the model years"):
        mac_curve(md, ds, 2050)


@pytest.mark.parametrize("name", SHIPPED)
def test_wedges_close_the_gap_to_the_reference_path(runs_dir, name):
    """co2_total = reference + projects − Σ wedges, every year, to rounding."""
    from peakpath.solve.rebuild import inputs_of

    ds = load_results(runs_dir / name)
    _, _, md = inputs_of(ds, runs_dir / name)
    w = wedges(md, ds)
    years = md.years
    rebuilt = (ds["co2_reference"].sel(year=years) + w["project_co2"].sum("project")
               - w["wedge"].sum("measure"))
    assert np.allclose(rebuilt, ds["co2_total"].sel(year=years), rtol=1e-9, atol=1e-6)
    assert float(w["wedge"].sum()) > 0  # the measures do abate


def test_wedges_close_by_district(district_run):
    ds, md = district_run.dataset, district_run.built.md
    w = wedges(md, ds)
    rebuilt = (ds["co2_reference"].sel(year=md.years) + w["project_co2"].sum("project")
               - w["wedge"].sum("measure"))
    assert np.allclose(rebuilt, ds["co2_total"].sel(year=md.years), rtol=1e-9, atol=1e-6)


def test_results_carry_each_measures_effect_per_unit(runs_dir):
    """results.nc holds the one definition of a measure's effect per unit; the MAC curve reads
    it there (and agrees with computing it from the model data)."""
    from peakpath.core.unit_effects import measure_unit_effects
    from peakpath.solve.rebuild import inputs_of

    where = runs_dir / "wuhan-peak-2030"
    ds = load_results(where)
    _sc, _data, md = inputs_of(ds, where)
    u = measure_unit_effects(md).set_index(["year", "measure"])["co2_per_unit"]
    got = ds["measure_co2_per_unit"].to_series().reindex(u.index)
    np.testing.assert_allclose(got.to_numpy(), u.to_numpy(), rtol=1e-12, atol=1e-12)
    assert float(ds["measure_co2_per_unit"].sel(year=2020).sum()) == 0.0  # no measures yet
    nev = float(ds["measure_co2_per_unit"].sel(year=2030, measure="nev_cars"))
    assert nev < 0  # an electric car abates on this grid
