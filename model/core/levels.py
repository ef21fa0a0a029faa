r"""Fixed reference levels for the peak targets, so that no target compares a model year with
another model year the optimiser could inflate.

"CO2 peaks by P" and "oil use peaks by P" are read against a *fixed* level:

    L_CO2 = min(cap, co2_total[P])  and  L_oil = sum_{f in oil} fuel_use[f,P]

of the least-cost reference: the same data and accounting solved with no targets at all (the
level the city reaches in P at least cost), unless the scenario states the level itself
(``targets.peak.level``, ``targets.oil_peak_level``; 万t CO2 and 万tce). No other target of the
scenario can move the level: a coal cap met by a one-year dip in P would otherwise become the
peak level of every later year. The peak rows are then

    co2_total[y] <= L_CO2 * (1 - d)^max(0, y - P - plateau)      for y > P
    oil[y]       <= L_oil                                         for y > P

A row against the model's own year P would let the least-cost solution hold back cheap
abatement in P (a one-year bump) to loosen every later year; a level taken from a solve in which
the peak rows do not exist cannot be moved by them. The levels are written into the scenario's
settings, so results, summaries and hashes state the number that was used.
"""

from __future__ import annotations

import copy

from peakpath.io.inputs import InputData
from peakpath.io.scenario import Scenario


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


def with_levels(data: InputData, scenario: Scenario) -> Scenario:
    """``scenario`` with every missing peak level filled from the level-finding solve (an
    array-mode build solved in this process; elastic when the other targets cannot all be
    met, so a level exists even for an infeasible scenario)."""
    if not needs_levels(scenario):
        return scenario
    values = _solve_values(data, least_cost_reference(scenario))
    t = scenario.targets
    changes = {}
    p = t.get("peak") or {}
    if p and p.get("year") != "free" and p.get("level") is None:
        level = float(values["co2_total"][int(p["year"])])
        if p.get("cap") is not None:
            level = min(level, float(p["cap"]))
        changes["targets.peak.level"] = round(level, 6)
    if t.get("oil_peak_year") is not None and t.get("oil_peak_level") is None:
        oil = values["oil_use"]
        changes["targets.oil_peak_level"] = round(float(oil[int(t["oil_peak_year"])]), 6)
    return scenario.with_settings(changes)


def _solve_values(data: InputData, scenario: Scenario) -> dict:
    from peakpath.core.baseline import derive
    from peakpath.core.build import build_model
    from peakpath.solve.highs import compile_arrays, solve_lp, to_solution

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
    sol = to_solution(built, comp, raw, {})
    fuel = sol.values["fuel_use"]
    oil_fuels = md.fuel_ids(("oil",))
    oil = fuel[fuel.index.get_level_values(0).isin(oil_fuels)].groupby(level=1).sum()
    return {"co2_total": sol.values["co2_total"], "oil_use": oil}
