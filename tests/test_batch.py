"""Batches: draws, sweeps, local workers and Dask giving identical results, failures recorded,
kill and resume."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from peakpath.analysis.batch import (
    DASK_WORKER_CONFIG,
    PROGRESS_FILE,
    TIMING_COLUMNS,
    dask_worker_environ,
    load_batch,
    local_cluster,
    run_batch,
)
from peakpath.analysis.batch_store import PARTS_FILE
from peakpath.analysis.sampling import draw
from tests.conftest import ROOT

RESULT_COLUMNS = ["id", "status", "objective_wan_cny", "peak_year", "peak_co2_wan_t",
                  "cum_co2_wan_t", "binding", "unmet", "input_hash"]


def batch_file(tmp_path: Path, body: str, name: str = "b") -> Path:
    f = tmp_path / f"{name}.yaml"
    f.write_text(f"name: {name}\nscenario: {ROOT / 'runs' / 'wuhan-peak-2030.yaml'}\n" + body,
                 encoding="utf-8")
    return f


MC = """chunk: 3
monte_carlo:
  n: 6
  seed: 7
  parameters:
    - {name: gas, table: prices, where: {fuel: natural_gas}, dist: triangular,
       low: 0.8, mode: 1.0, high: 1.4}
    - {name: grid, table: grid, where: {variable: emission_factor, year: [2025, 2030, 2035]},
       dist: lognormal, median: 1.0, sigma: 0.15}
"""


def test_draws_are_reproducible_and_follow_their_distributions():
    params = [{"dist": "uniform", "low": 0.7, "high": 1.1},
              {"dist": "triangular", "low": 0.8, "mode": 1.0, "high": 1.4},
              {"dist": "truncnorm", "mean": 1.0, "sd": 0.2, "low": 0.7, "high": 1.3},
              {"dist": "lognormal", "median": 1.0, "sigma": 0.1}]
    corr = np.eye(4)
    corr[1, 2] = corr[2, 1] = 0.7
    a = draw(params, 2000, 11, corr)
    assert np.array_equal(a, draw(params, 2000, 11, corr))
    assert not np.array_equal(a, draw(params, 2000, 12, corr))
    assert a[:, 0].min() >= 0.7 and a[:, 0].max() <= 1.1
    assert a[:, 2].min() >= 0.7 and a[:, 2].max() <= 1.3
    assert np.median(a[:, 3]) == pytest.approx(1.0, abs=0.01)
    assert np.mean(a[:, 1]) == pytest.approx((0.8 + 1.0 + 1.4) / 3, abs=0.01)
    assert stats.spearmanr(a[:, 1], a[:, 2]).statistic == pytest.approx(0.7, abs=0.05)
    assert abs(stats.spearmanr(a[:, 0], a[:, 3]).statistic) < 0.08


def test_sweep_is_a_cartesian_product_with_structure_outermost(tmp_path):
    f = batch_file(tmp_path, """sweep:
  discount_rate: [0.04, 0.08]
  targets.peak.year: [2022, 2025, 2028]
