"""Coal cap, oil peak and non-fossil share."""

import pytest

from tests.conftest import FAST_GROWTH, series, solve_wuhan, target_rows


def coal(res, year):
    return float(res.dataset["fuel_use"].sel(fuel="coal", year=year))


def test_coal_cap(wuhan, baseline_run):
    assert coal(baseline_run, 2022) > 1950
    res = solve_wuhan(wuhan, {"targets.coal_cap": {2022: 1950}})
    assert coal(res, 2022) == pytest.approx(1950, abs=1e-4)
    (row,) = target_rows(res, "coal_cap")
    assert row["binding"] and row["shadow_price"] > 0
    assert row["shadow_unit"] == "CNY/tce"


def test_coal_cap_counts_only_the_listed_coal_fuels(wuhan):
    both = solve_wuhan(wuhan, {"targets.coal_cap": {2022: 2600},
                               "accounting.coal_fuels": ["coal", "coke"]})
    use = both.dataset["fuel_use"].sel(year=2022)
    assert float(use.sel(fuel="coal") + use.sel(fuel="coke")) <= 2600 + 1e-6
    assert target_rows(both, "coal_cap")[0]["binding"]


def test_oil_peak(wuhan, baseline_run):
    oil = baseline_run.dataset["fuel_use"].sel(fuel="oil").to_series()
    assert oil.loc[2022:].max() > oil[2021]  # the least-cost path's oil use rises in 2022
    res = solve_wuhan(wuhan, {"targets.oil_peak_year": 2021})
    assert res.status == "optimal"
    o = res.dataset["fuel_use"].sel(fuel="oil").to_series()
    assert (o.loc[2022:] <= o[2021] + 1e-6).all()
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
    (row,) = target_rows(res, "non_fossil_share")
    assert row["binding"] and row["shadow_price"] > 0
    assert series(res, "non_fossil")[2030] > series(baseline_run, "non_fossil")[2030]
