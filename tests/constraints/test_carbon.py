"""Carbon intensity and carbon cap (carbon dual control)."""

import pytest

from tests.conftest import series, solve_wuhan, target_rows


def test_carbon_intensity_target(wuhan, baseline_run):
    # a 2030 target alone: the 2021–25 period has no target, so it chains from the base year
    # (statistics) with no required change there: CI[2030] <= (1 + r) * CI[2020]
    ds = baseline_run.dataset
    achieved = float(ds["carbon_intensity"].sel(year=2030) / ds["carbon_intensity"].sel(
        year=2020) - 1)
    goal = round(achieved - 0.04, 3)
    res = solve_wuhan(wuhan, {"targets.carbon_intensity": {2030: goal}})
    (row,) = target_rows(res, "carbon_intensity")
    assert row["achieved"] == pytest.approx(goal, abs=1e-7)
    assert row["binding"] and row["shadow_price"] > 0
    r = res.dataset
    assert float(r["carbon_intensity"].sel(year=2030) / r["carbon_intensity"].sel(year=2020)
                 - 1) == pytest.approx(goal, abs=1e-7)


def test_carbon_cap(wuhan, baseline_run):
    cap = round(series(baseline_run, "co2_total")[2030] - 500)
    res = solve_wuhan(wuhan, {"targets.carbon_cap": {2030: cap}})
    # a cap by 2030 holds in 2030 and every later year
    assert (series(res, "co2_total").loc[2030:] <= cap + 1e-6).all()
    rows = target_rows(res, "carbon_cap")
    assert [r["year"] for r in rows] == list(range(2030, 2036))
    first = rows[0]
    assert first["binding"] and first["shadow_price"] > 0
    assert first["shadow_unit"] == "CNY/t CO2"


def test_carbon_intensity_on_a_yearly_path(wuhan, baseline_run):
    # ``intensity_path: yearly``: each year 2026..2030 of the period holds
    # CI[y] <= (1 + r)^((y - 2025) / 5) * CI[2020] (no 2025 target: the period starts from the
    # base year's statistics, factor 1)
    ds = baseline_run.dataset
    achieved = float(ds["carbon_intensity"].sel(year=2030) / ds["carbon_intensity"].sel(
        year=2020) - 1)
    goal = round(achieved - 0.04, 3)
    res = solve_wuhan(wuhan, {"targets.carbon_intensity": {2030: goal},
                              "targets.intensity_path": "yearly"})
    rows = target_rows(res, "carbon_intensity")
    assert [r["year"] for r in rows] == [2026, 2027, 2028, 2029, 2030]
    ci = series(res, "carbon_intensity")
    for j, y in enumerate(range(2026, 2031), start=1):
        assert ci[y] / ci[2020] <= (1.0 + goal) ** (j / 5) + 1e-9, y
    assert rows[-1]["binding"] and rows[-1]["achieved"] == pytest.approx(goal, abs=1e-6)
