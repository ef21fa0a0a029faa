"""Speed and memory of peakpath against the floor, at three model sizes.

    python benchmarks/bench.py [--repeat 3] [--variants 12] [--out benchmarks/results.json]

Sizes (all on runs/wuhan-peak-2030.yaml):
  city       the default model (one district)
  districts  districts: true (the dataset's 15 reporting units)
  districts3 districts: true and every measure three times (two copies at 1.05x and 1.10x capex)
  h2050      the city model with its horizon to 2050 instead of 2035 (elastic: the plan's
             targets held to 2050 cannot all be met)

Phases of the Pyomo path: load (read + overrides), derive (model data), build (Pyomo model),
compile (standard-form compiler), pass (HiGHS passModel), solve (HiGHS run, with the LP re-solve
for a MIP's duals), extract (solution -> xarray Dataset), write (the run's results folder).
The HiGHS-only floor (issue 12 §5): the same LP written as MPS, read and solved by highspy in a
fresh process with the same options; every phase is also given as a ratio to its read + solve
seconds.
The floor is the same LP without Pyomo: the same frames turned into a sparse matrix (array-mode
build) and passed straight to highspy — derive + array build + pass + solve. "Solver only" is
pass + solve of prebuilt arrays. Each size runs in its own process so peak memory (max RSS) is
the size's own. Batch throughput: scenarios per second rebuilding every variant versus
re-solving in place (`peakpath.solve.resolve`), over Monte Carlo variants of gas price and PV capex.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = ("city", "districts", "districts3", "h2050")


def triple_measures(src: Path, dst: Path) -> Path:
    """A copy of the dataset with every measure three times (copies slightly dearer)."""
    shutil.copytree(src, dst)
    m = pd.read_csv(dst / "measures.csv", dtype=str, keep_default_na=False)
    copies = [m]
    for suffix, k in (("_b", 1.05), ("_c", 1.10)):
        c = m.copy()
        c["measure"] = c["measure"] + suffix
        c["capex"] = (c["capex"].astype(float) * k).map(lambda x: f"{x:.6g}")
        copies.append(c)
    pd.concat(copies).to_csv(dst / "measures.csv", index=False)
    for table in ("measure_potential", "measure_effects", "measure_sites"):
        f = dst / f"{table}.csv"
        if not f.exists():
            continue
        t = pd.read_csv(f, dtype=str, keep_default_na=False)
        pd.concat([t] + [t.assign(measure=t["measure"] + s) for s in ("_b", "_c")]).to_csv(
            f, index=False)
    return dst


def scenario_for(size: str, tmp: Path):
    from peakpath.io.scenario import load_scenario

    sc = load_scenario(ROOT / "runs" / "wuhan-peak-2030.yaml")
    if size == "city":
        return sc
    if size == "h2050":
        return sc.with_settings({"years.end": 2050})
    sc = sc.with_settings({"districts": True})
    if size == "districts3":
        ds = triple_measures(ROOT / "inputs" / "wuhan", tmp / "wuhan3")
        sc.dataset = ds
        sc.settings["dataset"] = str(ds)
    return sc


def one_size(size: str, repeat: int) -> dict:
    from peakpath.core.baseline import derive
    from peakpath.core.build import build_model
    from peakpath.core.levels import with_levels
    from peakpath.io.inputs import apply_overrides, read_dataset
    from peakpath.results.dataset import summary, to_dataset, write_results
    from peakpath.solve.highs import compile_model, new_highs, pass_lp, run_highs, to_solution

    tmp = Path(tempfile.mkdtemp())
    sc = scenario_for(size, tmp)
    opts = dict(sc.solver)
    # the 2024 plan's targets held to 2050 cannot all be met (its non-fossil and peak-level
    # rows): the 2050 size is solved in elastic mode, the shortfalls priced, as `run` would
    elastic = size == "h2050"
    rows = []
    for _ in range(repeat):
        t = {}
        t0 = time.perf_counter()
        data = apply_overrides(read_dataset(sc.dataset), sc)
        t["load"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        lsc = with_levels(data, sc)  # the peak level: a reference solve of its own
        t["levels"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        md = derive(data, lsc)
        t["derive"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        built = build_model(md, elastic=elastic)
        t["build"] = time.perf_counter() - t0
        comp = compile_model(built)
        t["compile"] = comp.seconds
        h = new_highs(opts)
        t0 = time.perf_counter()
        pass_lp(h, comp.lp)
        t["pass"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw = run_highs(h, comp.lp, 600)
        t["solve"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        sol = to_solution(built, comp, raw, {})
        ds = to_dataset(built, sol)
        t["extract"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_results(ds, tmp / "written", summary(ds, {}), md)
        t["write"] = time.perf_counter() - t0
        # the floor: the same LP from arrays, no Pyomo
        t0 = time.perf_counter()
        arr = build_model(md, pyomo=False, elastic=elastic)
        acomp = compile_model(arr)
        t["floor_build"] = time.perf_counter() - t0
        h2 = new_highs(opts)
        t0 = time.perf_counter()
        pass_lp(h2, acomp.lp)
        t["floor_pass"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw2 = run_highs(h2, acomp.lp, 600)
        t["floor_solve"] = time.perf_counter() - t0
        # the same MIP in another column order: the same optimum within the MIP gap
        gap = float(opts.get("mip_rel_gap", 1e-4))
        assert abs(raw2.objective - raw.objective) <= gap * abs(raw.objective)
        rows.append(t)
    med = pd.DataFrame(rows).median().to_dict()
    med.update(highs_floor(h, tmp / "model.mps", opts, raw.objective, repeat))
    for phase in ("derive", "build", "compile", "solve", "extract", "write"):
        med[f"{phase}_over_floor"] = med[phase] / med["floor_read_solve"]
    med["objective"] = raw.objective
    med["rows"], med["columns"] = comp.lp.shape
    med["nonzeros"] = int(comp.lp.A.nnz)
    med["integer_columns"] = int(comp.lp.integer.sum())
    med["pyomo_path"] = med["derive"] + med["build"] + med["compile"] + med["pass"] + med["solve"]
    med["floor"] = med["derive"] + med["floor_build"] + med["floor_pass"] + med["floor_solve"]
    med["solver_only"] = med["floor_pass"] + med["floor_solve"]
    med["ratio_to_floor"] = med["pyomo_path"] / med["floor"]
    med["ratio_to_solver_only"] = med["pyomo_path"] / med["solver_only"]
    med["build_over_solve"] = (med["build"] + med["compile"]) / med["solve"]
    med["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med["elastic"] = elastic
    if ARGS.variants:  # 0: only the one-solve phases
        med["resolve"] = variants_per_second(sc, variants=ARGS.variants, elastic=elastic)
    shutil.rmtree(tmp, ignore_errors=True)
    return med


FLOOR_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import highspy
opts = json.loads(sys.argv[2])
h = highspy.Highs()
for k, v in opts.items():
    h.setOptionValue(k, v)
t1 = time.perf_counter()
h.readModel(sys.argv[1])
h.run()
t2 = time.perf_counter()
print(json.dumps({"read_solve": t2 - t1, "objective": h.getInfo().objective_function_value,
                  "in_process": t2 - t0}))
"""


