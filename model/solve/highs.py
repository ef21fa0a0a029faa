"""Solve a built model with HiGHS.

The Pyomo model is compiled once with Pyomo's standard-form compiler (mixed form) into arrays;
a two-sided Pyomo row comes out of the compiler as two rows and is merged back into one ranged
row. The arrays go to highspy in one ``passModel`` (Pyomo's persistent interfaces were 2–3x
slower to load). A MIP's duals are read from the LP with its integer decisions fixed at their
optimum. By default the solve runs in a worker process (`peakpath.solve.workers`) with a wall-clock
limit (HiGHS' own ``time_limit`` is not always honoured at a MIP's root), and HiGHS runs one
thread: scenarios are parallelised across processes instead.

The worker unpickles `LPArrays` and runs `solve_lp`, so this module imports only NumPy, SciPy
and `peakpath.pyomo_setup` (``pyomo.common``, ≈ 30 ms) at the top (Pyomo's modelling layer and
pandas where they are used): the worker starts in ≈ 0.3–0.5 s.
`peakpath run` starts it before the build (`SolverWorker`), so that start-up runs on the other
core while the model is built.
"""

from __future__ import annotations

from peakpath import pyomo_setup  # noqa: F401  (before scipy: see the module)

# isort: split
import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from peakpath.errors import SolverError

if TYPE_CHECKING:
    import pandas as pd

    from peakpath.core.build import BuiltModel

INF = float("inf")
#: slack between HiGHS' time limit and the wall-clock limit of the worker process, seconds
WALL_CLOCK_MARGIN = 30.0


@dataclass
class LPArrays:
    """A linear (mixed-integer) program as plain arrays (picklable)."""

    A: sp.csc_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    col_lb: np.ndarray
    col_ub: np.ndarray
    cost: np.ndarray
    integer: np.ndarray  # bool per column
    offset: float = 0.0

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())


@dataclass
class Compiled:
    lp: LPArrays
    col_block: np.ndarray  # block number per column
    col_pos: np.ndarray
    row_block: np.ndarray
    row_pos: np.ndarray
    var_blocks: list[str]
    row_blocks: list[str]
    seconds: float = 0.0

    @functools.cached_property
    def col_members(self) -> list[np.ndarray]:
        """The columns of each variable block (in column order), found once: a batch maps
        every variant's solution through the same compiled structure."""
        return _members(self.col_block, len(self.var_blocks))

    @functools.cached_property
    def row_members(self) -> list[np.ndarray]:
        """The rows of each row block (in row order), as `col_members`."""
        return _members(self.row_block, len(self.row_blocks))


def _members(block: np.ndarray, n: int) -> list[np.ndarray]:
    """The positions holding each block number 0 … n−1, in order (``flatnonzero(block ==
    k)`` for every k, with one sort instead of n scans)."""
    order = np.argsort(block, kind="stable")
    ends = np.searchsorted(block[order], np.arange(n + 1))
    return [order[ends[k]:ends[k + 1]] for k in range(n)]


@dataclass
class RawSolution:
    status: str
    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    row_value: np.ndarray
    info: dict = field(default_factory=dict)


@dataclass
class Solution:
    """A solution mapped back to the model's blocks."""

    status: str  # optimal | infeasible | time_limit | error
    objective: float
    values: dict[str, pd.Series]
    duals: dict[str, np.ndarray]
    activity: dict[str, np.ndarray]
    solver: dict
    timings: dict[str, float]

    @property
    def ok(self) -> bool:
        return self.status == "optimal"


# --------------------------------------------------------------------------------------------
# compile


def compile_model(built: BuiltModel) -> Compiled:
    """Model -> arrays, with a map from every column and row back to its block: through
    Pyomo's standard-form compiler for a Pyomo build; for an array-mode build, the same LP
    from the builder's arrays (`compile_in_standard_form`)."""
    if built.model is None:
        return compile_in_standard_form(built)
    from pyomo.common.gc_manager import PauseGC

    t0 = time.perf_counter()
    # as in the build (`peakpath.core.build`): many allocations, nothing for the collector
    with PauseGC():
        comp = _compile_pyomo(built)
    comp.seconds = time.perf_counter() - t0
    return comp


