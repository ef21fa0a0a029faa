"""The run summary printed by ``peakpath run`` and `RunResult.print_summary`: status and cost,
the peak verdicts of the reference and the pathway with their reasons, the plateau, the
intensities per plan period, binding and missed targets. Chinese first, English beside; every
number is read from the run's summary (summary.json) and Dataset."""

from __future__ import annotations

import math
from pathlib import Path

import peakpath


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
        # the scenario as built carries the peak level the run found (`peakpath.core.levels`)
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
    # a CO2 target holds the peak down only if it binds in the peak year or later (a yearly
    # intensity path binding in 2021 does not decide a 2030 peak)
    binding = [t for t in summ["targets"] if t["binding"] and t["family"] in (
        "peak", "peak_decline", "peak_cap", "carbon_cap", "carbon_intensity")
        and int(t["year"]) >= int(summ["peak_year"])]
    if binding:
        fams = sorted({t["family"] for t in binding})
        why = f"held down by the CO2 targets ({', '.join(fams)})"
    elif any(t["binding"] for t in summ["targets"]):
        fams = sorted({t["family"] for t in summ["targets"] if t["binding"]})
        why = (f"shaped by targets that bind ({', '.join(fams)}; none on CO2 from the peak "
               "year on) and measures that pay")
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
    cut = summ.get("output_cut_co2_wan_t") or {}
    if any(v > 0.5 for v in cut.values()):
        top = max(cut, key=cut.get)
        print(f"  产量压减 Output cut (leakage flag): up to {_fmt(cut[top])} 万t in {top} of CO2 "
              "from output no longer made in the city, at its own CO2 per unit: moved to the "
              "plants that make it instead unless demand falls")
    kinds = summ.get("cost_by_kind_wan_cny") or {}
    if kinds:
        names = {"resource": "资源成本 resource", "efficiency_gap": "能效缺口 efficiency gap",
                 "transfer": "转移支付 transfers", "project_value": "项目价值 project value"}
        print("  成本 Cost (PV, 亿元): " + "; ".join(
            f"{names.get(k, k)} {_fmt(v / 1e4, 1)}" for k, v in kinds.items()))


def _print_plateau(summ: dict) -> None:
    """How long the pathway stays near its peak (within PLATEAU_TOL): a plateau that reaches
    the last model year is not yet a decline, whichever of its years is highest."""
    from peakpath.results.dataset import PLATEAU_TOL

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
                                            f" {'√' if change <= goal + 1e-9 else '×'})")
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
