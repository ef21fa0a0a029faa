"""Worker processes that never outlive their parent and need no main guard.

The isolated solver of `peakpath run` and the local workers of `peakpath batch` run in child
processes started as ``python -c <boot>`` (not through `multiprocessing`):

- the child imports only ``peakpath.solve.workers`` and what the jobs it is sent need: it never
  re-imports the parent's ``__main__``. A script or notebook cell without
  ``if __name__ == "__main__":`` works, and a spawn child's 1.5 s re-import of the user's script
  (Pyomo, xarray, matplotlib) is not paid; an isolated solve starts in ≈ 0.3 s;
- the channel is the child's stdin and stdout, carrying length-prefixed pickles. The parent
  holds the only write end of the child's stdin, so the child sees end-of-file the moment the
  parent exits, however it exits (SIGKILL included), and then stops: nothing is orphaned. No
  multiprocessing resource tracker is started either;
- children stay in the parent's process group (a ``kill -- -PGID`` reaches them all) and ignore
  SIGINT: Ctrl-C on a terminal signals the whole foreground group, and the parent alone decides
  what happens (it closes the channels and prints one line) instead of every worker printing
  its own KeyboardInterrupt traceback;
- SIGTERM, and the end of the channel, make a child raise SystemExit where it is, so that the
  ``finally`` blocks of an interrupted write remove its temporary folder; a child stuck in C code
  (a HiGHS solve, which releases the GIL) is ended after `GRACE_S` seconds regardless.

A job is a module-level function (pickled by reference) called as ``func(*args)``, or
``func(*args, emit=emit)`` for a streaming job that reports progress with ``emit(kind,
payload)``. The parent sees ``(worker, kind, payload)`` events on a queue: the emitted ones,
then ``"result"`` (the return value) or ``"error"`` (a message), and ``"exit"`` (the exit code)
when the child is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

#: seconds a child that lost its channel (or was sent SIGTERM) gets to unwind before it exits
GRACE_S = 0.5
#: exit code of a child ended by SIGTERM or by the end of its channel (128 + SIGTERM)
TERMINATED = 128 + 15
_HEADER = struct.Struct("!Q")


def _read_frame(stream) -> bytes | None:
    """One length-prefixed frame from a binary stream; None at the end of the channel (closed,
    or cut short mid-frame)."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (n,) = _HEADER.unpack(head)
    body = stream.read(n)
    return body if len(body) == n else None
_PATH_ENV = "PEAKPATH_WORKER_SYS_PATH"
# the first statement ignores SIGINT: the interpreter's own start-up is the only window
_BOOT = ("import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
         "import os, sys\n"
         f"sys.path[:0] = [p for p in os.environ.pop({_PATH_ENV!r}, '').split(os.pathsep) if p]\n"
         "from peakpath.solve.workers import child_main\n"
         "child_main()\n")

Event = tuple["Worker", str, Any]