def _compile_pyomo(built: BuiltModel) -> Compiled:
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    info = LinearStandardFormCompiler().write(built.model, mixed_form=True)
    b = built.ctx.b
    var_blocks = list(b.vars)
    where: dict[int, int] = {}
    for name in var_blocks:
        block = b.vars[name]
        where.update(zip(map(id, block.data), range(block.offset, block.offset + len(block)),
                         strict=True))
    gcol = np.fromiter((where[id(v)] for v in info.columns), dtype=np.int64,
                       count=len(info.columns))
    col_lb, col_ub, integer, col_block, col_pos = _column_arrays(b, var_blocks)
    cols = np.column_stack([col_block[gcol], col_pos[gcol]])
    col_lb, col_ub, integer = col_lb[gcol], col_ub[gcol], integer[gcol]
    row_blocks = list(b.rows)
    rwhere: dict[int, tuple[int, int]] = {}
    for k, name in enumerate(row_blocks):
        for p, cd in enumerate(b.rows[name].data):
            if cd is not None:
                rwhere[id(cd)] = (k, p)
    A = info.A.tocsr()
    rhs = np.asarray(info.rhs, dtype=float)
    n = len(info.rows)
    lb = np.full(n, -INF)
    ub = np.full(n, INF)
    keep = np.ones(n, dtype=bool)
    rows = np.zeros((n, 2), dtype=np.int64)
    prev_con = None
    for i, entry in enumerate(info.rows):
        con, kind = entry.constraint, entry.bound_type
        if kind == -1 and prev_con is con:
            lb[i - 1] = rhs[i]  # second half of a ranged row: fold into the first
            keep[i] = False
            continue
        rows[i] = rwhere[id(con)]
        if kind == 0:
            lb[i] = ub[i] = rhs[i]
        elif kind == 1:
            ub[i] = rhs[i]
        else:
            lb[i] = rhs[i]
        prev_con = con
    cost = np.asarray(info.c.toarray()).ravel() if info.c.shape[0] else np.zeros(A.shape[1])
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    lp = LPArrays(A[keep].tocsc(), lb[keep], ub[keep], col_lb, col_ub, cost, integer, offset)
    return Compiled(lp, cols[:, 0], cols[:, 1], rows[keep, 0], rows[keep, 1], var_blocks,
                    row_blocks, 0.0)


def column_bounds(b, var_blocks: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper bound and integrality of every builder column (blocks in the order
    ``var_blocks``)."""
    blocks = [b.vars[n] for n in var_blocks]
    col_lb = np.concatenate([v.lb for v in blocks]) if blocks else np.empty(0)
    col_ub = np.concatenate([v.ub for v in blocks]) if blocks else np.empty(0)
    integer = np.concatenate([v.integer for v in blocks]) if blocks else np.empty(0, bool)
    return col_lb, col_ub, integer


def _column_arrays(b, var_blocks: list[str]):
    """`column_bounds`, and the block number and position of every builder column."""
    blocks = [b.vars[n] for n in var_blocks]
    col_block = np.concatenate([np.full(len(v), k) for k, v in enumerate(blocks)])
    col_pos = np.concatenate([np.arange(len(v)) for v in blocks])
    return (*column_bounds(b, var_blocks), col_block, col_pos)


def compile_arrays(built: BuiltModel) -> Compiled:
    """The builder's own arrays as an LP: every column, every row that has a term (the same
    rows the standard-form compiler keeps), ranged rows as one row."""
    t0 = time.perf_counter()
    b = built.ctx.b
    var_blocks, row_blocks = list(b.vars), list(b.rows)
    col_lb, col_ub, integer, col_block, col_pos = _column_arrays(b, var_blocks)
    rows_r, rows_c, rows_v, lbs, ubs, rblock, rpos = [], [], [], [], [], [], []
    start = 0
    for k, name in enumerate(row_blocks):
        rb = b.rows[name]
        keep = np.flatnonzero(rb.nonempty)
        new = np.full(len(rb), -1)
        new[keep] = start + np.arange(len(keep))
        rows_r.append(new[rb.rows])
        rows_c.append(rb.cols)
        rows_v.append(rb.coefs)
        lbs.append(rb.lb[keep])
        ubs.append(rb.ub[keep])
        rblock.append(np.full(len(keep), k))
        rpos.append(keep)
        start += len(keep)
    A = _summed_csr(np.concatenate(rows_r), np.concatenate(rows_c), np.concatenate(rows_v),
                    (start, b.n_cols))
    lp = LPArrays(A.tocsc(), np.concatenate(lbs), np.concatenate(ubs), col_lb, col_ub,
                  np.asarray(built.ctx.cost, dtype=float), integer, 0.0)
    return Compiled(lp, col_block, col_pos, np.concatenate(rblock), np.concatenate(rpos),
                    var_blocks, row_blocks, time.perf_counter() - t0)


def term_entries(r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matrix entries that terms at ``(r[i], c[i])`` add up to: the entry of each term,
    and each entry's row and column (entries numbered by row, then column)."""
    order = np.lexsort((c, r))
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[order][1:] != r[order][:-1]) | (c[order][1:] != c[order][:-1])
    entry_of = np.empty(len(r), dtype=np.int64)
    entry_of[order] = np.cumsum(first) - 1
    return entry_of, r[order][first], c[order][first]


