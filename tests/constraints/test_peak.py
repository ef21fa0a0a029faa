"""Peak family: each test fails if its rows are dropped (the unconstrained path breaks the
rule) or their sign is flipped (the path would sit on the wrong side of the limit)."""

import pytest

from tests.conftest import FAST_GROWTH, series, solve_wuhan, target_rows


def test_unconstrained_fast_growth_path_rises_after_2025(growth_run):
    co2 = series(growth_run, "co2_total")
    assert co2.loc[2026:].max() > co2[2025] + 10  # so a 2025 peak has to bite


def test_peak_year_caps_every_later_year_at_the_peak_level(wuhan, growth_run):
    res = solve_wuhan(wuhan, {"overrides": FAST_GROWTH, "targets.peak": {"year": 2025}})
    co2 = series(res, "co2_total")
    assert (co2.loc[2026:] <= co2[2025] + 1e-6).all()
    rows = target_rows(res, "peak")
    assert [r["year"] for r in rows] == list(range(2026, 2036))
    assert any(r["binding"] and r["shadow_price"] > 0 for r in rows)
    assert res.solution.objective > growth_run.solution.objective


def test_decline_rate_after_plateau(wuhan):
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2022, "plateau_years": 3,
                                               "decline_rate": 0.03}})
    co2 = series(res, "co2_total")
    assert (co2.loc[2023:2025] <= co2[2022] + 1e-6).all()
    for y in range(2026, 2036):
        assert co2[y] <= 0.97 * co2[y - 1] + 1e-6
    assert any(r["binding"] for r in target_rows(res, "peak_decline"))


def test_decline_rate_binds_where_the_baseline_falls_slower(baseline_run):
    co2 = series(baseline_run, "co2_total")
    ratios = (co2.loc[2026:] / co2.shift(1).loc[2026:])
    assert (ratios > 0.97).any()  # so the decline rows above had to act


def test_peak_cap_limits_years_up_to_the_peak_year(wuhan, baseline_run):
    assert series(baseline_run, "co2_total")[2021] > 14300
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2022, "cap": 14300}})
    co2 = series(res, "co2_total")
    assert co2[2021] <= 14300 + 1e-6 and co2[2022] <= 14300 + 1e-6
    caps = target_rows(res, "peak_cap")
    assert {r["year"] for r in caps} == {2021, 2022}
    assert any(r["binding"] and r["shadow_price"] > 0 for r in caps)


def test_free_peak_year_is_chosen_no_later_than_the_bound(wuhan):
    res = solve_wuhan(wuhan, {"overrides": FAST_GROWTH,
                              "targets.peak": {"year": "free", "latest": 2027}})
    co2 = series(res, "co2_total")
    choice = res.dataset  # the chosen year is where peak_choice = 1
    chosen = res.solution.values["peak_choice"]
    year = int(chosen.idxmax())
    assert chosen.max() == pytest.approx(1.0)
    assert year <= 2027
    assert (co2.loc[year + 1:] <= co2[year] + 1e-6).all()
    fixed = solve_wuhan(wuhan, {"overrides": FAST_GROWTH, "targets.peak": {"year": 2027}})
    # choosing the year is never worse than imposing the latest year
    assert res.solution.objective <= fixed.solution.objective * (1 + 1e-6)
    assert choice.attrs["status"] == "optimal"
