"""Scenario batches: sweeps and Monte Carlo, on local worker processes or a Dask cluster,
with in-place re-solves and resume. The module is callable: ``peakpath.batch(path, ...)`` is
`peakpath.api.batch`.

A batch file names a scenario and how to vary it::

    name: wuhan-mc
    scenario: wuhan-peak-2022.yaml
    chunk: 20                          # variants solved in order by one worker (optional)
    sweep:                             # cartesian product
      targets.peak.year: [2022, 2025]  # a dotted setting path -> list of values
      grid:                            # a named dimension of table overrides
        low:  [{table: grid, where: {variable: emission_factor}, scale: 0.85}]
        reference: []
    monte_carlo:
      n: 500
      seed: 20211
      parameters:                      # each draw scales (or sets) the selected values
        - {name: gas_price, table: prices, where: {fuel: natural_gas},
           dist: triangular, low: 0.8, mode: 1.0, high: 1.4}
      correlation:                     # optional rank correlations
        - {between: [gas_price, oil_price], rho: 0.6}

Variants are cut into chunks in a fixed order (``chunk`` at most, smaller towards the end:
`chunk_bounds`); a worker solves a chunk from a cold start and then re-solves each following
variant in place (`peakpath.solve.resolve`). Because a chunk never depends
on what its worker did before, results are identical on local workers and on Dask. Every scenario is
keyed by the hash of its validated inputs and settings; one that fails, is infeasible or times out
is recorded with its reason and never stops the others.

Each scenario is recorded the moment it finishes (its results folder, and a line in
progress.jsonl), so a batch interrupted at any point (Ctrl-C, SIGTERM, SIGKILL) keeps every
finished scenario; a rerun solves only the others. Where a chunk was cut short, the rerun
replays its finished variants (solves them again without writing) so that the rest start from
the solver state they have in an uninterrupted run: the results are identical.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import gc
import hashlib
import itertools
import json
import math
import os
import pickle
import queue
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from peakpath.analysis.batch_store import (
    PARTS_FILE,
    GroupSync,
    PartsWriter,
    batch_variables,
    combine,
    part_of,
    pickled_part,
    read_parts,
    stacked_iamc,
)
from peakpath.cli.commands import command_help, positive_int
from peakpath.errors import InputError, Interrupted, PeakpathError, Problem, line_of
from peakpath.io.atomic import atomic_path, atomic_write_table, atomic_write_text, sweep_stale
from peakpath.io.inputs import InputData, apply_overrides, read_dataset
from peakpath.io.places import writable_dir
from peakpath.io.scenario import Scenario, load_scenario
from peakpath.io.schema import TABLE_BY_NAME
from peakpath.results.dataset import (
    hash_inputs,
    iamc_columns,
    iamc_table,
    load_results,
    open_netcdf,
    summary,
    to_dataset,
    write_results,
)
from peakpath.solve.run import shortfalls_of
from peakpath.solve.workers import interrupts_held

#: workers a local batch starts again for one that died before its warm-up answered (its
#: chunk untouched); beyond this a dying start counts against the chunk's first variant
MAX_START_RETRIES = 3
#: wall-clock margin over HiGHS' own time limit before a local worker is killed, seconds
KILL_MARGIN = 60.0


@dataclass
class Variant:
    id: str
    changes: dict[str, Any]  # dotted-path setting changes
    overrides: list[dict]  # table overrides appended to the scenario's
    values: dict[str, Any]  # what was swept or sampled, for summary.csv
    chunk: int = 0
    #: where in the batch file each of ``overrides`` was written (a parameter or sweep option)
    sources: list[tuple] = field(default_factory=list)


@dataclass
class BatchSpec:
    name: str
    path: Path
    scenario: Scenario
    variants: list[Variant]
    chunk: int = 20
    parameters: list[str] = field(default_factory=list)  # sampled parameter names
    swept: list[str] = field(default_factory=list)
    lines: dict[tuple, int] = field(default_factory=dict)  # the batch file's line of each key

    def scenario_of(self, v: Variant) -> Scenario:
        """The variant's scenario; a problem with an override it adds names the batch file and
        the line of the parameter or sweep option that wrote it."""
        changes = dict(v.changes)
        changes["name"] = f"{self.name}.{v.id}"
        sc = self.scenario.with_settings(changes)
        if v.overrides:
            first = self._added_at(v)
            sc = sc.with_settings({"overrides": [*sc.settings["overrides"], *v.overrides]})
            for j, src in enumerate(v.sources):
                sc.origins[("overrides", first + j)] = (str(self.path),
                                                        line_of(self.lines, src))
        return sc

    def _added_at(self, v: Variant) -> int:
        """Position of the variant's first added override in its scenario's list: after the
        scenario's own (or a swept list of them)."""
        return len(v.changes.get("overrides", self.scenario.settings["overrides"]) or [])

    def blame(self, v: Variant, problems: list[Problem]) -> list[Problem]:
        """``problems`` of the variant's scenario with each override the batch added named by
        the parameter or sweep option that wrote it (``monte_carlo.parameters[0]``, not the
        scenario's ``overrides[7]``)."""
        first = self._added_at(v)
        out = []
        for p in problems:
            m = re.match(r"overrides\[(\d+)\]", p.column or "")
            j = int(m.group(1)) - first if m else -1
            if 0 <= j < len(v.sources):
                p = dataclasses.replace(p, column=_dotted(v.sources[j]) + p.column[m.end():])
            out.append(p)
        return out

    def first_draws(self, n: int) -> BatchSpec:
        """The batch with only the first ``n`` Monte Carlo draws of each sweep case: the same
        draws, ids and chunks the full batch starts with, so a later full run in the same
        folder keeps them. A batch without draws is returned unchanged."""
        def draw(v: Variant) -> int:
            m = re.search(r"mc(\d+)$", v.id)
            return -1 if m is None else int(m.group(1))

        return dataclasses.replace(self, variants=[v for v in self.variants if draw(v) < n])

    def chunks(self) -> list[list[Variant]]:
        out: dict[int, list[Variant]] = {}
        for v in self.variants:
            out.setdefault(v.chunk, []).append(v)
        return [out[k] for k in sorted(out)]


# --------------------------------------------------------------------------------------------
# batch files


def load_batch(path: str | Path) -> BatchSpec:
    """Read a batch file, validate it (every problem located by key and line) and list its
    variants. The file is read strictly (`peakpath.io.yamlio`) and its shape checked by
    `peakpath.io.filemodels.BatchM`; the tables, columns and filters its overrides and parameters
    name are checked against the schema, so a typo is blamed on this file, not on the
    scenario, and before anything is solved."""
    from peakpath.io.filemodels import BatchM, validate_model
    from peakpath.io.yamlio import read_yaml

    path = Path(path)
    file = str(path)
    raw, lines = read_yaml(path, "batch file", "批量计算文件")
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise InputError([Problem(file, 1, None, "yaml", "a batch file must be a mapping",
                                  "批量计算文件须为键值映射")])
    problems: list[Problem] = []

    def bad(key: str | tuple, msg: str, hint: str = "", rule: str = "batch") -> None:
        loc = key if isinstance(key, tuple) else tuple(key.split("."))
        problems.append(Problem(file, line_of(lines, loc), _dotted(loc), rule, msg, hint))

    flagged = validate_model(BatchM, raw, lambda loc, rule, en, zh: bad(loc, en, zh, rule))
    scenario = None
    if isinstance(raw.get("scenario"), str) and raw["scenario"]:
        try:
            scenario = load_scenario(path.parent / raw["scenario"])
        except InputError as e:
            problems += e.problems
    sweep = _sweep_levels(raw.get("sweep"), scenario, bad) if not _below(flagged, "sweep") \
        else []
    mc = raw.get("monte_carlo")
    draws, pnames, params = (None, [], [])
    if isinstance(mc, dict) and mc:
        draws, pnames, params = _monte_carlo(mc, bad, flagged)
    if problems:
        raise InputError(problems)
    chunk = raw.get("chunk", 20)
    variants = _variants(sweep, draws, params, chunk)
    spec = BatchSpec(raw["name"], path, scenario, variants, chunk, pnames, [k for k, _ in sweep],
                     lines)
    _check_variants(spec, file, lines)
    return spec


