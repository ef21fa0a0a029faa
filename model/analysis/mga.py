r"""Near-optimal alternatives by modelling to generate alternatives (MGA):
``peakpath mga RESULTS --slack 0.05 --n 6 [--seed S] [--out DIR]``.

Roadmaps within a cost slack of the least-cost one that differ as much as possible in their
measure mix. From the solved scenario (rebuilt from RESULTS and re-solved once, so the optimum
z* is that of this very model), one row is added and only the objective changes between
solves, in place on the HiGHS object::

    c·x + c0 <= z* + slack · |z*|                      (res_mga_cost; 万元, discounted)

    u_m(x) = sum_{d,y} stock[m,d,y] / sum_{d,y} potential[m,d,y]      (0–1, per measure m)

    alternative k:  max  sum_m w_m · u_m(x)
                    w_m = sum_{j<k} (1 − 2 u_m^(j)) + r_m,   r_m ~ U(−½, ½) (seeded)

where j runs over the roadmaps found so far (the optimum first). For a previous roadmap whose
u_m^(j) is 0 or 1 (the ends of a measure's range, where LP vertices mostly sit) the sum
sum_m (1 − 2 u_m^(j)) u_m equals the L1 distance |u − u^(j)| up to a constant, so alternative
k maximises its summed distance from all earlier ones; measures on which earlier roadmaps
disagree get a weight near zero and the random term spreads the choice among them. An
alternative no farther than ``DISTINCT`` (mean |Δu|) from an earlier one is a repeat: it is
retried with a purely random direction, and the search stops early when no new roadmap turns
up. Each alternative is written like a run (its own results folder); its true cost c·x + c0
is the objective reported, and it has no shadow prices (its objective is not cost).
Output: DIR/mga-0 (the optimum) and DIR/mga-1 … DIR/mga-n, mga.csv (u per measure and
roadmap) and mga.json (costs and distances); ``peakpath compare DIR`` shows them side by side.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peakpath.analysis.compare import load_runs
from peakpath.cli.commands import command_help
from peakpath.core.build import BuiltModel, build
from peakpath.errors import InputError, Problem, SolverError
from peakpath.io.atomic import atomic_write_table, atomic_write_text
from peakpath.io.places import writable_dir
from peakpath.results.dataset import summary, to_dataset, write_results
from peakpath.solve.highs import (
    Compiled,
    RawSolution,
    compile_model,
    highs_version,
    new_highs,
    pass_lp,
    run_highs,
    to_solution,
)
from peakpath.solve.rebuild import inputs_of

#: two roadmaps closer than this (mean |Δu| over measures) count as the same
DISTINCT = 1e-3
#: retries with a random direction when an alternative repeats an earlier one
RETRIES = 3


@dataclass
class Roadmap:
    index: int
    cost: float  # 万元, discounted (the objective's units)
    u: np.ndarray  # normalised adoption per measure (0–1)
    raw: RawSolution
    direction: str  # "optimum" | "farthest" | "random"


class AdoptionMap:
    """Which LP columns are measure stock, and how they add up to u_m (per measure)."""

    def __init__(self, built: BuiltModel, comp: Compiled):
        k = comp.var_blocks.index("stock")
        cols = np.flatnonzero(comp.col_block == k)
        index = built.ctx.b.vars["stock"].index
        measure = index["measure"].to_numpy()[comp.col_pos[cols]]
        ub = comp.lp.col_ub[cols]
        total = pd.Series(ub).groupby(measure).sum()
        usable = total[(total > 0) & np.isfinite(total)]
        keep = np.isin(measure, usable.index)
        self.measures = usable.index.to_numpy()
        self.cols = cols[keep]
        self.member = pd.Index(self.measures).get_indexer(measure[keep])
        self.scale = 1.0 / usable.to_numpy()[self.member]  # 1 / sum of potentials

    def u(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.member, weights=x[self.cols] * self.scale,
                           minlength=len(self.measures))

    def column_costs(self, w: np.ndarray) -> np.ndarray:
        """Costs on the stock columns that make minimising equal to maximising w·u."""
        return -w[self.member] * self.scale


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of normalised adoption (0 = same mix, 1 = opposite)."""
    return float(np.mean(np.abs(a - b)))


