"""Micro-models whose answers are worked out by hand (tests/mini.py: 100 万tce coal at
2 t/tce = 200 万t CO2 a year, coal 1,000 CNY/tce, no growth)."""

from __future__ import annotations

import numpy as np
import pytest

from peakpath.core.ledger import capital_recovery_factor, discount_factors
from peakpath.solve.run import run_scenario
from tests.conftest import make_scenario
from tests.mini import coal_saver, mini

# three measures, 10 units each, each unit saves 1 万tce coal = 2 万t CO2 and 1,000 万元 of coal:
# cost per t CO2 = (om - 1000) / 2  ->  50, 150, 300 CNY/t
MERIT = [coal_saver("cheap", 1100), coal_saver("middle", 1300), coal_saver("dear", 1600)]


def one_year(targets=None, **kw):
    return {"years": {"base": 2020, "start": 2021, "end": 2021}, "targets": targets or {},
            "projects": {"default": "out"}, **kw}


def solve(tmp_path, measures, settings, **tables):
    data = mini(tmp_path / "data", measures, **tables)
    return run_scenario(make_scenario(settings, dataset=tmp_path / "data"), data,
                        isolate=False)


def adoption(res, year=2021):
    return res.dataset["adoption"].sel(year=year).sum("district").to_series()


def test_merit_order_macc_cap_dual_equals_marginal_measure_cost(tmp_path):
    # cap 170: abate 30 万t = cheap fully (20) + half of middle (10) -> marginal is middle
    res = solve(tmp_path, MERIT, one_year({"carbon_cap": {2021: 170}}))
    a = adoption(res)
    assert a["cheap"] == pytest.approx(10)
    assert a["middle"] == pytest.approx(5)
    assert a["dear"] == pytest.approx(0)
    t = res.summary["targets"][0]
    assert t["binding"] and t["shadow_price"] == pytest.approx(150.0, rel=1e-9)
    assert res.dataset["co2_total"].sel(year=2021) == pytest.approx(170.0)


def test_cap_within_first_segment_prices_at_cheapest_measure(tmp_path):
    res = solve(tmp_path, MERIT, one_year({"carbon_cap": {2021: 190}}))
    assert res.summary["targets"][0]["shadow_price"] == pytest.approx(50.0)
    assert adoption(res)["cheap"] == pytest.approx(5)


def test_price_duality_carbon_price_at_the_dual_reproduces_the_capped_solution(tmp_path):
    capped = solve(tmp_path, MERIT, one_year({"carbon_cap": {2021: 170}}))
    dual = capped.summary["targets"][0]["shadow_price"]
    priced = solve(tmp_path, MERIT, one_year(carbon_price={2021: dual}))
    df = 1 / 1.06
    # the capped solution is optimal under the price: same objective once the price is paid
    expected = capped.solution.objective + df * dual * 170.0
    assert priced.solution.objective == pytest.approx(expected, rel=1e-9)
    # and a price a little off the dual moves emissions to either end of the marginal segment
    above = solve(tmp_path, MERIT, one_year(carbon_price={2021: dual + 1}))
    below = solve(tmp_path, MERIT, one_year(carbon_price={2021: dual - 1}))
    assert float(above.dataset["co2_total"].sel(year=2021)) == pytest.approx(160.0)
    assert float(below.dataset["co2_total"].sel(year=2021)) == pytest.approx(180.0)


def test_annuity_and_discounting_by_hand():
    # r = 10 %, L = 5: CRF = 0.1 / (1 - 1.1^-5) = 0.263797...
    assert capital_recovery_factor(0.1, 5) == pytest.approx(0.26379748, rel=1e-7)
    assert capital_recovery_factor(0.0, 4) == pytest.approx(0.25)
    assert discount_factors(0.1, [2021, 2022], 2020) == pytest.approx([1 / 1.1, 1 / 1.21])


