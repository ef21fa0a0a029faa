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
import yaml

from peakpath.commands import command_help
from peakpath.errors import InputError, PeakpathError, Problem
from peakpath.inputs import InputData, apply_overrides, read_dataset
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
from peakpath.scenario import SAFE_NAME, Scenario, load_scenario

BATCH_KEYS = {"name", "description", "scenario", "sweep", "monte_carlo", "chunk"}
MC_KEYS = {"n", "seed", "parameters", "correlation"}
#: how a drawn value x acts on the matched column: multiply by x, replace by x, or add x (for
#: quantities whose central value is 0, such as an elasticity of 0 or a growth rate of 0)
OPS = ("scale", "set", "add")
PARAM_KEYS = {"name", "table", "where", "column", "dist", "op", "low", "high", "mode", "mean",
              "sd", "median", "sigma"}
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
    """Read a batch file, validate it (every problem located by key) and list its variants."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise InputError([Problem(file, None, None, "file", "batch file not found",
                                  "找不到批量计算文件")])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise InputError([Problem(file, None, None, "yaml", f"not valid YAML: {e}",
                                  "YAML格式错误")]) from None
    problems: list[Problem] = []

    def bad(key: str, msg: str, hint: str = "") -> None:
        problems.append(Problem(file, None, key, "batch", msg, hint))

    if not isinstance(raw, dict):
        raise InputError([Problem(file, 1, None, "yaml", "a batch file must be a mapping")])
    for k in raw:
        if k not in BATCH_KEYS:
            bad(k, f"unknown key '{k}'; expected one of: {', '.join(sorted(BATCH_KEYS))}",
                "未知的键")
    name = raw.get("name")
    if not isinstance(name, str) or not SAFE_NAME.match(name):
        bad("name", "name must be letters, digits, '.', '_' or '-' (it names the results "
            "folder)", "名称不合法")
    if not raw.get("scenario"):
        bad("scenario", "a batch needs scenario: <file>", "未指定情景")
    chunk = raw.get("chunk", 20)
    if not isinstance(chunk, int) or chunk < 1:
        bad("chunk", "chunk must be a whole number >= 1")
    scenario = None
    if raw.get("scenario"):
        try:
            scenario = load_scenario(path.parent / str(raw["scenario"]))
        except InputError as e:
            problems += e.problems
    sweep = _sweep_levels(raw.get("sweep") or {}, bad)
    mc = raw.get("monte_carlo")
    draws, pnames, params = _monte_carlo(mc, bad) if mc else (None, [], [])
    if problems:
        raise InputError(problems)
    variants = _variants(sweep, draws, params, chunk)
    spec = BatchSpec(name, path, scenario, variants, chunk, pnames, [k for k, _ in sweep])
    _check_variants(spec, file)
    return spec


def _sweep_levels(sweep: dict, bad) -> list[tuple[str, list[tuple[Any, dict, list]]]]:
    """[(dimension, [(label, changes, overrides), ...]), ...] in file order."""
    if not isinstance(sweep, dict):
        bad("sweep", "sweep must map setting paths or dimension names to their values")
        return []
    dims = []
    for key, values in sweep.items():
        if isinstance(values, list) and values:
            dims.append((key, [(v, {key: v}, []) for v in values]))
        elif isinstance(values, dict) and values:
            opts = []
            for label, ovs in values.items():
                if not isinstance(ovs, list):
                    bad(f"sweep.{key}.{label}", "each option is a list of table overrides")
                    continue
                opts.append((label, {}, ovs))
            dims.append((key, opts))
        else:
            bad(f"sweep.{key}", "a sweep dimension is a non-empty list of values or a mapping "
                "of labels to lists of overrides")
    # settings that change the model's structure vary slowest, so chunks share structures
    dims.sort(key=lambda d: 0 if d[0].startswith(("targets.", "years", "projects")) else 1)
    return dims


def _monte_carlo(mc: Any, bad) -> tuple[np.ndarray | None, list[str], list[dict]]:
    if not isinstance(mc, dict):
        bad("monte_carlo", "monte_carlo must be a mapping")
        return None, [], []
    for k in mc:
        if k not in MC_KEYS:
            bad(f"monte_carlo.{k}", f"unknown key '{k}'; expected one of: "
                f"{', '.join(sorted(MC_KEYS))}", "未知的键")
    n, seed = mc.get("n"), mc.get("seed")
    if not isinstance(n, int) or n < 1:
        bad("monte_carlo.n", "n must be a whole number >= 1")
    if not isinstance(seed, int):
        bad("monte_carlo.seed", "seed must be a whole number (the same seed gives the same "
            "draws)")
    params = mc.get("parameters") or []
    names = []
    for i, p in enumerate(params):
        key = f"monte_carlo.parameters[{i}]"
        if not isinstance(p, dict):
            bad(key, "each parameter is a mapping")
            continue
        for k in p:
            if k not in PARAM_KEYS:
                bad(f"{key}.{k}", f"unknown key '{k}'", "未知的键")
        if not isinstance(p.get("name"), str):
            bad(f"{key}.name", "each parameter needs a name")
        if not isinstance(p.get("table"), str):
            bad(f"{key}.table", "each parameter needs a table")
        if p.get("op", "scale") not in OPS:
            bad(f"{key}.op", f"op must be one of: {', '.join(OPS)}")
        msg = check_parameters(p)
        if msg:
            bad(f"{key}.dist", msg)
        names.append(p.get("name"))
    if len(set(names)) != len(names):
        bad("monte_carlo.parameters", "parameter names must be unique")
    corr = None
    pairs = mc.get("correlation") or []
    for j, pr in enumerate(pairs):
        ok = (isinstance(pr, dict) and isinstance(pr.get("between"), list)
              and len(pr["between"]) == 2 and all(x in names for x in pr["between"])
              and isinstance(pr.get("rho"), int | float) and -1 < pr["rho"] < 1)
        if not ok:
            bad(f"monte_carlo.correlation[{j}]", "each correlation is {between: [a, b], rho: r}"
                " with a, b parameter names and -1 < r < 1")
    if not isinstance(n, int) or not isinstance(seed, int) or len(set(names)) != len(names):
        return None, names, params
    try:
        if pairs:
            corr = correlation_matrix(names, pairs)
            np.linalg.cholesky(corr)
    except (np.linalg.LinAlgError, KeyError, TypeError):
        bad("monte_carlo.correlation", "the correlations do not form a valid (positive "
            "definite) matrix")
        return None, names, params
    if any(check_parameters(p) for p in params if isinstance(p, dict)):
        return None, names, params
    return draw(params, n, seed, corr), names, params


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


def _check_variants(spec: BatchSpec, file: str) -> None:
    """Every variant's settings are valid (checked once, before any solve)."""
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
            problems += [Problem(file, None, f"sweep ({v.id})", p.rule, p.message, p.hint_zh)
                         for p in e.problems]
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
    out = Path(args.out) if args.out else Path("results") / spec.name
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
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: number of cores)")
    p.add_argument("--scheduler", default=None,
                   help="address of a Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--tls-ca-file", default=None)
    p.add_argument("--tls-cert", default=None)
    p.add_argument("--tls-key", default=None)
    p.add_argument("--out", default=None, help="batch folder (default results/<batch>)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd)
