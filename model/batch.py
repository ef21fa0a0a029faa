"""Scenario batches: sweeps and Monte Carlo, on local worker processes or a Dask cluster,
with in-place re-solves and resume.

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

Variants are cut into chunks in a fixed order; a worker solves a chunk from a cold start and
then re-solves each following variant in place (`model.resolve`). Because a chunk never depends
on what its worker did before, results are identical on local workers and on Dask, and a
batch killed mid-run resumes (finished chunks are kept, unfinished ones redone) to exactly the
results of an uninterrupted run. Every scenario is keyed by the hash of its validated inputs
and settings; one that fails, is infeasible or times out is recorded with its reason and never
stops the others.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import multiprocessing as mp
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from peakpath.commands import command_help, positive_int
from peakpath.errors import InputError, PeakpathError, Problem
from peakpath.inputs import InputData, apply_overrides, read_dataset
from peakpath.places import writable_dir
from peakpath.results import (
    atomic_write_text,
    hash_inputs,
    iamc_table,
    load_results,
    summary,
    to_dataset,
    write_results,
)
from peakpath.run import shortfalls_of
from peakpath.sampling import check_parameters, correlation_matrix, draw
from peakpath.scenario import Scenario, load_scenario
from peakpath.schema import TABLE_BY_NAME

#: wall-clock margin over HiGHS' own time limit before a local worker is killed, seconds
KILL_MARGIN = 60.0


@dataclass
class Variant:
    id: str
    changes: dict[str, Any]  # dotted-path setting changes
    overrides: list[dict]  # table overrides appended to the scenario's
    values: dict[str, Any]  # what was swept or sampled, for summary.csv
    chunk: int = 0


@dataclass
class BatchSpec:
    name: str
    path: Path
    scenario: Scenario
    variants: list[Variant]
    chunk: int = 20
    parameters: list[str] = field(default_factory=list)  # sampled parameter names
    swept: list[str] = field(default_factory=list)

    def scenario_of(self, v: Variant) -> Scenario:
        changes = dict(v.changes)
        changes["name"] = f"{self.name}.{v.id}"
        sc = self.scenario.with_settings(changes)
        if v.overrides:
            sc = sc.with_settings({"overrides": [*sc.settings["overrides"], *v.overrides]})
        return sc

    def chunks(self) -> list[list[Variant]]:
        out: dict[int, list[Variant]] = {}
        for v in self.variants:
            out.setdefault(v.chunk, []).append(v)
        return [out[k] for k in sorted(out)]


# --------------------------------------------------------------------------------------------
# batch files


def load_batch(path: str | Path) -> BatchSpec:
    """Read a batch file, validate it (every problem located by key and line) and list its
    variants. The file is read strictly (`model.yamlio`) and its shape checked by
    `model.filemodels.BatchM`; the tables, columns and filters its overrides and parameters
    name are checked against the schema, so a typo is blamed on this file, not on the
    scenario, and before anything is solved."""
    from peakpath.filemodels import BatchM, validate_model
    from peakpath.yamlio import read_yaml

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
        problems.append(Problem(file, _line_of(lines, loc), _dotted(loc), rule, msg, hint))

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
    spec = BatchSpec(raw["name"], path, scenario, variants, chunk, pnames, [k for k, _ in sweep])
    _check_variants(spec, file, lines)
    return spec


def _dotted(loc: tuple) -> str:
    """``monte_carlo.parameters[0].dist``: list items in brackets, as the batch messages say."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(lines: dict[tuple, int], loc: tuple) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None


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
    if col is not None and (col not in t.column_names or t.column(col).kind != "float"):
        numeric = [c.name for c in t.columns if c.kind == "float"]
        bad((*loc, "column"), f"'{col}' is not a numeric column of {t.name}; expected one of: "
            f"{', '.join(numeric)}", "不是数值列", "reference")
    for c in o.get("where") or {}:
        if c not in t.column_names:
            bad((*loc, "where", c), f"'{c}' is not a column of {t.name}; expected one of: "
                f"{', '.join(t.column_names)}", "未知的列", "reference")