def _summed_csr(r: np.ndarray, c: np.ndarray, v: np.ndarray, shape: tuple[int, int]
                ) -> sp.csr_matrix:
    """The matrix of the terms ``v[i]`` at ``(r[i], c[i])``, the terms of one entry added in
    the order given (the order of a row's terms, as Pyomo adds them: scipy's
    ``sum_duplicates`` sorts a row's entries with an unstable sort, so three or more terms
    of one entry could be added in another order, changing the last bits). Zeros that terms
    add up to are kept, as entries."""
    entry_of, er, ec = term_entries(r, c)
    # ``bincount`` adds the weights one by one in the order given (0 + a is a: terms are
    # never zero, `peakpath.core.algebra.ROUNDOFF`)
    values = np.bincount(entry_of, weights=v, minlength=len(er))
    indptr = np.searchsorted(er, np.arange(shape[0] + 1))
    return sp.csr_matrix((values, ec, indptr), shape=shape)


def compile_in_standard_form(built: BuiltModel) -> Compiled:
    """The builder's arrays as the LP that Pyomo's standard-form compiler makes of the same
    build (`compile_model` of a Pyomo build): the same rows, columns, order and numbers, so
    that HiGHS takes the same path whichever way a model was built (a batch loads each new
    structure from its array build, with no Pyomo model made).

    The compiler adds up the terms of each entry and drops the entries that add up to zero;
    it writes the rows of each constraint block in order, leaving out the rows left without
    an entry and the rows without bounds (which the Pyomo build does not make,
    `peakpath.core.algebra.Builder`); it numbers the variable blocks in the order it first
    meets them — the objective's terms (columns with a cost, in column order), then the rows'
    terms in order, cancelled or not —, all of a block's entries at once in index order, and
    then drops the columns that have neither a coefficient nor a cost."""
    t0 = time.perf_counter()
    full = compile_arrays(built)
    lp = full.lp
    A = lp.A.tocsr()
    A.eliminate_zeros()
    filled = np.diff(A.indptr) > 0
    _check_cancelled_rows(full, ~filled)
    rows = np.flatnonzero(filled & (np.isfinite(lp.row_lb) | np.isfinite(lp.row_ub)))
    A = A[rows].tocsc()
    b = built.ctx.b
    met = np.concatenate([np.flatnonzero(lp.cost)] + [
        rb.cols[(np.isfinite(rb.lb) | np.isfinite(rb.ub))[rb.rows]]
        for rb in (b.rows[name] for name in full.row_blocks)])
    blocks, first = np.unique(full.col_block[met], return_index=True)
    members = full.col_members
    order = np.concatenate([members[k] for k in blocks[np.argsort(first, kind="stable")]]
                           or [np.empty(0, dtype=np.int64)])
    used = (np.diff(A.indptr) > 0) | (lp.cost != 0)
    order = order[used[order]]
    out = LPArrays(A[:, order], lp.row_lb[rows], lp.row_ub[rows], lp.col_lb[order],
                   lp.col_ub[order], lp.cost[order], lp.integer[order], lp.offset)
    return Compiled(out, full.col_block[order], full.col_pos[order], full.row_block[rows],
                    full.row_pos[rows], full.var_blocks, full.row_blocks,
                    time.perf_counter() - t0)


