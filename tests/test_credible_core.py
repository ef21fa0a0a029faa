"""Hand-computed micro-cases for the credible core (issue 9): caps that persist, intensity
targets that chain, the hurdle-rate annuity, diffusion limits and feedstock accounting
(tests/mini.py: 100 万tce coal at 2 t/tce = 200 万t CO2 a year, coal 1,000 CNY/tce, no growth)."""

from __future__ import annotations

import pytest

from model.ledger import capital_recovery_factor
from model.run import run_scenario
from model.targets import chained_intensity, persistent_caps
from tests.conftest import make_scenario, series, solve_wuhan
from tests.mini import coal_saver, mini

ACTORS = [{"actor": "households", "name_zh": "居民", "name_en": "Households",
           "hurdle_rate": 0.15, "source": "test"}]


def years(start=2021, end=2023, **kw):
    return {"years": {"base": 2020, "start": start, "end": end},
            "projects": {"default": "out"}, **kw}


def solve(tmp_path, measures, settings, **tables):
    data = mini(tmp_path / "data", measures, **tables)
    return run_scenario(make_scenario(settings, dataset=tmp_path / "data"), data,
                        isolate=False)


def test_persistent_caps_expand_by_hand():
    f = persistent_caps({2022: 1950, 2025: 1800}, list(range(2021, 2028)))
    assert f.set_index("year")["cap"].to_dict() == {
        2022: 1950, 2023: 1950, 2024: 1950, 2025: 1800, 2026: 1800, 2027: 1800}
    only = persistent_caps({2022: 1950, "only": [2022]}, list(range(2021, 2025)))
    assert only.set_index("year")["cap"].to_dict() == {2022: 1950}


def test_a_cap_by_a_year_holds_in_every_later_year(tmp_path):
    # a 50 CNY/t measure that lasts one year: without persistence the cap would be met in
    # 2021 alone and CO2 would go back to 200 in 2022 and 2023
    m = [coal_saver("kit", 1100, potential=20)]
    res = solve(tmp_path, m, years(targets={"carbon_cap": {2021: 190}}))
    co2 = series(res, "co2_total")
    assert co2.loc[2021:2023].to_numpy() == pytest.approx([190.0, 190.0, 190.0])
    one = solve(tmp_path, m, years(targets={"carbon_cap": {2021: 190, "only": [2021]}}))
    assert series(one, "co2_total").loc[2021:2023].to_numpy() == pytest.approx(
        [190.0, 200.0, 200.0])


def test_chained_intensity_factors_by_hand():
    f = chained_intensity({2025: -0.135, 2030: -0.135}, 2020).set_index("year")
    assert f.loc[2025, "factor"] == pytest.approx(0.865)
    assert f.loc[2030, "factor"] == pytest.approx(0.865 ** 2)
    # a period without a target requires no change
    assert chained_intensity({2030: -0.1}, 2020).set_index("year").loc[
        2030, "factor"] == pytest.approx(0.9)


def test_a_later_intensity_target_chains_from_the_required_value(tmp_path):
    # GDP flat: the 2025 target -10 % requires E2025 <= 90; the 2030 target -10 % chains from
    # that required 90, not from the model's 2025: E2030 <= 81 (a costly measure, so both bind)
    m = [coal_saver("kit", 1100, potential=30)]
    res = solve(tmp_path, m, years(2021, 2030, targets={
        "energy_intensity": {2025: -0.10, 2030: -0.10}}))
    e = series(res, "energy_total")
    assert e[2025] == pytest.approx(90.0)
    assert e[2030] == pytest.approx(81.0)
    rows = {t["year"]: t for t in res.summary["targets"]}
    assert rows[2030]["achieved"] == pytest.approx(-0.10)