def _sweep_levels(sweep: dict | None, scenario: Scenario | None, bad
                  ) -> list[tuple[str, list[tuple[Any, dict, list]]]]:
    """[(dimension, [(label, changes, overrides), ...]), ...] in file order."""
    from peakpath.filemodels import OverrideM, validate_model

    dims = []
    for key, values in (sweep or {}).items():
        if isinstance(values, list) and values:
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
    return draw(params, mc["n"], mc["seed"], corr), names, params


def _variants(sweep, draws, params, chunk: int) -> list[Variant]:
    combos = list(itertools.product(*[opts for _, opts in sweep])) if sweep else [()]
    out = []
    n_draws = 0 if draws is None else len(draws)
    for c_i, combo in enumerate(combos):
        changes, overrides, values = {}, [], {}
        for (dim, _), (label, ch, ovs) in zip(sweep, combo, strict=True):
            changes.update(ch)
            overrides += ovs
            values[dim] = label
        if n_draws == 0:
            out.append(Variant(f"s{c_i:04d}", changes, overrides, values))
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
            out.append(Variant(vid, dict(changes), ovs, vals))
    for i, v in enumerate(out):
        v.chunk = i // chunk
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


# --------------------------------------------------------------------------------------------
# solving one chunk (runs in a worker process)

_LOCAL = threading.local()  # per worker thread: dataset cache and Resolver


def _worker_state(options: dict):
    from peakpath.resolve import Resolver

    if not hasattr(_LOCAL, "resolver"):
        _LOCAL.resolver = Resolver(options)
        _LOCAL.data = {}
    return _LOCAL


def solve_chunk(spec: BatchSpec, chunk: list[Variant], out_dir: str,
                notify=None) -> list[dict]:
    """Solve the variants of one chunk in order and write each one's results folder.
    ``notify(kind, payload)`` (optional) hears when each variant starts and ends."""
    state = _worker_state(dict(spec.scenario.solver))
    state.resolver.reset()  # a chunk starts cold: its results never depend on earlier chunks
    key = str(spec.scenario.dataset)
    if key not in state.data:
        state.data[key] = read_dataset(spec.scenario.dataset)
    base = state.data[key]
    records = []
    for v in chunk:
        if notify:
            notify("start", v.id)
        rec = _solve_variant(spec, v, base, state.resolver, Path(out_dir))
        records.append(rec)
        if notify:
            notify("done", rec)
    return records


def _solve_variant(spec: BatchSpec, v: Variant, base: InputData, resolver,
                   out_dir: Path) -> dict:
    t0 = time.perf_counter()
    rec: dict[str, Any] = {"id": v.id, "values": v.values}
    try:
        sc = spec.scenario_of(v)
        data = apply_overrides(base, sc)
        built, sol = resolver.solve(data, sc)
        shortfalls: list[dict] = []
        if sol.status == "infeasible":
            built, sol = resolver.solve(data, sc, elastic=True)
            if sol.status == "optimal":
                shortfalls = shortfalls_of(built, sol)
                sol.status = "infeasible"
        ds = to_dataset(built, sol, {"batch": spec.name, "variant": v.id,
                                     "variant_values": json.dumps(v.values, default=str)})
        summ = summary(ds, {k: sol.timings.get(k, 0.0) for k in ("derive", "build", "load",
                                                                 "solve")})
        summ["shortfalls"] = shortfalls
        summ["path"] = sol.solver.get("path", "")
        write_results(ds, out_dir / v.id, summ, built.md)
        rec.update(_record(ds, summ))
    except InputError as e:
        rec.update(status="error", reason=" ".join(e.report().split("\n")))
    except PeakpathError as e:
        rec.update(status="error", reason=str(e))
    except Exception as e:  # one broken variant must not stop the batch
        rec.update(status="error", reason=f"{type(e).__name__}: {e}",
                   traceback=traceback.format_exc(limit=5))
    rec["seconds"] = time.perf_counter() - t0
    return rec