def _dotted(loc: tuple) -> str:
    """``monte_carlo.parameters[0].dist``: list items in brackets, as the batch messages say."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _below(flagged: set[tuple], key: str) -> bool:
    return any(f[:1] == (key,) for f in flagged)


def check_override_names(o: dict, loc: tuple, bad) -> None:
    """The table, column and filter columns an override or parameter names exist in the
    schema (whether its rows exist is known only with the dataset)."""
    t = TABLE_BY_NAME.get(o.get("table"))
    if t is None:
        bad((*loc, "table"), f"unknown table {o.get('table')!r}; expected one of: "
            f"{', '.join(TABLE_BY_NAME)}", "未知的数据表", "reference")
        return
    col = o.get("column")
    sets = o.get("op") == "set" or "set" in o
    kinds = ("float", "int") if sets else ("float",)  # a whole-number column can only be set
    if col is not None and (col not in t.column_names or t.column(col).kind not in kinds):
        numeric = [c.name for c in t.columns if c.kind in kinds]
        bad((*loc, "column"), f"'{col}' is not a numeric column of {t.name}"
            + ("" if sets else " that can be scaled or added to") + "; expected one of: "
            f"{', '.join(numeric)}", "不是数值列", "reference")
    for c in o.get("where") or {}:
        if c not in t.column_names:
            bad((*loc, "where", c), f"'{c}' is not a column of {t.name}; expected one of: "
                f"{', '.join(t.column_names)}", "未知的列", "reference")


#: settings a sweep cannot vary (it would ignore them), and why
_NOT_SWEPT = {
    "dataset": "a batch solves one dataset (its scenario's 'dataset:'); to compare datasets, "
               "run one batch per dataset",
    "base": "'base' is resolved when the scenario file is loaded; to compare base scenarios, "
            "run one batch per scenario file",
    "name": "each scenario of a batch is named '<batch>.<id>' (the name cannot be swept)",
    "solver.threads": "a batch's HiGHS threads are set once per worker process (the "
                      "scenario's solver.threads); its workers are its parallelism",
    "solver.isolate": "batch workers are separate processes already ('isolate' applies to a "
                      "single run)",
    "solver.elastic": "a batch re-solves every infeasible scenario with priced slacks and "
                      "records it as 'infeasible' with its shortfalls",
}


def _sweep_levels(sweep: dict | None, scenario: Scenario | None, bad
                  ) -> list[tuple[str, list[tuple[Any, dict, list]]]]:
    """[(dimension, [(label, changes, overrides), ...]), ...] in file order."""
    from peakpath.io.filemodels import OverrideM, validate_model

    dims = []
    for key, values in (sweep or {}).items():
        if isinstance(values, list) and key in _NOT_SWEPT:
            bad(("sweep", key), _NOT_SWEPT[key], "该设置不能扫描", "sweep")
        elif isinstance(values, list) and values:
            if scenario is not None:
                _check_setting_path(scenario.settings, key, bad)
            dims.append((key, [(v, {key: v}, []) for v in values]))
        elif isinstance(values, dict) and values:
            opts = []
            for label, ovs in values.items():
                loc = ("sweep", key, label)
                if not isinstance(ovs, list):
                    bad(loc, "each option is a list of table overrides", "每个选项应为覆盖列表")
                    continue
                for i, o in enumerate(ovs):
                    shape = validate_model(OverrideM, o, lambda lc, rule, en, zh, loc=loc, i=i:
                                           bad((*loc, i, *lc), en, zh, rule))
                    if not shape:
                        check_override_names(o, (*loc, i), bad)
                opts.append((label, {}, ovs))
            dims.append((key, opts))
        else:
            bad(("sweep", key), "a sweep dimension is a non-empty list of values or a mapping "
                "of labels to lists of overrides", "扫描维度应为非空列表或标签到覆盖列表的映射")
    # settings that change the model's structure vary slowest, so chunks share structures
    dims.sort(key=lambda d: 0 if d[0].startswith(("targets.", "years", "projects")) else 1)
    return dims


def _check_setting_path(settings: dict, dotted: str, bad) -> None:
    """A swept setting path must run through mappings: ``discount_rate.x`` cannot be set."""
    keys = dotted.split(".")
    d: Any = settings
    for i, k in enumerate(keys[:-1]):
        d = d.get(k) if isinstance(d, dict) else None
        if d is None:
            return  # made as a new mapping; the settings' validation judges the result
        if not isinstance(d, dict):
            bad(("sweep", dotted), f"'{'.'.join(keys[:i + 1])}' is {_kind(d)} in the scenario, "
                f"not a mapping, so '{dotted}' cannot be swept", "扫描路径经过了非映射的设置",
                "path")
            return


def _kind(v: Any) -> str:
    return "a list" if isinstance(v, list) else "text" if isinstance(v, str) else \
        "true/false" if isinstance(v, bool) else "a number"


def _monte_carlo(mc: dict, bad, flagged: set[tuple]
                 ) -> tuple[np.ndarray | None, list[str], list[dict]]:
    """The draws of a Monte Carlo block (None when anything in it is wrong); the parameters
    whose shape `BatchM` accepted are checked further even when other keys are wrong."""
    # here, not at the top: scipy.stats (≈ 0.4 s) is for the draws only, and every batch
    # worker imports this module
    from peakpath.analysis.sampling import check_parameters, correlation_matrix, draw

    params = mc.get("parameters") if isinstance(mc.get("parameters"), list) else []
    ok = not _below(flagged, "monte_carlo")
    for i, p in enumerate(params):
        loc = ("monte_carlo", "parameters", i)
        if any(f[:3] == loc for f in flagged):
            continue
        check_override_names(p, loc, bad)
        msg = check_parameters(p)
        if msg:
            bad((*loc, "dist"), msg, "分布参数无效")
            ok = False
    if not ok:
        return None, [], params
    names = [p["name"] for p in params]
    if len(set(names)) != len(names):
        bad(("monte_carlo", "parameters"), "parameter names must be unique", "参数名称重复")
        return None, names, params
    pairs = mc.get("correlation") or []
    unknown = [(j, x) for j, pr in enumerate(pairs) for x in pr["between"] if x not in names]
    for j, x in unknown:
        bad(("monte_carlo", "correlation", j, "between"), f"'{x}' is not a parameter name; "
            f"expected one of: {', '.join(names)}", "未知的参数名称")
    if unknown:
        return None, names, params
    corr = None
    if pairs:
        corr = correlation_matrix(names, pairs)
        try:
            np.linalg.cholesky(corr)
        except np.linalg.LinAlgError:
            bad(("monte_carlo", "correlation"), "the correlations do not form a valid "
                "(positive definite) matrix", "相关系数矩阵非正定")
            return None, names, params
    with np.errstate(over="ignore", invalid="ignore"):
        x = draw(params, mc["n"], mc["seed"], corr)
    for i in np.flatnonzero(~np.isfinite(x).all(axis=0)):
        bad(("monte_carlo", "parameters", int(i), "dist"), f"draws of '{names[i]}' are not "
            "finite numbers (the distribution is too wide)", "抽样值溢出，分布过宽")
    return (x if np.isfinite(x).all() else None), names, params


def _variants(sweep, draws, params, chunk: int) -> list[Variant]:
    combos = list(itertools.product(*[opts for _, opts in sweep])) if sweep else [()]
    out = []
    n_draws = 0 if draws is None else len(draws)
    for c_i, combo in enumerate(combos):
        changes, overrides, values, sources = {}, [], {}, []
        for (dim, _), (label, ch, ovs) in zip(sweep, combo, strict=True):
            changes.update(ch)
            overrides += ovs
            sources += [("sweep", dim, label, j) for j in range(len(ovs))]
            values[dim] = label
        if n_draws == 0:
            out.append(Variant(f"s{c_i:04d}", changes, overrides, values, sources=sources))
            continue
        for d in range(n_draws):
            ovs = list(overrides)
            vals = dict(values)
            for p, x in zip(params, draws[d], strict=True):
                o = {"table": p["table"], "where": p.get("where") or {}}
                if p.get("column"):
                    o["column"] = p["column"]
                o[p.get("op", "scale")] = float(x)
                ovs.append(o)
                vals[p["name"]] = float(x)
            vid = f"mc{d:04d}" if len(combos) == 1 else f"s{c_i:04d}-mc{d:04d}"
            mc = [("monte_carlo", "parameters", k) for k in range(len(params))]
            out.append(Variant(vid, dict(changes), ovs, vals, sources=sources + mc))
    for k, (start, size) in enumerate(chunk_bounds(len(out), chunk)):
        for v in out[start:start + size]:
            v.chunk = k
    return out


#: the tail of a batch is cut as if for this many workers (see `chunk_bounds`)
TAIL_WORKERS = 4


def chunk_bounds(n: int, chunk: int) -> list[tuple[int, int]]:
    """(first variant, size) of each chunk of ``n`` variants: ``chunk`` variants while at
    least ``2 * TAIL_WORKERS`` full chunks remain, then ``ceil(remaining / (2 *
    TAIL_WORKERS))``, never below ``max(1, chunk // 5)`` (guided scheduling).

    Workers take chunks in order, so the last chunks to finish are small: a worker that is
    done waits at most a small chunk for the others (with equal chunks of 25 it waited up to
    25 variants). The sizes depend only on ``n`` and ``chunk``, never on timings or the
    number of workers, so a batch's chunks, and with them its results, are the same on any
    machine, on Dask and after a resume; ``first_draws`` keeps the full batch's chunks.
    """
    smallest = max(1, chunk // 5)
    out, start = [], 0
    while start < n:
        remaining = n - start
        size = min(chunk, max(smallest, -(-remaining // (2 * TAIL_WORKERS))), remaining)
        out.append((start, size))
        start += size
    return out


def _check_variants(spec: BatchSpec, file: str, lines: dict[tuple, int]) -> None:
    """Every variant's settings are valid (checked once, before any solve); a problem is
    placed at the sweep dimension that set it."""
    problems = []
    seen = set()
    for v in spec.variants:
        key = json.dumps(v.changes, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        try:
            spec.scenario_of(v)
        except InputError as e:
            for p in e.problems:
                dim = next((d for d in v.changes if p.column and (p.column == d or p.column.
                            startswith(d + "."))), None)
                line = lines.get(("sweep", dim)) if dim else lines.get(("sweep",))
                problems.append(Problem(file, line, f"sweep.{dim or p.column} ({v.id})",
                                        p.rule, p.message, p.hint_zh))
    if problems:
        raise InputError(problems)


def check_overrides(spec: BatchSpec, base: InputData) -> None:
    """The overrides the batch adds (its parameters and sweep options) name columns of the
    dataset's tables and match rows of them: checked once, before anything is solved, on the
    first variant that carries each; a problem names the batch file, its line and the
    parameter or option. So does a sweep option that puts a column out of its range; a drawn
    value out of range is that draw's own error."""
    problems: dict[tuple, Problem] = {}
    seen: set[tuple] = set()
    for v in spec.variants:
        if set(v.sources) <= seen:
            continue
        seen.update(v.sources)
        try:
            apply_overrides(base, spec.scenario_of(v))
        except InputError as e:
            for p in spec.blame(v, e.problems):
                # a sweep option's value is fixed, and applied before any drawn one
                fixed = p.rule == "range" and (p.column or "").startswith("sweep.")
                if p.rule in ("override", "reference") or fixed:
                    problems.setdefault((p.file, p.row, p.column, p.message), p)
    if problems:
        raise InputError(list(problems.values()))


# --------------------------------------------------------------------------------------------
# solving one chunk (runs in a worker process)

_LOCAL = threading.local()  # per worker thread: dataset cache and Resolver


def _worker_state(options: dict):
    from peakpath.solve.resolve import Resolver

    if not hasattr(_LOCAL, "resolver"):
        _LOCAL.resolver = Resolver(options)
        _LOCAL.data = {}
    return _LOCAL


@dataclass
class Chunk:
    """Variants one worker solves in order from a cold start. ``kept`` holds those an earlier
    run of the batch finished: they are not solved again, but the ones before a variant still to
    solve are replayed (solved, not written) so that it starts from the solver state it has in
    an uninterrupted run. The value is True where the earlier run lost its worker on the
    variant (its chunk then went on from a cold start on a new worker)."""

    variants: list[Variant]
    kept: dict[str, bool] = field(default_factory=dict)

    @property
    def todo(self) -> list[Variant]:
        return [v for v in self.variants if v.id not in self.kept]


def solve_chunk(spec: BatchSpec, chunk: list[Variant], out_dir: str, notify=None,
                kept: dict[str, bool] | None = None, folders: bool = False,
                base: InputData | None = None) -> list[dict]:
    """Solve the variants of one chunk in order, skipping (and replaying where needed) the
    ``kept`` ones, see `Chunk`. Each record carries the scenario's batch data (``part``, for
    `peakpath.analysis.batch_store`); with ``folders`` each scenario also gets its own results
    folder. ``notify(kind, payload)`` (optional) hears when each variant starts and ends.

    ``base`` is the scenario's dataset as the batch read it; without it the worker reads the
    dataset itself, or uses the copy it kept from an earlier chunk. Sent by the batch, it
    spares each worker reading and validating the CSV tables again (≈ 0.26 s of its start,
    against ≈ 3 ms to unpickle the 0.27 MB), and every worker solves from the very data the
    batch planned and hashed. A ``base`` with the digest of the copy the worker kept is
    replaced by that copy: a Dask task brings its own unpickled copy with every chunk, and
    the plans a batch reuses between variants recognise unchanged tables by their identity
    (`peakpath.core.algebra.LookupCache.memo_tables`) and labels by their objects, so each
    new copy made the chunk's first variant plan its structure again (500 Monte Carlo draws
    on 2 Dask workers: derive 6.2 ms a variant on average against 4.8 on local workers)."""
    kept = kept or {}
    state = _worker_state(dict(spec.scenario.solver))
    state.resolver.reset()  # a chunk starts cold: its results never depend on earlier chunks
    key = str(spec.scenario.dataset)
    kept_base = state.data.get(key)
    if base is not None and (kept_base is None or kept_base.digest != base.digest):
        state.data[key] = base  # what the batch read wins over what an earlier batch left
    elif base is None and kept_base is None:
        state.data[key] = read_dataset(spec.scenario.dataset)
    base = state.data[key]
    last = max((i for i, v in enumerate(chunk) if v.id not in kept), default=-1)
    records = []
    with _young_collections_less_often():
        for i, v in enumerate(chunk):
            if v.id in kept:
                if i < last:
                    if kept[v.id]:
                        state.resolver.reset()
                    else:
                        _replay(spec, v, base, state.resolver)
                continue
            if notify:
                notify("start", v.id)
            rec = _solve_variant(spec, v, base, state.resolver, Path(out_dir), folders)
            records.append(rec)
            _settle_heap()
            if notify:
                notify("done", rec)
    return records


#: allocations (net of frees) between two collections of the youngest generation while a chunk
#: is solved; Python's default is 700
YOUNG_GC_THRESHOLD = 100_000


@contextlib.contextmanager
def _young_collections_less_often() -> Iterator[None]:
    """Collect the youngest generation every `YOUNG_GC_THRESHOLD` allocations instead of 700
    while a chunk is solved, and restore the caller's thresholds after. A variant allocates
    hundreds of thousands of short-lived objects (frames, indexes, arrays) that reference
    counting frees; at 700 the collector walked them several times a variant before they
    went. The Python time of a Monte Carlo variant (all but HiGHS; 8 alternating blocks of 40
    variants in one process, medians): 32.6 ms at 700, 30.7 at 30,000, 30.5 at 100,000,
    30.3 with the collector off. Resident memory after 240 variants is the same at every
    threshold (≈ 258 MB, off included): a variant leaves no cyclic garbage to speak of."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


_HEAP = {"settled": False}


def _settle_heap() -> None:
    """Once per worker process, after its first variant: collect, then move every object
    still alive (modules, the dataset, the loaded model structure) out of the garbage
    collector's reach (`gc.freeze`). Each full collection otherwise walked those ≈ 180,000
    long-lived objects again, ≈ 0.1 s a time, 8 ms a variant of the Monte Carlo (measured with
    gc.callbacks). Later garbage is collected as before; what was frozen is freed by
    reference counting when it goes (a loaded structure holds no cycles: arrays and the HiGHS
    object)."""
    if not _HEAP["settled"]:
        _HEAP["settled"] = True
        gc.collect()
        gc.freeze()


def _solve_model(spec: BatchSpec, v: Variant, base: InputData, resolver,
                 sc: Scenario | None = None):
    """The solver calls of one variant (an infeasible one is re-solved in elastic mode): the
    same sequence whether the variant is solved for its results or replayed. ``sc``: the
    variant's scenario, when the caller has made it."""
    sc = spec.scenario_of(v) if sc is None else sc
    data = apply_overrides(base, sc)
    built, sol = resolver.solve(data, sc)
    shortfalls: list[dict] = []
    if sol.status == "infeasible":
        built, sol = resolver.solve(data, sc, elastic=True)
        if sol.status == "optimal":
            shortfalls = shortfalls_of(built, sol)
            sol.status = "infeasible"
    return built, sol, shortfalls


def _replay(spec: BatchSpec, v: Variant, base: InputData, resolver) -> None:
    """Re-solve a kept variant without writing it: only the solver state it leaves matters."""
    with contextlib.suppress(Exception):  # it failed the same way the first time
        _solve_model(spec, v, base, resolver)


def _solve_variant(spec: BatchSpec, v: Variant, base: InputData, resolver,
                   out_dir: Path, folders: bool = False) -> dict:
    t0 = time.perf_counter()
    rec: dict[str, Any] = {"id": v.id, "values": v.values}
    try:
        sc = spec.scenario_of(v)
        # the variant's key (`_variant_key`), which the batch logs with its record: made here
        # from the scenario the solve needs anyway, not again by the batch's own process
        rec["key"] = hash_inputs(base.digest, sc)
        built, sol, shortfalls = _solve_model(spec, v, base, resolver, sc)
        t1 = time.perf_counter()
        ds = to_dataset(built, sol, {"batch": spec.name, "variant": v.id,
                                     "variant_values": json.dumps(v.values, default=str)})
        summ = summary(ds, {k: sol.timings.get(k, 0.0) for k in ("derive", "build", "load",
                                                                 "solve")})
        summ["shortfalls"] = shortfalls
        summ["path"] = sol.solver.get("path", "")
        t2 = time.perf_counter()
        rec["part"] = pickled_part(part_of(ds, iamc_columns(ds, built.md)))
        if folders:  # the batch sweeps its folder once for leftovers of killed workers
            # the key a resume compares with the folder's (the journal keeps it otherwise)
            summ["variant_key"] = rec["key"]
            write_results(ds, out_dir / v.id, summ, built.md, sweep=False)
        rec.update(_record(ds, summ))
        rec["targets"] = [{k: t[k] for k in TARGET_KEYS} for t in summ["targets"]]
        rec["shortfalls"] = [[s["id"], s["year"]] for s in shortfalls]
        rec["timings"] = {**{k: round(float(sol.timings.get(k, 0.0)), 4)
                             for k in ("derive", "build", "load", "solve", "highs")},
                          "results": round(t2 - t1, 4),
                          "write": round(time.perf_counter() - t2, 4)}
    except InputError as e:
        e = InputError(spec.blame(v, e.problems))
        rec.update(status="error", reason=" ".join(e.report().split("\n")))
    except PeakpathError as e:
        rec.update(status="error", reason=str(e))
    except Exception as e:  # one broken variant must not stop the batch
        rec.update(status="error", reason=f"{type(e).__name__}: {e}",
                   traceback=traceback.format_exc(limit=5))
    rec["seconds"] = time.perf_counter() - t0
    return rec


#: what a batch keeps of each target row of a scenario (targets.csv)
TARGET_KEYS = ("id", "family", "year", "binding", "shadow_price", "shadow_unit")


def _record(ds: xr.Dataset, summ: dict) -> dict:
    ok = summ["status"] in ("optimal", "infeasible")
    co2 = ds.variables["co2_total"].values
    later = ds.variables["year"].values > int(ds.attrs["base_year"])
    binding = sorted({f"{t['id']}@{t['year']}" for t in summ["targets"] if t["binding"]})
    unmet = sorted({f"{s['id']}@{s['year']}" for s in summ["shortfalls"]})
    return {"status": summ["status"], "objective_wan_cny": summ["objective_wan_cny"],
            "peak_year": summ["peak_year"], "peak_co2_wan_t": summ["peak_co2_wan_t"],
            "cum_co2_wan_t": float(pd.Series(co2[later]).sum()) if ok else None,
            # the highest model year: the peak level the pathway itself reaches (the base
            # year is history and the same in every variant)
            "max_model_co2_wan_t": float(pd.Series(co2[later]).max()) if ok else None,
            "binding": ";".join(binding), "unmet": ";".join(unmet),
            "input_hash": summ["input_hash"], "path": summ.get("path", "")}


# --------------------------------------------------------------------------------------------
# executors


def _chunk_job(spec: BatchSpec, variants: list[Variant], out_dir: str, kept: dict[str, bool],
               folders: bool, base: InputData | None, emit) -> None:
    """A chunk in a local worker process (`peakpath.solve.workers`), reporting each variant's
    start and end."""
    solve_chunk(spec, variants, out_dir, notify=emit, kept=kept, folders=folders, base=base)


def _warm_up() -> None:
    """A local worker's first job, sent the moment it starts, while the batch is still reading
    its dataset: unpickling it imports this module (pandas, xarray); it then imports the
    solver. All of it a worker does anyway before its first record; done here, it overlaps
    the batch's own start. (A worker never imports Pyomo's modelling layer nor Dask's array
    module: `peakpath.pyomo_setup`, `peakpath.results.dataset._variable`.)"""
    from peakpath.solve.resolve import Resolver  # noqa: F401  (imported for its modules)


class LocalWorkers:
    """The worker processes of `run_local` (one HiGHS thread each), each warming up
    (`_warm_up`) from the moment it starts; events of all of them arrive on one queue. A
    warm-up's own result is not a chunk's: `warming` holds the workers whose first event is
    still to come. ``close`` ends them all (and may be called again)."""

    def __init__(self, n: int):
        self.events: queue.Queue = queue.Queue()
        self.workers: list = []
        self.warming: set = set()
        try:
            for _ in range(n):
                self.add()
        except BaseException:  # Ctrl-C or a failed start: none of them is left behind
            self.close(wait=0.0)
            raise

    def add(self):
        from peakpath.solve.workers import Worker

        w = Worker("batch", self.events)
        self.workers.append(w)
        self.warming.add(w)
        with contextlib.suppress(Exception):  # it died at once: its "exit" event says so
            w.call(_warm_up)
        return w

    def close(self, wait: float = 1.0) -> None:
        from peakpath.solve.workers import close_all

        close_all([w for w in self.workers if not w.closed], wait=wait)


@dataclass
class _Slot:
    chunk: Chunk | None = None
    current: str | None = None
    started: float = 0.0
    done_ids: set = field(default_factory=set)
    sent_data: bool = False  # the worker has the batch's dataset


def run_local(spec: BatchSpec, chunks: list[Chunk], out_dir: Path, workers: int,
              on_record, folders: bool = False, *, base: InputData | None = None,
              started: LocalWorkers | None = None) -> None:
    """Local worker processes (one HiGHS thread each, `peakpath.solve.workers`); a variant that
    outlives HiGHS' time limit plus a margin has its worker killed and is recorded as timed out.
    ``started`` are workers the batch started earlier (more than the chunks need are stopped);
    ``base``, the dataset, goes to each worker with its first chunk (`solve_chunk`).

    An exception here (Ctrl-C, or SIGTERM turned into `Interrupted`) closes every worker's
    channel at once: each unwinds (removing a half-written folder) and exits within a second,
    and is killed otherwise. A worker that exits because it was sent SIGTERM (the whole process
    group is being terminated) stops the batch the same way; its variant is not recorded."""
    from peakpath.solve.workers import WorkerLost, exited_by_termination

    wall = float(spec.scenario.solver.get("time_limit", 600.0)) + KILL_MARGIN
    pending = list(chunks)
    pool = started or LocalWorkers(0)
    events = pool.events
    slots: dict[Any, _Slot] = {}
    finished = False

    def start(w=None) -> None:
        w = w or pool.add()
        slots[w] = _Slot()
        dispatch(w)

    def dispatch(w) -> None:
        s = slots[w]
        s.chunk, s.current, s.done_ids = (pending.pop(0) if pending else None), None, set()
        if s.chunk is not None:
            with contextlib.suppress(WorkerLost):  # it died: its "exit" event follows
                w.call(_chunk_job, spec, s.chunk.variants, str(out_dir), s.chunk.kept,
                       folders, None if s.sent_data else base, stream=True)
                s.sent_data = True

    restarts = 0

    def replace(w, dead: bool, why: str = "") -> None:
        nonlocal restarts
        s = slots.pop(w)
        if w in pool.warming and s.chunk is not None and restarts < MAX_START_RETRIES:
            # it died before its warm-up answered: no variant of its chunk has started, so
            # the chunk goes back whole, unrecorded, to a new worker
            restarts += 1
            pending.insert(0, s.chunk)
        else:
            _give_up(s, wall, dead, why if w not in pool.warming else
                     f"{why}, while the worker was starting", on_record, pending)
        w.kill()
        start()

    try:
        n = max(1, min(workers, len(chunks)))
        for w in pool.workers[n:]:  # started for chunks an earlier run finished
            w.request_stop()
        for i in range(n):
            start(pool.workers[i] if i < len(pool.workers) else None)
        while any(s.chunk is not None for s in slots.values()):
            try:
                w, kind, payload = events.get(timeout=0.1)
            except queue.Empty:
                w = None
            if w in pool.warming and kind in ("result", "error"):
                pool.warming.discard(w)  # its warm-up: an import that failed fails the chunk
                continue
            s = slots.get(w)
            if s is not None and s.chunk is not None:
                if kind == "start":
                    s.current, s.started = payload, time.monotonic()
                elif kind == "done":
                    s.done_ids.add(payload["id"])
                    s.current = None
                    on_record(payload)
                elif kind == "result":
                    dispatch(w)
                elif kind == "error":  # the chunk itself failed (e.g. its dataset)
                    reason = payload.splitlines()[0]
                    for v in s.chunk.todo:
                        if v.id not in s.done_ids:
                            on_record({"id": v.id, "status": "error", "values": v.values,
                                       "reason": reason})
                    dispatch(w)
                elif kind == "exit":
                    if exited_by_termination(payload):
                        raise Interrupted(signal.SIGTERM, "terminated")
                    replace(w, True, f"exit code {payload}")
            now = time.monotonic()
            for w2, s2 in list(slots.items()):
                if s2.chunk is not None and s2.current is not None and now - s2.started > wall:
                    replace(w2, False)
        finished = True
    finally:
        if finished:  # idle workers: let them exit normally
            for w in slots:
                w.request_stop()
        pool.close(wait=5.0 if finished else 1.0)


def _give_up(s: _Slot, wall: float, dead: bool, why: str, on_record, pending) -> None:
    """Record the variant a worker was lost on; requeue the rest of its chunk (which the next
    worker starts cold)."""
    if s.chunk is None:
        return
    todo = [v for v in s.chunk.todo if v.id not in s.done_ids]
    stuck = s.current or (todo[0].id if todo else None)
    if stuck is not None:
        reason = (f"the worker process died ({why})" if dead else
                  f"no answer after {wall:.0f} s wall clock (killed)")
        on_record({"id": stuck, "status": "error" if dead else "time_limit", "reason": reason,
                   "values": next(v.values for v in s.chunk.variants if v.id == stuck),
                   "worker_lost": True})
    rest = [v for v in todo if v.id != stuck]
    if rest:
        pending.insert(0, Chunk(rest))


DASK_WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}
"""Dask settings for workers that run peakpath batches. A batch task holds the GIL for
seconds at a time (pandas and Pyomo between HiGHS calls), and each of the worker's own
timers takes it back from the task: the statistical profiler every 10 ms, the event loop's
health tick every 20 ms, the memory monitor every 100 ms, the system monitor every 500 ms.
With Dask's defaults 2 workers spent 8-25 % more CPU than local workers on the same 200
draws; with these settings 5-9 % more, and the wall clock came within 5 % of local
workers' (benchmarks/README.md, 2026-12-04). The memory monitor still runs (every second),
so a worker that outgrows its limit is still paused or restarted."""