""")
    spec = load_batch(f)
    assert len(spec.variants) == 6
    years = [v.values["targets.peak.year"] for v in spec.variants]
    assert years == [2022, 2022, 2025, 2025, 2028, 2028]


@pytest.mark.parametrize("key", ["dataset", "base", "name", "solver.threads", "solver.isolate",
                                 "solver.elastic"])
def test_a_sweep_of_a_setting_a_batch_cannot_vary_is_an_error(tmp_path, key):
    """Swept, these were ignored (every scenario was solved on the batch's own dataset)."""
    from peakpath.errors import InputError

    f = batch_file(tmp_path, f"sweep:\n  {key}: [a, b]\n")
    with pytest.raises(InputError) as e:
        load_batch(f)
    (p,) = e.value.problems
    assert (p.column, p.rule, p.row) == (f"sweep.{key}", "sweep", 4)


def test_an_override_a_batch_adds_is_blamed_on_the_batch_file(tmp_path):
    """A parameter matching no row is refused before anything is solved or written (each draw
    had failed, blamed on the scenario's 'overrides[i]'); a drawn value out of range is that
    draw's error, placed at the parameter's line."""
    from peakpath.analysis.batch import run_batch, solve_chunk
    from peakpath.errors import InputError

    f = batch_file(tmp_path, """monte_carlo:
  n: 8
  seed: 1
  parameters:
    - {name: gas, table: prices, where: {fuel: natural_gas}, dist: uniform, low: 0.9, high: 1.1}
    - {name: coal, table: prices, where: {fuel: coal}, op: add, dist: uniform, low: -3000, high: 0}
""")
    spec = load_batch(f)
    bad = [v for v in spec.variants if v.values["coal"] < -930]  # coal costs 930 CNY/t in 2020
    recs = solve_chunk(spec, bad[:1], str(tmp_path / "out"))
    assert recs[0]["status"] == "error"
    assert f"{f}, row 8, key 'monte_carlo.parameters[1]': [range] prices.value" \
        in recs[0]["reason"]
    f.write_text(f.read_text().replace("fuel: natural_gas", "fuel: natural_gass"))
    with pytest.raises(InputError) as e:
        run_batch(load_batch(f), tmp_path / "refused", workers=1, progress=False)
    assert [(p.row, p.column, p.rule) for p in e.value.problems] == \
        [(7, "monte_carlo.parameters[0].where.fuel", "override")]
    assert not (tmp_path / "refused").exists()


def test_a_sweep_of_a_yearly_target_sets_that_year(tmp_path):
    spec = load_batch(batch_file(tmp_path, "sweep:\n  targets.energy_intensity.2025: "
                                           "[-0.12, -0.15]\n"))
    got = [spec.scenario_of(v).targets["energy_intensity"] for v in spec.variants]
    assert [g[2025] for g in got] == [-0.12, -0.15] and all(g[2030] == -0.135 for g in got)


@pytest.mark.parametrize("fmt", ["%.6g", "%.10g"])
def test_batch_tables_are_the_text_pandas_writes(fmt):
    """csv_text formats float columns itself: the same text as pandas' to_csv."""
    from peakpath.analysis.batch import csv_text

    rng = np.random.default_rng(3)
    odd = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-300, 123456789.0, 0.1 + 0.2, -2.5e17]
    frame = pd.DataFrame({
        "scenario": ["mc0", "mc,1", 'say "x"', "武汉", None, "a\nb", "", "z", "y"],
        "year": np.arange(9), "flag": [True, False] * 4 + [True],
        2020: odd, 2025: rng.normal(size=9) * 10.0 ** rng.integers(-8, 12, 9),
        "f32": np.array(odd, dtype=np.float32), "mixed": [1.5, "x", None, 2, 3, 4, 5, 6, 7],
    })
    assert csv_text(frame, fmt) == frame.to_csv(index=False, float_format=fmt)
    twice = frame.rename(columns={"f32": 2020})  # a name held twice
    assert csv_text(twice, fmt) == twice.to_csv(index=False, float_format=fmt)
    assert csv_text(frame.iloc[:0], fmt) == frame.iloc[:0].to_csv(index=False)


