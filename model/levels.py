r"""Fixed levels for the peak targets, so that no target compares a model year with another
model year the optimiser could inflate, and the pathway's maximum from P on is in P.

"CO2 peaks by P" and "oil use peaks by P" are read against *fixed* levels L_CO2 and L_oil
(万t CO2, 万tce)::

    co2_total[y] <= L_CO2 * (1 - d)^max(0, y - P - plateau)      for y > P
    oil[y]       <= L_oil                                         for y > P

Each level is the fixed point of

    L_{k+1} = min(cap, co2_total*[P](L_k))        (oil: sum_{f in oil} fuel_use*[f, P](L_k))

where co2_total*(L) is the scenario solved with its peak rows at the constant L, starting from
L_0 = the level of the least-cost reference (the same data and accounting solved with no
targets and no carbon price). In every solve L is a number, not a variable: a row against the
model's own year P would let the least-cost solution hold back cheap abatement in P to loosen
every later year. At the fixed point co2_total[P] = L, so the pathway's maximum from P on is in
P (a true peak), which a level taken from the reference alone does not give when the reference
still rises after P. The levels mostly fall from L_0 (tighter later years add abatement that
also serves P; a CO2 level can rise a little while the oil level is tightened), and the
iteration stops when no level moves by ``TOLERANCE`` (4–10 re-solves in place on the shipped
2024 plan), or at the last level the scenario can still meet (a level below it has no feasible
pathway; the rows then hold at that level). A scenario infeasible for its other targets
iterates on its elastic solves, as long as the peak rows themselves are met; one whose peak
rows fall short already at L_0 keeps L_0, and its elastic solve reports the shortfalls. A
level the scenario states (``targets.peak.level``, ``targets.oil_peak_level``) is used as
given. The levels are written
into the scenario's settings, so results, summaries and hashes state the number that was used.
"""

from __future__ import annotations

import copy

from peakpath.inputs import InputData
from peakpath.scenario import Scenario


def needs_levels(scenario: Scenario) -> bool:
    """True when a peak target has no fixed level yet."""
    t = scenario.targets
    p = t.get("peak") or {}
    peak = bool(p) and p.get("year") != "free" and p.get("level") is None
    oil = t.get("oil_peak_year") is not None and t.get("oil_peak_level") is None
    return peak or oil


def least_cost_reference(scenario: Scenario) -> Scenario:
    """The scenario's least-cost reference for the level-finding solve: no targets and no
    carbon price (same data, overrides, accounting and project decisions)."""
    settings = copy.deepcopy(scenario.settings)
    settings["targets"] = {}
    settings["carbon_price"] = {}
    settings["name"] = f"{scenario.name}.levels"
    return Scenario(settings["name"], scenario.path, scenario.dataset, settings,
                    list(scenario.chain))


#: the iteration stops when a level moves by less than this (万t CO2 or 万tce)
TOLERANCE = 0.5
MAX_ITERATIONS = 25


def with_levels(data: InputData, scenario: Scenario) -> Scenario:
    """``scenario`` with every missing peak level filled by the fixed-point iteration (array-mode
    builds solved in this process; elastic when the other targets cannot all be met, so a level
    exists even for an infeasible scenario)."""
    if not needs_levels(scenario):
        return scenario
    t = scenario.targets
    p = t.get("peak") or {}
    want_peak = bool(p) and p.get("year") != "free" and p.get("level") is None
    want_oil = t.get("oil_peak_year") is not None and t.get("oil_peak_level") is None
    levels = _levels(_solve_values(data, least_cost_reference(scenario)), t, want_peak,
                     want_oil)
    # the trials differ only in the peak rows' bounds: one HiGHS model re-solved in place
    from peakpath.resolve import Resolver

    resolver = Resolver(dict(scenario.solver), capacity=2)
    values = _trial(resolver, data, scenario.with_settings(levels), elastic=False)
    # a scenario its other targets make infeasible iterates on its elastic solves; any trial
    # whose peak rows themselves fall short ends the iteration at the last level that was met
    elastic = values is None
    if elastic:
        values = _trial(resolver, data, scenario.with_settings(levels), elastic=True)
    for _ in range(MAX_ITERATIONS):
        if values is None:
            break
        new = _levels(values, t, want_peak, want_oil)
        if max(abs(new[k] - levels[k]) for k in levels) < TOLERANCE:
            break
        values = _trial(resolver, data, scenario.with_settings(new), elastic=elastic)
        if values is not None:
            levels = new
    return scenario.with_settings(levels)


def _levels(values: dict, targets: dict, want_peak: bool, want_oil: bool) -> dict:
    """The levels a solve reaches in the peak years, as scenario setting changes."""
    changes = {}
    if want_peak:
        p = targets["peak"]
        level = float(values["co2_total"][int(p["year"])])
        if p.get("cap") is not None:
            level = min(level, float(p["cap"]))
        changes["targets.peak.level"] = round(level, 6)
    if want_oil:
        oil = values["oil_use"]
        changes["targets.oil_peak_level"] = round(float(oil[int(targets["oil_peak_year"])]), 6)
    return changes


#: the target families whose rows the levels set
PEAK_FAMILIES = ("peak", "peak_decline", "oil_peak")


def _trial(resolver, data: InputData, scenario: Scenario, elastic: bool = False
           ) -> dict | None:
    """CO2 and oil use by year of ``scenario`` re-solved on ``resolver``; None when it has no
    optimal solution, or (elastic) when its peak rows fall short of the levels tried."""
    from peakpath.run import shortfalls_of

    built, sol = resolver.solve(data, scenario, elastic=elastic)
    if sol.status != "optimal":
        return None
    if elastic and any(s["family"] in PEAK_FAMILIES for s in shortfalls_of(built, sol)):
        return None
    return _values(built.md, sol)


def _values(md, sol) -> dict:
    fuel = sol.values["fuel_use"]
    oil_fuels = md.fuel_ids(("oil",))
    oil = fuel[fuel.index.get_level_values(0).isin(oil_fuels)].groupby(level=1).sum()
    return {"co2_total": sol.values["co2_total"], "oil_use": oil}


def _solve_values(data: InputData, scenario: Scenario) -> dict:
    """CO2 and oil use by year of ``scenario`` solved in array mode (re-solved with priced
    slacks when infeasible, so a level exists even for an infeasible scenario)."""
    from peakpath.baseline import derive
    from peakpath.build import build_model
    from peakpath.solve import compile_arrays, solve_lp, to_solution

    md = derive(data, scenario)
    opts = dict(scenario.solver)
    for elastic in (False, True):
        built = build_model(md, elastic=elastic, pyomo=False)
        comp = compile_arrays(built)
        raw = solve_lp(comp.lp, opts)
        if raw.status == "optimal":
            break
    else:
        from peakpath.errors import SolverError
        raise SolverError(f"the level-finding solve of '{scenario.name}' ended {raw.status}")
    return _values(md, to_solution(built, comp, raw, {}))