def dask_worker_environ() -> dict[str, str]:
    """`DASK_WORKER_CONFIG` as environment variables, for workers started by hand
    (``env ... dask worker tcp://HOST:8786 --nthreads 1``): ``DASK_`` + the dotted key in
    capitals with ``__`` between levels."""
    return {"DASK_" + k.upper().replace(".", "__").replace("-", "_"): str(v)
            for k, v in DASK_WORKER_CONFIG.items()}


@contextlib.contextmanager
def local_cluster(workers: int = 2) -> Iterator[str]:
    """A Dask LocalCluster of ``workers`` processes with one thread each, started with
    `DASK_WORKER_CONFIG` and no dashboard; yields the scheduler's address for
    ``run_batch(..., scheduler=...)``. Needs the optional extra ``peakpath[dask]``."""
    try:
        import dask
        from distributed import LocalCluster
    except ImportError:
        raise PeakpathError("a Dask cluster needs Dask: pip install 'peakpath[dask]'") from None
    with dask.config.set(DASK_WORKER_CONFIG), LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def run_dask(spec: BatchSpec, chunks: list[Chunk], out_dir: Path, scheduler: str,
             security: dict | None, on_record, folders: bool = False, *,
             base: InputData | None = None) -> None:
    """The same chunks on an existing Dask cluster (workers must see ``out_dir``). The batch
    and ``base``, the dataset, travel with each chunk, pickled once here into one bytes
    object (`_dask_chunk`): Dask's scheduler unpickles every task it is given and pickles
    it again for a worker, and with the batch and its tables as objects that took ≈ 2.4 s
    of CPU for the 32 chunks of 500 Monte Carlo draws, in the process that also runs the
    batch (a LocalCluster's scheduler), on cores the workers need; bytes it copies. Not
    scattered, since a scatter waits for workers and fails after the client's timeout when
    the cluster has none yet (workers an HPC queue grants late), and scattered data are lost
    with the workers that hold them."""
    try:
        from distributed import Client, as_completed
        from distributed.security import Security
    except ImportError:
        raise PeakpathError("--scheduler needs Dask: pip install 'peakpath[dask]'") from None
    sec = Security(**security) if security else None
    batch = pickle.dumps((spec, base), protocol=pickle.HIGHEST_PROTOCOL)
    with Client(scheduler, security=sec, timeout="30s") as client:
        futures = [client.submit(_dask_chunk, batch, c.variants, str(out_dir), c.kept,
                                 folders, pure=False,
                                 key=f"peakpath-{spec.name}-chunk-{c.variants[0].chunk}")
                   for c in chunks]
        for fut in as_completed(futures):
            try:
                for rec in fut.result():
                    on_record(rec)
            except Exception as e:  # a lost worker: record the chunk, go on
                for v in chunks[futures.index(fut)].todo:
                    on_record({"id": v.id, "status": "error", "values": v.values,
                               "reason": f"Dask task failed: {type(e).__name__}: {e}"})


