"""The command line, as a user runs it: exit codes, messages, no tracebacks."""

import json
import subprocess
import sys

import pytest

from tests.conftest import DATASET, ROOT

INFEASIBLE = f"""name: impossible
base: {ROOT / 'runs' / 'wuhan-baseline.yaml'}
targets:
  carbon_cap: {{2021: 12000, only: [2021]}}
"""


def peakpath(*args, cwd):
    return subprocess.run([sys.executable, "-m", "peakpath.cli.main", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_validate_ok(tmp_path):
    r = peakpath("validate", DATASET, cwd=tmp_path)
    assert r.returncode == 0 and "valid" in r.stdout


def test_validate_bad_dataset_exits_2_without_traceback(tmp_path):
    r = peakpath("validate", tmp_path / "nothing", cwd=tmp_path)
    assert r.returncode == 2
    assert "dataset folder not found" in r.stderr and "Traceback" not in r.stderr


def test_infeasible_run_names_target_year_and_amount(tmp_path):
    f = tmp_path / "impossible.yaml"
    f.write_text(INFEASIBLE)
    r = peakpath("run", f, "--in-process", cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "carbon_cap" in r.stderr and "2021" in r.stderr and "short by" in r.stderr
    assert "Traceback" not in r.stderr
    summ = json.loads((tmp_path / "results" / "impossible" / "summary.json").read_text())
    assert summ["status"] == "infeasible"
    (s,) = summ["shortfalls"]
    assert s["id"] == "carbon_cap" and s["year"] == 2021 and s["shortfall"] > 0


def test_elastic_run_completes_and_lists_shortfalls(tmp_path):
    f = tmp_path / "impossible.yaml"
    f.write_text(INFEASIBLE)
    r = peakpath("run", f, "--elastic", "--in-process", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    summ = json.loads((tmp_path / "results" / "impossible" / "summary.json").read_text())
    assert summ["status"] == "elastic"
    short = summ["shortfalls"][0]
    # the shortfall is what the cap misses by: achieved minus limit
    assert short["shortfall"] == pytest.approx(short["achieved"] - short["limit"], rel=1e-6)


def test_bad_scenario_key_exits_2(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(f"name: bad\ndataset: {DATASET}\ntargest: {{}}\n")
    r = peakpath("run", f, cwd=tmp_path)
    assert r.returncode == 2 and "unknown key 'targest'" in r.stderr and "row 3" in r.stderr


@pytest.mark.parametrize("isolated", [True])
def test_default_run_isolated_worker(tmp_path, isolated):
    r = peakpath("run", ROOT / "runs" / "wuhan-peak-2030.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Peak" in r.stdout and "Binding targets" in r.stdout
    out = tmp_path / "results" / "wuhan-peak-2030"
    assert {p.name for p in out.iterdir()} >= {"results.nc", "summary.json", "iamc.csv",
                                               "emissions.csv", "energy.csv", "targets.csv"}
    assert not [p for p in (tmp_path / "results").iterdir() if p.name.startswith(".")]


def test_help_imports_no_solver_stack():
    """`peakpath --help` lists every command without importing Pyomo, xarray or matplotlib
    (≈ 2 s); only the command that runs imports its module."""
    import subprocess
    import sys

    code = ("import sys; from peakpath.cli.main import _parser; p = _parser(['--help']); "
            "names = set(p._subparsers._group_actions[0].choices); "
            "heavy = {'pyomo', 'xarray', 'matplotlib', 'pandas', 'pydantic'} & set(sys.modules); "
            "print(sorted(names)); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert "batch" in out[0] and "report" in out[0] and "ingest" in out[0]
    assert out[1] == "[]"


def test_a_model_py_in_the_working_directory_does_not_shadow_the_package(tmp_path):
    """The package imports as `peakpath` (model/ is mapped by package-dir), so a user's own
    model.py next to their script is not picked up, and there is no top-level `model`."""
    (tmp_path / "model.py").write_text("raise SystemExit('the user model.py was imported')\n")
    r = peakpath("validate", DATASET, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([sys.executable, "-c", "import peakpath.cli.main, sys; "
                        "print('model' in sys.modules)"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr


def test_run_prints_to_a_gbk_console(tmp_path):
    """Chinese Windows encodes redirected output in GBK (cp936): the run completes and its
    summary reads back in GBK, with the check marks GBK has."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "gbk"}
    r = subprocess.run([sys.executable, "-m", "peakpath.cli.main", "run",
                        ROOT / "runs" / "wuhan-peak-2030.yaml", "--out", tmp_path],
                       cwd=tmp_path, capture_output=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr.decode("gbk", "replace")
    out = r.stdout.decode("gbk")
    assert "达峰" in out and "√" in out and "?" not in out
