"""Worker processes (model/solve/workers.py): jobs, streamed events, errors, and an end that never
leaves a child behind."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
import weakref

import pytest

from peakpath.errors import Interrupted
from peakpath.solve.workers import (
    TERMINATED,
    Worker,
    _install,
    interrupts_heard,
    interrupts_held,
    terminate_as_interrupt,
)


def counting(n: int, emit) -> int:
    """A streaming job (importable by the child: it gets the parent's sys.path)."""
    for i in range(n):
        emit("tick", i)
    return n


def test_a_job_returns_its_value_and_streams_events():
    with Worker("t") as w:
        w.call(counting, 3, stream=True)
        ticks = []
        while True:
            _, kind, payload = w.events.get(timeout=60)
            if kind != "tick":
                break
            ticks.append(payload)
    assert ticks == [0, 1, 2] and (kind, payload) == ("result", 3)
    assert w.proc.returncode == 0  # asked to stop: a normal exit


def test_a_failing_job_is_reported_and_the_worker_goes_on():
    with Worker("t") as w:
        w.call(int, "not a number")
        kind, msg = w.result(timeout=60)
        assert kind == "error" and msg.startswith("ValueError")
        w.call(int, "42")
        assert w.result(timeout=60) == ("result", 42)


def test_closing_the_channel_ends_a_busy_worker_at_once():
    """A job in a long call (a solve) is cut off: SystemExit where it is, within GRACE_S."""
    w = Worker("t")
    w.call(time.sleep, 60)
    time.sleep(0.5)  # the job is running
    t0 = time.monotonic()
    w.close(wait=5.0)
    assert time.monotonic() - t0 < 2.0
    assert w.proc.returncode == TERMINATED


def test_workers_start_from_any_thread():
    got = []

    def job() -> None:
        with Worker("t") as w:
            w.call(sum, [1, 2, 3])
            got.append(w.result(timeout=60))

    t = threading.Thread(target=job)
    t.start()
    t.join(120)
    assert got == [("result", 6)]


def test_an_isolated_solve_past_its_wall_clock_is_killed(monkeypatch):
    """HiGHS does not always honour its time limit at a MIP's root; the caller's wall clock
    (time limit + margin) ends the worker regardless."""
    import peakpath.solve.highs as solve

    lp = _small_lp()
    monkeypatch.setattr(solve, "WALL_CLOCK_MARGIN", -0.95)  # wall clock 0.05 s
    t0 = time.monotonic()
    raw = solve.solve_isolated(lp, {"time_limit": 1.0})
    assert raw.status == "time_limit" and "wall clock" in raw.info["highs_status"]
    assert time.monotonic() - t0 < 3.0
    monkeypatch.undo()
    ok = solve.solve_isolated(lp, {"time_limit": 60.0})
    assert ok.status == "optimal" and ok.objective == solve.solve_lp(
        lp, {"time_limit": 60.0}).objective == 1.0


def _small_lp():
    """min x + 2y  s.t.  x + y >= 1,  0 <= x, y <= 10  (optimum 1 at x = 1)."""
    import numpy as np
    import scipy.sparse as sp

    from peakpath.solve.highs import LPArrays

    return LPArrays(sp.csc_matrix(np.array([[1.0, 1.0]])), np.array([1.0]),
                    np.array([np.inf]), np.zeros(2), np.full(2, 10.0), np.array([1.0, 2.0]),
                    np.zeros(2, dtype=bool))


def _count_new_workers(monkeypatch) -> list:
    """Record every Worker that `solve_isolated` starts from now on."""
    import peakpath.solve.workers as workers

    started = []

    class Counted(workers.Worker):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            started.append(self)

    monkeypatch.setattr(workers, "Worker", Counted)
    return started


def test_a_solver_worker_started_early_solves_and_is_then_stopped(monkeypatch):
    """`SolverWorker` (started before the build so its start-up overlaps it) solves every solve
    of its block in the same process, and is stopped normally at the end."""
    import peakpath.solve.highs as solve

    lp = _small_lp()
    with solve.SolverWorker() as sw:
        started = _count_new_workers(monkeypatch)
        first = solve.solve_isolated(lp, {"time_limit": 60.0}, sw)
        second = solve.solve_isolated(lp, {"time_limit": 60.0}, sw)
        assert started == [] and sw.worker.alive()  # both solves in the early worker
    assert first.objective == second.objective == 1.0
    assert sw.worker.proc.returncode == 0  # asked to stop: a normal exit


def test_a_dead_early_solver_worker_is_replaced_and_an_error_kills_it(monkeypatch):
    import pytest

    import peakpath.solve.highs as solve

    lp = _small_lp()
    with solve.SolverWorker() as sw:
        started = _count_new_workers(monkeypatch)
        sw.worker.kill()  # lost (a wall-clock kill, an OOM): the next solve starts its own
        assert solve.solve_isolated(lp, {"time_limit": 60.0}, sw).objective == 1.0
        assert len(started) == 1 and not started[0].alive()  # its own, stopped after use
    with pytest.raises(RuntimeError), solve.SolverWorker() as sw:
        raise RuntimeError("a bad input found while building")
    assert not sw.worker.alive()  # killed at once, not waited for


# --------------------------------------------------------------------------------------------
# signals held back or heard (main thread: the only one that runs signal handlers)


def _signal_self(sig: int) -> None:
    os.kill(os.getpid(), sig)
    time.sleep(0.05)  # the handler runs at the next bytecode; give the kernel a moment


def test_an_interrupt_inside_a_held_block_comes_after_it():
    done = []
    with pytest.raises(KeyboardInterrupt), interrupts_held():
        _signal_self(signal.SIGINT)
        done.append("the rest of the block ran")
    assert done == ["the rest of the block ran"]
    with pytest.raises(KeyboardInterrupt):  # the usual handler is back
        _signal_self(signal.SIGINT)


def test_a_termination_inside_a_held_block_comes_after_it_as_the_handler_says():
    done = []
    with pytest.raises(Interrupted) as e, terminate_as_interrupt(resend=False), \
            interrupts_held():
        _signal_self(signal.SIGTERM)
        done.append("the rest of the block ran")
    assert done == ["the rest of the block ran"] and e.value.signum == signal.SIGTERM


def test_an_interrupt_a_library_swallows_is_heard():
    # a library that catches the interrupt (pandas' CSV reader, which reports a read error)
    with interrupts_heard() as heard, contextlib.suppress(KeyboardInterrupt):
        _signal_self(signal.SIGINT)
    assert heard == [signal.SIGINT]


def _lose_an_interrupt_in_a_weakref_callback() -> None:
    """Python cannot raise out of a weakref callback: it printed "Exception ignored in ..."
    and a traceback, and the command went on to its end (measured on `peakpath assess`)."""

    class Thing:
        pass

    def callback(ref):
        _signal_self(signal.SIGINT)  # its KeyboardInterrupt is raised in the callback

    thing = Thing()
    ref = weakref.ref(thing, callback)
    del thing  # the callback runs, and loses the interrupt
    assert ref() is None


def test_an_interrupt_lost_in_a_weakref_callback_is_sent_again_and_wakes_a_wait(capsys):
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt), interrupts_heard() as heard:
        _lose_an_interrupt_in_a_weakref_callback()
        assert heard == [signal.SIGINT]
        queue.Queue().get(timeout=30)  # a blocking wait, as for a solver worker's answer
    assert time.monotonic() - t0 < 10, "the interrupt came only when the wait ended"
    assert heard == [signal.SIGINT, signal.SIGINT]
    assert "Exception ignored" not in capsys.readouterr().err


