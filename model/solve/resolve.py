"""Re-solve variants of a scenario in place on one HiGHS model.

Each variant's numbers are computed by the build code in array mode (no Pyomo objects). The
first variant of a model structure is passed to HiGHS as the LP Pyomo's standard-form compiler
would make of it (`peakpath.solve.highs.compile_in_standard_form`: the same rows, columns and
order as a fresh solve); for each later variant only what changed is pushed into
the loaded HiGHS model (``changeColsCost``, ``changeColsBounds``, ``changeRowsBounds``,
``changeCoeff``); HiGHS then re-solves from the previous basis. A structure is the set of
variable and row blocks with their indices, the integrality of columns and the sparsity pattern;
a variant that changes any of them (another peak year, elastic mode) gets its own entry. Each
solve sets the variant's own solver options (MIP gap, method, time limit) on the loaded model.

``reset()`` clears the solver state (basis, solution) but keeps the loaded models: a batch calls
it at the start of every chunk of variants, so a chunk's results never depend on which chunks a
worker solved before (identical results locally, on Dask, and after a resume).
"""

from __future__ import annotations

from peakpath import pyomo_setup  # noqa: F401  (before scipy: see the module)

# isort: split
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from peakpath.core.algebra import LookupCache
from peakpath.core.baseline import derive
from peakpath.core.build import BuiltModel, build_model
from peakpath.core.levels import with_levels
from peakpath.io.inputs import InputData
from peakpath.io.scenario import Scenario
from peakpath.solve.highs import (
    Compiled,
    LPArrays,
    Solution,
    column_bounds,
    compile_model,
    highs_version,
    new_highs,
    pass_lp,
    run_highs,
    set_solve_options,
    term_entries,
    to_solution,
)


def structure_key(built: BuiltModel) -> str:
    """Hash of what a loaded model cannot change in place: block names and indices, column
    integrality and the matrix sparsity pattern."""
    h = hashlib.sha256()
    b = built.ctx.b
    for name, v in b.vars.items():
        h.update(name.encode())
        h.update(v.digest())
        h.update(v.integer.tobytes())
    for name, r in b.rows.items():
        # a row block's keys follow from its variables' (hashed above); its size and pattern
        # are what the loaded model depends on
        h.update(name.encode())
        h.update(np.int64(len(r)).tobytes())
        h.update(np.ascontiguousarray(r.rows).tobytes())
        h.update(np.ascontiguousarray(r.cols).tobytes())
    return h.hexdigest()


@dataclass
class Loaded:
    """One structure loaded in HiGHS: the solver object, the compiled map from HiGHS columns
    and rows to builder blocks, and the numbers currently loaded (HiGHS order)."""

    highs: object
    comp: Compiled
    lp: LPArrays
    to_highs_col: np.ndarray  # builder column -> HiGHS column (-1 where eliminated)
    row_slot: dict[str, np.ndarray] = field(default_factory=dict)  # block -> HiGHS row per pos
    from_highs_col: np.ndarray = field(init=False)  # HiGHS column -> builder column
    #: where each term of the structure's rows goes in the loaded LP (made with it, `_load`)
    plan: TermPlan = field(init=False)

    def __post_init__(self) -> None:
        cols = np.flatnonzero(self.to_highs_col >= 0)
        self.from_highs_col = np.empty(self.comp.lp.shape[1], dtype=np.int64)
        self.from_highs_col[self.to_highs_col[cols]] = cols