def _dask_chunk(batch: bytes, variants: list[Variant], out_dir: str, kept: dict[str, bool],
                folders: bool) -> list[dict]:
    """`solve_chunk` in a Dask task, from the batch and its dataset as `run_dask` pickled
    them: unpickled once per worker process (`_unpickled_batch`), so that its chunks share
    one dataset object as a local worker's do."""
    spec, base = _unpickled_batch(batch)
    return solve_chunk(spec, variants, out_dir, None, kept, folders, base)


#: the last batch a Dask worker unpickled: (SHA-256 of its bytes, (spec, dataset)), replaced
#: as one tuple, so that a worker running tasks in several threads never pairs a digest with
#: another batch's objects
_LAST_BATCH: tuple[bytes, Any] | None = None


def _unpickled_batch(batch: bytes) -> tuple[BatchSpec, InputData | None]:
    """``pickle.loads(batch)``, kept for the next chunk of the same batch (same bytes)."""
    global _LAST_BATCH
    digest = hashlib.sha256(batch).digest()
    last = _LAST_BATCH
    if last is None or last[0] != digest:
        last = (digest, pickle.loads(batch))  # pickled by this module's run_dask
        _LAST_BATCH = last
    return last[1]


# --------------------------------------------------------------------------------------------
# the batch


