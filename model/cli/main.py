"""Command line: ``peakpath <command> ...``.

Errors a user can act on (bad inputs, infeasible targets, solver failures) print a located
message and exit with a non-zero code, never a traceback: 2 bad input, 3 targets cannot be met,
4 solver failure, 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys

import peakpath
from peakpath.cli.commands import COMMANDS
from peakpath.errors import InfeasibleError, InputError, Interrupted, PeakpathError, Problem
from peakpath.results.verdict import print_summary
from peakpath.solve.workers import interrupts_heard, terminate_as_interrupt

# --------------------------------------------------------------------------------------------
# commands


def cmd_run(args: argparse.Namespace) -> int:
    from peakpath.io.places import writable_dir, writable_file

    writable_dir(args.out)  # before the solve, not after it
    model_file = None
    if args.write_model:
        model_file = writable_file(args.write_model, "--write-model", "model.mps")
        if model_file.suffix.lower() not in (".mps", ".lp"):
            raise InputError([Problem(str(model_file), None, None, "--write-model",
                                      f"unknown model format '{model_file.suffix}'; expected "
                                      "a .mps (free MPS) or .lp (CPLEX LP) file",
                                      "模型文件格式应为 .mps 或 .lp")])
    solver = _solver_settings(args)
    from peakpath.solve.run import describe_shortfalls, run_file

    try:
        res, out = run_file(args.scenario, out_root=args.out, elastic=args.elastic,
                            isolate=not args.in_process, solver=solver,
                            write_model_to=model_file)
    except InfeasibleError:
        raise
    if not args.quiet:
        print_summary(res, out)
    if res.status == "elastic" and res.shortfalls:
        print("Elastic mode: these targets are missed:\n" + describe_shortfalls(res.shortfalls))
    if model_file is not None and not args.quiet:
        print(f"模型文件 Model as handed to HiGHS: {model_file}")
    return 0 if res.status in ("optimal", "elastic") else 4


def _solver_settings(args: argparse.Namespace) -> dict:
    """``--solver KEY=VALUE`` pairs (values read as YAML scalars: 1e-4, true, simplex) and
    ``--solver-log``; the scenario's schema checks them when they are applied."""
    import yaml

    out: dict = {}
    for pair in args.solver or []:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise InputError([Problem("<command line>", None, "--solver", "option",
                                      f"'{pair}' is not KEY=VALUE (e.g. mip_rel_gap=1e-4)",
                                      "应为 键=值 的形式")])
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            value = text
        # YAML 1.1 reads 1e-4 as a string; a number written as one is meant as one
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        out[key.strip()] = value
    if args.solver_log:
        out["log"] = True
    return out

