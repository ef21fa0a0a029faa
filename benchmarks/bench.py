"""Speed and memory of peakpath against the floor, at three model sizes.

    python benchmarks/bench.py [--repeat 3] [--variants 12] [--out benchmarks/results.json]

Sizes (all on runs/wuhan-peak-2022.yaml):
  city       the default model (one district)
  districts  districts: true (the dataset's 15 reporting units)
  districts3 districts: true and every measure three times (two copies at 1.05x and 1.10x capex)

Phases of the Pyomo path: load (read + overrides), derive (model data), build (Pyomo model),
compile (standard-form compiler), pass (HiGHS passModel), solve (HiGHS run, with the LP re-solve
for a MIP's duals), extract (solution -> xarray Dataset).
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

SIZES = ("city", "districts", "districts3")


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

    sc = load_scenario(ROOT / "runs" / "wuhan-peak-2022.yaml")
    if size == "city":
        return sc
    sc = sc.with_settings({"districts": True})
    if size == "districts3":
        ds = triple_measures(ROOT / "inputs" / "wuhan", tmp / "wuhan3")
        sc.dataset = ds
        sc.settings["dataset"] = str(ds)
    return sc


def one_size(size: str, repeat: int) -> dict:
    from peakpath.core.baseline import derive
    from peakpath.core.build import build_model
    from peakpath.io.inputs import apply_overrides, read_dataset
    from peakpath.results.dataset import to_dataset
    from peakpath.solve.highs import compile_model, new_highs, pass_lp, run_highs, to_solution

    tmp = Path(tempfile.mkdtemp())
    sc = scenario_for(size, tmp)
    opts = dict(sc.solver)
    rows = []
    for _ in range(repeat):
        t = {}
        t0 = time.perf_counter()
        data = apply_overrides(read_dataset(sc.dataset), sc)
        t["load"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        md = derive(data, sc)
        t["derive"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        built = build_model(md)
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
        to_dataset(built, sol)
        t["extract"] = time.perf_counter() - t0
        # the floor: the same LP from arrays, no Pyomo
        t0 = time.perf_counter()
        arr = build_model(md, pyomo=False)
        acomp = compile_model(arr)
        t["floor_build"] = time.perf_counter() - t0
        h2 = new_highs(opts)
        t0 = time.perf_counter()
        pass_lp(h2, acomp.lp)
        t["floor_pass"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        raw2 = run_highs(h2, acomp.lp, 600)
        t["floor_solve"] = time.perf_counter() - t0
        assert abs(raw2.objective - raw.objective) <= 1e-6 * abs(raw.objective)
        rows.append(t)
    med = pd.DataFrame(rows).median().to_dict()
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
    med["resolve"] = variants_per_second(sc, variants=ARGS.variants)
    shutil.rmtree(tmp, ignore_errors=True)
    return med


def variants_per_second(sc, variants: int) -> dict:
    """Scenarios per second solving MC variants by rebuilding each versus in place."""
    from peakpath.core.build import build
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
        b = build(data, s)
        sol = solve(b, isolate=False)
        to_dataset(b, sol)
        objs_a.append(sol.objective)
    rebuild = time.perf_counter() - t0
    r = Resolver(dict(sc.solver))
    t0 = time.perf_counter()
    objs_b, solve_s = [], []
    for s in scs:
        data = apply_overrides(base, s)
        b, sol = r.solve(data, s)
        to_dataset(b, sol)
        objs_b.append(sol.objective)
        solve_s.append(sol.timings["solve"])
    in_place = time.perf_counter() - t0
    assert np.allclose(objs_a, objs_b, rtol=1e-6)
    return {"variants": variants, "rebuild_per_s": variants / rebuild,
            "in_place_per_s": variants / in_place, "speedup": rebuild / in_place,
            "in_place_s_per_scenario": in_place / variants,
            "highs_s_per_scenario": float(np.median(solve_s)), "counts": r.counts}


def batch_throughput(n: int, workers: int) -> dict:
    """A real batch (local spawn workers) of n Monte Carlo draws."""
    from peakpath.analysis.batch import load_batch, run_batch

    tmp = Path(tempfile.mkdtemp())
    f = tmp / "mc.yaml"
    text = (ROOT / "runs" / "wuhan-mc.yaml").read_text(encoding="utf-8")
    text = text.replace("n: 500", f"n: {n}").replace("scenario: wuhan-peak-2022.yaml",
                                                      f"scenario: {ROOT / 'runs'}/"
                                                      "wuhan-peak-2022.yaml")
    text = text.replace("chunk: 25", f"chunk: {max(1, n // (2 * workers))}")
    f.write_text(text, encoding="utf-8")
    spec = load_batch(f)
    serial = run_batch(spec, tmp / "serial", workers=1, progress=False)
    res = run_batch(spec, tmp / "out", workers=workers, progress=False)
    table = pd.read_csv(tmp / "out" / "summary.csv")
    shutil.rmtree(tmp, ignore_errors=True)
    return {"scenarios": n, "workers": workers, "seconds": res.seconds,
            "per_s": n / res.seconds, "serial_seconds": serial.seconds,
            "serial_per_s": n / serial.seconds,
            "parallel_efficiency": (n / res.seconds) / (workers * n / serial.seconds),
            "status": table["status"].value_counts().to_dict()}


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
    ap.add_argument("--batch", type=int, default=60, help="draws in the batch throughput run")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    ARGS = ap.parse_args()
    if ARGS.size:  # child process: one size, JSON on stdout
        print(json.dumps(one_size(ARGS.size, ARGS.repeat)))
        return
    out = {"machine": machine(), "sizes": {}}
    for size in SIZES:
        r = subprocess.run([sys.executable, __file__, "--size", size, "--repeat",
                            str(ARGS.repeat), "--variants", str(ARGS.variants)],
                           capture_output=True, text=True, check=True)
        out["sizes"][size] = json.loads(r.stdout.strip().splitlines()[-1])
        print(size, json.dumps(out["sizes"][size], indent=1), flush=True)
    out["batch"] = batch_throughput(ARGS.batch, out["machine"]["cores"] or 1)
    per = out["sizes"]["city"]["resolve"]["in_place_s_per_scenario"]
    ideal = out["batch"]["workers"] / per
    # "cores / solve time": the in-place time per scenario (derive, array build, update,
    # HiGHS, extract) measured serially, without writing the scenario's folder
    out["batch"]["ideal_per_s"] = ideal
    out["batch"]["efficiency_vs_in_place_time"] = out["batch"]["per_s"] / ideal
    print("batch", json.dumps(out["batch"], indent=1))
    Path(ARGS.out).write_text(json.dumps(out, indent=1), encoding="utf-8")


ARGS = None

if __name__ == "__main__":
    main()