def _check_cancelled_rows(full: Compiled, emptied: np.ndarray) -> None:
    """Rows whose terms all add up to zero say ``lb <= 0 <= ub``; one that cannot hold makes
    the model infeasible (Pyomo's compiler refuses such a model, and so does this)."""
    lp = full.lp
    bad = np.flatnonzero(emptied & ((lp.row_lb > 0) | (lp.row_ub < 0)))
    if len(bad):
        i = bad[0]
        raise SolverError(
            f"row {full.row_blocks[full.row_block[i]]}[{full.row_pos[i]}]: its terms add up to "
            f"zero, outside its bounds [{lp.row_lb[i]:g}, {lp.row_ub[i]:g}] (the model is "
            f"infeasible; {len(bad)} such row(s))")


# --------------------------------------------------------------------------------------------
# HiGHS

_THREADS_SET: int | None = None  # HiGHS accepts one thread count per process


def _highs_instance():
    """A Highs object; the first one in a process prints a banner on the C stdout, which is
    silenced here (output_flag cannot be set before construction)."""
    import os

    import highspy

    try:
        fd = os.dup(1)
    except OSError:
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(fd, 1)
        os.close(fd)


def new_highs(options: dict):
    global _THREADS_SET
    h = _highs_instance()
    threads = int(options.get("threads", 1))
    if _THREADS_SET is None or threads == _THREADS_SET:
        h.setOptionValue("threads", threads)
        _THREADS_SET = threads
    h.setOptionValue("random_seed", 0)
    set_solve_options(h, options)
    return h


def set_solve_options(h, options: dict) -> None:
    """The options a scenario sets for each solve (log, method, MIP gap), so that a model
    loaded once solves every variant with that variant's own (HiGHS' threads are set once per
    process, the time limit at each run)."""
    h.setOptionValue("output_flag", bool(options.get("log", False)))
    h.setOptionValue("solver", "ipm" if options.get("method") == "ipm" else "simplex")
    h.setOptionValue("mip_rel_gap", float(options.get("mip_rel_gap", 1e-4)))


def pass_lp(h, lp: LPArrays) -> None:
    import highspy

    m = highspy.HighsLp()
    nrow, ncol = lp.shape
    m.num_col_, m.num_row_ = ncol, nrow
    m.col_cost_ = lp.cost
    m.col_lower_ = lp.col_lb
    m.col_upper_ = lp.col_ub
    m.row_lower_ = lp.row_lb
    m.row_upper_ = lp.row_ub
    m.offset_ = lp.offset
    m.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    m.a_matrix_.start_ = lp.A.indptr
    m.a_matrix_.index_ = lp.A.indices
    m.a_matrix_.value_ = lp.A.data
    m.a_matrix_.num_col_, m.a_matrix_.num_row_ = ncol, nrow
    if lp.is_mip:
        m.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                          for i in lp.integer]
    h.passModel(m)