#: bytes a child's channel to the parent holds (Linux; the default is 64 KiB)
PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int) -> None:
    """Let the pipe from a child hold `PIPE_BYTES`: a batch worker's record (≈ 130 KB with its
    scenario's data) then goes into the pipe at once instead of waiting for the parent's reader
    to drain a 64 KiB pipe, which, sharing the GIL with the batch's own work, took up to 48 ms
    (500 Monte Carlo draws: a record's write 0.85 → 0.65 ms on average, at most 48 → 2 ms; what
    is left is the copy and waking the parent). Where the size cannot be set (not Linux, or
    above the system's limit) the pipe stays as it is."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)  # None without fcntl too
    if setsize is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setsize, PIPE_BYTES)


class WorkerLost(Exception):
    """The channel to a worker broke (it died or was stopped)."""


# --------------------------------------------------------------------------------------------
# parent side

_LIVE: weakref.WeakSet[Worker] = weakref.WeakSet()


class Worker:
    """One child process and its channel. Events go to ``events`` (a queue shared by a pool of
    workers, or one of its own)."""

    def __init__(self, name: str = "worker", events: queue.Queue | None = None,
                 env: dict[str, str] | None = None):
        self.name = name
        self.events: queue.Queue = events if events is not None else queue.Queue()
        self.closed = False
        child_env = {**os.environ, **(env or {}),
                     _PATH_ENV: os.pathsep.join(p for p in sys.path if p)}
        with _sigint_blocked():
            # start_new_session stays False: the child shares the parent's process group
            self.proc = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, env=child_env, close_fds=True)
        self.pid = self.proc.pid
        _widen_pipe(self.proc.stdout.fileno())
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name=f"peakpath-{name}-{self.pid}",
                                        daemon=True)
        self._reader.start()
        _LIVE.add(self)

    # -- sending ----------------------------------------------------------------------------
    def call(self, func: Callable, *args: Any, stream: bool = False) -> None:
        """Send a job; raises WorkerLost when the child is gone."""
        self._send((func, args, stream))

    def _send(self, msg: Any) -> None:
        data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with self._send_lock:
                self.proc.stdin.write(_HEADER.pack(len(data)) + data)
                self.proc.stdin.flush()
        except (OSError, ValueError) as e:  # EPIPE, or stdin already closed
            raise WorkerLost(f"{self.name} (pid {self.pid}) is gone") from e

    # -- receiving --------------------------------------------------------------------------
    def _read(self) -> None:
        """Reader thread: frames from the child's stdout onto the event queue."""
        stream = self.proc.stdout
        try:
            while (body := _read_frame(stream)) is not None:
                kind, payload = pickle.loads(body)
                self.events.put((self, kind, payload))
        except Exception as e:  # an unreadable frame: report it as the child's end
            self.events.put((self, "error", f"broken channel: {type(e).__name__}: {e}"))
        code = self.proc.wait()
        self.events.put((self, "exit", code))

    def result(self, timeout: float | None = None) -> tuple[str, Any] | None:
        """The next ``result``/``error``/``exit`` event of a worker with a queue of its own
        (emitted events are skipped); None after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                _, kind, payload = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if kind in ("result", "error", "exit"):
                return kind, payload

    # -- ending -----------------------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc.poll() is None

    def request_stop(self) -> None:
        """Ask the child to exit once its current job is done (normally, exit code 0)."""
        with contextlib.suppress(WorkerLost):
            self._send(None)

    def stop(self, wait: float = 5.0) -> None:
        """`request_stop`, then `close`."""
        self.request_stop()
        self.close(wait)

    def close(self, wait: float = 1.0) -> None:
        """Close the channel (a busy child unwinds and exits within `GRACE_S`); kill the child
        if it is still there after ``wait`` seconds."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            self.kill()
        _LIVE.discard(self)

    def kill(self) -> None:
        """SIGKILL the child and reap it."""
        self.closed = True
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdin.close()
        self.proc.wait()
        _LIVE.discard(self)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        # a normal end lets the child finish and exit 0; an exception (Ctrl-C) cuts it off
        if exc_type is None:
            self.stop()
        else:
            self.close()


def close_all(workers: list[Worker], wait: float = 1.0) -> None:
    """Close many workers at once: every channel first, then one shared wait (so ending N
    workers takes ``wait`` seconds at most, not N times that)."""
    for w in workers:
        if not w.closed:
            with contextlib.suppress(OSError, ValueError):
                w.proc.stdin.close()
    deadline = time.monotonic() + wait
    for w in workers:
        try:
            w.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            w.kill()
        w.closed = True
        _LIVE.discard(w)


@atexit.register
def _close_live() -> None:
    """At interpreter exit, end the workers still running (they would stop anyway when this
    process is gone; this only makes it immediate)."""
    close_all(list(_LIVE), wait=1.0)


