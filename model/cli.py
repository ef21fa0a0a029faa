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
import math
import os
import sys
from pathlib import Path

import peakpath
from peakpath.commands import COMMANDS
from peakpath.errors import InfeasibleError, InputError, Interrupted, PeakpathError, Problem
from peakpath.workers import terminate_as_interrupt


def _fmt(x: float, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}"


def plan_periods(ds, base: int) -> list[tuple[int, int]]:
    years = [int(y) for y in ds["year"].values]
    return [(t - 5, t) for t in years if t > base and (t - base) % 5 == 0 and t - 5 in years]


def print_summary(res, out_dir: Path | None) -> None:
    ds, summ = res.dataset, res.summary
    sc = res.scenario
    p = print
    p(f"\n== peakpath {peakpath.__version__}: {summ['scenario']} ==")
    p(f"状态 Status: {summ['status']}    目标函数 Objective: "
      f"{_fmt((summ['objective_wan_cny'] or math.nan) / 1e4, 1)} 亿元 (discounted "
      f"{sc.base_year} CNY)")
    if summ["peak_year"] is not None:
        peak_t = sc.targets.get("peak") or {}
        want = ""
        if peak_t:
            by = peak_t["latest"] if peak_t.get("year") == "free" else peak_t.get("year")
            want = f"  (target: by {by}"
            want += f", ≤ {_fmt(peak_t['cap'])} 万t)" if peak_t.get("cap") else ")"
        note = ""
        if summ["peak_year"] == sc.base_year:
            co2y = {int(y): v for y, v in summ["co2_wan_t"].items() if int(y) > sc.base_year}
            top = max(co2y, key=co2y.get)
            note = (f" — the base year: CO2 is lower in every model year (highest {top}, "
                    f"{_fmt(co2y[top])} 万t)")
        p(f"达峰 Peak: {summ['peak_year']} at {_fmt(summ['peak_co2_wan_t'])} 万t CO2{want}{note}")
        # the scenario as built carries the peak level the run found (`model.levels`)
        _print_verdict(summ, getattr(getattr(res.built, "md", None), "scenario", sc))
        co2 = summ["co2_wan_t"]
        s1 = summ["co2_scope1_wan_t"]
        show = [y for y in ("2020", "2025", "2030", "2035") if y in co2]
        p("CO2 (万t)      " + "  ".join(f"{y}: {_fmt(co2[y]):>8}" for y in show)
          + "   [scope 1+2, net of sinks]")
        p("  scope 1      " + "  ".join(f"{y}: {_fmt(s1[y]):>8}" for y in show))
        nf = summ["non_fossil_share"]
        p("非化石能源占比 Non-fossil share  " + "  ".join(
            f"{y}: {100 * nf[y]:.1f}%" for y in show))
        _print_intensity(ds, sc)
    _print_targets(summ)
    t = summ["timings_s"]
    p(f"用时 Time: load {t.get('load', 0):.2f} s, build {t.get('build', 0):.2f} s, "
      f"solve {t.get('solve', 0):.2f} s, write {t.get('write', 0):.2f} s   "
      f"size: {summ['size']['rows']} rows × {summ['size']['columns']} columns "
      f"({summ['size']['integer_columns']} integer)")
    if out_dir is not None:
        p(f"结果 Results: {out_dir}/")


def _print_verdict(summ: dict, sc) -> None:
    """The peak of the frozen reference and of the pathway, each with its reason."""
    base = sc.base_year
    ry, rl = summ["reference_peak_year"], summ["reference_peak_co2_wan_t"]
    why = ("activity growth outweighs the efficiency trend and the falling grid factor "
           f"until {ry}" if ry > base else "the efficiency trend and the falling grid factor "
           "outweigh activity growth from the start")
    print(f"  参照 Reference without measures (no new measures or projects; activity and the "
          f"autonomous trend as in the scenario): peak {ry} at {_fmt(rl)} 万t — {why}")
    binding = [t for t in summ["targets"] if t["binding"] and t["family"] in (
        "peak", "peak_decline", "peak_cap", "carbon_cap", "carbon_intensity")]
    if binding:
        fams = sorted({t["family"] for t in binding})
        why = f"held down by the CO2 targets ({', '.join(fams)})"
    elif any(t["binding"] for t in summ["targets"]):
        fams = sorted({t["family"] for t in summ["targets"] if t["binding"]})
        why = f"shaped by binding non-CO2 targets ({', '.join(fams)}) and measures that pay"
    else:
        why = ("no target binds: measures that pay for themselves at the investors' hurdle "
               "rates, within their diffusion limits")
    print(f"  路径 Pathway: peak {summ['peak_year']} at {_fmt(summ['peak_co2_wan_t'])} 万t — "
          f"{why}")
    _print_plateau(summ)
    _print_shape_after_peak_year(summ, sc)
    leak = summ.get("import_substitution_co2_wan_t") or {}
    if any(v > 0 for v in leak.values()):
        top = max(leak, key=leak.get)
        print(f"  外调电替代 Import substitution (leakage flag): up to {_fmt(leak[top])} 万t in "
              f"{top} of local generation replaced by grid imports, credited at the grid's "
              "average factor")
    kinds = summ.get("cost_by_kind_wan_cny") or {}
    if kinds:
        names = {"resource": "资源成本 resource", "efficiency_gap": "能效缺口 efficiency gap",
                 "transfer": "转移支付 transfers", "project_value": "项目价值 project value"}
        print("  成本 Cost (PV, 亿元): " + "; ".join(
            f"{names.get(k, k)} {_fmt(v / 1e4, 1)}" for k, v in kinds.items()))


