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
    # the level is the 2025 CO2 of the path solved without the peak target (here: no targets)
    level = peak_level(res)
    assert level == pytest.approx(series(baseline_run, "co2_total")[2025], rel=1e-6)
    assert (co2.loc[2026:] <= level + 1e-6).all()
    rows = [r for r in target_rows(res, "peak") if r["id"] == "peak"]
    assert [r["year"] for r in rows] == list(range(2026, 2036))
    assert res.solution.objective > baseline_run.solution.objective


def test_the_default_form_is_a_fixed_cap_path_with_no_row_on_the_peak_years_co2(wuhan):
    """The default form bounds later years by the fixed level only: no row compares them with
    the pathway's own CO2 in P (a decision the optimiser could inflate by deferring abatement
    out of P), so the pathway may climb after P as long as it stays below the level."""
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2025}})
    assert not [r for r in target_rows(res, "peak") if r["id"] == "peak_max"]
    co2 = series(res, "co2_total")
    assert (co2.loc[2026:] <= peak_level(res) + 1e-6).all()
    assert co2.loc[2026:].max() > co2[2025] + 1.0  # the shape is not forced


def test_the_true_max_form_holds_later_years_to_the_pathways_own_peak(wuhan, baseline_run):
    """The least-cost reference still rises after 2025, so the fixed level alone (its 2025
    CO2) lets the pathway climb after 2025 up to that level; with ``form: true_max`` the
    peak_max rows hold every later year to the pathway's own 2025 CO2. Dropped, the pathway's
    maximum moves past 2025; sign-flipped, later years would have to exceed 2025."""
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2025, "form": "true_max"}})
    co2 = series(res, "co2_total")
    assert (co2.loc[2026:] <= co2[2025] + 1e-6).all()
    rows = [r for r in target_rows(res, "peak") if r["id"] == "peak_max"]
    assert [r["year"] for r in rows] == list(range(2026, 2036))
    assert any(r["binding"] and r["shadow_price"] > 0 for r in rows)
    ref = series(baseline_run, "co2_total")
    assert ref.loc[2026:].max() > ref[2025] + 100  # the fixed level alone would not do it


def test_decline_rate_after_plateau(wuhan):
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2022, "plateau_years": 3,
                                               "decline_rate": 0.01, "form": "true_max"}})
    assert res.status == "optimal"
    co2 = series(res, "co2_total")
    level = peak_level(res)
    assert (co2.loc[2023:2025] <= level + 1e-6).all()
    for y in range(2026, 2036):
        assert co2[y] <= level * 0.99 ** (y - 2025) + 1e-6
        assert co2[y] <= co2[2022] * 0.99 ** (y - 2025) + 1e-6  # and the pathway's own 2022
    assert any(r["binding"] for r in target_rows(res, "peak_decline"))


def test_decline_rate_binds_where_the_baseline_falls_slower(baseline_run):
    co2 = series(baseline_run, "co2_total")
    level = co2[2022]  # the level-finding solve of the test above is the baseline itself
    assert (co2.loc[2026:] > level * 0.99 ** (co2.loc[2026:].index - 2025)).any()


def test_peak_cap_limits_every_year(wuhan, baseline_run):
    cap = round(series(baseline_run, "co2_total").loc[2021:].max() - 200)
    # a stated level far above the path and the last year as peak year: only the cap binds
    res = solve_wuhan(wuhan, {"targets.peak": {"year": 2035, "cap": cap, "level": 1e6}})
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