def test_outputs_are_written_with_a_short_switch_interval_then_the_callers(tmp_path,
                                                                          monkeypatch):
    import peakpath.analysis.batch as B

    seen = []
    monkeypatch.setattr(B, "_write_tables", lambda *a: seen.append(sys.getswitchinterval()))
    before = sys.getswitchinterval()
    spec = load_batch(batch_file(tmp_path, MC))
    B.write_batch_outputs(spec, tmp_path, [])
    assert seen == [B.WRITE_SWITCH_INTERVAL_S] and sys.getswitchinterval() == before
    monkeypatch.setattr(B, "_write_tables", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        B.write_batch_outputs(spec, tmp_path, [])
    assert sys.getswitchinterval() == before


def test_batch_file_errors_are_located(tmp_path):
    from peakpath.errors import InputError

    f = batch_file(tmp_path, """monte_carlo:
  n: 0
  seed: 1
  parameters:
    - {name: g, table: prices, dist: triangular, low: 1.2, mode: 1.0, high: 1.4}
sweeps: {}
""")
    with pytest.raises(InputError) as e:
        load_batch(f)
    cols = {p.column for p in e.value.problems}
    assert {"sweeps", "monte_carlo.n", "monte_carlo.parameters[0].dist"} <= cols


def local_and_dask_batch(tmp_path):
    f = batch_file(tmp_path, MC)
    spec = load_batch(f)
    local = run_batch(spec, tmp_path / "local", workers=2, progress=False)
    return spec, local


def test_local_batch_writes_every_output_and_reuses_models(tmp_path):
    _, res = local_and_dask_batch(tmp_path)
    out = res.out_dir
    table = pd.read_csv(out / "summary.csv")
    assert len(table) == 6 and set(table["status"]) == {"optimal"}
    assert list(table["path"]) == ["rebuild", "in_place", "in_place"] * 2 or \
        table["path"].tolist().count("in_place") >= 4
    assert {"value:gas", "value:grid"} <= set(table.columns)
    ds = xr.open_dataset(out / "batch.nc")
    assert ds.sizes["scenario"] == 6 and "param_gas" in ds
    iamc = pd.read_csv(out / "iamc.csv")
    assert iamc["scenario"].nunique() == 6
    # no folder per scenario by default, and the record file is gone once batch.nc holds it
    assert not [p for p in out.iterdir() if p.is_dir()] and not (out / PARTS_FILE).exists()
    assert sorted(ds["scenario"].values) == sorted(table["id"])
    assert (table[[f"s_{k}" for k in TIMING_COLUMNS]] >= 0).all().all()
    # compressed (zlib level 1, no byte shuffle: faster and smaller here) and chunked along
    # the scenarios
    enc = ds["adoption"].encoding
    assert enc.get("zlib") and enc["chunksizes"][ds["adoption"].dims.index("scenario")] == 6
    assert enc["complevel"] == 1 and enc["shuffle"] is False


def test_scenario_folders_on_request_hold_what_batch_nc_holds(tmp_path):
    """--folders adds a run folder per scenario; batch.nc is the same with or without them,
    and each folder's results.nc equals that scenario's slice of batch.nc."""
    spec, plain = local_and_dask_batch(tmp_path)
    res = run_batch(spec, tmp_path / "folders", workers=1, progress=False, folders=True)
    assert sorted(res.paths) == sorted(r["id"] for r in res.records)
    a = xr.open_dataset(plain.out_dir / "batch.nc")
    b = xr.open_dataset(res.out_dir / "batch.nc")
    for name in ("co2_total", "adoption", "new_builds", "cost", "shadow_price"):
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name
    one = xr.open_dataset(res.paths["mc0003"] / "results.nc")
    assert np.array_equal(one["adoption"].values, b["adoption"].sel(scenario="mc0003").values)
    pd.testing.assert_frame_equal(pd.read_csv(plain.out_dir / "iamc.csv"),
                                  pd.read_csv(res.out_dir / "iamc.csv"))


def test_dask_local_cluster_gives_identical_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    dask_config = pytest.importorskip("dask.config")
    spec, local = local_and_dask_batch(tmp_path)
    with local_cluster(2) as address:
        with distributed.Client(address) as client:  # the workers run with the batch settings
            seen = client.run(lambda: {k: dask_config.get(k) for k in DASK_WORKER_CONFIG})
        dask = run_batch(spec, tmp_path / "dask", scheduler=address, progress=False)
    assert len(seen) == 2
    for worker, settings in seen.items():
        for key, value in DASK_WORKER_CONFIG.items():
            assert settings[key] == value, (worker, key)
    a = pd.read_csv(local.out_dir / "summary.csv")[RESULT_COLUMNS]
    b = pd.read_csv(dask.out_dir / "summary.csv")[RESULT_COLUMNS]
    pd.testing.assert_frame_equal(a, b)
    x = xr.open_dataset(local.out_dir / "batch.nc")
    y = xr.open_dataset(dask.out_dir / "batch.nc")
    for name in ("co2_total", "adoption", "energy", "shadow_price"):
        assert np.array_equal(x[name].values, y[name].values, equal_nan=True), name


def test_a_worker_solves_from_the_dataset_the_batch_sends(tmp_path, monkeypatch):
    """With the batch's dataset sent along, a worker does not read the dataset folder again
    and answers what a worker reading it answers."""
    import peakpath.analysis.batch as B

    spec = load_batch(batch_file(tmp_path, MC))
    chunk = spec.variants[:2]
    own = B.solve_chunk(spec, chunk, str(tmp_path / "read"))
    base = B.read_dataset(spec.scenario.dataset)
    B._worker_state(dict(spec.scenario.solver)).data.clear()  # a new worker's state

    def read_again(path):
        raise AssertionError(f"the worker read {path} again")

    monkeypatch.setattr(B, "read_dataset", read_again)
    sent = B.solve_chunk(spec, chunk, str(tmp_path / "sent"), base=base)
    assert B._worker_state({}).data[str(spec.scenario.dataset)] is base
    for a, b in zip(own, sent, strict=True):
        assert a["status"] == b["status"] == "optimal"
        for k in ("objective_wan_cny", "peak_year", "peak_co2_wan_t", "cum_co2_wan_t",
                  "binding", "input_hash"):
            assert a[k] == b[k], k


def test_the_worker_sends_each_variants_key_and_the_batch_logs_it(tmp_path, monkeypatch):
    """The key a resume compares (`_variant_key`) comes with each worker's record: the
    batch's own process computes none, and the log holds the key it would compute."""
    import peakpath.analysis.batch as B
    from peakpath.results.dataset import hash_inputs

    spec = load_batch(batch_file(tmp_path, MC))
    base = B.read_dataset(spec.scenario.dataset)

    def not_here(*a):
        raise AssertionError("the batch computed a variant key itself")

    monkeypatch.setattr(B, "_variant_key", not_here)
    res = run_batch(spec, tmp_path / "out", workers=2, progress=False)
    assert res.solved == 6
    logged = {json.loads(line)["id"]: json.loads(line)["key"]
              for line in (tmp_path / "out" / PROGRESS_FILE).read_text().splitlines()}
    assert logged == {v.id: hash_inputs(base.digest, spec.scenario_of(v))
                      for v in spec.variants}


def test_a_worker_keeps_its_dataset_object_when_a_chunk_brings_an_equal_copy(tmp_path):
    """A chunk that brings the dataset the worker holds already (equal digest, another
    object: a Dask task's own unpickled copy) is solved from the object the worker kept, so
    its plans recognise the unchanged tables; a different dataset replaces it."""
    import pickle

    import peakpath.analysis.batch as B

    spec = load_batch(batch_file(tmp_path, MC))
    base = B.read_dataset(spec.scenario.dataset)
    state = B._worker_state(dict(spec.scenario.solver))
    state.data.clear()
    key = str(spec.scenario.dataset)
    B.solve_chunk(spec, spec.variants[:1], str(tmp_path / "a"), base=base)
    copy = pickle.loads(pickle.dumps(base))
    assert copy is not base and copy.digest == base.digest
    B.solve_chunk(spec, spec.variants[1:2], str(tmp_path / "b"), base=copy)
    assert state.data[key] is base
    other = dataclasses.replace(copy, digest=copy.digest + "x")
    B.solve_chunk(spec, spec.variants[2:3], str(tmp_path / "c"), base=other)
    assert state.data[key] is other


def test_a_dask_task_unpickles_its_batch_once_per_worker(tmp_path):
    import pickle

    import peakpath.analysis.batch as B

    spec = load_batch(batch_file(tmp_path, MC))
    base = B.read_dataset(spec.scenario.dataset)
    blob = pickle.dumps((spec, base))
    first = B._unpickled_batch(blob)
    assert B._unpickled_batch(bytes(blob)) is first  # equal bytes, another object
    assert first[1].digest == base.digest and first[0].name == spec.name
    other = pickle.dumps((spec, None))
    assert B._unpickled_batch(other)[1] is None


def test_a_chunk_collects_young_garbage_less_often_and_restores_the_callers_setting(
        tmp_path, monkeypatch):
    """While a chunk solves, the youngest generation is collected every
    `YOUNG_GC_THRESHOLD` allocations; the caller's thresholds are back afterwards, also when
    the chunk fails."""
    import gc

    import peakpath.analysis.batch as B

    spec = load_batch(batch_file(tmp_path, MC))
    seen = []
    solve = B._solve_variant

    def spy(*a, **k):
        seen.append(gc.get_threshold())
        return solve(*a, **k)

    monkeypatch.setattr(B, "_solve_variant", spy)
    before = gc.get_threshold()
    gc.set_threshold(650, 9, 11)
    try:
        B.solve_chunk(spec, spec.variants[:1], str(tmp_path / "out"))
        assert seen == [(B.YOUNG_GC_THRESHOLD, 9, 11)] and B.YOUNG_GC_THRESHOLD > 700
        assert gc.get_threshold() == (650, 9, 11)
        monkeypatch.setattr(B, "_solve_variant", lambda *a, **k: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            B.solve_chunk(spec, spec.variants[:1], str(tmp_path / "out"))
        assert gc.get_threshold() == (650, 9, 11)
    finally:
        gc.set_threshold(*before)


def test_the_batch_process_collects_less_often_while_it_runs(tmp_path, monkeypatch):
    """The batch's own process raises the youngest generation's threshold while it solves
    and writes (its kept records are long-lived), and restores the caller's after."""
    import gc

    import peakpath.analysis.batch as B

    seen = []
    solve = B._solve_todo

    def spy(*a, **k):
        seen.append(gc.get_threshold()[0])
        return solve(*a, **k)

    monkeypatch.setattr(B, "_solve_todo", spy)
    before = gc.get_threshold()
    res = run_batch(load_batch(batch_file(tmp_path, MC)), tmp_path / "out", workers=2,
                    progress=False)
    assert res.solved == 6 and seen == [B.YOUNG_GC_THRESHOLD]
    assert gc.get_threshold() == before


def test_a_worker_solves_without_pyomo_models_or_dask_arrays(tmp_path):
    """A batch worker builds its variants as arrays and loads HiGHS from them, and makes its
    results without xarray's checks for Dask arrays: neither Pyomo's modelling layer nor
    Dask's array module is imported (≈ 0.4 s of each worker's start), in a fresh process as
    a local worker is."""
    code = (
        "import sys\n"
        "from peakpath.analysis.batch import load_batch, solve_chunk\n"
        f"spec = load_batch({str(ROOT / 'runs' / 'wuhan-mc.yaml')!r}).first_draws(2)\n"
        f"recs = solve_chunk(spec, spec.variants, {str(tmp_path)!r})\n"
        "print(*[r['status'] for r in recs], 'pyomo.environ' in sys.modules,"
        " 'dask.array' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split()
    assert out == ["optimal", "optimal", "False", "False"]


def test_workers_started_before_the_plan_serve_each_chunk_once(tmp_path):
    """Workers started early (warming up) serve the chunks: a warm-up's answer is not taken
    for a chunk's end (which would hand the worker its next chunk while it still solves one,
    and end the batch before its records came), and workers no chunk needs are stopped."""
    import peakpath.analysis.batch as B

    spec = load_batch(batch_file(tmp_path, MC))
    pool = B.LocalWorkers(3)  # 2 chunks
    records: list[dict] = []
    B.run_local(spec, [B.Chunk(c) for c in spec.chunks()], tmp_path / "out", 3,
                records.append, base=B.read_dataset(spec.scenario.dataset), started=pool)
    assert sorted(r["id"] for r in records) == sorted(v.id for v in spec.variants)
    assert {r["status"] for r in records} == {"optimal"}
    assert not pool.warming and not any(w.alive() for w in pool.workers)


def test_a_worker_that_dies_while_starting_costs_no_variant(tmp_path):
    """A worker killed before its warm-up answered (out of memory, kill -9) had started no
    variant: its chunk goes whole to a new worker and every variant is solved, none recorded
    as an error (which a resume would keep)."""
    import peakpath.analysis.batch as B

    spec = load_batch(batch_file(tmp_path, MC))
    pool = B.LocalWorkers(2)
    pool.workers[0].proc.kill()
    records: list[dict] = []
    B.run_local(spec, [B.Chunk(c) for c in spec.chunks()], tmp_path / "out", 2,
                records.append, base=B.read_dataset(spec.scenario.dataset), started=pool)
    assert sorted(r["id"] for r in records) == sorted(v.id for v in spec.variants)
    assert {r["status"] for r in records} == {"optimal"}
    assert not any(w.alive() for w in pool.workers)


def test_workers_being_started_are_all_ended_by_an_interrupt(monkeypatch):
    """Ctrl-C (or a failed start) while the early workers are being started leaves none of
    those already started running."""
    import peakpath.analysis.batch as B

    started: list = []
    add = B.LocalWorkers.add

    def add_then_interrupt(self):
        if len(self.workers) == 2:
            raise KeyboardInterrupt
        started.append(add(self))
        return started[-1]

    monkeypatch.setattr(B.LocalWorkers, "add", add_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        B.LocalWorkers(4)
    assert len(started) == 2
    for w in started:
        w.proc.wait(timeout=5)
    assert not any(w.alive() for w in started)


def test_dask_worker_environ_reads_back_as_the_batch_settings():
    dask_config = pytest.importorskip("dask.config")
    nested = dask_config.collect_env(dask_worker_environ())
    for key, value in DASK_WORKER_CONFIG.items():
        # Dask treats "-" and "_" in keys alike: get() finds either spelling
        assert dask_config.get(key, config=nested) == value, key


def test_readme_dask_worker_command_sets_exactly_the_batch_settings():
    """The hand-started worker command in the README carries `dask_worker_environ()`: the
    same variables with the same values, none missing and none extra."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = next(block for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
                   if "dask worker" in block)
    shown = dict(re.findall(r"(DASK_[A-Z_]+)=(\S+)", command))
    assert shown == dask_worker_environ()


def test_failed_and_infeasible_scenarios_are_recorded_and_do_not_stop_the_batch(tmp_path):
    # a draw of -5000 puts the coal price below zero: that variant fails, the others go on
    f = batch_file(tmp_path, """chunk: 2
sweep:
  targets.carbon_cap: [{2030: 13500}, {2030: 9000}]
monte_carlo:
  n: 3
  seed: 6
  parameters:
    - {name: coal, table: prices, where: {fuel: coal}, op: add, dist: choice, values: [0, -5000]}
""")
    res = run_batch(load_batch(f), tmp_path / "out", workers=1, progress=False)
    t = pd.read_csv(res.out_dir / "summary.csv")
    assert len(t) == 6
    broken = t[t["value:coal"] == -5000]
    assert len(broken) == 2 and set(broken["status"]) == {"error"}
    assert broken["reason"].str.contains("monte_carlo.parameters[0]': [range]",
                                         regex=False).all()
    fine = t[t["value:coal"] == 0]
    tight = fine[fine["value:targets.carbon_cap"].str.contains("9000")]
    assert len(tight) == 2 and set(tight["status"]) == {"infeasible"}
    assert tight["unmet"].str.contains("carbon_cap@2030").all()
    assert set(fine[fine["value:targets.carbon_cap"].str.contains("13500")]["status"]) == \
        {"optimal"}


@pytest.mark.skipif(sys.platform != "linux", reason="process groups")
def test_killed_batch_resumes_to_the_uninterrupted_result(tmp_path):
    body = MC.replace("n: 6", "n: 9")
    f = batch_file(tmp_path, body, name="kb")
    cmd = [sys.executable, "-m", "peakpath.cli.main", "batch", str(f), "--workers", "1", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    full = subprocess.run([*cmd, "--out", str(tmp_path / "full")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert full.returncode == 0, full.stderr
    out = tmp_path / "killed"
    p = subprocess.Popen([*cmd, "--out", str(out)], env=env, cwd=tmp_path,
                         start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and logged(out) < 4:
        time.sleep(0.2)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    done_before = logged(out)
    assert 0 < done_before < 9
    again = subprocess.run([*cmd, "--out", str(out)], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    # every finished scenario is kept (an assertion on the phrase alone also passed with "0
    # kept": scenarios with peak targets never matched their input hash, which includes the
    # peak level found by a solve)
    assert f"{done_before} kept from an earlier run" in again.stdout
    a = pd.read_csv(tmp_path / "full" / "summary.csv")[RESULT_COLUMNS]
    b = pd.read_csv(out / "summary.csv")[RESULT_COLUMNS]
    pd.testing.assert_frame_equal(a, b)
    x = xr.open_dataset(tmp_path / "full" / "batch.nc")
    y = xr.open_dataset(out / "batch.nc")
    for name in ("co2_total", "adoption", "new_builds", "cost"):
        assert np.array_equal(x[name].values, y[name].values, equal_nan=True), name
    assert not [q for q in out.iterdir() if q.name.startswith(".")]


def logged(out) -> int:
    """Scenarios a batch in ``out`` has recorded as finished (complete progress lines)."""
    f = out / PROGRESS_FILE
    return f.read_text().count("\n") if f.exists() else 0


def test_batch_report_names_no_regret_measures_and_drivers(tmp_path):
    from peakpath.analysis.batch_report import batch_report

    _, res = local_and_dask_batch(tmp_path)
    rep = batch_report(res.out_dir)
    nr = rep["no_regret"]
    assert nr.loc[nr["measure"] == "pv_rooftop", "no_regret"].item()  # pays for itself
    assert set(rep["drivers"]["parameter"]) <= {"gas", "grid"}
    assert (rep["targets"]["probability"] == 1.0).all()
    assert (res.out_dir / "report.md").read_text().startswith("# 批量结果")
    progress = [json.loads(x) for x in (res.out_dir / PROGRESS_FILE).read_text().splitlines()]
    assert [r["id"] for r in progress] == [f"mc{i:04d}" for i in range(6)]
