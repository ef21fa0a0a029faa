"""Recompute the written results from their own tables: sectors sum to totals, energy times
factors gives emissions, every target holds."""

import json

import numpy as np
import pandas as pd
import pytest

from peakpath.results.dataset import load_results, write_results

EF = {"coal": 2.66, "coke": 2.944, "oil": 2.10, "natural_gas": 1.63, "biomass": 0.0}


@pytest.fixture(scope="module")
def written(shipped_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("res") / "wuhan-stretch"
    res = shipped_run("wuhan-stretch")
    write_results(res.dataset, out, res.summary, res.built.md)
    return out


def test_sectors_sum_to_city_totals(written):
    ds = load_results(written)
    sinks = ["forest", "wetland"]
    s1 = ds["emissions"].sel(gas="CO2").drop_sel(sector=sinks).sum(["sector", "district"])
    assert np.allclose(s1, ds["co2_scope1"], atol=1e-6)
    total = s1 + ds["scope2"].sum(["sector", "district"]) + ds["emissions"].sel(
        gas="CO2", sector=sinks).sum(["sector", "district"])
    assert np.allclose(total, ds["co2_total"], atol=1e-6)
    fuel = ds["energy"].sel(fuel=list(EF)).sum(["sector", "district"])
    assert np.allclose(fuel.transpose("year", "fuel"),
                       ds["fuel_use"].sel(fuel=list(EF)).transpose("year", "fuel"), atol=1e-6)


def test_energy_times_factor_is_emissions_where_nothing_else_emits(written):
    ds = load_results(written)
    for sector in ("residential", "road_freight", "aviation", "construction"):
        e = ds["energy"].sel(sector=sector).sum("district")
        co2 = sum(e.sel(fuel=f) * k for f, k in EF.items())
        got = ds["emissions"].sel(sector=sector, gas="CO2").sum("district")
        assert np.allclose(got, co2, rtol=1e-9), sector


def test_every_target_holds_in_the_written_results(written):
    tt = pd.read_csv(written / "targets.csv")
    assert len(tt) > 10
    le = tt["sense"] == "le"
    assert (tt.loc[le, "achieved"] <= tt.loc[le, "limit"] + 1e-6 * tt.loc[le, "limit"].abs()
            + 1e-6).all()
    ge = ~le
    assert (tt.loc[ge, "achieved"] >= tt.loc[ge, "limit"] - 1e-6).all()
    summ = json.loads((written / "summary.json").read_text())
    co2 = {int(k): v for k, v in summ["co2_wan_t"].items()}
    nc = load_results(written)
    # runs/wuhan-stretch.yaml: peak by 2025 at the level of model.levels, two plateau years,
    # then 1.5 % a year below that level, and the 2030 carbon cap
    level = json.loads(nc.attrs["scenario_settings"])["targets"]["peak"]["level"]
    assert all(co2[y] <= level + 1e-2 for y in (2026, 2027))
    assert all(co2[y] <= level * 0.985 ** (y - 2027) + 1e-2 for y in range(2028, 2036))
    assert float(nc["co2_total"].sel(year=2030)) <= 13500 + 1e-6


def test_costs_add_up_to_the_objective(written):
    ds = load_results(written)
    cost = ds["cost"].to_pandas()
    years = cost.index.to_numpy()
    df = 1.06 ** -(years - 2020.0)
    pv = (cost.drop(columns=[c for c in cost.columns if c == "penalty"]).sum(axis=1) * df).sum()
    assert pv == pytest.approx(float(ds.attrs["objective_wan_cny"]), rel=1e-9)