def cmd_validate(args: argparse.Namespace) -> int:
    from peakpath.io.inputs import read_dataset

    data = read_dataset(args.dataset)
    n = {k: len(v) for k, v in data.tables.items()}
    print(f"{args.dataset}: valid ({sum(n.values())} rows in {len(n)} tables; "
          f"digest {data.digest[:12]})")
    return 0


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; of the feature commands (`peakpath.cli.commands`) only the one named in ``argv``
    is imported to build its arguments, the others appear with their one-line help (their
    modules import Pyomo, xarray and matplotlib)."""
    ap = argparse.ArgumentParser(prog="peakpath", description="Least-cost carbon-peak pathways "
                                 "for Chinese cities (Pyomo + HiGHS).")
    ap.add_argument("--version", action="version", version=f"peakpath {peakpath.__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="solve one scenario and write results/<name>/")
    r.add_argument("scenario", help="scenario YAML file")
    r.add_argument("--out", default="results", help="results root folder (default: results)")
    r.add_argument("--elastic", action="store_true",
                   help="complete with priced slacks when targets cannot all be met")
    r.add_argument("--in-process", action="store_true",
                   help="solve in this process instead of an isolated worker")
    r.add_argument("--write-model", metavar="FILE",
                   help="also write the model as HiGHS receives it (.mps or .lp), with "
                        "readable column and row names")
    r.add_argument("--solver", action="append", metavar="KEY=VALUE",
                   help="override a solver setting of the scenario (mip_rel_gap, time_limit, "
                        "method=simplex|ipm, threads, penalty, ...); repeatable")
    r.add_argument("--solver-log", action="store_true", help="show HiGHS' own log")
    r.set_defaults(func=cmd_run)
    v = sub.add_parser("validate", help="check a dataset folder and report every problem")
    v.add_argument("dataset")
    v.set_defaults(func=cmd_validate)
    args = sys.argv[1:] if argv is None else argv
    wanted = next((a for a in args if not a.startswith("-")), None)
    module = COMMANDS[wanted][0] if wanted in COMMANDS else None
    for name, (mod, text) in COMMANDS.items():
        if mod != module:
            sub.add_parser(name, help=text)
    if module is not None:  # adds every command of its module, with their arguments
        importlib.import_module(module).add_parser(sub)
    for p in sub.choices.values():
        _add_verbosity(p)
    return ap


def _add_verbosity(p: argparse.ArgumentParser) -> None:
    """``-v/--verbose`` (repeat for debug detail) and ``-q/--quiet`` on every command."""
    opts = p._option_string_actions
    if "--verbose" not in opts:
        p.add_argument("-v", "--verbose", action="count", default=0,
                       help="log what is done, with timings (-vv: debug detail)")
    if "--quiet" not in opts:
        p.add_argument("-q", "--quiet", action="store_true",
                       help="print only warnings and errors")
    elif "-q" not in opts:  # the command's own --quiet gains the short form
        p.add_argument("-q", dest="quiet", action="store_true", help="same as --quiet")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (a replaced stderr, as in a
    notebook or under a test's capture, is followed)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _configure_logging(args: argparse.Namespace) -> None:
    """Log records of the ``peakpath`` loggers to stderr: warnings by default, INFO with -v,
    DEBUG with -vv, errors only with --quiet."""
    verbose = int(getattr(args, "verbose", 0) or 0)
    level = (logging.ERROR if getattr(args, "quiet", False) else
             logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    root = logging.getLogger("peakpath")
    root.setLevel(level)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        h = _StderrHandler()
        h.setFormatter(logging.Formatter("peakpath: %(message)s"))
        root.addHandler(h)
        root.propagate = False


def _console_safe() -> None:
    """A character the output's encoding lacks prints as '?' instead of ending the command.
    On Chinese Windows, output sent to a file or a pipe is encoded in GBK (cp936): it has
    the Chinese text but not every symbol (the summary's check marks were ✓ and ✗, now √ and
    ×, which GBK has), and `peakpath run` then failed with an internal error after solving."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    heard: list[int] = []
    _console_safe()
    try:
        # SIGTERM/SIGHUP unwind like Ctrl-C: workers ended, temporary folders removed
        with terminate_as_interrupt(resend=False), interrupts_heard() as heard:
            # the parser imports the named command's module (xarray, SciPy: ≈ 1 s), so a
            # Ctrl-C then is an interruption like any other, not a traceback
            args = _parser(argv).parse_args(argv)
            _configure_logging(args)
            code = int(args.func(args) or 0)
        # a library caught the interrupt and the command went on to the end
        return _interrupted(heard[0]) if heard else code
    except Interrupted as e:  # one line, no traceback (workers print nothing either)
        print(e, file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if heard:  # a library turned the interrupt into an error of its own
            return _interrupted(heard[0])  # (workers.interrupts_heard): not the user's data
        return _failed(e)


def _interrupted(signum: int) -> int:
    """The one line and the exit code (128 + the signal number) of an interrupted command."""
    e = Interrupted.by_signal(signum)
    print(e, file=sys.stderr)
    return e.exit_code


def _failed(e: Exception) -> int:
    """The message and exit code of a command that failed."""
    if isinstance(e, InputError):
        print(e.report(), file=sys.stderr)
        return e.exit_code
    if isinstance(e, PeakpathError):
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    if isinstance(e, BrokenPipeError):  # output piped into `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    if isinstance(e, OSError) and e.filename is not None and not os.environ.get(
            "PEAKPATH_DEBUG"):
        # a file the checks before could not foresee (a disk full, a folder made read-only
        # meanwhile): the path and the system's reason, as for any bad input
        err = InputError([Problem(str(e.filename), None, None, "file",
                                  f"cannot use this path: {e.strerror}", "无法读写该路径")])
        print(err.report(), file=sys.stderr)
        return err.exit_code
    return _internal(e)  # a bug, not a user error: short message unless debugging


def _internal(e: Exception) -> int:
    """A bug, not a user error: a short message, or the traceback when debugging."""
    if os.environ.get("PEAKPATH_DEBUG"):
        raise e
    print(f"internal error: {type(e).__name__}: {e}\n(set PEAKPATH_DEBUG=1 to see the "
          "traceback, and please report it)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
