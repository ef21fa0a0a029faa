"""Whole-process seconds of the commands a user types, against the HiGHS floor.

    python benchmarks/startup.py [--repeat 5] [--scenario runs/wuhan-peak-2030.yaml]

Each figure is the median wall-clock time of ``--repeat`` fresh processes, from exec to exit:

- ``peakpath --help`` and ``peakpath validate inputs/wuhan`` (no solver stack imported);
- ``peakpath run SCENARIO`` as `make run` does it (isolated solver worker) and with
  ``--in-process``; both write the results folder;
- the floor: a fresh Python process that imports highspy, reads the same model from the MPS file
  ``run --write-model`` wrote and solves it (same MIP gap as the scenario);
- the import floor: a fresh Python process that only imports the libraries every `run` needs
  (pandas, Pyomo, highspy, scipy.sparse, xarray with netCDF4, and the dask.array and
  dask.distributed that xarray loads when dask is installed) and does nothing else.

Results go to ``benchmarks/startup.json`` and are copied by hand into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

FLOOR = """
import sys, highspy
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.setOptionValue("threads", 1)
h.setOptionValue("mip_rel_gap", float(sys.argv[2]))
h.readModel(sys.argv[1])
h.run()
assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
"""

# xarray imports dask.array on its first Variable and dask.distributed in to_netcdf whenever
# dask is installed (it is: batches run on Dask)
IMPORTS = """
import pandas, pyomo.environ, highspy, scipy.sparse, xarray, netCDF4
import dask.array, dask.distributed
"""


def timed(cmd: list[str], repeat: int) -> dict:
    """Median and spread of the wall-clock seconds of ``repeat`` runs of ``cmd``."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "runs": repeat}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scenario", default="runs/wuhan-peak-2030.yaml")
    args = ap.parse_args()
    peakpath = str(BIN / "peakpath")
    with tempfile.TemporaryDirectory() as tmp:
        mps = Path(tmp) / "model.mps"
        subprocess.run([peakpath, "run", args.scenario, "--out", tmp, "--quiet",
                        "--write-model", str(mps)], cwd=ROOT, check=True)
        sys.path.insert(0, str(ROOT))
        from peakpath.io.scenario import load_scenario

        gap = str(load_scenario(ROOT / args.scenario).solver["mip_rel_gap"])
        out = {
            "help": timed([peakpath, "--help"], args.repeat),
            "validate": timed([peakpath, "validate", "inputs/wuhan"], args.repeat),
            "run": timed([peakpath, "run", args.scenario, "--out", tmp, "--quiet"],
                         args.repeat),
            "run_in_process": timed([peakpath, "run", args.scenario, "--out", tmp, "--quiet",
                                     "--in-process"], args.repeat),
            "highs_floor": timed([sys.executable, "-c", FLOOR, str(mps), gap], args.repeat),
            "import_floor": timed([sys.executable, "-c", IMPORTS], args.repeat),
        }
    floor = out["highs_floor"]["median_s"]
    for k in ("run", "run_in_process", "import_floor"):
        out[k]["ratio_to_floor"] = out[k]["median_s"] / floor
    out["machine"] = {"python": platform.python_version(), "platform": platform.platform(),
                      "processor": platform.processor() or platform.machine(),
                      "scenario": args.scenario, "date": time.strftime("%Y-%m-%d")}
    (ROOT / "benchmarks" / "startup.json").write_text(json.dumps(out, indent=2) + "\n")
    for k, v in out.items():
        if k != "machine":
            extra = f"  ({v['ratio_to_floor']:.1f}x floor)" if "ratio_to_floor" in v else ""
            print(f"{k:16s} {v['median_s']:.2f} s  [{v['min_s']:.2f}–{v['max_s']:.2f}]{extra}")


if __name__ == "__main__":
    main()