def test_capex_counted_only_inside_the_horizon(tmp_path):
    # one measure that must be built in 2021 (cap from 2021), capex 1,000 万元/unit, L = 5,
    # horizon 2021–2023, r = 10 %: the objective holds 3 annuities, not 5
    m = [coal_saver("kit", 1000, capex=1000.0, lifetime=5, potential=10)]
    settings = {"years": {"base": 2020, "start": 2021, "end": 2023}, "discount_rate": 0.10,
                "targets": {"carbon_cap": {2021: 180, 2022: 180, 2023: 180}},
                "projects": {"default": "out"}}
    res = solve(tmp_path, m, settings)
    units = 10.0  # 20 万t abated = 10 units, built in 2021, in use 2021–2023
    assert float(res.dataset["new_builds"].sel(year=2021).sum()) == pytest.approx(units)
    crf = 0.1 / (1 - 1.1 ** -5)
    dfs = [1.1 ** -1, 1.1 ** -2, 1.1 ** -3]
    capex_pv = units * 1000 * crf * sum(dfs)
    # om 1,000 per unit and year exactly offsets the coal it saves, so coal bill + om =
    # 100 万tce * 1,000 CNY every year
    energy_pv = 100 * 1000 * sum(dfs)
    assert res.solution.objective == pytest.approx(capex_pv + energy_pv, rel=1e-9)
    cost = res.dataset["cost"].sel(component="capex").to_series()
    assert cost.loc[2021:2023].to_numpy() == pytest.approx([units * 1000 * crf] * 3)


def test_vintage_retires_after_its_lifetime_and_is_rebuilt(tmp_path):
    m = [coal_saver("short", 1000, capex=100.0, lifetime=2, potential=10)]
    caps = {y: 190 for y in range(2021, 2025)}
    settings = {"years": {"base": 2020, "start": 2021, "end": 2024},
                "targets": {"carbon_cap": caps}, "projects": {"default": "out"}}
    res = solve(tmp_path, m, settings)
    b = res.dataset["new_builds"].sum("district").sel(measure="short").to_series()
    s = res.dataset["adoption"].sum("district").sel(measure="short").to_series()
    assert b.loc[2021:].to_dict() == pytest.approx({2021: 5, 2022: 0, 2023: 5, 2024: 0})
    for y in range(2021, 2025):
        assert s[y] == pytest.approx(b.loc[y - 1:y].sum())


def test_energy_intensity_arithmetic_over_a_plan_period(tmp_path):
    # GDP +10 %/yr; plant activity follows GDP with elasticity 1.5 -> energy grows ~15 %/yr;
    # target -20 % intensity 2021–25: E2025 <= 0.8 * 1.1^5 * 100 = 128.8408 万tce
    growth = [{"variable": "gdp", "start_year": 2021, "end_year": 2040, "rate": 0.1,
               "unit": "1/yr"},
              {"variable": "population", "start_year": 2021, "end_year": 2040, "rate": 0.0,
               "unit": "1/yr"}]
    sectors = [{"sector": "plant", "group": "industry", "name_zh": "工厂", "name_en": "Plant",
                "role": "end_use", "activity_unit": "万t", "driver": "gdp",
                "elasticity": 1.5}]
    m = [coal_saver("save", 1100, potential=200)]
    settings = {"years": {"base": 2020, "start": 2021, "end": 2025},
                "targets": {"energy_intensity": {2025: -0.20}}, "projects": {"default": "out"}}
    res = solve(tmp_path, m, settings, growth=growth, sectors=sectors)
    e = res.dataset["energy_total"].to_series()
    assert e[2025] == pytest.approx(0.8 * 1.1 ** 5 * 100, rel=1e-9)
    t = res.summary["targets"][0]
    assert t["achieved"] == pytest.approx(-0.20, abs=1e-9)
    assert t["binding"]
    # unconstrained, the intensity would rise by 1.1^7.5 / 1.1^5 - 1 = +26.9 %: the model's
    # no-measure path (coal only, 2 t CO2/tce, so energy = co2_reference / 2, 万tce)
    ref = res.dataset["co2_reference"].to_series() / 2
    gdp = res.dataset["gdp"].to_series()
    assert ref[2025] == pytest.approx(100 * 1.1 ** 7.5, rel=1e-9)
    assert (ref[2025] / gdp[2025]) / (ref[2020] / gdp[2020]) - 1 == pytest.approx(
        1.1 ** 2.5 - 1, rel=1e-9)


def test_semicontinuous_measure_builds_zero_or_at_least_its_minimum(tmp_path):
    m = [coal_saver("lumpy", 1100, potential=10, kind="semicontinuous", min_build=6),
         coal_saver("smooth", 1500, potential=10)]
    res = solve(tmp_path, m, one_year({"carbon_cap": {2021: 192}}))
    a = adoption(res)
    # 8 万t needed = 4 units; lumpy must build >= 6 if at all: 6 lumpy (cost 50*12) beats
    # 4 smooth (250*8)
    assert a["lumpy"] == pytest.approx(6)
    assert a["smooth"] == pytest.approx(0)