def find_alternatives(built: BuiltModel, comp: Compiled, slack: float, n: int, seed: int,
                      log=print) -> list[Roadmap]:
    """The optimum and up to ``n`` near-optimal alternatives (re-solved in place)."""
    import highspy

    lp, opts = comp.lp, dict(built.md.scenario.solver)
    limit = float(opts.get("time_limit", 600.0))
    h = new_highs(opts)
    pass_lp(h, lp)
    raw = run_highs(h, lp, limit)
    if raw.status != "optimal":
        raise SolverError(f"the re-solve of the optimum ended {raw.status}")
    amap = AdoptionMap(built, comp)
    z = float(lp.cost @ raw.x + lp.offset)
    found = [Roadmap(0, z, amap.u(raw.x), raw, "optimum")]
    nz = np.flatnonzero(lp.cost)
    h.addRow(-highspy.kHighsInf, z + slack * abs(z) - lp.offset, len(nz),
             nz.astype(np.int32), lp.cost[nz])
    rng = np.random.default_rng(seed)
    all_cols = np.arange(lp.shape[1], dtype=np.int32)
    for k in range(1, n + 1):
        alt = _next_alternative(h, lp, amap, found, rng, all_cols, limit)
        if alt is None:
            log(f"  stopped after {k - 1} alternatives: no further distinct roadmap within "
                f"{slack:.1%} of the least cost")
            break
        alt.index = k
        found.append(alt)
        log(f"  alternative {k}: cost {alt.cost / 1e4:,.1f} 亿元 "
            f"({100 * (alt.cost - z) / abs(z):+.2f}%), distance from the optimum "
            f"{distance(alt.u, found[0].u):.3f} ({alt.direction} direction)")
    return found


def _next_alternative(h, lp, amap: AdoptionMap, found: list[Roadmap], rng, all_cols,
                      limit: float) -> Roadmap | None:
    for attempt in range(RETRIES + 1):
        if attempt == 0:
            w = sum(1.0 - 2.0 * r.u for r in found) + rng.uniform(-0.5, 0.5, len(amap.measures))
            direction = "farthest"
        else:
            w = rng.uniform(-1.0, 1.0, len(amap.measures))
            direction = "random"
        cost = np.zeros(lp.shape[1])
        cost[amap.cols] = amap.column_costs(w)
        h.changeColsCost(len(all_cols), all_cols, cost)
        raw = run_highs(h, lp, limit)
        if raw.status != "optimal":
            raise SolverError(f"an MGA solve ended {raw.status}")
        u = amap.u(raw.x)
        if min(distance(u, r.u) for r in found) > DISTINCT:
            return Roadmap(-1, float(lp.cost @ raw.x + lp.offset), u, raw, direction)
    return None


# --------------------------------------------------------------------------------------------
# writing


def _write_roadmap(built: BuiltModel, comp: Compiled, r: Roadmap, out: Path, name: str,
                   slack: float, optimum: Roadmap) -> Path:
    nrow = comp.lp.shape[0]
    raw = r.raw
    # alternatives: drop the cost row and the duals (they price the MGA objective, not cost)
    duals = raw.row_dual[:nrow] if r.index == 0 else np.full(nrow, np.nan)
    raw = RawSolution(raw.status, r.cost, raw.x, duals, raw.row_value[:nrow],
                      {**raw.info, "solver_version": highs_version()})
    sol = to_solution(built, comp, raw, {"solve": raw.info.get("solve_seconds", 0.0)})
    ds = to_dataset(built, sol, extra_attrs={
        "mga_index": r.index, "mga_slack": slack, "mga_of": name,
        "mga_optimum_wan_cny": optimum.cost, "mga_direction": r.direction,
        "mga_distance_from_optimum": distance(r.u, optimum.u)})
    ds.attrs["scenario"] = name if r.index == 0 else f"{name}-mga{r.index}"
    summ = summary(ds, {"solve": raw.info.get("solve_seconds", 0.0)})
    return write_results(ds, out / f"mga-{r.index}", summ, built.md)