def run_highs(h, lp: LPArrays, time_limit: float, read_duals: bool = True) -> RawSolution:
    """Run the model already passed to ``h``; for a MIP, re-solve the LP with the integers
    fixed to read duals, unless the caller reads none (``read_duals`` false: a model without
    target rows, whose shadow prices are all that the results read of the duals; the
    re-solve is ≈ 4 ms of each Monte Carlo variant's ≈ 60 ms in HiGHS).

    Without the re-solve HiGHS keeps the MIP's state, and a later in-place solve of the same
    loaded model starts from it: it can end on an optimum that differs from the one after a
    re-solve in the last bits (measured: ≤ 5e-16 relative, a few ulp of the objective). The
    choice depends on the model only, so a batch, its replays on resume and Dask take the
    same path."""
    import highspy

    h.setOptionValue("time_limit", h.getRunTime() + float(time_limit))
    t0 = time.perf_counter()
    h.run()
    status = _status(h.getModelStatus())
    info = h.getInfo()
    out = {"highs_status": h.modelStatusToString(h.getModelStatus()),
           "mip_gap": float(info.mip_gap) if lp.is_mip else 0.0,
           "iterations": int(info.simplex_iteration_count),
           "mip_nodes": int(info.mip_node_count) if lp.is_mip else 0,
           "solve_seconds": time.perf_counter() - t0}
    if status not in ("optimal", "time_limit") or info.primal_solution_status != 2:
        return RawSolution(status if status != "time_limit" else "time_limit", np.nan,
                           np.array([]), np.array([]), np.array([]), out)
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    obj = float(info.objective_function_value)
    duals = np.asarray(sol.row_dual, dtype=float)
    if lp.is_mip:
        idx = np.flatnonzero(lp.integer).astype(np.int32)
        fixed = np.round(x[idx])
        _check_integral(x[idx], fixed, out)
        if not read_duals:
            out["duals_from"] = "not read (no target rows)"
            return RawSolution(status, obj, x, np.full(lp.shape[0], np.nan),
                               np.asarray(sol.row_value, dtype=float), out)
        h.changeColsIntegrality(len(idx), idx, np.array([highspy.HighsVarType.kContinuous]
                                                        * len(idx)))
        h.changeColsBounds(len(idx), idx, fixed, fixed)
        h.setOptionValue("time_limit", h.getRunTime() + float(time_limit))
        h.run()
        if _status(h.getModelStatus()) == "optimal":
            duals = np.asarray(h.getSolution().row_dual, dtype=float)
            out["duals_from"] = "lp with integers fixed"
        else:
            duals = np.full(lp.shape[0], np.nan)
            out["duals_from"] = "unavailable"
        h.changeColsIntegrality(len(idx), idx, np.array([highspy.HighsVarType.kInteger]
                                                        * len(idx)))
        h.changeColsBounds(len(idx), idx, lp.col_lb[idx], lp.col_ub[idx])
    return RawSolution(status, obj, x, duals, np.asarray(sol.row_value, dtype=float), out)


#: how far from a whole number an integer column of a MIP solution may be: HiGHS keeps them
#: within its mip_feasibility_tolerance (1e-6 by default); well past that the solution is wrong
INTEGRALITY_TOL = 1e-4


def _check_integral(values: np.ndarray, rounded: np.ndarray, info: dict) -> None:
    """Refuse a MIP solution whose integer columns are not whole numbers. highspy 1.11.0
    returned one for the free-peak-year scenario (a binary at 0.981, status optimal); the
    pathway it gives is then not a solution of the model, so it must not be reported."""
    off = float(np.abs(values - rounded).max()) if len(values) else 0.0
    info["integrality_violation"] = off
    if off > INTEGRALITY_TOL:
        raise SolverError(
            f"HiGHS {highs_version()} returned a MIP solution with an integer variable "
            f"{off:.3g} away from a whole number (tolerance {INTEGRALITY_TOL:g}), so it is "
            f"not a solution of the model; install another highspy (1.13 or later is tested)")


def _status(s) -> str:
    import highspy

    ms = highspy.HighsModelStatus
    if s == ms.kOptimal:
        return "optimal"
    if s in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return "infeasible"
    if s == ms.kTimeLimit:
        return "time_limit"
    if s == ms.kUnbounded:
        return "unbounded"
    return "error"


def solve_lp(lp: LPArrays, options: dict) -> RawSolution:
    """Solve arrays in this process."""
    h = new_highs(options)
    pass_lp(h, lp)
    raw = run_highs(h, lp, float(options.get("time_limit", 600.0)))
    raw.info["solver_version"] = highs_version()
    return raw


