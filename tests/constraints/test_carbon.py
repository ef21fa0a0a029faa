"""Carbon intensity and carbon cap (carbon dual control)."""

import pytest

from tests.conftest import series, solve_wuhan, target_rows


def test_carbon_intensity_target(wuhan, baseline_run):
    ds = baseline_run.dataset
    achieved = float(ds["carbon_intensity"].sel(year=2030) / ds["carbon_intensity"].sel(
        year=2025) - 1)
    goal = round(achieved - 0.04, 3)
    res = solve_wuhan(wuhan, {"targets.carbon_intensity": {2030: goal}})
    (row,) = target_rows(res, "carbon_intensity")
    assert row["achieved"] == pytest.approx(goal, abs=1e-7)
    assert row["binding"] and row["shadow_price"] > 0


def test_carbon_cap(wuhan, baseline_run):
    cap = round(series(baseline_run, "co2_total")[2030] - 500)
    res = solve_wuhan(wuhan, {"targets.carbon_cap": {2030: cap}})
    assert series(res, "co2_total")[2030] <= cap + 1e-6
    (row,) = target_rows(res, "carbon_cap")
    assert row["binding"] and row["shadow_price"] > 0
    assert row["shadow_unit"] == "CNY/t CO2"