def _print_plateau(summ: dict) -> None:
    """How long the pathway stays near its peak (within PLATEAU_TOL): a plateau that reaches
    the last model year is not yet a decline, whichever of its years is highest."""
    from peakpath.results import PLATEAU_TOL

    shape, end, year = summ.get("peak_shape"), summ.get("peak_plateau_end"), summ["peak_year"]
    pct = f"{100 * PLATEAU_TOL:.0f} %"
    if shape == "plateau":
        print(f"  平台期 Plateau: CO2 stays within {pct} of the peak from {year} to {end}, the "
              "last model year: not yet declining")
    elif shape == "declining" and end is not None and end > year:
        print(f"  平台期 Plateau: within {pct} of the peak {year}–{end}, then declining")


def _print_shape_after_peak_year(summ: dict, sc) -> None:
    """Under the fixed-level form the pathway may still climb after the peak year P, below
    the level L: say so, since "peak by P" is then met as a level and not as a shape."""
    p = sc.targets.get("peak") or {}
    if not p or p.get("year") == "free" or p.get("form", "level") != "level":
        return
    P, co2 = int(p["year"]), {int(y): v for y, v in summ["co2_wan_t"].items()}
    later = {y: v for y, v in co2.items() if y > P}
    if not later or P not in co2:
        return
    top = max(later, key=later.get)
    if later[top] > co2[P] + 1e-6 * max(1.0, abs(co2[P])):
        print(f"  形态 Shape: the pathway is higher in {top} ({_fmt(later[top])} 万t) than in "
              f"the peak year {P} ({_fmt(co2[P])} 万t), below the fixed peak level "
              f"{_fmt(p.get('level'))} 万t: the target holds as a level, not as a shape "
              "(targets.peak.form: true_max holds later years to the pathway's own CO2 in "
              f"{P})")


def _print_intensity(ds, sc) -> None:
    t = sc.targets
    for name, label, var, fam in (("能耗强度", "Energy intensity", "energy_intensity",
                                   "energy_intensity"),
                                  ("碳排放强度", "Carbon intensity", "carbon_intensity",
                                   "carbon_intensity")):
        parts = []
        for a, b in plan_periods(ds, sc.base_year):
            v = ds[var]
            change = float(v.sel(year=b) / v.sel(year=a) - 1.0)
            goal = (t.get(fam) or {}).get(b)
            mark = "" if goal is None else (f" (target {100 * goal:+.1f}%"
                                            f" {'✓' if change <= goal + 1e-9 else '✗'})")
            parts.append(f"{a + 1}–{str(b)[2:]}: {100 * change:+.1f}%{mark}")
        print(f"{name} {label}: " + "; ".join(parts))


def _print_targets(summ: dict) -> None:
    binding = [t for t in summ["targets"] if t["binding"]]
    print(f"约束目标 Binding targets ({len(binding)}):" + ("" if binding else " none"))
    for t in binding[:20]:
        digits = 4 if abs(t["limit"] or 0) < 2 else 0
        print(f"  - {t['id']:<18} {t['year']}  limit {_fmt(t['limit'], digits):>10} "
              f"{t['unit']:<12} shadow price {_fmt(t['shadow_price'], 1):>10} {t['shadow_unit']}")
    if len(binding) > 20:
        print(f"  ... and {len(binding) - 20} more (see targets.csv)")
    short = summ.get("shortfalls") or []
    print(f"未达目标 Unmet targets ({len(short)}):" + ("" if short else " none"))
    for s in short:
        print(f"  - {s['id']} {s['year']}: short by {_fmt(s['shortfall'], 2)} {s['unit']}")


# --------------------------------------------------------------------------------------------
# commands


def cmd_run(args: argparse.Namespace) -> int:
    from peakpath.places import writable_dir, writable_file

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
    from peakpath.run import describe_shortfalls, run_file

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
    from peakpath.inputs import read_dataset

    data = read_dataset(args.dataset)
    n = {k: len(v) for k, v in data.tables.items()}
    print(f"{args.dataset}: valid ({sum(n.values())} rows in {len(n)} tables; "
          f"digest {data.digest[:12]})")
    return 0


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; of the feature commands (`model.commands`) only the one named in ``argv``
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


def main(argv: list[str] | None = None) -> int:
    ap = _parser(argv)
    args = ap.parse_args(argv)
    _configure_logging(args)
    try:
        # SIGTERM/SIGHUP unwind like Ctrl-C: workers ended, temporary folders removed
        with terminate_as_interrupt(resend=False):
            return int(args.func(args) or 0)
    except InputError as e:
        print(e.report(), file=sys.stderr)
        return e.exit_code
    except PeakpathError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except Interrupted as e:  # one line, no traceback (workers print nothing either)
        print(e, file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as e:
        if e.filename is None or os.environ.get("PEAKPATH_DEBUG"):
            return _internal(e)
        # a file the checks before could not foresee (a disk full, a folder made read-only
        # meanwhile): the path and the system's reason, as for any bad input
        err = InputError([Problem(str(e.filename), None, None, "file",
                                  f"cannot use this path: {e.strerror}", "无法读写该路径")])
        print(err.report(), file=sys.stderr)
        return err.exit_code
    except Exception as e:  # a bug, not a user error: short message unless debugging
        return _internal(e)


def _internal(e: Exception) -> int:
    """A bug, not a user error: a short message, or the traceback when debugging."""
    if os.environ.get("PEAKPATH_DEBUG"):
        raise e
    print(f"internal error: {type(e).__name__}: {e}\n(set PEAKPATH_DEBUG=1 to see the "
          "traceback, and please report it)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