@contextlib.contextmanager
def _sigint_blocked():
    """Hold SIGINT back while a child is forked: the child inherits the mask and starts with
    SIGINT blocked until its first line ignores it, and a Ctrl-C in that instant is delivered
    to this process afterwards instead of being lost."""
    block = (hasattr(signal, "pthread_sigmask")
             and threading.current_thread() is threading.main_thread())
    if block:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if block:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def terminate_as_interrupt(*, resend: bool) -> Any:
    """Within the block, SIGTERM and SIGHUP raise `Interrupted` (as Ctrl-C raises
    KeyboardInterrupt), so that ``finally`` blocks end the workers and remove temporary folders
    instead of the process vanishing mid-write. With ``resend``, the signal is delivered again
    once the block has cleaned up and the old handlers are back: a library call must not turn
    a request to terminate the caller (a notebook kernel's shutdown) into an exception it may
    catch and ignore. Signals ignored on entry (``nohup``) stay ignored; outside the main
    thread nothing changes."""
    from peakpath.errors import Interrupted

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    # None: set outside Python; ignored signals stay ignored
    old = {sig: h for sig in wanted
           if (h := signal.getsignal(sig)) is not None and h is not signal.SIG_IGN}

    def handler(signum: int, frame: object) -> None:
        raise Interrupted.by_signal(signum)

    try:
        _install(dict.fromkeys(old, handler))
        yield
    except Interrupted as e:
        if resend and e.signum in old:
            _install(old)
            old.clear()
            signal.raise_signal(e.signum)
        raise
    finally:
        _install(old)


#: the signals that stop a command: Ctrl-C, and a request to terminate (`terminate_as_interrupt`)
_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP")
                      if hasattr(signal, n))


def _install(handlers: dict[int, Any]) -> None:
    """Set each signal's handler. A signal that comes part-way may run a handler that raises;
    the remaining ones are still set before that exception goes on (a loop cut short left the
    other signals' stand-ins in place for good: SIGTERM ignored, or Ctrl-C dropped)."""
    todo = list(handlers.items())
    raised: BaseException | None = None
    while todo:
        try:
            while todo:
                signal.signal(*todo[0])
                todo.pop(0)
        except BaseException as e:  # re-raised below, once all are set
            raised = raised or e
    if raised is not None:
        raise raised


def _python_handlers() -> dict[int, Any]:
    """The stop signals whose handler is a Python function (not ignored, not the default
    action, not set outside Python), with that handler."""
    return {sig: h for sig in _STOP_SIGNALS if callable(h := signal.getsignal(sig))}


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back for the duration of the block, then act on the
    first one that came, as its handler would have acted inside the block. A second one is
    acted on at once, as without the hold: asked twice, stopping beats the risk below.

    For library calls that an exception raised at an arbitrary point leaves broken: a
    KeyboardInterrupt inside xarray's netCDF write, between taking its file lock and the
    ``try`` that releases it, left the lock taken, and the write's own clean-up then waited
    for it forever (measured: `peakpath run` hung after a Ctrl-C in its last 0.2 s). Only
    signals with a Python handler are held, in the main thread (the only one that runs
    handlers); elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = _python_handlers()
    came: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        came.append(signum)
        if len(came) > 1:  # asked again: act now
            handlers[signum](signum, frame)

    try:
        _install(dict.fromkeys(handlers, hold))
        yield
    finally:
        _install(handlers)
        if len(came) == 1:
            handlers[came[0]](came[0], None)


