"""The Python API as a user meets it: a plain script without a main guard (next to a model.py
of its own), a notebook, and an `import peakpath` that stays cheap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import peakpath
from tests.conftest import ROOT

SCRIPT = f"""\
import peakpath

res = peakpath.run({str(ROOT / 'runs' / 'wuhan-peak-2030.yaml')!r}, out="results")
print("run", res.status, res.summary["peak_year"], res.out_dir)
sc = peakpath.Scenario.load({str(ROOT / 'runs' / 'wuhan-peak-2030.yaml')!r})
data = peakpath.read_dataset(sc.dataset)
again = peakpath.run(sc.with_settings({{"name": "capped", "targets.peak.cap": 14000}}),
                     data=data, out=None, isolate=False)
print("changed", again.status, again.summary["peak_year"], again.out_dir)
b = peakpath.batch("b.yaml", out="results/b", workers=2)
print("batch", sorted(b.summary["id"]), sorted(b.paths), b.solved)
"""


def test_a_script_without_a_main_guard_runs_isolated_solves_and_a_batch(tmp_path):
    """The isolated solve and the batch workers start child processes; none of them may
    re-import the script (which would run it again, or hang as a spawn child did)."""
    (tmp_path / "model.py").write_text("raise SystemExit('the user model.py was imported')\n")
    (tmp_path / "b.yaml").write_text(
        f"name: b\nscenario: {ROOT / 'runs' / 'wuhan-peak-2030.yaml'}\n"
        "sweep:\n  discount_rate: [0.05, 0.07]\n")
    (tmp_path / "script.py").write_text(SCRIPT)
    r = subprocess.run([sys.executable, "script.py"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"run optimal 20\d\d results/wuhan-peak-2030", lines[0]), lines
    assert lines[1].startswith("changed optimal ") and lines[1].endswith(" None")
    assert lines[2] == "batch ['s0000', 's0001'] [] 2"  # no folder per scenario by default
    assert (tmp_path / "results" / "wuhan-peak-2030" / "results.nc").exists()
    assert "Traceback" not in r.stderr


def test_import_peakpath_is_cheap_and_the_surface_is_complete():
    r = subprocess.run([sys.executable, "-c", "import sys, peakpath; "
                        "print(sorted(m for m in ('pyomo', 'xarray', 'pandas', 'matplotlib') "
                        "if m in sys.modules))"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr
    assert set(peakpath.__all__) == {"__version__", *peakpath._EXPORTS}
    for name in peakpath.__all__:
        assert getattr(peakpath, name) is not None, name
    assert callable(peakpath.solve.run) and callable(peakpath.analysis.batch)
    from peakpath.analysis.batch import load_batch  # the modules behind them are still modules

    assert peakpath.load_batch is load_batch
    assert peakpath.Scenario.load(ROOT / "runs" / "wuhan-peak-2030.yaml").name == \
        "wuhan-peak-2030"


def test_the_quickstart_notebook_runs(tmp_path):
    """examples/quickstart.ipynb, executed as a user would (a kernel in examples/, paths
    relative to it), against links to the repository's runs/ and inputs/."""
    import nbclient
    import nbformat

    for d in ("runs", "inputs"):
        os.symlink(ROOT / d, tmp_path / d)
    (tmp_path / "examples").mkdir()
    nb = nbformat.read(ROOT / "examples" / "quickstart.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path / "examples")}}
                            ).execute()
    text = "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "pathway:   peak 20" in text and "capped:    peak 20" in text, text
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "error"]
    assert (tmp_path / "results" / "wuhan-peak-2030-cap14000" / "summary.json").exists()
    assert not list(Path(tmp_path / "results").rglob(".*"))