def _record(ds: xr.Dataset, summ: dict) -> dict:
    ok = summ["status"] in ("optimal", "infeasible")
    co2 = ds["co2_total"].to_series()
    years = [y for y in co2.index if y > int(ds.attrs["base_year"])]
    binding = sorted({f"{t['id']}@{t['year']}" for t in summ["targets"] if t["binding"]})
    unmet = sorted({f"{s['id']}@{s['year']}" for s in summ["shortfalls"]})
    return {"status": summ["status"], "objective_wan_cny": summ["objective_wan_cny"],
            "peak_year": summ["peak_year"], "peak_co2_wan_t": summ["peak_co2_wan_t"],
            "cum_co2_wan_t": float(co2.loc[years].sum()) if ok else None,
            # the highest model year: the peak level the pathway itself reaches (the base
            # year is history and the same in every variant)
            "max_model_co2_wan_t": float(co2.loc[years].max()) if ok else None,
            "binding": ";".join(binding), "unmet": ";".join(unmet),
            "input_hash": summ["input_hash"], "path": summ.get("path", "")}


# --------------------------------------------------------------------------------------------
# executors


def _worker_main(conn) -> None:
    """A local worker: receive chunks, report each variant's start and end."""
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        spec, chunk, out_dir = msg
        solve_chunk(spec, chunk, out_dir, notify=lambda k, p: conn.send((k, p)))
        conn.send(("chunk_done", None))


@dataclass
class _Slot:
    proc: Any
    conn: Any
    chunk: list | None = None
    current: str | None = None
    started: float = 0.0
    done_ids: set = field(default_factory=set)


def run_local(spec: BatchSpec, chunks: list[list[Variant]], out_dir: Path, workers: int,
              on_record) -> None:
    """Spawn-started worker processes (one HiGHS thread each); a variant that outlives
    HiGHS' time limit plus a margin has its worker killed and is recorded as timed out."""
    ctx = mp.get_context("spawn")
    wall = float(spec.scenario.solver.get("time_limit", 600.0)) + KILL_MARGIN
    queue = list(chunks)
    slots: list[_Slot] = []

    def start() -> _Slot:
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        p.start()
        child.close()
        return _Slot(p, parent)

    def dispatch(slot: _Slot) -> None:
        if queue:
            slot.chunk = queue.pop(0)
            slot.done_ids = set()
            slot.conn.send((spec, slot.chunk, str(out_dir)))
        else:
            slot.chunk = None

    try:
        for _ in range(max(1, min(workers, len(chunks)))):
            slots.append(start())
            dispatch(slots[-1])
        while any(s.chunk is not None for s in slots):
            for i, s in enumerate(slots):
                if s.chunk is None:
                    continue
                while s.conn.poll(0.05):
                    try:
                        kind, payload = s.conn.recv()
                    except EOFError:
                        kind, payload = "died", None
                        break
                    if kind == "start":
                        s.current, s.started = payload, time.monotonic()
                    elif kind == "done":
                        s.done_ids.add(payload["id"])
                        s.current = None
                        on_record(payload)
                    elif kind == "chunk_done":
                        dispatch(s)
                        break
                else:
                    kind = None
                dead = not s.proc.is_alive() or kind == "died"
                late = s.current is not None and time.monotonic() - s.started > wall
                if s.chunk is not None and (dead or late):
                    _give_up(s, spec, wall, dead, on_record, queue)
                    s.proc.kill()
                    s.proc.join()
                    slots[i] = start()
                    dispatch(slots[i])
    finally:
        for s in slots:
            with contextlib.suppress(OSError):
                s.conn.send(None)
        for s in slots:
            s.proc.join(timeout=5)
            if s.proc.is_alive():
                s.proc.kill()


def _give_up(s: _Slot, spec: BatchSpec, wall: float, dead: bool, on_record, queue) -> None:
    """Record the variant a worker was stuck on; requeue the rest of its chunk."""
    ids = [v.id for v in s.chunk]
    stuck = s.current or next((i for i in ids if i not in s.done_ids), None)
    if stuck is not None:
        reason = ("the worker process died" if dead else
                  f"no answer after {wall:.0f} s wall clock (killed)")
        on_record({"id": stuck, "status": "error" if dead else "time_limit", "reason": reason,
                   "values": next(v.values for v in s.chunk if v.id == stuck)})
    rest = [v for v in s.chunk if v.id not in s.done_ids and v.id != stuck]
    if rest:
        queue.insert(0, rest)


