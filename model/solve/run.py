"""One scenario end to end: load, build, solve (re-solving with priced slacks when the
targets cannot all be met), and collect the results.

The module is callable: ``peakpath.run(path, ...)`` is `peakpath.api.run`."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from peakpath.core.build import BuiltModel, build
from peakpath.errors import InfeasibleError, InputError, SolverError
from peakpath.io.inputs import InputData, apply_overrides, read_dataset
from peakpath.io.scenario import Scenario, load_scenario
from peakpath.results.dataset import summary, target_table, to_dataset, write_results
from peakpath.solve.highs import Solution, SolverWorker, isolated, solve

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """A solved scenario: the scenario as solved, the built model and its solution, the results
    Dataset, the summary (summary.json's mapping), the targets missed (elastic mode) and the
    folder the results were written to (None if they were not)."""

    scenario: Scenario
    built: BuiltModel
    solution: Solution
    dataset: xr.Dataset
    summary: dict
    shortfalls: list[dict]
    out_dir: Path | None = None

    @property
    def status(self) -> str:
        """optimal | infeasible | elastic | time_limit | error"""
        return self.summary["status"]

    def print_summary(self) -> None:
        """Print what ``peakpath run`` prints: status and cost, the peak with its verdict
        (reference without measures against the pathway, and why), CO2 by year, intensity
        changes per plan period, binding and unmet targets."""
        from peakpath.results.verdict import print_summary

        print_summary(self, self.out_dir)


def scenario_from_results(ds: xr.Dataset) -> Scenario:
    """The scenario a results Dataset was solved for (settings as resolved then)."""
    settings = json.loads(ds.attrs["scenario_settings"])
    # JSON turned year keys into strings; scenario settings use integer years
    settings = _int_year_keys(settings)
    return Scenario(settings["name"], Path(ds.attrs.get("scenario_file", "<results>")),
                    Path(settings["dataset"]), settings)


def _int_year_keys(x):
    if isinstance(x, dict):
        return {(int(k) if isinstance(k, str) and k.isdigit() else k): _int_year_keys(v)
                for k, v in x.items()}
    if isinstance(x, list):
        return [_int_year_keys(v) for v in x]
    return x


def shortfalls_of(built: BuiltModel, sol: Solution) -> list[dict]:
    """Targets an elastic solve could not meet: id, family, year, shortfall and unit."""
    tt = target_table(built, sol)
    miss = tt[tt["shortfall"] > 1e-6]
    return [{"id": r.target, "family": r.family, "year": int(r.year),
             "shortfall": round(float(r.shortfall), 4), "unit": r.row_unit,
             "limit": r.limit, "achieved": r.achieved, "limit_unit": r.unit}
            for r in miss.itertuples()]


def describe_shortfalls(short: list[dict]) -> str:
    lines = []
    for s in short:
        lines.append(f"  - {s['id']} ({s['family']}) in {s['year']}: short by "
                     f"{s['shortfall']:,.2f} {s['unit']} (limit {s['limit']:.4g}, achieved "
                     f"{s['achieved']:.4g} {s['limit_unit']})")
    return "\n".join(lines)


def run_scenario(scenario: Scenario, data: InputData | None = None, *, elastic: bool = False,
                 isolate: bool | None = None,
                 write_model_to: str | Path | None = None) -> RunResult:
    """Solve one scenario. An infeasible scenario is re-solved in elastic mode; the result then
    has status "elastic" (when ``elastic`` or the scenario asks for it) or "infeasible".
    ``write_model_to`` (a ``.mps`` or ``.lp`` file) receives the model as HiGHS gets it."""
    t0 = time.perf_counter()
    if data is None:
        data = read_dataset(scenario.dataset)
    data = apply_overrides(data, scenario)
    load_s = time.perf_counter() - t0
    want_elastic = elastic or bool(scenario.solver.get("elastic"))
    # the isolated solver starts now, and is ready by the time the model is built
    with (SolverWorker() if isolated(scenario.solver, isolate) else contextlib.nullcontext()
          ) as worker:
        built, sol, shortfalls, status = _build_and_solve(
            data, scenario, isolate=isolate, want_elastic=want_elastic,
            write_model_to=write_model_to, worker=worker)
    sol.status = status
    ds = to_dataset(built, sol)
    timings = {"load": load_s, "build": sol.timings.get("derive", 0) + sol.timings["build"]
               + sol.timings.get("compile", 0), "solve": sol.timings["solve"]}
    summ = summary(ds, timings)
    summ["shortfalls"] = shortfalls
    summ["size"] = {k: sol.solver.get(k) for k in ("rows", "columns", "nonzeros",
                                                    "integer_columns")}
    return RunResult(scenario, built, sol, ds, summ, shortfalls)


def _build_and_solve(data: InputData, scenario: Scenario, *, isolate: bool | None,
                     want_elastic: bool, write_model_to: str | Path | None,
                     worker: SolverWorker | None
                     ) -> tuple[BuiltModel, Solution, list[dict], str]:
    """Build and solve; an infeasible scenario is re-solved with priced slacks. Returns the
    model and solution solved last, the shortfalls and the run's status."""
    built = build(data, scenario)
    log.info("%s: built %d variable and %d row blocks in %.2f s", scenario.name,
             len(built.ctx.b.vars), len(built.ctx.b.rows), built.timings.get("build", 0.0))
    sol = solve(built, isolate=isolate, write_model_to=write_model_to, worker=worker)
    if write_model_to is not None:
        log.info("%s: model written to %s", scenario.name, write_model_to)
    log.info("%s: %s after %.2f s (HiGHS %.2f s)", scenario.name, sol.status,
             sol.timings["solve"], sol.timings.get("highs", float("nan")))
    if sol.status != "infeasible":
        return built, sol, [], sol.status
    log.info("%s: infeasible; re-solving with priced slacks (elastic mode)", scenario.name)
    built = build(data, scenario, elastic=True)
    sol = solve(built, isolate=isolate, worker=worker)
    if sol.status != "optimal":
        raise SolverError(f"the elastic re-solve of '{scenario.name}' ended {sol.status}")
    return built, sol, shortfalls_of(built, sol), "elastic" if want_elastic else "infeasible"


def run_file(path: str | Path, *, out_root: str | Path = "results", elastic: bool = False,
             isolate: bool | None = None, solver: dict | None = None,
             write_model_to: str | Path | None = None) -> tuple[RunResult, Path]:
    """Run a scenario file and write results/<name>/. ``solver`` overrides the scenario's
    solver settings (validated like the file's). Raises InfeasibleError after writing when
    targets are missed and elastic mode was not asked for."""
    scenario = load_scenario(path)
    if solver:
        try:
            scenario = scenario.with_settings({f"solver.{k}": v for k, v in solver.items()})
        except InputError as e:  # the file was valid: these came from the command line
            raise InputError([dataclasses.replace(p, file="<command line>", row=None,
                                                  column="--solver")
                              for p in e.problems]) from None
    res = run_scenario(scenario, elastic=elastic, isolate=isolate,
                       write_model_to=write_model_to)
    out = write_results(res.dataset, Path(out_root) / scenario.name, res.summary, res.built.md)
    res.out_dir = out
    if res.status == "infeasible":
        raise InfeasibleError(
            f"scenario '{scenario.name}' is infeasible: these targets cannot be met "
            f"(results with the shortfalls written to {out}):\n"
            + describe_shortfalls(res.shortfalls), res.shortfalls)
    return res, out