class Progress:
    """Progress of a batch: a tqdm bar with rate and ETA on a terminal, a plain line every 5 %
    otherwise (logs, CI)."""

    def __init__(self, total: int, skipped: int, enabled: bool = True):
        self.total, self.done, self.t0 = total, skipped, time.monotonic()
        self.start_done = skipped
        self.enabled = enabled
        self.last_log = -1
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=skipped, unit="scenario", file=sys.stderr,
                            dynamic_ncols=True, smoothing=0.1, desc="batch")

    def interrupted(self) -> None:
        """End the bar's line, so that what is printed next starts on a line of its own."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def update(self, rec: dict) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_postfix_str(f"last {rec['id']} {rec.get('status')}", refresh=False)
            self.bar.update(1)
            if self.done >= self.total:
                self.interrupted()
            return
        frac = self.done / max(self.total, 1)
        rate = (self.done - self.start_done) / max(time.monotonic() - self.t0, 1e-9)
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        eta_s = "—" if math.isnan(eta) else f"{int(eta // 60)}m{int(eta % 60):02d}s"
        step = max(1, self.total // 20)
        if self.done == self.total or self.done // step != self.last_log:
            self.last_log = self.done // step
            print(f"batch: {self.done}/{self.total} done ({100 * frac:.0f}%), "
                  f"{rate:.2f} scenarios/s, ETA {eta_s}; last {rec['id']} "
                  f"{rec.get('status')}", file=sys.stderr, flush=True)


#: one line per finished scenario, appended as each one finishes (see `plan`)
PROGRESS_FILE = "progress.jsonl"


def plan(spec: BatchSpec, out_dir: Path, base: InputData | None = None
         ) -> tuple[list[Chunk], list[dict]]:
    """The chunks with variants still to solve, and the records of the variants an earlier run
    of the batch finished (resume, one scenario at a time). A variant is finished when
    `PROGRESS_FILE` recorded it under the same key and, if it was solved, its data are kept:
    in the batch's `PARTS_FILE`, its batch.nc or its own results folder (one with the same
    key)."""
    base = read_dataset(spec.scenario.dataset) if base is None else base
    journal = _read_progress(out_dir)
    stored = set(read_parts(out_dir)) | _batch_nc_ids(out_dir)
    chunks, kept = [], []
    for variants in spec.chunks():
        done: dict[str, bool] = {}
        for v in variants:
            rec = _existing(spec, v, base, out_dir)
            if rec is None:
                old = journal.get(v.id)
                if old is not None and old.get("key") == _variant_key(spec, v, base) and (
                        old.get("status") not in SOLVED or v.id in stored):
                    rec = {**old, "values": v.values, "seconds": 0.0, "resumed": True}
            if rec is not None:
                kept.append(rec)
                done[v.id] = bool(rec.get("worker_lost"))
        if len(done) < len(variants):
            chunks.append(Chunk(variants, done))
    return chunks, kept


def _batch_nc_ids(out_dir: Path) -> set[str]:
    """The scenario ids an earlier run wrote into the batch's batch.nc (none if unreadable)."""
    f = out_dir / "batch.nc"
    if not f.is_file():
        return set()
    try:
        with interrupts_held(), xr.open_dataset(f, engine="netcdf4") as ds:
            return {str(x) for x in ds["scenario"].values}
    except (OSError, ValueError, KeyError, RuntimeError):
        return set()