def run_dask(spec: BatchSpec, chunks: list[list[Variant]], out_dir: Path, scheduler: str,
             security: dict | None, on_record) -> None:
    """The same chunks on an existing Dask cluster (workers must see ``out_dir``)."""
    try:
        from distributed import Client, as_completed
        from distributed.security import Security
    except ImportError:
        raise PeakpathError("--scheduler needs Dask: pip install 'peakpath[dask]'") from None
    sec = Security(**security) if security else None
    with Client(scheduler, security=sec, timeout="30s") as client:
        futures = [client.submit(solve_chunk, spec, chunk, str(out_dir), pure=False,
                                 key=f"peakpath-{spec.name}-chunk-{chunk[0].chunk}")
                   for chunk in chunks]
        for fut in as_completed(futures):
            try:
                for rec in fut.result():
                    on_record(rec)
            except Exception as e:  # a lost worker: record the chunk, go on
                chunk = chunks[futures.index(fut)]
                for v in chunk:
                    on_record({"id": v.id, "status": "error", "values": v.values,
                               "reason": f"Dask task failed: {type(e).__name__}: {e}"})


# --------------------------------------------------------------------------------------------
# the batch


class Progress:
    """A progress bar with an ETA on a terminal, plain log lines otherwise."""

    def __init__(self, total: int, skipped: int, enabled: bool = True):
        self.total, self.done, self.t0 = total, skipped, time.monotonic()
        self.start_done = skipped
        self.tty = enabled and sys.stderr.isatty()
        self.enabled = enabled
        self.last_log = -1

    def update(self, rec: dict) -> None:
        self.done += 1
        if not self.enabled:
            return
        frac = self.done / max(self.total, 1)
        rate = (self.done - self.start_done) / max(time.monotonic() - self.t0, 1e-9)
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        eta_s = "—" if math.isnan(eta) else f"{int(eta // 60)}m{int(eta % 60):02d}s"
        if self.tty:
            bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} ({100 * frac:.0f}%) "
                             f"{rate:.2f}/s ETA {eta_s} ")
            sys.stderr.flush()
            if self.done == self.total:
                sys.stderr.write("\n")
        else:
            step = max(1, self.total // 20)
            if self.done == self.total or self.done // step != self.last_log:
                self.last_log = self.done // step
                print(f"batch: {self.done}/{self.total} done ({100 * frac:.0f}%), "
                      f"{rate:.2f} scenarios/s, ETA {eta_s}; last {rec['id']} "
                      f"{rec.get('status')}", file=sys.stderr, flush=True)


def plan(spec: BatchSpec, out_dir: Path) -> tuple[list[list[Variant]], list[dict]]:
    """Chunks still to solve, and the records of finished chunks found on disk (resume): a
    chunk counts as finished only when every variant has results with its input hash."""
    base = read_dataset(spec.scenario.dataset)
    todo, kept = [], []
    for chunk in spec.chunks():
        recs = []
        for v in chunk:
            rec = _existing(spec, v, base, out_dir)
            if rec is None:
                break
            recs.append(rec)
        if len(recs) == len(chunk):
            kept += recs
        else:
            todo.append(chunk)
    return todo, kept


def _existing(spec: BatchSpec, v: Variant, base: InputData, out_dir: Path) -> dict | None:
    f = out_dir / v.id / "summary.json"
    if not f.exists():
        return None
    try:
        summ = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    sc = spec.scenario_of(v)
    if summ.get("input_hash") != hash_inputs(apply_overrides(base, sc).digest, sc):
        return None
    ds = load_results(out_dir / v.id)
    return {"id": v.id, "values": v.values, **_record(ds, summ), "seconds": 0.0,
            "resumed": True}


@dataclass
class BatchResult:
    out_dir: Path
    records: list[dict]
    seconds: float
    solved: int
    resumed: int


def run_batch(spec: BatchSpec, out_dir: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, security: dict | None = None,
              progress: bool = True) -> BatchResult:
    """Run (or resume) a batch and write its folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    todo, kept = plan(spec, out)
    records = {r["id"]: r for r in kept}
    bar = Progress(len(spec.variants), len(kept), progress)

    def on_record(rec: dict) -> None:
        records[rec["id"]] = rec
        bar.update(rec)

    if todo:
        if scheduler:
            run_dask(spec, todo, out, scheduler, security, on_record)
        else:
            run_local(spec, todo, out, workers or os.cpu_count() or 1, on_record)
    ordered = [records[v.id] for v in spec.variants if v.id in records]
    write_batch_outputs(spec, out, ordered)
    return BatchResult(out, ordered, time.monotonic() - t0,
                       sum(1 for r in ordered if not r.get("resumed")),
                       sum(1 for r in ordered if r.get("resumed")))


def write_batch_outputs(spec: BatchSpec, out: Path, records: list[dict]) -> None:
    """summary.csv (one row per scenario), batch.nc (scenario dimension), iamc.csv."""
    rows = []
    for r in records:
        row = {k: r.get(k) for k in ("id", "status", "objective_wan_cny", "peak_year",
                                     "peak_co2_wan_t", "cum_co2_wan_t", "max_model_co2_wan_t",
                                     "binding", "unmet",
                                     "reason", "input_hash", "path")}
        row.update({f"value:{k}": v for k, v in (r.get("values") or {}).items()})
        rows.append(row)
    table = pd.DataFrame(rows)
    atomic_write_text(out / "summary.csv", table.to_csv(index=False, float_format="%.10g"))
    solved = [r["id"] for r in records if r.get("status") in ("optimal", "infeasible")]
    parts, iamc = [], []
    for vid in solved:
        ds = load_results(out / vid)
        iamc.append(iamc_table(ds))
        keep = [n for n, v in ds.data_vars.items() if "target_row" not in v.dims]
        ds = ds[keep].drop_dims("target_row", errors="ignore")
        ds.attrs = {"status": ds.attrs.get("status"), "input_hash": ds.attrs.get("input_hash")}
        parts.append(ds.expand_dims(scenario=[vid]))
    if parts:
        batch = xr.concat(parts, dim="scenario", join="outer", combine_attrs="drop")
        for k in spec.parameters + spec.swept:
            vals = [next(r for r in records if r["id"] == s)["values"].get(k) for s in solved]
            numeric = all(isinstance(x, int | float) and not isinstance(x, bool) for x in vals)
            batch[f"param_{k}"] = ("scenario", np.asarray(vals, dtype=float) if numeric else
                                   np.array([json.dumps(x, default=str) if not isinstance(
                                       x, str) else x for x in vals], dtype=str))
        batch.attrs = {"batch": spec.name, "scenario_file": str(spec.scenario.path),
                       "parameters": json.dumps(spec.parameters),
                       "swept": json.dumps(spec.swept)}
        tmp = out / ".batch.nc.tmp"
        batch.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, out / "batch.nc")
        atomic_write_text(out / "iamc.csv", pd.concat(iamc, ignore_index=True).to_csv(
            index=False, float_format="%.6g"))


# --------------------------------------------------------------------------------------------
# command line


def _cmd(args) -> int:
    spec = load_batch(args.file)
    out = writable_dir(Path(args.out) if args.out else Path("results") / spec.name)
    security = None
    if args.tls_ca_file or args.tls_cert or args.tls_key:
        security = {"tls_ca_file": args.tls_ca_file, "tls_client_cert": args.tls_cert,
                    "tls_client_key": args.tls_key, "require_encryption": True}
    res = run_batch(spec, out, workers=args.workers, scheduler=args.scheduler,
                    security=security, progress=not args.quiet)
    status = pd.Series([r.get("status") for r in res.records]).value_counts().to_dict()
    print(f"batch {spec.name}: {len(res.records)} scenarios ({res.solved} solved, "
          f"{res.resumed} kept from an earlier run) in {res.seconds:.1f} s; status: {status}")
    print(f"results: {out}/ (summary.csv, batch.nc, iamc.csv)")
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
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd)