@dataclass
class Resolver:
    options: dict
    capacity: int = 4
    loaded: OrderedDict = field(default_factory=OrderedDict)
    counts: dict = field(default_factory=lambda: {"rebuild": 0, "in_place": 0})
    lookups: LookupCache = field(default_factory=LookupCache)  # the array builds' key lookups

    def reset(self) -> None:
        """Forget every basis and solution, keep the loaded models."""
        for entry in self.loaded.values():
            entry.highs.clearSolver()

    def solve(self, data: InputData, scenario: Scenario, *, elastic: bool = False
              ) -> tuple[BuiltModel, Solution]:
        """Solve one variant (``data`` already has the scenario's overrides applied) with the
        scenario's solver options over the resolver's."""
        t0 = time.perf_counter()
        scenario = with_levels(data, scenario)
        options = {**self.options, **scenario.solver}
        md = derive(data, scenario, self.lookups)
        t1 = time.perf_counter()
        arrays = build_model(md, elastic=elastic, pyomo=False, lookups=self.lookups)
        t2 = time.perf_counter()
        key = structure_key(arrays)
        entry = self.loaded.get(key)
        lp = self._update(entry, arrays) if entry is not None else None
        if lp is not None:
            self.loaded.move_to_end(key)
            set_solve_options(entry.highs, options)
            built, comp, path = arrays, entry.comp, "in_place"
        else:  # a new structure, or one whose loaded LP lacks an entry this variant has
            # the LP the standard-form compiler makes of a Pyomo build, from the arrays: no
            # Pyomo model is needed (≈ 0.3 s a structure of the Monte Carlo)
            comp = compile_model(arrays)
            entry = self._load(key, comp, arrays, options)
            built, lp, path = arrays, comp.lp, "rebuild"
        t3 = time.perf_counter()
        raw = run_highs(entry.highs, lp, float(options.get("time_limit", 600.0)),
                        read_duals=bool(built.ctx.targets.blocks))
        raw.info["solver_version"] = highs_version()
        t4 = time.perf_counter()
        self.counts[path] += 1
        # build: the array build; load: compiling and passing a new model to HiGHS, or
        # pushing a variant's changes into the loaded one
        timings = {"derive": t1 - t0, "build": t2 - t1, "load": t3 - t2, "solve": t4 - t3,
                   "highs": raw.info.get("solve_seconds", float("nan"))}
        sol = to_solution(built, comp, raw, timings)
        sol.solver.update(rows=lp.shape[0], columns=lp.shape[1], nonzeros=int(lp.A.nnz),
                          integer_columns=int(lp.integer.sum()), path=path)
        return built, sol

    # -- loading and updating -----------------------------------------------------------------
    def _load(self, key: str, comp: Compiled, built: BuiltModel, options: dict) -> Loaded:
        h = new_highs(options)
        pass_lp(h, comp.lp)
        b = built.ctx.b
        offsets = np.array([b.vars[n].offset for n in comp.var_blocks])
        gcol = offsets[comp.col_block] + comp.col_pos
        to_highs = np.full(b.n_cols, -1, dtype=np.int64)
        to_highs[gcol] = np.arange(len(gcol))
        slots = {}
        for k, name in enumerate(comp.row_blocks):
            s = np.full(len(b.rows[name]), -1, dtype=np.int64)
            sel = comp.row_block == k
            s[comp.row_pos[sel]] = np.flatnonzero(sel)
            slots[name] = s
        entry = Loaded(h, comp, comp.lp, to_highs, slots)
        entry.plan = _term_plan(entry, b)
        self.loaded[key] = entry
        while len(self.loaded) > self.capacity:
            self.loaded.popitem(last=False)
        return entry

    def _update(self, entry: Loaded, arrays: BuiltModel) -> LPArrays | None:
        """Push the numbers of ``arrays`` that differ from the loaded ones into HiGHS; None
        (HiGHS untouched) when the variant has a coefficient or cost where the loaded LP has
        no entry (`_in_highs_order`)."""
        h, old = entry.highs, entry.lp
        new = _in_highs_order(entry, arrays)
        if new is None:
            return None
        changed = np.flatnonzero(old.cost != new.cost)
        if changed.size:
            h.changeColsCost(changed.size, changed.astype(np.int32), new.cost[changed])
        changed = np.flatnonzero((old.col_lb != new.col_lb) | (old.col_ub != new.col_ub))
        if changed.size:
            h.changeColsBounds(changed.size, changed.astype(np.int32), new.col_lb[changed],
                               new.col_ub[changed])
        changed = np.flatnonzero((old.row_lb != new.row_lb) | (old.row_ub != new.row_ub))
        if changed.size:
            h.changeRowsBounds(changed.size, changed.astype(np.int32), new.row_lb[changed],
                               new.row_ub[changed])
        # both matrices have the loaded entries (`_in_highs_order`), in column order: a Monte
        # Carlo draw changes ≈ 300 of them
        changed = np.flatnonzero(new.A.data != old.A.data)
        for r, c, x in zip(new.A.indices[changed].tolist(), entry.plan.data_col[changed].tolist(),
                           new.A.data[changed].tolist(), strict=True):
            h.changeCoeff(r, c, x)
        entry.lp = new
        return new


@dataclass
class TermPlan:
    """Where each term of a structure's rows goes in its loaded LP, made once: every variant
    of the structure has the same terms in the same places (`structure_key`), only their
    coefficients differ. Terms are numbered as the row blocks hold them (block by block, each
    row's terms in order), rows as `peakpath.solve.highs.compile_arrays` numbers them."""

    keep: list[np.ndarray]  # per row block: the positions of its rows that have terms
    row_map: np.ndarray  # compiled row -> HiGHS row (-1: not loaded)
    slot: np.ndarray  # term -> position of its entry in the loaded matrix's data (-1: none)
    present: np.ndarray  # the terms with a slot
    missing: np.ndarray  # the others: their entry was left out when the structure was loaded
    missing_entry: np.ndarray  # the entry of each missing term, numbered 0 …
    missing_row: np.ndarray  # the compiled row of each such entry
    data_col: np.ndarray  # HiGHS column of each entry of the loaded matrix's data