def test_hurdle_rate_annuity_by_hand(tmp_path):
    # capex 3,500 万元 per unit saving 1 万tce (1,000 万元/yr), L = 5, r = 10 %:
    # at the social rate 3,500 * CRF(10 %, 5) = 923.3 < 1,000 pays; at the households'
    # 15 %, 3,500 * CRF(15 %, 5) = 1,044.1 > 1,000 does not
    social = [coal_saver("kit", 0, capex=3500.0, lifetime=5, potential=10)]
    s = years(discount_rate=0.10)
    free = solve(tmp_path, social, s)
    assert float(free.dataset["adoption"].sel(year=2021).sum()) == pytest.approx(10.0)
    held = solve(tmp_path / "h", [coal_saver("kit", 0, capex=3500.0, lifetime=5, potential=10,
                                             actor="households")], s, actors=ACTORS)
    assert float(held.dataset["adoption"].sum()) == pytest.approx(0.0)
    # forced in by a cap, the gap is reported apart: capex at 10 %, hurdle = the difference
    capped = solve(tmp_path / "c", [coal_saver("kit", 0, capex=3500.0, lifetime=5,
                                               potential=10, actor="households")],
                   years(discount_rate=0.10, targets={"carbon_cap": {2021: 180}}),
                   actors=ACTORS)
    cost = capped.dataset["cost"].sel(year=2021)
    units = 10.0
    assert float(cost.sel(component="capex")) == pytest.approx(
        units * 3500 * capital_recovery_factor(0.10, 5))
    assert float(cost.sel(component="hurdle")) == pytest.approx(
        units * 3500 * (capital_recovery_factor(0.15, 5) - capital_recovery_factor(0.10, 5)))


def test_diffusion_limit_by_hand(tmp_path):
    # a measure that pays (om 500 < 1,000 of coal saved), potential 100, start-up 10 a year
    # (growth_seed 0.1), growth at most 50 %/yr: stock 10, 1.5*10+10 = 25, 1.5*25+10 = 47.5
    m = [coal_saver("kit", 500, potential=100, lifetime=10, max_build_share=1.0,
                    max_growth=0.5, growth_seed=0.1)]
    res = solve(tmp_path, m, years())
    a = res.dataset["adoption"].sum("district").sel(measure="kit").to_series()
    assert a.loc[2021:2023].to_numpy() == pytest.approx([10.0, 25.0, 47.5])


def test_feedstock_of_a_measure_and_a_project(tmp_path):
    # half the plant's coal is feedstock: the base year emits 100 万t, not 200. A measure that
    # saves 1 万tce of burned coal abates the full 2 万t; a project adding 10 万tce of feedstock
    # adds energy use but no CO2 and nothing to the energy total (feedstock excluded)
    m = [coal_saver("kit", 500, potential=10)]
    project = [{"project": "p", "name_zh": "项目", "name_en": "Project", "sector": "plant",
                "district": "city", "earliest_year": 2021, "value_added": 1.0}]
    effects = [{"project": "p", "kind": "feedstock", "item": "coal", "value": 10.0,
                "unit": "万tce"}]
    res = solve(tmp_path, m, years(2021, 2021, projects={"default": "in"}),
                feedstock=[{"sector": "plant", "fuel": "coal", "share": 0.5}],
                projects=project, project_effects=effects)
    ds = res.dataset
    assert float(ds["co2_scope1"].sel(year=2020)) == pytest.approx(100.0)
    assert float(ds["adoption"].sel(year=2021).sum()) == pytest.approx(10.0)
    assert float(ds["co2_scope1"].sel(year=2021)) == pytest.approx(100.0 - 2.0 * 10)
    assert float(ds["fuel_use"].sel(fuel="coal", year=2021)) == pytest.approx(100 - 10 + 10)
    assert float(ds["energy_total"].sel(year=2021)) == pytest.approx(50.0 - 10.0)


def test_no_binding_coal_cap_is_met_by_a_one_year_dip(wuhan, baseline_run):
    # a cap from 2022 below the least-cost path's coal use in 2022 and later years holds in
    # every year from 2022 on, not just 2022
    coal = (baseline_run.dataset["fuel_use"].sel(fuel=["coal", "coke"]).sum("fuel")
            .to_series())
    cap = round(float(coal[2022]) - 60)
    assert (coal.loc[2023:] > cap).any()  # without persistence later years would exceed it
    res = solve_wuhan(wuhan, {"targets.coal_cap": {2022: cap}})
    got = res.dataset["fuel_use"].sel(fuel=["coal", "coke"]).sum("fuel").to_series()
    assert (got.loc[2022:] <= cap + 1e-6).all()