def highs_floor(h, mps: Path, opts: dict, objective: float, repeat: int) -> dict:
    """The HiGHS-only floor: the LP loaded in ``h`` written as MPS, then read and solved by
    highspy alone in a fresh process (whole-process wall clock, and read + solve inside it)."""
    h.writeModel(str(mps))
    hopts = {"output_flag": False, "threads": 1, "random_seed": 0,
             "solver": "ipm" if opts.get("method") == "ipm" else "simplex",
             "mip_rel_gap": float(opts.get("mip_rel_gap", 1e-4))}
    rows = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", FLOOR_CHILD, str(mps), json.dumps(hopts)],
                           capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        got = json.loads(r.stdout.strip().splitlines()[-1])
        # the MPS file rounds coefficients: the objective agrees to the MIP gap
        assert abs(got["objective"] - objective) <= 1e-4 * abs(objective), (got, objective)
        rows.append({"floor_process": wall, "floor_read_solve": got["read_solve"]})
    return pd.DataFrame(rows).median().to_dict()


def variants_per_second(sc, variants: int, elastic: bool = False) -> dict:
    """Scenarios per second solving MC variants by rebuilding each versus in place."""
    from peakpath.core.build import build
    from peakpath.core.levels import with_levels
    from peakpath.io.inputs import apply_overrides, read_dataset
    from peakpath.results.dataset import to_dataset
    from peakpath.solve.highs import solve
    from peakpath.solve.resolve import Resolver

    rng = np.random.default_rng(1)
    base = read_dataset(sc.dataset)
    scs = [sc.with_settings({"overrides": [
        {"table": "prices", "where": {"fuel": "natural_gas"},
         "scale": float(rng.uniform(0.8, 1.4))},
        {"table": "measures", "where": {"measure": "pv_rooftop"}, "column": "capex",
         "scale": float(rng.uniform(0.7, 1.1))}]}) for _ in range(variants)]
    t0 = time.perf_counter()
    objs_a = []
    for s in scs:
        data = apply_overrides(base, s)
        b = build(data, with_levels(data, s), elastic=elastic)
        sol = solve(b, isolate=False)
        to_dataset(b, sol)
        objs_a.append(sol.objective)
    rebuild = time.perf_counter() - t0
    r = Resolver(dict(sc.solver))
    t0 = time.perf_counter()
    objs_b, solve_s = [], []
    for s in scs:
        data = apply_overrides(base, s)
        b, sol = r.solve(data, s, elastic=elastic)
        to_dataset(b, sol)
        objs_b.append(sol.objective)
        solve_s.append(sol.timings["solve"])
    in_place = time.perf_counter() - t0
    assert np.allclose(objs_a, objs_b, rtol=1e-6)
    return {"variants": variants, "rebuild_per_s": variants / rebuild,
            "in_place_per_s": variants / in_place, "speedup": rebuild / in_place,
            "in_place_s_per_scenario": in_place / variants,
            "highs_s_per_scenario": float(np.median(solve_s)), "counts": r.counts}


