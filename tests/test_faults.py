"""Faults lose nothing and leave nothing: a run or batch killed at any moment leaves no process
and no temporary folder behind and the old or the new result in place; Ctrl-C stops a batch at
once with one line, and a rerun keeps every finished scenario; a rerun of a scenario keeps what
other commands wrote into its folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from peakpath.io.atomic import HOST, replace_dir, sweep_stale, temp_dir
from peakpath.results.dataset import RUN_OUTPUTS, write_results
from tests.conftest import ROOT

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc for process sessions")

RESULT_COLUMNS = ["id", "status", "objective_wan_cny", "peak_year", "peak_co2_wan_t",
                  "cum_co2_wan_t", "binding", "unmet", "input_hash"]
#: 9 draws in chunks of 5 on 2 workers: an interruption after a few scenarios cuts both chunks,
#: so a resume that kept only whole chunks would keep nothing
BATCH = f"""name: kb
scenario: {ROOT / 'runs' / 'wuhan-peak-2030.yaml'}
chunk: 5
monte_carlo:
  n: 9
  seed: 7
  parameters:
    - {{name: gas, table: prices, where: {{fuel: natural_gas}}, dist: triangular,
       low: 0.8, mode: 1.0, high: 1.4}}
    - {{name: grid, table: grid, where: {{variable: emission_factor, year: [2025, 2030, 2035]}},
       dist: lognormal, median: 1.0, sigma: 0.15}}
"""


def cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "peakpath.cli.main", *map(str, args)]


def session(sid: int) -> list[int]:
    """Live (not zombie) processes of a session: everything a command started with
    ``start_new_session`` spawned, however deep, unless it left the session on purpose."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(d))
    return found