@functools.cache
def highs_version() -> str:
    """The HiGHS version of this process (asked once: a Highs object costs ≈ 0.3 ms, and a
    batch stamps every variant's results with it)."""
    h = _highs_instance()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


#: seconds a started solver worker may take to come up (normally ≈ 0.4 s)
WARM_UP_TIMEOUT = 60.0


class SolverWorker:
    """A solver worker started before the model is built, so that its start-up (a Python
    process importing NumPy, SciPy, highspy and this module: ≈ 0.4–0.5 s, the whole cost of
    isolation) overlaps the caller's build on another core instead of following it.

    Use as a context manager around the build and the solves: `solve_isolated` takes it with
    ``worker=``; a worker that died or was killed (time limit) is replaced there by a fresh one.
    On leaving, the worker is stopped normally, or killed if the block raised (it holds no
    state: at most it is still importing)."""

    def __init__(self) -> None:
        from peakpath.solve.workers import Worker

        self.worker = Worker("solver")
        self.worker.call(highs_version)  # unpickling it imports this module and highspy
        self._warming = True

    def ready(self):
        """The worker, once its warm-up call has answered; None if it is gone."""
        w = self.worker
        if self._warming:
            self._warming = False
            got = w.result(timeout=WARM_UP_TIMEOUT)
            if got is None or got[0] != "result":
                w.kill()
        return None if w.closed or not w.alive() else w

    def __enter__(self) -> SolverWorker:
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        if exc_type is None:
            self.worker.stop()
        else:
            self.worker.kill()


def solve_isolated(lp: LPArrays, options: dict, worker: SolverWorker | None = None
                   ) -> RawSolution:
    """Solve in a worker process (``worker``'s if it is alive, else a new one), killed if it
    outlives the time limit plus a margin (a hung solve never hangs the caller). The worker
    ends with the caller: on an exception here (Ctrl-C included) and, through its channel,
    when the caller is killed."""
    from peakpath.solve.workers import Worker

    wall = float(options.get("time_limit", 600.0)) + WALL_CLOCK_MARGIN
    shared = worker.ready() if worker is not None else None
    w = shared or Worker("solver")
    try:
        w.call(solve_lp, lp, options)
        got = w.result(timeout=wall)
    except BaseException:
        w.close()  # Ctrl-C: cut the worker off
        raise
    if got is None:
        w.kill()
        return RawSolution("time_limit", np.nan, np.array([]), np.array([]), np.array([]),
                           {"highs_status": f"killed after {wall:.0f} s wall clock"})
    if shared is None:
        w.stop()  # a worker of its own: let it finish and exit normally
    kind, payload = got
    if kind == "error":
        raise SolverError(f"HiGHS failed: {payload.splitlines()[0]}")
    if kind == "exit":
        raise SolverError(f"the solver process died (exit code {payload})")
    return payload


# --------------------------------------------------------------------------------------------
# map back


def to_solution(built: BuiltModel, comp: Compiled, raw: RawSolution,
                timings: dict[str, float]) -> Solution:
    """Spread a raw HiGHS solution over the model's blocks (values as Series on each block's
    index; duals and row activities as arrays aligned with each row block)."""
    import pandas as pd

    b = built.ctx.b
    values: dict[str, pd.Series] = {}
    duals: dict[str, np.ndarray] = {}
    activity: dict[str, np.ndarray] = {}
    have = raw.x.size > 0
    for k, name in enumerate(comp.var_blocks):
        block = b.vars[name]
        arr = np.zeros(len(block))
        sel = comp.col_members[k]
        if have:
            arr[comp.col_pos[sel]] = raw.x[sel]
        # columns the compiler dropped (in no row or cost) sit at the bound nearest zero
        missing = np.ones(len(block), dtype=bool)
        missing[comp.col_pos[sel]] = False
        if missing.any():
            arr[missing] = np.clip(0.0, block.lb[missing], block.ub[missing])
        values[name] = pd.Series(arr, index=block.labels(), name=name)
    for k, name in enumerate(comp.row_blocks):
        n = len(b.rows[name])
        d = np.full(n, np.nan)
        a = np.full(n, np.nan)
        if have and raw.row_dual.size:
            sel = comp.row_members[k]
            d[comp.row_pos[sel]] = raw.row_dual[sel]
            a[comp.row_pos[sel]] = raw.row_value[sel]
        duals[name] = d
        activity[name] = a
    solver = {"name": "HiGHS", "version": raw.info.get("solver_version", ""),
              "status": raw.info.get("highs_status", raw.status),
              "gap": raw.info.get("mip_gap", 0.0), "mip": comp.lp.is_mip,
              "iterations": raw.info.get("iterations", 0),
              "duals_from": raw.info.get("duals_from", "lp")}
    return Solution(raw.status, raw.objective, values, duals, activity, solver, dict(timings))


