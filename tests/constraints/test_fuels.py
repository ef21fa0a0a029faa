"""Coal cap, oil peak and non-fossil share."""

import pytest

from tests.conftest import FAST_GROWTH, series, solve_wuhan, target_rows


def coal(res, year):
    """Coal consumption as the cap counts it: raw coal and coke (万tce)."""
    return float(res.dataset["fuel_use"].sel(fuel=["coal", "coke"], year=year).sum())


def test_coal_cap(wuhan, baseline_run):
    cap = round(coal(baseline_run, 2022) - 100)
    res = solve_wuhan(wuhan, {"targets.coal_cap": {2022: cap}})
    assert coal(res, 2022) == pytest.approx(cap, abs=1e-4)
    assert all(coal(res, y) <= cap + 1e-6 for y in range(2022, 2036))  # persists
    row = target_rows(res, "coal_cap")[0]
    assert row["year"] == 2022 and row["binding"] and row["shadow_price"] > 0
    assert row["shadow_unit"] == "CNY/tce"


def test_coal_cap_counts_only_the_listed_coal_fuels(wuhan, baseline_run):
    raw = float(baseline_run.dataset["fuel_use"].sel(fuel="coal", year=2022))
    only_raw = solve_wuhan(wuhan, {"targets.coal_cap": {2022: round(raw - 100)},
                                   "accounting.coal_fuels": ["coal"]})
    use = only_raw.dataset["fuel_use"].sel(year=2022)
    assert float(use.sel(fuel="coal")) <= round(raw - 100) + 1e-6
    assert target_rows(only_raw, "coal_cap")[0]["binding"]


def test_oil_peak(wuhan, baseline_run):
    oil = baseline_run.dataset["fuel_use"].sel(fuel="oil").to_series()
    assert oil.loc[2023:].max() > oil[2022]  # the least-cost path's oil use rises after 2022
    res = solve_wuhan(wuhan, {"targets.oil_peak_year": 2022})
    assert res.status == "optimal"
    # the level is fixed: the oil use in 2022 of the least-cost reference (here the baseline
    # itself), never the pathway's own 2022, which it could inflate
    level = res.built.md.scenario.targets["oil_peak_level"]
    assert level == pytest.approx(oil[2022], rel=1e-6)
    o = res.dataset["fuel_use"].sel(fuel="oil").to_series()
    assert (o.loc[2023:] <= level + 1e-6).all()
    assert any(r["binding"] and r["shadow_price"] > 0 for r in target_rows(res, "oil_peak"))


def test_an_impossible_oil_peak_is_reported_not_hidden(wuhan):
    res = solve_wuhan(wuhan, {"overrides": FAST_GROWTH, "targets.oil_peak_year": 2022})
    assert res.status == "infeasible"
    assert {s["family"] for s in res.shortfalls} == {"oil_peak"}
    assert all(s["shortfall"] > 0 for s in res.shortfalls)


def test_non_fossil_share_is_a_floor(wuhan, baseline_run):
    share = float(baseline_run.dataset["non_fossil_share"].sel(year=2030))
    goal = round(share + 0.02, 3)
    res = solve_wuhan(wuhan, {"targets.non_fossil_share": {2030: goal}})
    got = float(res.dataset["non_fossil_share"].sel(year=2030))
    assert got == pytest.approx(goal, abs=1e-7)
    # a floor by 2030 holds in 2030 and every later year
    assert (res.dataset["non_fossil_share"].sel(year=slice(2030, 2035)) >= goal - 1e-7).all()
    rows = target_rows(res, "non_fossil_share")
    assert [r["year"] for r in rows] == list(range(2030, 2036))
    assert rows[0]["binding"] and rows[0]["shadow_price"] > 0
    assert series(res, "non_fossil")[2030] > series(baseline_run, "non_fossil")[2030]
