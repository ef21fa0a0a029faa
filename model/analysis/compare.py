"""Compare least-cost roadmaps side by side: ``peakpath compare RUN_OR_BATCH... [--out DIR]``.

Each argument is a run's results folder (with results.nc), a results.nc file, or a folder of
run folders (a batch, or the alternatives written by ``peakpath mga``), which stands for all
of its runs. The table covers, per run: discounted cost and its difference from the first run;
peak year and level; cumulative CO2 over the model years; energy and carbon intensity change
per five-year plan period against the targets; the non-fossil share; capital spending; the
binding targets; and, in a second table, the measures whose adoption differs. Both tables are
printed and written as CSV (compare.csv, adoption.csv) with figures of the differences (CO2
paths, cost by component, measure adoption) as PNG and SVG.

Units: CO2 万t, money 亿元 (2020 prices; cost discounted to the base year as in the objective),
intensity changes in % over the plan period, adoption in each measure's own unit.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from peakpath.cli.commands import command_help
from peakpath.errors import InputError, Problem
from peakpath.io.atomic import atomic_write_table
from peakpath.io.places import writable_dir
from peakpath.report.figures import Figure, bi, new_figure, target_frame
from peakpath.results.dataset import load_results, open_netcdf, present_value

#: more runs than this and the printed table shows the spread instead of one column per run
MAX_PRINTED_RUNS = 8
#: adoption differing by less than this share of the largest value counts as the same
SAME_ADOPTION = 1e-3
#: adoption below this (measure units) is solver noise, not a measure in use
ADOPTED = 1e-6


@dataclass
class Run:
    label: str
    path: Path
    ds: xr.Dataset


# --------------------------------------------------------------------------------------------
# loading


def load_runs(paths: list[str | Path]) -> list[Run]:
    """Every run named by ``paths`` (run folders, results.nc files, folders of runs)."""
    runs: list[Run] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        found = _runs_in(p)
        if not found:
            problems.append(Problem(str(p), None, None, "results",
                                    "not a run's results (a folder with results.nc, or a "
                                    "results.nc file) nor a folder of run folders",
                                    "不是结果目录"))
        for f in found:
            ds = load_results(f)
            if "scenario" in ds.dims:  # a batch's combined file, not one run
                problems.append(Problem(str(f), None, None, "results",
                                        "this is a batch's combined Dataset; pass the batch "
                                        "folder (one run folder per scenario) instead",
                                        "请传入批量结果目录"))
                continue
            runs.append(Run(str(ds.attrs.get("scenario", f.name)), f, ds))
    if problems:
        raise InputError(problems)
    return _unique_labels(runs)


def _runs_in(p: Path) -> list[Path]:
    if p.is_file() and p.suffix == ".nc":
        return [p]
    if (p / "results.nc").is_file():
        return [p]
    if p.is_dir():
        subs = [d for d in p.iterdir() if d.is_dir() and (d / "results.nc").is_file()
                and not d.name.startswith(".")]
        return sorted(subs, key=_natural_key)
    return []


def _natural_key(p: Path) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name)]


def _unique_labels(runs: list[Run]) -> list[Run]:
    """Each run's label unique (the tables and figures have a column per label): a scenario
    solved in two places is named with its folder, or with its full path where two folders
    share a name; the same path given twice is numbered."""
    from collections import Counter

    base = [r.label for r in runs]
    short = [f"{b} ({r.path.parent.name}/{r.path.name})" for b, r in zip(base, runs, strict=True)]
    full = [f"{b} ({r.path})" for b, r in zip(base, runs, strict=True)]
    n_base, n_short, n_full = Counter(base), Counter(short), Counter(full)
    for i, r in enumerate(runs):
        if n_base[base[i]] == 1:
            continue
        r.label = short[i] if n_short[short[i]] == 1 else full[i] if n_full[full[i]] == 1 \
            else f"{short[i]} #{i + 1}"
    return runs


#: what a batch Dataset must hold for the fan chart
BATCH_VARIABLES = ("co2_total", "cost")


def stack_runs(runs: list[Run], variables: tuple[str, ...] = ("co2_total", "cost",
                                                                "energy_total")) -> xr.Dataset:
    """Runs as one Dataset with a ``scenario`` dimension (the shape of a batch's batch.nc),
    holding ``variables``; a cost component missing from a run is NaN there."""
    parts = [r.ds[list(variables)].drop_encoding().expand_dims(scenario=[r.label])
             for r in runs]
    return xr.concat(parts, dim="scenario", join="outer", combine_attrs="drop")


def load_batch(path: str | Path) -> xr.Dataset:
    """A batch as one Dataset with a ``scenario`` dimension: batch.nc (a file, or in the
    folder) or else the folder's run folders stacked."""
    p = Path(path)
    nc = p if p.is_file() else p / "batch.nc"
    if nc.is_file() and nc.name != "results.nc":
        ds = open_netcdf(nc, "batch results file")
        missing = [v for v in BATCH_VARIABLES if v not in ds]
        if "scenario" not in ds.dims or missing:
            raise InputError([Problem(str(nc), None, None, "batch",
                                      "expected a Dataset with a 'scenario' dimension and the "
                                      f"variables {', '.join(BATCH_VARIABLES)}"
                                      + (f"; missing: {', '.join(missing)}" if missing else ""),
                                      "不是批量结果")])
        return ds
    runs = load_runs([p])
    if len(runs) < 2:
        raise InputError([Problem(str(p), None, None, "batch",
                                  f"a batch needs at least two runs; found {len(runs)}",
                                  "批量结果至少需要两个情景")])
    return stack_runs(runs)


# --------------------------------------------------------------------------------------------
# metrics


def discounted_cost(ds: xr.Dataset) -> xr.DataArray:
    """Cost by component as weighted in the objective (万元 present value; results.nc
    ``cost_pv``)."""
    return present_value(ds)


def plan_periods(ds: xr.Dataset) -> list[tuple[int, int]]:
    """Five-year plan periods (start, end) inside the results: 2020→2025, 2025→2030, …"""
    base = int(ds.attrs["base_year"])
    years = [int(y) for y in ds["year"].values]
    return [(t - 5, t) for t in years if t > base and (t - base) % 5 == 0 and t - 5 in years]


def _targets(ds: xr.Dataset) -> dict:
    from peakpath.solve.run import scenario_from_results

    return scenario_from_results(ds).targets


def _intensity_cell(ds: xr.Dataset, var: str, a: int, b: int, goal: float | None) -> str:
    change = float(ds[var].sel(year=b) / ds[var].sel(year=a) - 1.0)
    if goal is None:
        return f"{100 * change:+.1f}%"
    ok = "√" if change <= float(goal) + 1e-9 else "×"
    return f"{100 * change:+.1f}% ({100 * float(goal):+.1f}% {ok})"


BINDING = bi("约束目标", "Binding targets (years; largest shadow price)")
N_BINDING = bi("约束目标数", "Binding target rows")


def binding_summary(ds: xr.Dataset) -> tuple[int | None, str]:
    """Number of binding target rows and a short text: each binding target, its years and
    its largest shadow price. Near-optimal alternatives have no shadow prices."""
    if ds.attrs.get("mga_index") not in (None, 0):
        return None, "— (MGA alternative: no shadow prices)"
    tt = target_frame(ds)
    b = tt[tt["binding"]]
    if b.empty:
        return 0, "none"
    parts = []
    for target, rows in b.groupby("target", sort=False):
        top = rows["shadow_price"].abs().max()
        parts.append(f"{target} {year_ranges(rows['year'])} "
                     f"(≤{top:,.0f} {rows['shadow_unit'].iloc[0]})")
    return len(b), "; ".join(parts)


def year_ranges(years) -> str:
    """2026, 2027, 2028, 2031 -> '2026–2028, 2031'."""
    ys = sorted({int(y) for y in years})
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def metrics(runs: list[Run]) -> pd.DataFrame:
    """The comparison table: one row per metric (bilingual label, units in the label), one
    column per run; cells are numbers or short text."""
    cols: dict[str, dict[str, object]] = {}
    first_obj = _objective(runs[0].ds) if runs else np.nan
    for run in runs:
        cols[run.label] = _run_metrics(run.ds, first_obj)
    return pd.DataFrame(cols)


def _objective(ds: xr.Dataset) -> float:
    obj = ds.attrs.get("objective_wan_cny")
    try:
        return float(obj) / 1e4
    except (TypeError, ValueError):
        return float("nan")


def _run_metrics(ds: xr.Dataset, first_obj: float) -> dict[str, object]:
    ok = ds.attrs.get("status") in ("optimal", "elastic")
    m: dict[str, object] = {bi("状态", "Status"): ds.attrs.get("status", "")}
    obj = _objective(ds)
    m[bi("总成本（折现）", "Discounted cost (亿元)")] = round(obj, 1)
    m[bi("与首列之差", "Δ cost vs first column (亿元)")] = round(obj - first_obj, 1)
    m[bi("与首列之差", "Δ cost vs first column (%)")] = round(
        100 * (obj - first_obj) / abs(first_obj), 3) if first_obj else np.nan
    co2 = ds["co2_total"]
    years = [int(y) for y in co2["year"].values]
    model_years = years[1:]
    if ok:
        i = int(np.nanargmax(co2.values))
        m[bi("达峰年份", "Peak year")] = years[i]
        m[bi("峰值", "Peak CO2 (万t)")] = round(float(co2.values[i]), 0)
    m[bi("累计排放", f"Cumulative CO2 {model_years[0]}–{model_years[-1]} (万t)")] = round(
        float(co2.sel(year=model_years).sum()), 0)
    m[bi("末年排放", f"CO2 in {years[-1]} (万t)")] = round(float(co2.values[-1]), 0)
    t = _targets(ds)
    for var, fam, zh, en in (("energy_intensity", "energy_intensity", "能耗强度",
                              "Energy intensity"),
                             ("carbon_intensity", "carbon_intensity", "碳排放强度",
                              "Carbon intensity")):
        for a, b in plan_periods(ds):
            goal = (t.get(fam) or {}).get(b)
            m[bi(zh, f"{en} {a + 1}–{b} (target)")] = _intensity_cell(ds, var, a, b, goal)
    nf_goals = t.get("non_fossil_share") or {}
    for y in sorted({*(b for _, b in plan_periods(ds)), *map(int, nf_goals)}):
        v = 100 * float(ds["non_fossil_share"].sel(year=y))
        goal = nf_goals.get(y)
        cell = f"{v:.1f}%" if goal is None else (
            f"{v:.1f}% (≥{100 * float(goal):.1f}% {'√' if v >= 100 * goal - 1e-6 else '×'})")
        m[bi("非化石能源占比", f"Non-fossil share {y}")] = cell
    m[bi("累计投资", f"Capital spending {model_years[0]}–{model_years[-1]} (亿元)")] = round(
        float(ds["investment"].sel(year=model_years).sum()) / 1e4, 1)
    m[N_BINDING], m[BINDING] = binding_summary(ds)
    return m


def adoption_table(runs: list[Run]) -> pd.DataFrame:
    """Measures whose adoption differs between the runs: final-year adoption (measure units)
    and first year of adoption per run, sorted by how much they differ."""
    if not runs:
        return pd.DataFrame()
    ds0 = runs[0].ds
    end = int(ds0["year"].values[-1])
    final = pd.DataFrame({r.label: _clean(r.ds["adoption"].sum("district").sel(year=end)
                                          .to_series()) for r in runs})
    first = pd.DataFrame({r.label: _first_year(r.ds) for r in runs})
    top = final.abs().max(axis=1)
    spread = (final.max(axis=1) - final.min(axis=1)) / top.where(top > 0, 1.0)
    timing = first.nunique(axis=1, dropna=False) > 1
    differs = (spread > SAME_ADOPTION) | timing
    names = pd.Series([f"{z} {e}" for z, e in zip(ds0["measure_name_zh"].values,
                                                  ds0["measure_name_en"].values, strict=True)],
                      index=ds0["measure"].values)
    units = pd.Series(ds0["measure_unit"].values, index=ds0["measure"].values)
    out = final[differs].copy()
    out.columns = [f"{c} {end}" for c in out.columns]
    for c in first.columns:
        out[f"{c} first year"] = first.loc[differs, c]
    out.insert(0, "unit", units.reindex(out.index))
    out.insert(0, "name", names.reindex(out.index))
    out["spread"] = spread[differs]
    return out.sort_values("spread", ascending=False).rename_axis("measure")


def _clean(s: pd.Series) -> pd.Series:
    """Adoption with solver noise (|x| < ADOPTED, measure units) set to zero."""
    return s.where(s.abs() >= ADOPTED, 0.0)


def _first_year(ds: xr.Dataset) -> pd.Series:
    a = ds["adoption"].sum("district").transpose("measure", "year")
    used = a.values >= ADOPTED
    years = a["year"].values
    first = np.where(used.any(axis=1), years[np.argmax(used, axis=1)], np.nan)
    return pd.Series(first, index=a["measure"].values).astype("Int64")


# --------------------------------------------------------------------------------------------
# figures of the differences


def compare_co2(runs: list[Run]) -> Figure:
    """CO2 paths of the runs (万t) and their difference from the first run."""
    fig = new_figure(10, 7)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    ref = runs[0].ds["co2_total"]
    for r in runs:
        co2 = r.ds["co2_total"]
        top.plot(co2["year"], co2, lw=1.8, label=r.label)
        bottom.plot(co2["year"], co2 - ref.reindex(year=co2["year"]), lw=1.5)
    top.set_ylabel(bi("二氧化碳", "CO2 (万t/yr)"))
    bottom.set_ylabel(bi("差值", f"Δ vs {runs[0].label} (万t)"), fontsize=8)
    bottom.axhline(0, color="black", lw=0.6)
    bottom.set_xlabel(bi("年份", "Year"))
    top.set_title("各路线二氧化碳排放及与首列之差\nCO2 paths of the roadmaps and their "
                  "difference from the first", fontsize=11, loc="left")
    top.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return Figure("compare_co2", bi("排放路径对比", "CO2 paths compared"),
                  "How the roadmaps' CO2 paths differ year by year, and so which one peaks "
                  "earlier, lower or falls faster.", fig)


def compare_cost(runs: list[Run]) -> Figure:
    """Discounted cost by component per run (亿元), stacked with signs, total marked."""
    fig = new_figure(max(7.0, 1.3 * len(runs) + 4), 5.5)
    ax = fig.subplots()
    costs = pd.DataFrame({r.label: discounted_cost(r.ds).to_series() / 1e4 for r in runs}
                         ).fillna(0.0)
    x = np.arange(len(runs))
    up, down = np.zeros(len(runs)), np.zeros(len(runs))
    cmap = matplotlib_colours(len(costs.index))
    for colour, (comp, row) in zip(cmap, costs.iterrows(), strict=True):
        v = row.to_numpy()
        pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
        ax.bar(x, pos, bottom=up, color=colour, label=COMPONENT_NAMES.get(comp, comp))
        ax.bar(x, neg, bottom=down, color=colour)
        up, down = up + pos, down + neg
    total = costs.sum().to_numpy()
    ax.scatter(x, total, marker="D", color="black", zorder=5, label=bi("合计", "Total"))
    for xi, t in zip(x, total, strict=True):
        ax.annotate(f"{t:,.0f}\n(Δ {t - total[0]:+,.0f})", (xi, t), xytext=(0, 6),
                    textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(x, [r.label for r in runs], rotation=20, ha="right", fontsize=8)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel(bi("折现成本", "Discounted cost (亿元, 2020 prices)"))
    ax.set_title("各路线成本构成（折现至基准年）\nCost of each roadmap by component "
                 "(discounted to the base year)", fontsize=11, loc="left")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return Figure("compare_cost", bi("成本对比", "Cost compared"),
                  "What each roadmap costs in total and where the money goes (capital, O&M, "
                  "fuel, electricity, carbon price, forgone project value).", fig)


COMPONENT_NAMES = {
    "capex": bi("投资（年金）", "Capital (annuities)"), "om": bi("运维", "O&M"),
    "fuel": bi("燃料", "Fuel"), "electricity": bi("外购电力", "Purchased electricity"),
    "carbon": bi("碳价", "Carbon price"),
    "project_value": bi("重大项目价值（负）", "Value of major projects (negative)"),
    "penalty": bi("未达目标罚金", "Penalty on unmet targets")}


def amount(v: float) -> str:
    """An adoption level for people: thousands separated, four significant digits below."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def matplotlib_colours(n: int) -> list:
    import matplotlib

    cmap = matplotlib.colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def compare_adoption(runs: list[Run], table: pd.DataFrame, n: int = 30) -> Figure:
    """Heat map of final-year adoption of the measures that differ, each row scaled by its
    largest value across the runs, with the values written in."""
    end = int(runs[0].ds["year"].values[-1])
    rows = table.head(n)
    cols = [f"{r.label} {end}" for r in runs]
    vals = rows[cols].to_numpy(float) if len(rows) else np.zeros((0, len(runs)))
    top = np.abs(vals).max(axis=1, keepdims=True) if len(rows) else vals
    scaled = np.divide(vals, top, out=np.zeros_like(vals), where=top > 0)
    fig = new_figure(max(8.0, 1.4 * len(runs) + 6), max(3.0, 0.3 * len(rows) + 1.8))
    ax = fig.subplots()
    if len(rows):
        im = ax.imshow(scaled, aspect="auto", cmap="YlGn", vmin=0, vmax=1)
        for (i, j), v in np.ndenumerate(vals):
            ax.text(j, i, amount(v), ha="center", va="center", fontsize=7,
                    color="white" if scaled[i, j] > 0.6 else "black")
        ax.set_yticks(range(len(rows)), [f"{nm} ({u})" for nm, u in
                                         zip(rows["name"], rows["unit"], strict=True)],
                      fontsize=7)
        ax.set_xticks(range(len(runs)), [r.label for r in runs], rotation=20, ha="right",
                      fontsize=8)
        fig.colorbar(im, ax=ax, shrink=0.8).set_label(
            bi("占各路线最大值之比", "Share of the largest across roadmaps"))
    else:
        ax.text(0.5, 0.5, bi("各路线措施采用相同", "All roadmaps adopt the same measures"),
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    ax.set_title(f"{end}年措施采用量差异\nMeasure adoption in {end} where the roadmaps differ",
                 fontsize=11, loc="left")
    return Figure("compare_adoption", bi("措施采用差异", "Measure adoption compared"),
                  f"Which measures the roadmaps rely on differently by {end}, and by how much, "
                  "so a reader sees what is a must-have and what is a matter of choice.", fig)


# --------------------------------------------------------------------------------------------
# printing and writing


def format_table(table: pd.DataFrame) -> str:
    """A plain-text table: metric labels on the left, one column per run."""
    def cell(v: object) -> str:
        if v is None:
            return "—"
        if isinstance(v, float | np.floating):
            return "—" if np.isnan(v) else f"{v:,.10g}" if abs(v) < 100 else f"{v:,.0f}"
        return str(v)

    body = [[str(i), *(cell(v) for v in row)] for i, row in zip(table.index,
                                                                table.to_numpy(), strict=True)]
    head = ["", *map(str, table.columns)]
    widths = [max(_width(r[k]) for r in [head, *body]) for k in range(len(head))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [head, *body]]
    return "\n".join(lines)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def spread_table(table: pd.DataFrame) -> pd.DataFrame:
    """min / median / max across the runs of every numeric metric (for large batches)."""
    num = table.apply(pd.to_numeric, errors="coerce")
    num = num[num.notna().any(axis=1)]
    return pd.DataFrame({"min": num.min(axis=1), "median": num.median(axis=1),
                         "max": num.max(axis=1)})


def default_out(runs: list[Run], root: Path = Path("results")) -> Path:
    labels = [re.sub(r"[^A-Za-z0-9._-]+", "_", r.label) for r in runs]
    slug = "+".join(labels)
    if len(slug) > 80:
        slug = f"{labels[0]}+{len(labels) - 1}-more"
    return root / "compare" / slug


def write(out: Path, table: pd.DataFrame, adoption: pd.DataFrame, figures: list[Figure]
          ) -> None:
    atomic_write_table(out / "compare.csv", table.to_csv())
    atomic_write_table(out / "adoption.csv", adoption.to_csv(float_format="%.6g"))
    for f in figures:
        f.save(out)


def compare(paths: list[str | Path], out: Path | None = None, *, echo: bool = True
            ) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """Load, tabulate, print and write a comparison; returns the metric table, the adoption
    table and the output folder."""
    runs = load_runs(paths)
    table = metrics(runs)
    adoption = adoption_table(runs)
    out = Path(out) if out is not None else default_out(runs)
    figures = [compare_co2(runs), compare_cost(runs), compare_adoption(runs, adoption)]
    write(out, table, adoption, figures)
    if echo:
        _print(runs, table, adoption, out)
    return table, adoption, out


def _print(runs: list[Run], table: pd.DataFrame, adoption: pd.DataFrame, out: Path) -> None:
    print(f"\n== 路线对比 Roadmaps compared: {len(runs)} ==")
    if len(runs) <= MAX_PRINTED_RUNS:
        print(format_table(table.drop(index=BINDING)))
        print(f"\n{BINDING}:")
        for label, text in table.loc[BINDING].items():
            print(f"  {label}: {text}")
        end = int(runs[0].ds["year"].values[-1])
        print(f"\n措施采用差异 Measures adopted differently ({len(adoption)}; adoption in {end} "
              "in the measure's unit, first year in brackets):")
        if len(adoption):
            shown = pd.DataFrame({
                r.label: [f"{amount(v)} ({'—' if pd.isna(y) else int(y)})" for v, y in zip(
                    adoption[f"{r.label} {end}"], adoption[f"{r.label} first year"],
                    strict=True)] for r in runs}, index=[f"{n} ({u})" for n, u in zip(
                        adoption["name"], adoption["unit"], strict=True)])
            print(format_table(shown.head(25)))
            if len(adoption) > 25:
                print(f"  ... and {len(adoption) - 25} more (adoption.csv)")
    else:
        print(f"{len(runs)} runs: the spread of each metric (every run in compare.csv)")
        print(format_table(spread_table(table)))
    print(f"\n对比结果 Written: {out}/ (compare.csv, adoption.csv, compare_*.png/.svg)")


# --------------------------------------------------------------------------------------------
# command


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("compare", help=command_help("compare"))
    p.add_argument("runs", nargs="+", metavar="RUN_OR_BATCH",
                   help="a run's results folder, a results.nc file, or a folder of runs "
                   "(batch or mga output)")
    p.add_argument("--out", default=None,
                   help="output folder (default: results/compare/<labels>)")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    compare(args.runs, None if args.out is None else writable_dir(args.out))
    return 0