def test_an_interrupt_lost_just_before_a_block_ends_is_not_sent_after_it():
    with interrupts_heard() as heard:
        _lose_an_interrupt_in_a_weakref_callback()
    try:
        time.sleep(0.5)  # a late resend would raise here, after the caller has heard it
    except KeyboardInterrupt:
        pytest.fail("the interrupt was sent again after the block had ended")
    assert heard == [signal.SIGINT]


def test_a_second_interrupt_inside_a_held_block_acts_at_once():
    reached = []
    with pytest.raises(KeyboardInterrupt), interrupts_held():
        _signal_self(signal.SIGINT)
        reached.append("after the first")
        _signal_self(signal.SIGINT)
        reached.append("after the second")
    assert reached == ["after the first"]


def test_handlers_are_all_set_even_when_one_raises_part_way(monkeypatch):
    """A signal handled while the handlers are being swapped (its handler raises) must not
    leave the remaining signals with the wrong handler."""
    originals = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def a(signum, frame):
        pass

    def b(signum, frame):
        pass

    real = signal.signal
    calls = []

    def cut_short(sig, handler):
        prev = real(sig, handler)
        calls.append(sig)
        if len(calls) == 1:
            raise KeyboardInterrupt  # Ctrl-C handled just after the first was set
        return prev

    monkeypatch.setattr(signal, "signal", cut_short)
    try:
        with pytest.raises(KeyboardInterrupt):
            _install({signal.SIGINT: a, signal.SIGTERM: b})
        monkeypatch.undo()
        assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == (a, b)
    finally:
        for sig, h in originals.items():
            signal.signal(sig, h)


def test_a_netcdf_write_is_not_cut_by_an_interrupt(tmp_path, monkeypatch, baseline_run):
    """write_results holds Ctrl-C back while xarray writes results.nc (an interrupt between
    xarray taking its file lock and releasing it hung the run for good); the write then stops,
    leaving no folder and no temporary folder."""
    from xarray.backends.netCDF4_ import NetCDF4DataStore

    from peakpath.results.dataset import write_results

    ds, summ, md = baseline_run.dataset, dict(baseline_run.summary), baseline_run.built.md
    steps = []
    real = NetCDF4DataStore.prepare_variable

    def prepare_variable(self, *a, **k):
        if not steps:
            _signal_self(signal.SIGINT)  # Ctrl-C while the file is open and locked
        steps.append("variable")
        return real(self, *a, **k)

    monkeypatch.setattr(NetCDF4DataStore, "prepare_variable", prepare_variable)
    with pytest.raises(KeyboardInterrupt):
        write_results(ds, tmp_path / "run", summ, md)
    assert len(steps) == len(ds.variables)  # the write went on to its end ...
    assert list(tmp_path.iterdir()) == []  # ... and was then thrown away, not put in place
