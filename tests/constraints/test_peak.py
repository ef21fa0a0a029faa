"""Peak family: each test fails if its rows are dropped (the unconstrained path breaks the
rule) or their sign is flipped (the path would sit on the wrong side of the limit)."""

import pytest

from tests.conftest import series, solve_wuhan, target_rows


def peak_level(res) -> float:
    return res.built.md.scenario.targets["peak"]["level"]


def test_the_least_cost_path_rises_after_2025(baseline_run):
    co2 = series(baseline_run, "co2_total")
    assert co2.loc[2026:].max() > co2[2025] + 10  # so a 2025 peak has to bite


def test_peak_year_caps_every_later_year_at_the_peak_level(wuhan, baseline_run):
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2025}})
    assert res.status == "optimal"
    co2 = series(res, "co2_total")
    # the level is the fixed point of model.levels: started at the least-cost path's 2025 CO2,
    # it ends at the pathway's own 2025 CO2, so the pathway's maximum from 2025 on is in 2025
    from peakpath.levels import TOLERANCE

    level = peak_level(res)
    assert level < series(baseline_run, "co2_total")[2025] - 10
    assert co2[2025] == pytest.approx(level, abs=TOLERANCE)
    assert (co2.loc[2026:] <= level + 1e-6).all()
    rows = target_rows(res, "peak")
    assert [r["year"] for r in rows] == list(range(2026, 2036))
    assert any(r["binding"] and r["shadow_price"] > 0 for r in rows)
    assert res.solution.objective > baseline_run.solution.objective


def test_decline_rate_after_plateau(wuhan):
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2022, "plateau_years": 3,
                                               "decline_rate": 0.01}})
    assert res.status == "optimal"
    co2 = series(res, "co2_total")
    level = peak_level(res)
    assert (co2.loc[2023:2025] <= level + 1e-6).all()
    for y in range(2026, 2036):
        assert co2[y] <= level * 0.99 ** (y - 2025) + 1e-6
    assert any(r["binding"] for r in target_rows(res, "peak_decline"))


def test_decline_rate_binds_where_the_baseline_falls_slower(baseline_run):
    co2 = series(baseline_run, "co2_total")
    level = co2[2022]  # the start of the level iteration of the test above
    assert (co2.loc[2026:] > level * 0.99 ** (co2.loc[2026:].index - 2025)).any()


def test_peak_cap_limits_every_year(wuhan, baseline_run):
    cap = round(series(baseline_run, "co2_total").loc[2021:].max() - 200)
    # a stated level far above the path: only the cap rows can bind
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2030, "cap": cap, "level": 1e6}})
    co2 = series(res, "co2_total")
    assert (co2.loc[2021:] <= cap + 1e-6).all()
    caps = target_rows(res, "peak_cap")
    assert {r["year"] for r in caps} == set(range(2021, 2036))
    assert any(r["binding"] and r["shadow_price"] > 0 for r in caps)


def test_free_peak_year_is_chosen_no_later_than_the_bound(wuhan, baseline_run):
    # research mode: the model picks the peak year itself, no later than 2027 (the least-cost
    # path peaks later, so the bound bites)
    assert int(series(baseline_run, "co2_total").idxmax()) > 2027
    res = solve_wuhan(wuhan, {"targets.peak": {"year": "free", "latest": 2027}})
    assert res.status == "optimal"
    co2 = series(res, "co2_total")
    chosen = res.solution.values["peak_choice"]
    year = int(chosen.idxmax())
    assert chosen.max() == pytest.approx(1.0)
    assert year <= 2027
    assert (co2.loc[year + 1:] <= co2[year] + 1e-6).all()
    assert res.solution.objective > baseline_run.solution.objective