#: statuses of variants that have a results folder
SOLVED = ("optimal", "infeasible", "elastic", "time_limit")


def _variant_key(spec: BatchSpec, v: Variant, base: InputData) -> str | None:
    """What a variant's outcome depends on: the dataset and the variant's settings as asked for
    (overrides included). Not the input hash of its results: that also covers the peak levels
    found by a solve (`peakpath.core.levels`), which a resume cannot know without solving again."""
    try:
        return hash_inputs(base.digest, spec.scenario_of(v))
    except InputError:
        return None


def _existing(spec: BatchSpec, v: Variant, base: InputData, out_dir: Path) -> dict | None:
    """The record of a variant whose folder holds results for the same inputs and settings."""
    f = out_dir / v.id / "summary.json"
    if not f.exists():
        return None
    try:
        summ = json.loads(f.read_text(encoding="utf-8"))
        if "variant_key" in summ:
            same = summ["variant_key"] == _variant_key(spec, v, base)
        else:  # written before variant keys: a scenario that needed no peak levels
            sc = spec.scenario_of(v)
            same = summ.get("input_hash") == hash_inputs(apply_overrides(base, sc).digest, sc)
        if not same:
            return None
        ds = load_results(out_dir / v.id)
    except (OSError, ValueError, KeyError, InputError):  # unreadable: solve it again
        return None
    return {"id": v.id, "values": v.values, **_record(ds, summ), "seconds": 0.0,
            "resumed": True,
            "targets": [{k: t.get(k) for k in TARGET_KEYS} for t in summ.get("targets", [])],
            "shortfalls": [[x["id"], x["year"]] for x in summ.get("shortfalls", [])]}


def _read_progress(out_dir: Path) -> dict[str, dict]:
    """The records of `PROGRESS_FILE` by variant id (the last line of an id wins; a line cut
    short by a kill is skipped)."""
    out: dict[str, dict] = {}
    f = out_dir / PROGRESS_FILE
    if not f.exists():
        return out
    for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict) and isinstance(rec.get("id"), str):
            out[rec["id"]] = rec
    return out


class _ProgressLog:
    """Appends each finished variant's record to `PROGRESS_FILE` the moment it arrives
    (flushed, and synced to disk by a `GroupSync`), so an interruption at any point keeps
    every finished scenario."""

    def __init__(self, spec: BatchSpec, out_dir: Path, base: InputData, sync: GroupSync):
        self.spec, self.path, self.base, self.sync = spec, out_dir / PROGRESS_FILE, base, sync
        self.by_id = {v.id: v for v in spec.variants}
        self.keys: dict[str, str | None] = {}
        self.fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        sync.watch(self.fh)

    def key_of(self, vid: str, given: str | None = None) -> str | None:
        """The variant's key (`_variant_key`): ``given`` (the worker's), or computed once."""
        if given is not None:
            self.keys[vid] = given
        elif vid not in self.keys:
            v = self.by_id.get(vid)
            self.keys[vid] = _variant_key(self.spec, v, self.base) if v is not None else None
        return self.keys[vid]

    def add(self, rec: dict) -> None:
        line = json.dumps({**rec, "key": self.key_of(rec["id"])}, default=str,
                          ensure_ascii=False)
        self.fh.write(line + "\n")
        self.fh.flush()
        self.sync.written()

    def close(self) -> None:
        self.fh.close()

    def rewrite(self, records: list[dict]) -> None:
        """Replace the log by one line per variant (a log appended by many reruns would grow
        without end)."""
        self.close()
        atomic_write_text(self.path, "".join(json.dumps(
            {**{k: v for k, v in r.items() if k != "resumed"},
             "key": self.key_of(r["id"])},
            default=str, ensure_ascii=False) + "\n" for r in records))


@dataclass
class BatchResult:
    """A finished batch: its folder, one record per scenario (in the batch's order), how long it
    took, and how many scenarios were solved now or kept from an earlier run."""

    out_dir: Path
    records: list[dict]
    seconds: float
    solved: int
    resumed: int

    @property
    def summary(self) -> pd.DataFrame:
        """The batch's summary.csv as a table (one row per scenario)."""
        return pd.read_csv(self.out_dir / "summary.csv")

    @property
    def paths(self) -> dict[str, Path]:
        """The results folder of each scenario that has one, by scenario id."""
        return {r["id"]: self.out_dir / r["id"] for r in self.records
                if (self.out_dir / r["id"] / "results.nc").exists()}


def run_batch(spec: BatchSpec, out_dir: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, security: dict | None = None,
              progress: bool = True, folders: bool = False) -> BatchResult:
    """Run (or resume) a batch and write its folder: summary.csv, batch.nc (every solved
    scenario's results along a ``scenario`` dimension), targets.csv and iamc.csv, plus with
    ``folders`` a results folder per scenario (as `peakpath run` writes).

    Interrupted (Ctrl-C, or SIGTERM where the caller turns it into `Interrupted`), it stops its
    workers within about a second, removes their half-written folders and raises `Interrupted`
    with a one-line message; every scenario finished by then is kept, and running the batch
    again solves only the others, to the results of an uninterrupted run."""
    t0 = time.monotonic()
    out = Path(out_dir)
    n_local = max(1, min(workers or os.cpu_count() or 1, len(spec.chunks())))
    # a new batch needs every chunk solved: its workers start importing while it reads and
    # plans (a resumed one may need fewer, or none)
    early = None if scheduler or _has_entries(out) else LocalWorkers(n_local)
    try:
        return _run_batch(spec, out, t0, scheduler, security, progress, folders, n_local,
                          early)
    finally:
        if early is not None:  # the ones no chunk reached (bad input, nothing to resume):
            early.close(wait=0.0)  # killed at once, they have written nothing