@contextlib.contextmanager
def interrupts_heard() -> Iterator[list[int]]:
    """Within the block, note each Ctrl-C, SIGTERM and SIGHUP (in the list yielded) before
    its handler runs.

    A library may catch the KeyboardInterrupt a handler raises and fail in its own way: pandas'
    CSV reader, interrupted mid-read, reports "Calling read(nbytes) on source failed", which
    the dataset check turned into a bad-input error naming the file (measured on `peakpath
    run`). With the list, the caller can tell such a failure from a real one. Main thread only,
    as `interrupts_held`."""
    heard: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield heard
        return
    handlers = _python_handlers()
    main_thread = threading.main_thread().ident
    live = threading.Event()
    live.set()

    def note(handler: Any) -> Callable[[int, Any], None]:
        def noted(signum: int, frame: Any) -> None:
            heard.append(signum)
            handler(signum, frame)
        return noted

    def resend(signum: int) -> None:
        if live.is_set():  # not once the block has ended: the caller has heard it
            signal.pthread_kill(main_thread, signum)

    hook = sys.unraisablehook

    def again(u: Any) -> None:
        """An interrupt raised inside a weakref callback or finaliser cannot leave it: Python
        prints "Exception ignored in ..." with a traceback and goes on (measured on `peakpath
        assess`, which then ran to its end). It is sent again, as a signal to the main thread
        from another thread a moment later, so that it reaches the code that runs next (sent
        from here, its handler would raise inside this hook) and wakes a blocking wait."""
        if isinstance(u.exc_value, KeyboardInterrupt) and heard and hasattr(
                signal, "pthread_kill"):
            signum = getattr(u.exc_value, "signum", signal.SIGINT)
            threading.Timer(0.01, resend, (signum,)).start()
        else:
            hook(u)

    try:
        _install({sig: note(h) for sig, h in handlers.items()})
        sys.unraisablehook = again
        yield heard
    finally:
        live.clear()
        sys.unraisablehook = hook
        _install(handlers)


def exited_by_termination(code: int | None) -> bool:
    """Whether an exit code says the child was terminated from outside (SIGTERM to the process
    group), not that it failed."""
    return code in (TERMINATED, -signal.SIGTERM)


# --------------------------------------------------------------------------------------------
# child side


def child_main() -> None:
    """Entry point of a child (see `_BOOT`): serve jobs until told to stop or the channel
    ends."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGTERM, _on_sigterm)
    # the channel moves to private descriptors; fd 1 becomes stderr and fd 0 /dev/null, so a
    # stray print or a C library's banner (HiGHS prints one) never corrupts a frame
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    out = os.fdopen(wfd, "wb")
    lock = threading.Lock()

    def send(kind: str, payload: Any) -> None:
        data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        with lock:
            out.write(_HEADER.pack(len(data)) + data)
            out.flush()

    inbox: queue.Queue = queue.Queue()
    threading.Thread(target=_child_read, args=(rfd, inbox), daemon=True).start()
    code = 0
    try:
        _serve(inbox, send)
    except SystemExit as e:  # SIGTERM or the end of the channel, after the job's clean-up
        code = e.code if isinstance(e.code, int) else TERMINATED
    # leave at once: an interpreter with Pyomo, xarray and HDF5 loaded takes ~1 s to tear
    # down, and its daemon threads (the hard-exit timer) are frozen meanwhile
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


def _serve(inbox: queue.Queue, send: Callable[[str, Any], None]) -> None:
    while True:
        msg = inbox.get()
        if msg is None:
            return
        func, args, stream = msg
        try:
            value = func(*args, emit=send) if stream else func(*args)
        except Exception as e:  # reported to the parent, which decides what it means
            send("error", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=8)}")
            continue
        send("result", value)


def _child_read(rfd: int, inbox: queue.Queue) -> None:
    """Child's reader thread: jobs onto ``inbox``; at the end of the channel (the parent closed
    it or died) stop the process: SystemExit in the main thread through SIGTERM, and a hard exit
    after `GRACE_S` if the main thread is inside C code."""
    stream = os.fdopen(rfd, "rb")
    try:
        while (body := _read_frame(stream)) is not None:
            msg = pickle.loads(body)
            inbox.put(msg)
            if msg is None:  # asked to stop: the end of the channel that follows is expected
                return
    except Exception:  # a broken channel ends the child like a closed one
        pass
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_S)
    os._exit(TERMINATED)


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(TERMINATED)