def batch_throughput(n: int, workers: int, dask: bool = True) -> dict:
    """The shipped Monte Carlo (runs/wuhan-mc.yaml, first n draws, its own chunk size) on local
    spawn workers: one worker, then ``workers``, and on a Dask LocalCluster with as many; the
    solve-bound limit (workers / median HiGHS seconds per variant) is read from the same run's
    summary.csv."""
    from peakpath.analysis.batch import load_batch, run_batch

    tmp = Path(tempfile.mkdtemp())
    spec = load_batch(ROOT / "runs" / "wuhan-mc.yaml").first_draws(n)
    serial = run_batch(spec, tmp / "serial", workers=1, progress=False)
    res = run_batch(spec, tmp / "out", workers=workers, progress=False)
    table = pd.read_csv(tmp / "out" / "summary.csv")
    phases = {c[2:]: float(table[c].median()) for c in table.columns if c.startswith("s_")}
    out = {"scenarios": n, "workers": workers, "chunk": spec.chunk, "seconds": res.seconds,
           "per_s": n / res.seconds, "serial_seconds": serial.seconds,
           "serial_per_s": n / serial.seconds,
           "parallel_efficiency": (n / res.seconds) / (workers * n / serial.seconds),
           "median_s": phases, "in_place": int((table["path"] == "in_place").sum()),
           "status": table["status"].value_counts().to_dict()}
    out["solve_bound_per_s"] = workers / phases["highs"]
    out["share_of_solve_bound"] = out["per_s"] / out["solve_bound_per_s"]
    if dask:
        from peakpath.analysis.batch import local_cluster

        with local_cluster(workers) as address:  # the batch settings, DASK_WORKER_CONFIG
            d = run_batch(spec, tmp / "dask", scheduler=address, progress=False)
        out["dask_seconds"] = d.seconds
        out["dask_per_s"] = n / d.seconds
        out["dask_parallel_efficiency"] = (n / d.seconds) / (workers * n / serial.seconds)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def machine() -> dict:
    import highspy
    import pyomo

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "pyomo": pyomo.version.version, "highspy": highspy.__version__ if hasattr(
                highspy, "__version__") else "", "numpy": np.__version__,
            "pandas": pd.__version__, "platform": platform.platform()}


def main() -> None:
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variants", type=int, default=12)
    ap.add_argument("--size", choices=SIZES)
    ap.add_argument("--batch", type=int, default=100,
                    help="draws in the batch throughput run (0: none)")
    ap.add_argument("--sizes", default=",".join(SIZES), help="sizes to measure (comma list)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    ARGS = ap.parse_args()
    if ARGS.size:  # child process: one size, JSON on stdout
        print(json.dumps(one_size(ARGS.size, ARGS.repeat)))
        return
    out = {"machine": machine(), "sizes": {}}
    for size in ARGS.sizes.split(","):
        r = subprocess.run([sys.executable, __file__, "--size", size, "--repeat",
                            str(ARGS.repeat), "--variants", str(ARGS.variants)],
                           capture_output=True, text=True, check=True)
        out["sizes"][size] = json.loads(r.stdout.strip().splitlines()[-1])
        print(size, json.dumps(out["sizes"][size], indent=1), flush=True)
    if ARGS.batch > 0:
        out["batch"] = batch_throughput(ARGS.batch, out["machine"]["cores"] or 1)
        print("batch", json.dumps(out["batch"], indent=1))
    Path(ARGS.out).write_text(json.dumps(out, indent=1), encoding="utf-8")


ARGS = None

if __name__ == "__main__":
    main()
