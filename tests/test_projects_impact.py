"""Project prices equal the objective differences of the two solves."""

from __future__ import annotations

import pytest

from peakpath.analysis.projects_impact import decided, price_project, value_term_pv
from peakpath.core.ledger import discount_factors
from peakpath.results.pathway import load_solved
from peakpath.solve.run import run_scenario

GAP = 1e-7


@pytest.fixture(scope="module")
def solved(peak_dir):
    return load_solved(peak_dir)


def test_price_is_the_objective_difference_without_the_value_term(solved, wuhan):
    base = decided(solved)
    p = "data_center_cluster"
    r = price_project(solved, p, base, gap=GAP)
    # two independent solves, the value term computed by hand from the data
    others = {q: (y if y is not None else "out") for q, y in base.items() if q != p}
    sc = solved.scenario.with_settings({"solver.mip_rel_gap": GAP})
    obj = {}
    for mode in ("in", "out"):
        dec = {"default": "out", **others, p: r.online_year if mode == "in" else "out"}
        obj[mode] = run_scenario(sc.with_settings({"projects": dec}), wuhan,
                                 isolate=False).solution.objective
    md = solved.md
    df = dict(zip(md.years, discount_factors(md.scenario.discount_rate, md.years,
                                             md.base_year), strict=True))
    prices = md.prices.set_index(["fuel", "year"])["value"]
    pc = md.price_components
    network = pc[pc["component"] == "network"].set_index(["fuel", "year"])["value"]
    use = md.project_effects[md.project_effects["project"] == p]
    va = float(md.projects.set_index("project").loc[p, "value_added"]) * 1e4
    # its energy at the price paid plus the grid's network charge on every kWh
    v = sum(df[y] * (va + sum(float(q) * (float(prices[f, y]) + float(network.get((f, y), 0)))
                              for f, q in zip(use["item"], use["value"], strict=True)))
            for y in md.years if y >= r.online_year)
    tol = 2 * GAP * abs(obj["in"]) + 1e-6
    assert r.price == pytest.approx(obj["in"] - obj["out"] + v, abs=tol)
    assert r.value_term_pv == pytest.approx(v, rel=1e-12)
    assert r.status_in == "optimal"


def test_without_targets_a_project_costs_its_energy_bill(wuhan, tmp_path):
    """No target binds in the baseline: the price is the project's own energy bill."""
    from peakpath.results.dataset import write_results
    from tests.conftest import shipped

    sc = shipped("wuhan-baseline").with_settings({"solver.mip_rel_gap": GAP})
    res = run_scenario(sc, wuhan, isolate=False)
    s = load_solved(write_results(res.dataset, tmp_path / sc.name, res.summary, res.built.md))
    r = price_project(s, "steel_rolling_upgrade", gap=GAP)
    _, _, bill = value_term_pv(s, "steel_rolling_upgrade",
                               [y for y in s.md.years if y >= r.online_year])
    assert bill > 0
    assert r.price == pytest.approx(bill, abs=r.tolerance + 1e-6)
    assert abs(r.absorption_cost) <= r.tolerance + 1e-6


@pytest.mark.parametrize(("projects", "gap", "said"), [
    (["memory_fab_expansion", "nosuch", "zz"], None, ["'nosuch' is not", "'zz' is not"]),
    (None, 2.0, ["--mip-gap", "between 0 and 1"])])
def test_bad_options_are_refused_before_anything_is_solved(solved, monkeypatch, projects, gap,
                                                             said):
    """Unknown projects were found one by one, after the ones before them had been priced."""
    from peakpath.analysis import projects_impact
    from peakpath.errors import InputError

    def no_solve(*a, **k):
        raise AssertionError("solved before the options were checked")

    monkeypatch.setattr(projects_impact, "price_project", no_solve)
    with pytest.raises(InputError) as e:
        projects_impact.assess(solved, projects, gap)
    assert all(w in e.value.report() for w in said)