def _names(blocks: list[str], index_of, block_no: np.ndarray, pos: np.ndarray) -> list[str]:
    """``block(key,key,...)`` per column or row: the block's name and its index values, with
    characters MPS and LP files cannot carry (spaces, brackets of the LP format) replaced."""
    labels = []
    for name in blocks:
        frame = index_of(name)
        keys = frame.astype(str).agg(",".join, axis=1) if frame.shape[1] else None
        labels.append([f"{name}({v})" for v in keys] if keys is not None else [name])
    bad = str.maketrans({" ": "_", "[": "(", "]": ")", ":": "_", "+": "p", "-": "m"})
    return [labels[b][p].translate(bad) for b, p in zip(block_no, pos, strict=True)]


def write_model(built: BuiltModel, comp: Compiled, path: str | Path) -> Path:
    """Write the model exactly as HiGHS receives it (``.mps`` free MPS or ``.lp`` CPLEX LP,
    by the file's suffix), with readable column and row names, for debugging and for other
    solvers. The objective is in 万元 (present value), with the model's constant offset."""
    import highspy

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    b = built.ctx.b
    h = new_highs({"log": False})
    pass_lp(h, comp.lp)
    cols = _names(comp.var_blocks, lambda n: b.vars[n].index, comp.col_block, comp.col_pos)
    rows = _names(comp.row_blocks, lambda n: b.rows[n].index, comp.row_block, comp.row_pos)
    for i, name in enumerate(cols):
        h.passColName(i, name)
    for i, name in enumerate(rows):
        h.passRowName(i, name)
    status = h.writeModel(str(path))
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS could not write the model to {path}")
    return path


def isolated(options: dict, isolate: bool | None = None) -> bool:
    """Whether a solve runs in a worker process: ``isolate`` if given, else the scenario's
    ``solver.isolate`` (default yes)."""
    return bool(options.get("isolate", True)) if isolate is None else isolate


def solve(built: BuiltModel, *, isolate: bool | None = None,
          write_model_to: str | Path | None = None,
          worker: SolverWorker | None = None) -> Solution:
    """Compile, solve and map back one built model; with ``write_model_to`` the compiled model
    is also written to that file (see `write_model`) before it is solved. An isolated solve
    uses ``worker`` (started early by the caller, see `SolverWorker`) if given."""
    opts = dict(built.md.scenario.solver)
    isolate = isolated(opts, isolate)
    comp = compile_model(built)
    if write_model_to is not None:
        write_model(built, comp, write_model_to)
    t0 = time.perf_counter()
    raw = solve_isolated(comp.lp, opts, worker) if isolate else solve_lp(comp.lp, opts)
    timings = {**built.timings, "compile": comp.seconds, "solve": time.perf_counter() - t0,
               "highs": raw.info.get("solve_seconds", float("nan"))}
    sol = to_solution(built, comp, raw, timings)
    sol.solver["rows"], sol.solver["columns"] = comp.lp.shape
    sol.solver["nonzeros"] = int(comp.lp.A.nnz)
    sol.solver["integer_columns"] = int(comp.lp.integer.sum())
    return sol