def _term_plan(entry: Loaded, b) -> TermPlan:
    keep, rows, cols, slots = [], [], [], []
    start = 0
    for name, rb in b.rows.items():
        k = np.flatnonzero(rb.nonempty)
        number = np.full(len(rb), -1, dtype=np.int64)
        number[k] = start + np.arange(len(k))
        keep.append(k)
        rows.append(number[rb.rows])
        cols.append(rb.cols)
        slots.append(entry.row_slot[name][k])
        start += len(k)
    r = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    row_map = np.concatenate(slots) if slots else np.empty(0, dtype=np.int64)
    entry_of, er, ec = term_entries(r, c)
    # each entry's place in the loaded matrix (column-major, rows sorted within a column)
    A = entry.lp.A
    A.sort_indices()
    n_rows = A.shape[0]
    data_col = np.repeat(np.arange(A.shape[1], dtype=np.int64), np.diff(A.indptr))
    loaded_key = data_col * n_rows + A.indices
    hr, hc = row_map[er], entry.to_highs_col[ec]
    placed = np.flatnonzero((hr >= 0) & (hc >= 0))
    key = hc[placed] * n_rows + hr[placed]
    pos = np.minimum(np.searchsorted(loaded_key, key), max(len(loaded_key) - 1, 0))
    found = (loaded_key[pos] == key) if len(loaded_key) else np.zeros(len(key), dtype=bool)
    entry_slot = np.full(len(er), -1, dtype=np.int64)
    entry_slot[placed[found]] = pos[found]
    slot = entry_slot[entry_of]
    missing = np.flatnonzero(slot < 0)
    lost, missing_entry = np.unique(entry_of[missing], return_inverse=True)
    return TermPlan(keep, row_map, slot, np.flatnonzero(slot >= 0), missing,
                    missing_entry.ravel(), er[lost], data_col)


def _in_highs_order(entry: Loaded, arrays: BuiltModel) -> LPArrays | None:
    """The variant's LP with the loaded model's column and row numbering and entries, or None
    when it does not fit the loaded LP. The structure key fixes which terms each row has, but
    the loaded LP also lacks what the compiler left out for that variant's numbers: entries
    whose terms added up to zero, rows left without an entry or without bounds, columns
    without an entry or cost (`peakpath.solve.highs.compile_in_standard_form`). A variant that
    puts a coefficient or a cost there (in a row with bounds) needs its own load; what it
    leaves out of a loaded entry is pushed as a zero, and a loaded row it leaves without
    bounds is pushed without bounds.

    Each entry is the sum of its terms, added in their order as the compilers add them
    (``bincount`` adds its weights one by one in the order given)."""
    b = arrays.ctx.b
    plan = entry.plan
    blocks = list(b.rows.values())
    v = np.concatenate([rb.coefs for rb in blocks]) if blocks else np.empty(0)
    row_lb = np.concatenate([rb.lb[k] for rb, k in zip(blocks, plan.keep, strict=True)])
    row_ub = np.concatenate([rb.ub[k] for rb, k in zip(blocks, plan.keep, strict=True)])
    if plan.missing.size:
        sums = np.bincount(plan.missing_entry, weights=v[plan.missing],
                           minlength=len(plan.missing_row))
        bounded = np.isfinite(row_lb[plan.missing_row]) | np.isfinite(row_ub[plan.missing_row])
        if ((sums != 0) & bounded).any():
            return None
    cost = np.asarray(arrays.ctx.cost, dtype=float)
    hcol = entry.to_highs_col
    if (cost[hcol < 0] != 0).any():
        return None
    old = entry.lp.A
    data = np.bincount(plan.slot[plan.present], weights=v[plan.present],
                       minlength=len(old.data))
    newA = sp.csc_matrix((data, old.indices, old.indptr), shape=old.shape)
    n_rows = old.shape[0]
    loaded = plan.row_map >= 0  # every loaded row is one of the variant's (same terms)
    lb, ub = np.empty(n_rows), np.empty(n_rows)
    lb[plan.row_map[loaded]] = row_lb[loaded]
    ub[plan.row_map[loaded]] = row_ub[loaded]
    col_lb, col_ub, integer = column_bounds(b, list(b.vars))
    inv = entry.from_highs_col
    return LPArrays(newA, lb, ub, col_lb[inv], col_ub[inv], cost[inv], integer[inv], 0.0)