def _warm_writer() -> None:
    """Import, while the workers solve, what writing batch.nc at the end imports: xarray
    imports Dask's array module when Dask is installed (checking whether data are Dask
    arrays), and its netCDF writer asks Dask for the active scheduler, importing
    dask.distributed. ≈ 1 s of the batch's end, which runs alone on one core; during the run it
    shares both cores with the workers (500 Monte Carlo draws: end 1.75 → 1.2 s, the batch
    ≈ 0.55 s shorter, benchmarks/README.md)."""
    with contextlib.suppress(Exception):  # only a head start: the end imports them anyway
        xr.Variable(("x",), np.zeros(1))
        import dask.distributed  # noqa: F401
        import netCDF4  # noqa: F401


def _has_entries(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _run_batch(spec: BatchSpec, out: Path, t0: float, scheduler: str | None,
               security: dict | None, progress: bool, folders: bool, n_local: int,
               early: LocalWorkers | None) -> BatchResult:
    base = read_dataset(spec.scenario.dataset)
    check_overrides(spec, base)
    out.mkdir(parents=True, exist_ok=True)
    sweep_stale(out)  # what workers killed in an earlier run left half-written
    todo, kept = plan(spec, out, base)
    records = {r["id"]: r for r in kept}
    bar = Progress(len(spec.variants), len(kept), progress)
    sync = GroupSync()
    # the records and data kept as scenarios finish are long-lived objects: full collections
    # walked all of them again (two in a 500-draw batch, 0.31 s of this process's CPU)
    with _young_collections_less_often():
        try:
            log = _ProgressLog(spec, out, base, sync)
            parts = PartsWriter(out, sync)
            _solve_todo(spec, todo, out, scheduler, security, folders, n_local, early, base,
                        records, bar, log, parts, sync)
        finally:
            sync.close(check=False)  # stopped on any way out; a no-op after the checked close
        ordered = [records[v.id] for v in spec.variants if v.id in records]
        # the log is rewritten while batch.nc compresses (netCDF lets go of the GIL)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            rewritten = pool.submit(log.rewrite, ordered)
            write_batch_outputs(spec, out, ordered, parts.written)
            rewritten.result()
    (out / PARTS_FILE).unlink(missing_ok=True)  # batch.nc holds them now
    return BatchResult(out, ordered, time.monotonic() - t0,
                       sum(1 for r in ordered if not r.get("resumed")),
                       sum(1 for r in ordered if r.get("resumed")))


def _solve_todo(spec: BatchSpec, todo: list[Chunk], out: Path, scheduler: str | None,
                security: dict | None, folders: bool, n_local: int,
                early: LocalWorkers | None, base: InputData, records: dict[str, dict],
                bar: Progress, log: _ProgressLog, parts: PartsWriter, sync: GroupSync) -> None:
    """Solve the chunks still to do, keeping each finished scenario (its data in ``parts``,
    then its record in ``log``) as it arrives; on the way out every record is synced to disk
    (``sync``) and the two files are closed."""

    def on_record(rec: dict) -> None:
        part = rec.pop("part", None)
        key = log.key_of(rec["id"], rec.pop("key", None))
        if part is not None:  # the data first: a logged scenario always has its data
            parts.add(rec["id"], key, part)
        records[rec["id"]] = rec
        log.add(rec)
        bar.update(rec)

    warm = threading.Thread(target=_warm_writer, name="peakpath-warm-writer", daemon=True)
    try:
        if todo:
            if scheduler:  # a Dask client has imported what the writer needs
                run_dask(spec, todo, out, scheduler, security, on_record, folders, base=base)
            else:
                warm.start()
                run_local(spec, todo, out, n_local, on_record, folders, base=base,
                          started=early)
    except KeyboardInterrupt as e:
        sync.close(check=False)
        log.close()
        parts.close()
        bar.interrupted()
        sweep_stale(out)
        signum = e.signum if isinstance(e, Interrupted) else signal.SIGINT
        raise Interrupted(signum, f"batch {spec.name} interrupted: {len(records)} of "
                          f"{len(spec.variants)} scenarios finished and kept in {out}; run it "
                          "again to resume") from None
    sync.close()
    parts.close()
    if warm.is_alive():
        warm.join()


#: the columns of summary.csv taken from each scenario's record, in order
SUMMARY_COLUMNS = ("id", "status", "objective_wan_cny", "peak_year", "peak_co2_wan_t",
                   "cum_co2_wan_t", "max_model_co2_wan_t", "binding", "unmet", "reason",
                   "input_hash", "path")
#: per-scenario seconds by phase in summary.csv (``s_<phase>``): deriving the data, the array
#: build, loading into HiGHS, solving (all HiGHS calls), HiGHS' own time, the results Dataset
#: and summary, and writing (the batch record, plus the folder with ``--folders``)
TIMING_COLUMNS = ("derive", "build", "load", "solve", "highs", "results", "write")


def write_batch_outputs(spec: BatchSpec, out: Path, records: list[dict],
                        parts: dict[str, dict[str, Any]] | None = None) -> None:
    """summary.csv (one row per scenario), batch.nc (scenario dimension, compressed, chunked
    by scenario), targets.csv (each solved scenario's target rows) and iamc.csv. A scenario's
    data come from ``parts`` (what this run's `PartsWriter` wrote), else `PARTS_FILE`, else its
    results folder, else the batch.nc of an earlier run in the same folder.

    The CSV tables are written by a second thread while batch.nc is: the netCDF library
    compresses without holding the GIL, so the two take about the longer one's time on a
    machine whose workers have just left a core free."""
    solved = [r["id"] for r in records if r.get("status") in ("optimal", "infeasible")]
    datasets, iamc = _scenario_data(out, solved, parts or {})
    have = [vid for vid in solved if vid in datasets]
    batch = _batch_dataset(spec, records, have, datasets) if have else None
    with _gil_handed_over_often(), concurrent.futures.ThreadPoolExecutor(1) as pool:
        tables = pool.submit(_write_tables, out, records, have, iamc)
        if batch is not None:
            with atomic_path(out / "batch.nc") as tmp, interrupts_held():
                batch.to_netcdf(tmp, engine="netcdf4", encoding=_batch_encoding(batch))
        tables.result()


#: seconds a thread holds the GIL before it must let a waiting one run while a batch writes
#: its outputs (Python's default: 0.005)
WRITE_SWITCH_INTERVAL_S = 0.0005


@contextlib.contextmanager
def _gil_handed_over_often() -> Iterator[None]:
    """A shorter switch interval while batch.nc and the CSV tables are written side by side:
    the netCDF writer lets go of the GIL for each variable's compression and, back, waited
    up to 5 ms for the tables' thread to hand it over, once per variable (the batch's end
    0.65 -> 0.58 s for 500 Monte Carlo draws, two runs each). The caller's interval is
    restored."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(WRITE_SWITCH_INTERVAL_S)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _write_tables(out: Path, records: list[dict], have: list[str],
                  iamc: dict[str, pd.DataFrame | dict]) -> None:
    """summary.csv, targets.csv and (when a scenario has data) iamc.csv of a batch; a
    scenario's IAMC rows are a frame or a part's ``iamc`` (`stacked_iamc`)."""
    rows = []
    for r in records:
        row = {k: r.get(k) for k in SUMMARY_COLUMNS}
        row.update({f"s_{k}": (r.get("timings") or {}).get(k) for k in TIMING_COLUMNS})
        row.update({f"value:{k}": v for k, v in (r.get("values") or {}).items()})
        rows.append(row)
    table = pd.DataFrame(rows)
    atomic_write_table(out / "summary.csv", csv_text(table, "%.10g"))
    _write_targets(out, [r for r in records if r["id"] in set(have)])
    if have:
        atomic_write_table(out / "iamc.csv", csv_text(stacked_iamc([iamc[v] for v in have]),
                                                      "%.6g"))


def _batch_dataset(spec: BatchSpec, records: list[dict], have: list[str],
                   datasets: dict[str, dict | xr.Dataset]) -> xr.Dataset:
    """What batch.nc holds: the scenarios ``have`` along ``scenario``, with their drawn or
    swept values (``param_<name>``) and status."""
    batch = combine(have, [datasets[vid] for vid in have])
    by_id = {r["id"]: r for r in records}
    extra = {}
    for k in spec.parameters + spec.swept:
        vals = [by_id[s]["values"].get(k) for s in have]
        numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in vals)
        extra[f"param_{k}"] = ("scenario", np.asarray(vals, dtype=float) if numeric else
                               np.array([json.dumps(x, default=str) if not isinstance(
                                   x, str) else x for x in vals], dtype=str))
    extra["scenario_status"] = ("scenario", np.array([by_id[s]["status"] for s in have],
                                                     dtype=str))
    batch = batch.assign(extra)  # one merge (one per variable: ≈ 2.5 ms each)
    batch.attrs = {"batch": spec.name, "scenario_file": str(spec.scenario.path),
                   "parameters": json.dumps(spec.parameters),
                   "swept": json.dumps(spec.swept)}
    batch.encoding.pop("unlimited_dims", None)
    return batch


#: scenarios per netCDF chunk of batch.nc: reading one scenario touches one chunk, reading a
#: variable across the batch a few
SCENARIO_CHUNK = 50


def _batch_encoding(batch: xr.Dataset) -> dict[str, dict]:
    """zlib level 1 on every numeric variable, without netCDF4's byte shuffle, chunked along
    ``scenario``. Level 1 and no shuffle because the batch's end waits for it while the
    workers' cores idle: 500 Monte Carlo scenarios (50 MB of values, most of them exact
    zeros or repeated) compress in 0.31 s to 11.3 MB; with the shuffle (netCDF4's default)
    in 0.41 s to 13.7 MB, at level 4 with it in 0.56 s to 12.9 MB."""
    enc = {}
    n = batch.sizes["scenario"]
    for k, v in batch.data_vars.items():
        if v.dtype.kind not in "fiub" or "scenario" not in v.dims:
            continue
        chunks = tuple(min(SCENARIO_CHUNK, n) if d == "scenario" else max(batch.sizes[d], 1)
                       for d in v.dims)
        enc[k] = {"zlib": True, "complevel": 1, "shuffle": False, "chunksizes": chunks}
    return enc


def _scenario_data(out: Path, ids: list[str], written: dict[str, dict[str, Any]]
                   ) -> tuple[dict[str, dict | xr.Dataset], dict[str, pd.DataFrame | dict]]:
    """Each scenario's batch variables (a part's dataset dict, or a Dataset) and IAMC rows
    (a part's ``iamc``, or a frame),
    from the first place that has them: ``written`` (this run's parts), `PARTS_FILE` (read
    only when a scenario is not in ``written``), the scenario's folder, the old batch.nc."""
    parts = written if all(vid in written for vid in ids) else {**read_parts(out), **written}
    datasets: dict[str, dict | xr.Dataset] = {}
    iamc: dict[str, pd.DataFrame | dict] = {}
    old = None
    for vid in ids:
        if vid in parts:
            datasets[vid] = parts[vid]["part"]["dataset"]
            iamc[vid] = parts[vid]["part"]["iamc"]  # a frame only in the tables' thread
        elif (out / vid / "results.nc").is_file():
            ds = load_results(out / vid)
            datasets[vid] = batch_variables(ds)
            iamc[vid] = iamc_table(ds)
        else:
            if old is None:
                old = _old_batch(out)
            if old is not None and vid in old.indexes["scenario"]:
                ds = old.sel(scenario=vid).drop_vars(
                    [k for k in old.data_vars if k.startswith("param_")]
                    + ["scenario_status"], errors="ignore")
                datasets[vid] = ds.drop_vars("scenario")
                iamc[vid] = old_iamc(out, vid)
    return datasets, iamc


def _old_batch(out: Path) -> xr.Dataset | None:
    try:
        return open_netcdf(out / "batch.nc", "batch results file")
    except InputError:
        return None


def old_iamc(out: Path, vid: str) -> pd.DataFrame:
    """A scenario's rows of the iamc.csv an earlier run of the batch wrote."""
    f = out / "iamc.csv"
    t = pd.read_csv(f, encoding="utf-8-sig") if f.is_file() else pd.DataFrame()
    if t.empty:
        return t
    t = t[t["scenario"].astype(str).str.endswith(f".{vid}") | (t["scenario"] == vid)]
    return t.rename(columns=lambda c: int(c) if str(c).isdigit() else c)


def csv_text(frame: pd.DataFrame, float_format: str) -> str:
    """``frame.to_csv(index=False, float_format=float_format)``, the same text, with the
    numbers of float columns formatted first in one pass (``float_format % x``; missing:
    empty) rather than by pandas value by value with its checks: the iamc.csv of 500 Monte
    Carlo draws (360,000 numbers) in 0.18 s instead of 0.23 s, at the batch's end where
    every worker waits."""
    floats = {}
    for name, col in frame.items():
        values = col.to_numpy()
        if values.dtype.kind == "f":
            text = np.array([float_format % x for x in values.tolist()], dtype=object)
            text[np.isnan(values)] = ""
            floats[name] = text
    if floats and frame.columns.is_unique:  # a name held twice: pandas formats them
        frame = frame.copy()
        for name, text in floats.items():
            frame[name] = text
    return frame.to_csv(index=False, float_format=float_format)


def _write_targets(out: Path, records: list[dict]) -> None:
    """targets.csv: one row per solved scenario and target row (met, binding, shadow price)."""
    rows = []
    for r in records:
        short = {(s[0], int(s[1])) for s in r.get("shortfalls") or []}
        for t in r.get("targets") or []:
            rows.append({"scenario": r["id"], "target": t["id"], "family": t["family"],
                         "year": t["year"], "met": (t["id"], int(t["year"])) not in short,
                         "binding": t.get("binding"), "shadow_price": t.get("shadow_price"),
                         "shadow_unit": t.get("shadow_unit")})
    cols = ["scenario", "target", "family", "year", "met", "binding", "shadow_price",
            "shadow_unit"]
    atomic_write_table(out / "targets.csv", csv_text(pd.DataFrame(rows, columns=cols),
                                                     "%.10g"))


# --------------------------------------------------------------------------------------------
# command line


def _cmd(args) -> int:
    spec = load_batch(args.file)
    if args.draws is not None:
        spec = spec.first_draws(args.draws)
    out = writable_dir(Path(args.out) if args.out else Path("results") / spec.name)
    security = None
    if args.tls_ca_file or args.tls_cert or args.tls_key:
        security = {"tls_ca_file": args.tls_ca_file, "tls_client_cert": args.tls_cert,
                    "tls_client_key": args.tls_key, "require_encryption": True}
    res = run_batch(spec, out, workers=args.workers, scheduler=args.scheduler,
                    security=security, progress=not args.quiet, folders=args.folders)
    status = pd.Series([r.get("status") for r in res.records]).value_counts().to_dict()
    print(f"batch {spec.name}: {len(res.records)} scenarios ({res.solved} solved, "
          f"{res.resumed} kept from an earlier run) in {res.seconds:.1f} s; status: {status}")
    print(f"results: {out}/ (summary.csv, batch.nc, targets.csv, iamc.csv"
          f"{', a folder per scenario' if args.folders else ''})")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("batch", help=command_help("batch"))
    p.add_argument("file", help="batch YAML file")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="local worker processes (default: number of cores)")
    p.add_argument("--scheduler", default=None,
                   help="address of a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--tls-ca-file", default=None)
    p.add_argument("--tls-cert", default=None)
    p.add_argument("--tls-key", default=None)
    p.add_argument("--out", default=None, help="batch folder (default results/<batch>)")
    p.add_argument("--draws", type=positive_int, default=None, metavar="N",
                   help="solve only the first N Monte Carlo draws (the ones the full batch "
                        "starts with; a later full run in the same folder keeps them)")
    p.add_argument("--folders", action="store_true",
                   help="also write a results folder per scenario, as `peakpath run` does "
                        "(default: only the combined batch.nc, summary.csv, targets.csv and "
                        "iamc.csv)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd)