def test_integer_measure_builds_whole_units(tmp_path):
    # a block saves 3 万tce (6 万t CO2) at 300 万元 a year (50 CNY/t); "fine" costs 350 CNY/t.
    # 10 万t needed: 2 blocks (600 万元) beat 1 block + 2 fine units (300 + 1,400 万元)
    m = [coal_saver("block", 3300, potential=10, kind="integer", saving=3.0),
         coal_saver("fine", 1700, potential=10)]
    res = solve(tmp_path, m, one_year({"carbon_cap": {2021: 190}}))
    a = adoption(res)
    assert a["block"] == pytest.approx(np.round(a["block"]))
    assert a["block"] == pytest.approx(2)
    assert a["fine"] == pytest.approx(0)


def test_a_mip_solution_with_a_fractional_integer_is_refused():
    """highspy 1.11.0 returned an 'optimal' MIP solution with a binary at 0.981: such a
    solution is refused (SolverError) instead of being reported; round-off is accepted."""
    from peakpath.errors import SolverError
    from peakpath.solve.highs import INTEGRALITY_TOL, _check_integral

    info: dict = {}
    ok = np.array([0.0, 1.0 - 1e-9, 3.0 + 1e-7])
    _check_integral(ok, np.round(ok), info)
    assert info["integrality_violation"] == pytest.approx(1e-7)
    bad = np.array([0.0, 0.981])
    with pytest.raises(SolverError, match=r"0\.019 away from a whole number"):
        _check_integral(bad, np.round(bad), info)
    edge = np.array([2.0 + 2 * INTEGRALITY_TOL])
    with pytest.raises(SolverError):
        _check_integral(edge, np.round(edge), info)


def test_exclusive_group_shares_one_potential(tmp_path):
    # 10 units needed; the two routes share a potential of 8, the rest comes from "other"
    ms = [coal_saver("route_a", 1100, potential=10, group="route"),
          coal_saver("route_b", 1200, potential=10, group="route"),
          coal_saver("other", 1500, potential=10)]
    groups = [{"group": "route", "year": 2021, "value": 8, "unit": "unit"}]
    res = solve(tmp_path, ms, one_year({"carbon_cap": {2021: 180}}), measure_groups=groups)
    a = adoption(res)
    assert a["route_a"] == pytest.approx(8)
    assert a["route_b"] == pytest.approx(0)
    assert a["other"] == pytest.approx(2)


def test_array_mode_builds_the_same_lp_as_pyomo(wuhan):
    """The LP handed to HiGHS through Pyomo's standard-form compiler equals the one built
    straight from the builder's arrays (used for in-place re-solves and the benchmark floor)."""
    from peakpath.core.baseline import derive
    from peakpath.core.build import build_model
    from peakpath.core.levels import with_levels
    from peakpath.solve.highs import compile_model
    from tests.conftest import shipped

    md = derive(wuhan, with_levels(wuhan, shipped("wuhan-stretch")))
    a = compile_model(build_model(md))
    b = compile_model(build_model(md, pyomo=False))
    assert a.lp.shape == b.lp.shape and a.lp.A.nnz == b.lp.A.nnz

    def canonical(c):
        # order rows and columns by (block, position) so the two numberings can be compared
        col = np.lexsort((c.col_pos, c.col_block))
        row = np.lexsort((c.row_pos, c.row_block))
        return c.lp.A.tocsr()[row][:, col], c.lp.cost[col], c.lp.row_lb[row], c.lp.row_ub[row]

    (A1, c1, l1, u1), (A2, c2, l2, u2) = canonical(a), canonical(b)
    assert abs(A1 - A2).max() < 1e-12
    assert np.allclose(c1, c2) and np.array_equal(l1, l2) and np.array_equal(u1, u2)


def test_the_build_pauses_the_garbage_collector_and_restores_it(tmp_path, monkeypatch):
    """The Pyomo build and compile run with the cyclic collector paused (they only allocate);
    it is back on afterwards, also when the build fails."""
    import gc

    from peakpath.core import build as build_mod
    from peakpath.core.baseline import derive
    from peakpath.solve.highs import compile_model

    data = mini(tmp_path / "data", MERIT)
    md = derive(data, make_scenario(one_year(), dataset=tmp_path / "data"))
    seen = []
    monkeypatch.setattr(build_mod.objective, "add",
                        lambda ctx, _add=build_mod.objective.add: (seen.append(gc.isenabled()),
                                                                   _add(ctx)))
    built = build_mod.build_model(md)
    assert seen == [False] and gc.isenabled()
    compile_model(built)
    assert gc.isenabled()

    def broken(ctx):
        raise RuntimeError("a failing sector module")

    monkeypatch.setattr(build_mod.objective, "add", broken)
    with pytest.raises(RuntimeError):
        build_mod.build_model(md)
    assert gc.isenabled()