def write_alternatives(built: BuiltModel, comp: Compiled, found: list[Roadmap], out: Path,
                       slack: float) -> list[Path]:
    name = built.md.scenario.name
    folders = [_write_roadmap(built, comp, r, out, name, slack, found[0]) for r in found]
    amap = AdoptionMap(built, comp)
    meas = built.md.measures.set_index("measure")
    table = pd.DataFrame({("optimum" if r.index == 0 else f"mga-{r.index}"): r.u
                          for r in found}, index=pd.Index(amap.measures, name="measure"))
    table.insert(0, "name", [f"{meas.loc[m, 'name_zh']} {meas.loc[m, 'name_en']}"
                             for m in table.index])
    atomic_write_table(out / "mga.csv", table.to_csv(float_format="%.6g"))
    info = {"scenario": name, "slack": slack, "optimum_wan_cny": round(found[0].cost, 2),
            "roadmaps": [{"folder": f.name, "index": r.index, "direction": r.direction,
                          "cost_wan_cny": round(r.cost, 2),
                          "cost_increase": round((r.cost - found[0].cost) / abs(found[0].cost),
                                                 6),
                          "distance_from_optimum": round(distance(r.u, found[0].u), 6),
                          "distance_to_nearest_other": round(min(
                              (distance(r.u, o.u) for o in found if o is not r),
                              default=0.0), 6)}
                         for r, f in zip(found, folders, strict=True)]}
    atomic_write_text(out / "mga.json", json.dumps(info, ensure_ascii=False, indent=2))
    return folders


def run_mga(results: str | Path, *, slack: float = 0.05, n: int = 6, seed: int = 0,
            out: str | Path | None = None, log=print) -> tuple[list[Roadmap], Path]:
    """Find and write near-optimal alternatives of a solved run."""
    _check(slack, n, seed)
    runs = load_runs([results])
    if len(runs) != 1:
        raise InputError([Problem(str(results), None, None, "results",
                                  f"RESULTS must be one run's results; found {len(runs)}",
                                  "应为单个情景的结果")])
    run = runs[0]
    if run.ds.attrs.get("status") != "optimal":
        raise InputError([Problem(str(run.path), None, "status", "optimal",
                                  f"MGA needs an optimal run; this one is "
                                  f"'{run.ds.attrs.get('status')}' (its targets cannot all be "
                                  "met, or the solve did not finish)", "需要最优解")])
    scenario, data, _ = inputs_of(run.ds, run.path)
    folder = writable_dir(Path(out) if out else run.path.parent / f"{scenario.name}-mga")
    t0 = time.perf_counter()
    built = build(data, scenario)
    comp = compile_model(built)
    log(f"MGA for {scenario.name}: {n} alternatives within {slack:.1%} of the least cost "
        f"({comp.lp.shape[0]} rows × {comp.lp.shape[1]} columns, built in "
        f"{time.perf_counter() - t0:.1f} s)")
    found = find_alternatives(built, comp, slack, n, seed, log=log)
    write_alternatives(built, comp, found, folder, slack)
    return found, folder


def _check(slack: float, n: int, seed: int) -> None:
    problems = []
    if seed < 0:  # NumPy seeds are non-negative
        problems.append(Problem("<command line>", None, "--seed", "range",
                                f"{seed} is not a seed: expected a whole number >= 0",
                                "随机种子应为非负整数"))
    if not 0.0 < slack <= 1.0:
        problems.append(Problem("<command line>", None, "--slack", "range",
                                f"{slack} is not a cost slack between 0 and 1 (0.05 = 5 %)",
                                "成本松弛应在0到1之间"))
    if not 1 <= n <= 50:
        problems.append(Problem("<command line>", None, "--n", "range",
                                f"{n} alternatives: ask for 1 to 50", "替代方案数应为1至50"))
    if problems:
        raise InputError(problems)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("mga", help=command_help("mga"))
    p.add_argument("results", help="a solved run's results folder")
    p.add_argument("--slack", type=float, default=0.05,
                   help="allowed cost increase over the least cost (default 0.05 = 5 %%)")
    p.add_argument("--n", type=int, default=6, help="number of alternatives (default 6)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    p.add_argument("--out", help="output folder (default: next to RESULTS, <scenario>-mga)")
    p.set_defaults(func=cmd_mga)


def cmd_mga(args: argparse.Namespace) -> int:
    found, folder = run_mga(args.results, slack=args.slack, n=args.n, seed=args.seed,
                            out=args.out)
    print(f"近优替代路线 Near-optimal roadmaps: {len(found) - 1} alternatives written to "
          f"{folder}/ (mga-0 is the optimum); compare them with: peakpath compare {folder}")
    return 0