def wait_empty(sid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := session(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def hidden(folder: Path) -> list[str]:
    """Temporary (hidden) entries, anywhere below ``folder``."""
    return [str(p.relative_to(folder)) for p in folder.rglob(".*")]


def wait_for(cond, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --------------------------------------------------------------------------------------------
# a rerun keeps what other commands wrote


DERIVED = {"allocation/least-cost/bureaus.csv": "a", "figures/emissions.png": "f",
           "report.html": "<html></html>", "recommendations.md": "# r",
           "recommendations.html": "<p>r</p>", "projects/projects.csv": "p",
           "notes.txt": "mine"}


def test_a_rerun_replaces_only_what_run_owns(tmp_path, baseline_run):
    res = baseline_run
    out = write_results(res.dataset, tmp_path / "x", dict(res.summary), res.built.md)
    assert {p.name for p in out.iterdir()} == RUN_OUTPUTS  # the list is complete
    for rel, text in DERIVED.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    (out / "summary.json").write_text("{}")  # run's own files are replaced
    write_results(res.dataset, tmp_path / "x", dict(res.summary), res.built.md)
    for rel, text in DERIVED.items():
        assert (out / rel).read_text() == text, rel
    assert json.loads((out / "summary.json").read_text())["scenario"] == res.scenario.name
    assert not hidden(tmp_path)


def test_the_cli_rerun_keeps_derived_outputs(tmp_path):
    f = ROOT / "runs" / "wuhan-peak-2030.yaml"
    r = subprocess.run(cli("run", f, "--out", tmp_path, "--quiet", "--in-process"),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "wuhan-peak-2030"
    for rel, text in DERIVED.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    r = subprocess.run(cli("run", f, "--out", tmp_path, "--quiet", "--in-process"),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert all((folder / rel).read_text() == text for rel, text in DERIVED.items())
    assert not hidden(tmp_path)


def test_the_folder_swap_without_an_atomic_exchange(tmp_path, monkeypatch):
    """Where renameat2 is unavailable the swap is two renames; what other commands wrote is
    kept all the same."""
    import peakpath.io.atomic as atomic

    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    target = tmp_path / "run"
    target.mkdir()
    (target / "results.nc").write_text("old")
    (target / "figures").mkdir()
    (target / "figures" / "a.png").write_text("fig")
    new = temp_dir(target)
    (new / "results.nc").write_text("new")
    replace_dir(new, target, {"results.nc"})
    assert (target / "results.nc").read_text() == "new"
    assert (target / "figures" / "a.png").read_text() == "fig"
    assert not hidden(tmp_path)


def test_leftovers_of_killed_writers_are_swept_and_a_swapped_out_folder_restored(tmp_path):
    p = subprocess.Popen(["true"])
    p.wait()
    dead, live = p.pid, os.getpid()
    (tmp_path / f".run.tmp-{HOST}-{dead}-0a1b").mkdir()  # a folder being assembled
    (tmp_path / f".summary.csv.tmp-{HOST}-{dead}-2c3d").write_text("half")  # a file
    old = tmp_path / f".gone.old-{HOST}-{dead}-4e5f"  # killed between the two renames
    old.mkdir()
    (old / "results.nc").write_text("complete")
    kept = [tmp_path / f".run.tmp-{HOST}-{live}-6a7b",  # a live writer's
            tmp_path / f".run.tmp-00000000-{dead}-8c9d",  # another host's
            tmp_path / ".hidden-by-the-user"]
    for k in kept:
        k.mkdir()
    sweep_stale(tmp_path)
    assert (tmp_path / "gone" / "results.nc").read_text() == "complete"
    assert sorted(hidden(tmp_path)) == sorted(k.name for k in kept)


# --------------------------------------------------------------------------------------------
# a killed run leaves nothing behind


@linux_only
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_killed_run_leaves_no_process_and_no_temporary_folder(tmp_path, how):
    """SIGKILL and SIGTERM go to the run alone (its solver worker must notice), SIGINT to the
    whole process group, as Ctrl-C on a terminal does.

    The district model, so that the signal surely comes while the run works: its solver
    worker starts ≈ 0.9 s into the run and the run goes on ≈ 3.6 s after that (the city
    model's 0.8 s let a slow CI machine send the signal as the run was already exiting)."""
    import psutil

    out = tmp_path / "results"
    scenario = tmp_path / "killed.yaml"
    scenario.write_text(f"name: killed\nbase: {ROOT / 'runs' / 'wuhan-peak-2030.yaml'}\n"
                        "districts: true\n", encoding="utf-8")
    p = subprocess.Popen(cli("run", scenario, "--out", out, "--quiet"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    parent = psutil.Process(p.pid)
    wait_for(lambda: parent.children() or p.poll() is not None)  # the solver worker runs
    assert p.poll() is None, "the run ended before it could be killed"
    sig = getattr(signal, how)
    if how == "SIGINT":
        os.killpg(p.pid, sig)
    else:
        os.kill(p.pid, sig)
    _, err = p.communicate(timeout=30)
    assert wait_empty(p.pid, 3.0) == []
    assert not out.exists() or not hidden(out)
    if how != "SIGKILL":
        assert p.returncode == 128 + sig
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_an_interrupt_a_library_turns_into_its_own_error_stays_an_interrupt(monkeypatch,
                                                                           capsys):
    """Ctrl-C while pandas reads a table made it report "Calling read(nbytes) on source
    failed", and `validate` blamed the file (exit 2, "cannot parse CSV"). Simulated: the
    interrupt comes during the first read, and the reader swallows it as pandas did."""
    from peakpath.cli.main import main

    real = pd.read_csv
    calls = []

    def read_csv(*a, **k):
        calls.append(a[0])
        if len(calls) == 1:
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)
            except KeyboardInterrupt:
                raise pd.errors.ParserError("Error tokenizing data. C error: Calling "
                                            "read(nbytes) on source failed.") from None
        return real(*a, **k)

    monkeypatch.setattr(pd, "read_csv", read_csv)
    code = main(["validate", str(ROOT / "inputs" / "wuhan")])
    err = capsys.readouterr().err
    assert calls and (code, err.strip()) == (130, "interrupted"), err


def test_ctrl_c_while_a_command_is_imported_is_one_line(monkeypatch, capsys):
    """The parser imports the named command's module (≈ 1 s for a batch: xarray, SciPy); a
    Ctrl-C then printed a 40–60 line traceback (measured on `peakpath batch`)."""
    import peakpath.cli.main as cli_main

    def importing(argv):
        raise KeyboardInterrupt  # as if Ctrl-C came during the import

    monkeypatch.setattr(cli_main, "_parser", importing)
    try:
        code = cli_main.main(["batch", "whatever.yaml"])
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C escaped main() (a traceback on a terminal)")
    assert (code, capsys.readouterr().err.strip()) == (130, "interrupted")


def test_the_next_run_removes_a_killed_runs_temporary_folder(tmp_path):
    p = subprocess.Popen(["true"])
    p.wait()
    stale = tmp_path / f".wuhan-peak-2030.tmp-{HOST}-{p.pid}-00ff"
    stale.mkdir()
    (stale / "results.nc").write_text("half-written")
    r = subprocess.run(cli("run", ROOT / "runs" / "wuhan-peak-2030.yaml", "--out", tmp_path,
                           "--quiet", "--in-process"), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert not hidden(tmp_path)


# --------------------------------------------------------------------------------------------
# batches: Ctrl-C, kills, resume


@pytest.fixture(scope="module")
def batch_file(tmp_path_factory) -> Path:
    f = tmp_path_factory.mktemp("batch") / "kb.yaml"
    f.write_text(BATCH, encoding="utf-8")
    return f


@pytest.fixture(scope="module")
def uninterrupted(batch_file) -> Path:
    out = batch_file.parent / "full"
    r = subprocess.run(cli("batch", batch_file, "--workers", "2", "--quiet", "--out", out),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return out


def finished(out: Path) -> int:
    """Scenarios the batch in ``out`` recorded as finished (complete progress lines)."""
    f = out / "progress.jsonl"
    return f.read_text().count("\n") if f.exists() else 0


def assert_same_batch(a: Path, b: Path) -> None:
    x = pd.read_csv(a / "summary.csv")[RESULT_COLUMNS]
    y = pd.read_csv(b / "summary.csv")[RESULT_COLUMNS]
    pd.testing.assert_frame_equal(x, y)
    with xr.open_dataset(a / "batch.nc") as dx, xr.open_dataset(b / "batch.nc") as dy:
        for name in ("co2_total", "adoption", "new_builds", "cost", "shadow_price"):
            assert np.array_equal(dx[name].values, dy[name].values, equal_nan=True), name


def resume(batch_file: Path, out: Path, *more: str) -> subprocess.CompletedProcess:
    r = subprocess.run(cli("batch", batch_file, "--workers", "2", "--quiet", "--out", out,
                           *more),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r


@linux_only
def test_ctrl_c_stops_a_batch_at_once_and_a_rerun_keeps_every_finished_scenario(
        batch_file, uninterrupted):
    out = batch_file.parent / "ctrl-c"
    p = subprocess.Popen(cli("batch", batch_file, "--workers", "2", "--quiet", "--out", out,
                             "--folders"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    wait_for(lambda: finished(out) >= 3 or p.poll() is not None)
    t0 = time.monotonic()
    os.killpg(p.pid, signal.SIGINT)  # what Ctrl-C on a terminal does
    _, err = p.communicate(timeout=30)
    assert wait_empty(p.pid, 5.0) == []
    stop = time.monotonic() - t0
    assert stop < 2.0, f"stopped after {stop:.2f} s"
    assert p.returncode == 130
    assert len(err.strip().splitlines()) == 1, err  # one line, no worker tracebacks
    assert "interrupted" in err and "run it again to resume" in err
    assert not hidden(out)
    done = {d.parent.name: d.parent.stat().st_ino for d in out.glob("mc*/summary.json")}
    assert 3 <= len(done) < 9 and len(done) == finished(out)
    again = resume(batch_file, out, "--folders")
    assert f"{len(done)} kept from an earlier run" in again.stdout
    # the finished ones were kept as they were, not solved and written again
    assert all((out / k).stat().st_ino == ino for k, ino in done.items())
    assert_same_batch(uninterrupted, out)


@linux_only
def test_a_killed_batch_leaves_no_worker_and_no_temporary_folder(batch_file, uninterrupted):
    """SIGKILL to the batch process alone: it runs no clean-up code, so its workers must notice
    by themselves, end, and remove what they were writing."""
    out = batch_file.parent / "killed"
    p = subprocess.Popen(cli("batch", batch_file, "--workers", "2", "--quiet", "--out", out),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    wait_for(lambda: finished(out) >= 2 or p.poll() is not None)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert wait_empty(p.pid, 3.0) == []
    assert not hidden(out)
    n = finished(out)
    again = resume(batch_file, out)
    assert f"{n} kept from an earlier run" in again.stdout
    assert_same_batch(uninterrupted, out)


def test_scenarios_that_end_without_results_are_kept_too(tmp_path):
    """A scenario that failed is finished as well: recorded in progress.jsonl, it is not run
    again, and a changed scenario (another key) is."""
    from peakpath.analysis.batch import PROGRESS_FILE, load_batch, run_batch

    f = tmp_path / "b.yaml"
    f.write_text(f"""name: b
scenario: {ROOT / 'runs' / 'wuhan-peak-2030.yaml'}
monte_carlo:
  n: 1
  seed: 1
  parameters:
    - {{name: coal, table: prices, where: {{fuel: coal}}, op: add, dist: choice, values: [-5000]}}
""")
    first = run_batch(load_batch(f), tmp_path / "out", workers=1, progress=False)
    assert [r["status"] for r in first.records] == ["error"]
    assert (tmp_path / "out" / PROGRESS_FILE).exists()
    again = run_batch(load_batch(f), tmp_path / "out", workers=1, progress=False)
    assert (again.solved, again.resumed) == (0, 1)
    assert again.records[0]["reason"] == first.records[0]["reason"]
    f.write_text(f.read_text().replace("[-5000]", "[-6000]"))
    changed = run_batch(load_batch(f), tmp_path / "out", workers=1, progress=False)
    assert (changed.solved, changed.resumed) == (1, 0)
