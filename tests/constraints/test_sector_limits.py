"""Sector and district limits and bureau budgets."""

import pytest

from tests.conftest import solve_wuhan, target_rows


def sector_co2(ds, sectors, year):
    em = ds["emissions"].sel(gas="CO2", sector=sectors, year=year).sum()
    s2 = ds["scope2"].sel(sector=sectors, year=year).sum()
    return float(em + s2)


def test_group_co2_limit_includes_attributed_electricity(wuhan, baseline_run):
    industry = [s for s, g in zip(baseline_run.dataset["sector"].values,
                                  baseline_run.dataset["sector_group"].values, strict=True)
                if g == "industry"]
    base = sector_co2(baseline_run.dataset, industry, 2025)
    lim = round(base - 200)
    res = solve_wuhan(wuhan, {"targets.limits": [
        {"id": "industry_co2", "quantity": "co2", "groups": ["industry"],
         "values": {2025: lim}}]})
    assert sector_co2(res.dataset, industry, 2025) == pytest.approx(lim, abs=1e-3)
    (row,) = target_rows(res, "limit")
    assert row["id"] == "industry_co2" and row["binding"] and row["shadow_price"] > 0


def test_investment_budget_caps_a_bureaus_spending(wuhan, baseline_run):
    spent = float(baseline_run.dataset["investment"].sel(group="transport", year=2021))
    assert spent > 1000
    res = solve_wuhan(wuhan, {"targets.limits": [
        {"id": "transport_budget", "quantity": "investment", "groups": ["transport"],
         "sectors": [], "values": {2021: 1000}}]})
    assert float(res.dataset["investment"].sel(group="transport", year=2021)) <= 1000 + 1e-6
    assert target_rows(res, "limit")[0]["binding"]


def test_a_floor_limit_with_ge_sense(wuhan, baseline_run):
    pv = float(baseline_run.dataset["investment"].sel(group="energy", year=2022))
    res = solve_wuhan(wuhan, {"targets.limits": [
        {"id": "energy_spend_floor", "quantity": "investment", "groups": ["energy"],
         "sense": "ge", "values": {2022: pv + 5000}}]})
    assert float(res.dataset["investment"].sel(group="energy", year=2022)) >= pv + 5000 - 1e-6
    row = target_rows(res, "limit")[0]
    assert row["binding"] and row["shadow_price"] > 0


def test_city_gas_limit_caps_pipeline_gas(wuhan, baseline_run):
    # natural gas of every sector and district, feedstock included (万tce): 5 % below the
    # least-cost path's 2030 use, binding in 2030 only
    gas = baseline_run.dataset["energy"].sel(fuel="natural_gas", year=2030).sum()
    lim = round(0.95 * float(gas))
    res = solve_wuhan(wuhan, {"targets.limits": [
        {"id": "gas_supply", "quantity": "gas", "values": {2030: lim}}]})
    used = float(res.dataset["energy"].sel(fuel="natural_gas", year=2030).sum())
    assert used == pytest.approx(lim, abs=1e-4)
    (row,) = target_rows(res, "limit")
    assert row["binding"] and row["shadow_price"] > 0


def test_unknown_group_in_a_limit_is_a_located_error(wuhan):
    from peakpath.errors import InputError

    with pytest.raises(InputError) as e:
        solve_wuhan(wuhan, {"targets.limits": [
            {"id": "x", "quantity": "co2", "groups": ["nope"], "values": {2025: 1}}]})
    assert "nope" in e.value.report() and "targets.limits.x.groups" in e.value.report()
