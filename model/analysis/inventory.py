r"""Historical emission inventory (历史排放清单) from a dataset's energy data: every history year
of ``energy`` up to the base year (Wuhan: 2005 and 2010–2020, work plan 二.(一)), by sector and
fuel, CO2 plus CH4 and N2O where the dataset has them, scope 1 and the scope 2 of purchased
electricity kept apart.

For each year y (units: energy 万tce, electricity at 0.1229 kgce/kWh; emissions 万t of the gas)::

    combustion CO2[s,f,y] = E[s,f,y] × (1 − φ[s,f]) × EF[f,y]
    process gas[s,g,y]    = A[s,y] × P[s,g,y]                      (sinks: negative CO2)
    purchased[y]          = max(Σ_s E[s,elec,y] − 1.229 × Σ_p G[p,y], 0)
    scope 2[s,y]          = purchased[y] × E[s,elec,y] / Σ_s E[s,elec,y] × EF_grid[y]
    CO2e[s,g,y]           = mass × GWP100[g]

E is energy use from ``energy`` (physical quantities in a data-list workbook are converted to
tce at ingest with the dataset's GB/T 2589 standard-coal coefficients, ``standard_coal``); φ the
feedstock share (``feedstock``, 原料用能, not burned); EF the fuel's CO2 factor
(``emission_factors``, tCO2/tce: provincial guideline / IPCC defaults); A history activity
(``activity``), P the process and non-CO2 factor per unit of activity (``process``); G local
generation of power sectors (亿kWh, their ``activity``; 1 亿kWh = 1.229 万tce); EF_grid the
purchased-electricity factor (``grid``, kgCO2/kWh → tCO2/tce-calorific). Series given for some
years are linear between them and flat outside, as in
`peakpath.core.baseline`; the output notes every year that relies on such a flat extension.

Scope 2 is the model's: electricity use less local generation, at the grid factor, shared
among the users of electricity in proportion to their use. Totals per year::

    co2_scope1 = Σ combustion CO2 + Σ process CO2 of sectors that are not sinks
    co2_total  = co2_scope1 + scope 2 + sinks (if counted) + CO2e of targeted non-CO2 gases

which is the boundary of the model's targets (accounting settings of the default scenario or
``--scenario``): the base year equals `peakpath.core.baseline.reference_co2` and a solved scenario's
base-year ``co2_scope1`` and ``co2_total``.
"""

from __future__ import annotations

import argparse
import copy
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peakpath.cli.commands import command_help
from peakpath.core.baseline import COMBUSTIBLE, interpolate
from peakpath.errors import InputError, Problem
from peakpath.io.inputs import InputData, read_dataset, validate_tables
from peakpath.io.places import writable_dir
from peakpath.io.scenario import DEFAULTS, load_scenario
from peakpath.io.units import WAN_TCE_PER_YI_KWH, grid_factor_to_energy_factor

DETAIL_COLUMNS = ["year", "scope", "source", "group", "sector", "fuel", "gas", "energy_wan_tce",
                  "feedstock_wan_tce", "emissions_wan_t", "co2e_wan_t"]
TOTAL_COLUMNS = ["year", "co2_combustion", "co2_process", "co2_scope1", "purchased_wan_tce",
                 "scope2", "sinks", "ch4_wan_t", "n2o_wan_t", "non_co2_co2e", "co2_total"]
#: Chinese and English labels of the totals (units: 万t CO2 unless stated)
TOTAL_LABELS = {
    "co2_combustion": ("能源燃烧", "combustion"),
    "co2_process": ("工业过程", "process"),
    "co2_scope1": ("范围一", "scope 1"),
    "scope2": ("外购电力", "scope 2"),
    "sinks": ("碳汇", "sinks"),
    "non_co2_co2e": ("CH4+N2O", "CO2e"),
    "co2_total": ("合计", "total"),
}


@dataclass
class Inventory:
    """The inventory of one dataset: ``detail`` (one row per year, scope, source, sector,
    fuel and gas; 万tce and 万t), ``totals`` (one row per year, 万t CO2 unless the column says
    otherwise) and ``notes`` on assumptions the data forced (flat extensions)."""

    source: str
    detail: pd.DataFrame
    totals: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)


# ============================================================================================
# computation


def inventory_years(data: InputData, base_year: int) -> list[int]:
    """History years of the energy table up to the base year."""
    years = data["energy"]["year"]
    return sorted(int(y) for y in years[years <= base_year].unique())


def compute_inventory(data: InputData, settings: dict | None = None) -> Inventory:
    """The inventory of every history year of ``data`` (see the module docstring).
    ``settings`` are scenario settings (GWP, accounting, base year); default: the model's
    defaults. Raises `InputError` when history data the inventory needs are missing."""
    settings = settings or copy.deepcopy(DEFAULTS)
    years = inventory_years(data, int(settings["years"]["base"]))
    problems: list[Problem] = []
    if not years:
        raise InputError([Problem(_file(data, "energy"), None, "year", "history",
                                  "the energy table has no year up to the base year "
                                  f"{settings['years']['base']}", "能源消费表缺少历史年份")])
    gwp = {"CO2": 1.0, **{k: float(v) for k, v in settings["gwp"].items()}}
    sectors = _sectors(data)
    parts = [_combustion(data, years, problems), _process(data, years, sectors, problems),
             _scope2(data, years, sectors, problems)]
    if problems:
        raise InputError(problems)
    detail = pd.concat([p for p in parts if len(p)], ignore_index=True)
    detail["group"] = detail["sector"].map(sectors["group"])
    detail["co2e_wan_t"] = detail["emissions_wan_t"] * detail["gas"].map(gwp)
    detail = detail.sort_values(["year", "scope", "source", "sector", "fuel", "gas"])
    detail = detail.reset_index(drop=True)[DETAIL_COLUMNS]
    totals = _totals(detail, years, settings["accounting"])
    return Inventory(data.source, detail, totals, _notes(data, years), settings)


def _file(data: InputData, table: str) -> str:
    src = Path(data.source)
    return str(src / f"{table}.csv") if src.is_dir() else f"{data.source}:{table}"


def _sectors(data: InputData) -> pd.DataFrame:
    return data["sectors"].set_index("sector")[["group", "role", "name_zh", "name_en"]]


def _combustion(data: InputData, years: list[int], problems: list[Problem]) -> pd.DataFrame:
    fuels = data["fuels"]
    burned = set(fuels.loc[fuels["category"].isin(COMBUSTIBLE), "fuel"])
    e = data["energy"]
    e = e[e["year"].isin(years) & e["fuel"].isin(burned)][["sector", "fuel", "year", "value"]]
    ef_table = data["emission_factors"]
    for f in sorted(set(e["fuel"]) - set(ef_table["fuel"])):
        problems.append(Problem(_file(data, "emission_factors"), None, "fuel", "required",
                                f"fuel '{f}' is burned but has no emission factor",
                                "缺少排放因子"))
    ef = interpolate(ef_table[["fuel", "year", "value"]], ["fuel"], years)
    out = e.merge(ef.rename(columns={"value": "ef"}), on=["fuel", "year"])
    out = out.merge(data["feedstock"], on=["sector", "fuel"], how="left")
    share = out["share"].fillna(0.0)
    return pd.DataFrame({
        "year": out["year"], "scope": "scope1", "source": "combustion", "sector": out["sector"],
        "fuel": out["fuel"], "gas": "CO2", "energy_wan_tce": out["value"],
        "feedstock_wan_tce": out["value"] * share,
        "emissions_wan_t": out["value"] * (1.0 - share) * out["ef"]})


def _activity(data: InputData, sector_ids, years: list[int], why: str,
              problems: list[Problem]) -> pd.DataFrame:
    """History activity (all districts) of ``sector_ids``; every year must be there."""
    a = data["activity"]
    a = a[a["sector"].isin(sector_ids) & a["year"].isin(years)]
    a = a.groupby(["sector", "year"], as_index=False)["value"].sum()
    have = set(zip(a["sector"], a["year"], strict=True))
    for s in sorted(sector_ids):
        missing = [y for y in years if (s, y) not in have]
        if missing:
            problems.append(Problem(
                _file(data, "activity"), None, "year", "history",
                f"sector '{s}' has no activity in {_years_text(missing)}; {why}",
                f"缺少行业“{s}”的历史活动水平"))
    return a


def _process(data: InputData, years: list[int], sectors: pd.DataFrame,
             problems: list[Problem]) -> pd.DataFrame:
    p = data["process"]
    if p.empty:
        return pd.DataFrame(columns=DETAIL_COLUMNS)
    factors = interpolate(p[["sector", "gas", "year", "value"]], ["sector", "gas"], years)
    act = _activity(data, set(p["sector"]), years, "the inventory needs it for process and "
                    "non-CO2 emissions (process table)", problems)
    out = factors.rename(columns={"value": "factor"}).merge(act, on=["sector", "year"])
    sink = out["sector"].map(sectors["role"]).eq("sink") & out["gas"].eq("CO2")
    return pd.DataFrame({
        "year": out["year"], "scope": np.where(sink, "sink", "scope1"),
        "source": np.where(sink, "sink", "process"), "sector": out["sector"], "fuel": "",
        "gas": out["gas"], "energy_wan_tce": 0.0, "feedstock_wan_tce": 0.0,
        "emissions_wan_t": out["value"] * out["factor"]})


def _scope2(data: InputData, years: list[int], sectors: pd.DataFrame,
            problems: list[Problem]) -> pd.DataFrame:
    fuels = data["fuels"]
    elec_fuels = set(fuels.loc[fuels["category"] == "electricity", "fuel"])
    e = data["energy"]
    use = e[e["year"].isin(years) & e["fuel"].isin(elec_fuels)]
    use = use.groupby(["sector", "year"], as_index=False)["value"].sum()
    power = sectors.index[sectors["role"].isin(["power", "renewable_power"])]
    generating = set(data["activity"].loc[data["activity"]["sector"].isin(power), "sector"])
    gen = _activity(data, generating, years, "scope 2 needs local generation (purchased = "
                    "electricity use − local generation)", problems)
    grid = data["grid"]
    rows = grid[grid["variable"] == "emission_factor"]
    if rows.empty:
        problems.append(Problem(_file(data, "grid"), None, "variable", "required",
                                "no emission_factor rows: scope 2 needs the grid factor",
                                "缺少电网排放因子"))
        return pd.DataFrame(columns=DETAIL_COLUMNS)
    ef = interpolate(rows[["year", "value"]], [], years).set_index("year")["value"]
    total = use.groupby("year")["value"].sum()
    generated = gen.groupby("year")["value"].sum().reindex(total.index, fill_value=0.0)
    purchased = np.maximum(total - WAN_TCE_PER_YI_KWH * generated, 0.0)
    share = use["value"] / use["year"].map(total)
    bought = use["year"].map(purchased) * share
    return pd.DataFrame({
        "year": use["year"], "scope": "scope2", "source": "electricity", "sector": use["sector"],
        "fuel": "electricity", "gas": "CO2", "energy_wan_tce": bought, "feedstock_wan_tce": 0.0,
        "emissions_wan_t": bought * grid_factor_to_energy_factor(use["year"].map(ef))})


def _totals(detail: pd.DataFrame, years: list[int], accounting: dict) -> pd.DataFrame:
    d = detail

    def by_year(mask: pd.Series, col: str = "emissions_wan_t") -> np.ndarray:
        return d[mask].groupby("year")[col].sum().reindex(years, fill_value=0.0).to_numpy()

    co2 = d["gas"] == "CO2"
    t = pd.DataFrame({"year": years})
    t["co2_combustion"] = by_year(d["source"] == "combustion")
    t["co2_process"] = by_year((d["source"] == "process") & co2)
    t["co2_scope1"] = t["co2_combustion"] + t["co2_process"]
    t["purchased_wan_tce"] = by_year(d["scope"] == "scope2", "energy_wan_tce")
    t["scope2"] = by_year(d["scope"] == "scope2")
    t["sinks"] = by_year(d["scope"] == "sink")
    t["ch4_wan_t"] = by_year(d["gas"] == "CH4")
    t["n2o_wan_t"] = by_year(d["gas"] == "N2O")
    t["non_co2_co2e"] = by_year(~co2, "co2e_wan_t")
    targeted = [g for g in accounting["target_gases"] if g != "CO2"]
    t["co2_total"] = (t["co2_scope1"] + t["scope2"]
                      + (t["sinks"] if accounting["count_sinks"] else 0.0)
                      + by_year(d["gas"].isin(targeted), "co2e_wan_t"))
    return t[TOTAL_COLUMNS]


def _notes(data: InputData, years: list[int]) -> list[str]:
    """Years an inventory value rests on a factor held flat beyond the years given, one note
    per table and span (the data say nothing about those years; the note says so)."""
    g = data["grid"]
    checks = [("emission_factors", data["emission_factors"], "fuel"),
              ("grid", g[g["variable"] == "emission_factor"], "variable"),
              ("process", data["process"], "sector")]
    spans: dict[tuple[str, str, str], list[str]] = {}
    for table, df, by in checks:
        for key, rows in df.groupby(by, sort=True):
            first, last = int(rows["year"].min()), int(rows["year"].max())
            outside = [y for y in years if y < first or y > last]
            if outside:
                given = str(first) if first == last else f"{first}–{last}"
                spans.setdefault((table, given, _years_text(outside)), []).append(str(key))
    return [f"{table} gives {', '.join(keys)} only for {given}: {outside} use the nearest "
            "given year's value (held flat)" for (table, given, outside), keys in spans.items()]


def _years_text(years: list[int]) -> str:
    """2005, 2010–2019 (runs of consecutive years joined)."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


# ============================================================================================
# comparison with published totals


def read_reference(path: str | Path) -> pd.DataFrame:
    """Published totals (columns source, scope, year, value, unit as in the dataset's
    ``inventory_reference`` table), validated; values in 万t."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), None, None, "file", "file not found",
                                  "找不到对比文件")])
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          skipinitialspace=True)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise InputError([Problem(str(path), None, None, "csv", f"cannot read the CSV: {e}",
                                  "CSV格式错误")]) from None
    data = validate_tables({"inventory_reference": raw}, source=str(path),
                           file_of=lambda _t: str(path))
    return data["inventory_reference"]


def compare(totals: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Year-by-year differences from published totals: inventory − published (万t) and in %
    of the published value. ``scope1`` compares with co2_scope1, ``scope1+2`` with scope 1
    plus scope 2; only years in both."""
    t = totals.set_index("year")
    ours = {"scope1": t["co2_scope1"], "scope1+2": t["co2_scope1"] + t["scope2"]}
    rows = []
    for r in reference.itertuples(index=False):
        if r.year in t.index:
            inv = float(ours[r.scope][r.year])
            rows.append({"source": r.source, "scope": r.scope, "year": int(r.year),
                         "published_wan_t": float(r.value), "inventory_wan_t": inv,
                         "difference_wan_t": inv - float(r.value),
                         "difference_pct": 100.0 * (inv / float(r.value) - 1.0)})
    cols = ["source", "scope", "year", "published_wan_t", "inventory_wan_t", "difference_wan_t",
            "difference_pct"]
    return pd.DataFrame(rows, columns=cols).sort_values(["source", "scope", "year"],
                                                        ignore_index=True)


# ============================================================================================
# figure, files and printing


def trend_figure(inv: Inventory, comparison: pd.DataFrame, groups: pd.DataFrame,
                 path: str | Path, title: str = "") -> Path:
    """Stacked bars of scope 1 by sector group, scope 2 and sinks per year, with published
    totals as markers (PNG, labels Chinese and English)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from peakpath.report.fonts import use_cjk_fonts

    use_cjk_fonts()
    d = inv.detail
    years = inv.totals["year"].tolist()
    x = np.arange(len(years))
    s1 = d[(d["scope"] == "scope1") & (d["gas"] == "CO2")].groupby(["group", "year"])[
        "emissions_wan_t"].sum()
    names = groups.set_index("group")
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    bottom = np.zeros(len(years))
    colors = plt.get_cmap("tab10").colors
    for k, g in enumerate(names.index):
        if g not in s1.index.get_level_values(0):
            continue
        v = s1[g].reindex(years, fill_value=0.0).to_numpy()
        ax.bar(x, v, bottom=bottom, color=colors[k % 10], width=0.7,
               label=f"{names.loc[g, 'name_zh']} {names.loc[g, 'name_en']}")
        bottom += v
    t = inv.totals
    ax.bar(x, t["scope2"], bottom=bottom, color="white", edgecolor="0.35", hatch="//",
           width=0.7, label="外购电力（范围二）Purchased electricity (scope 2)")
    if (t["sinks"] != 0).any():
        ax.bar(x, t["sinks"], color="tab:green", alpha=0.5, width=0.7,
               label="碳汇 Sinks")
    ax.plot(x, t["co2_scope1"], "k_", markersize=18, mew=2,
            label="范围一合计 Scope-1 total (inventory)")
    for (src, scope), c in comparison.groupby(["source", "scope"]):
        pos = [years.index(y) for y in c["year"]]
        ax.plot(pos, c["published_wan_t"], "D--", color="tab:red", markersize=5, lw=1,
                label=f"已发布 Published: {src} ({scope})")
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_ylabel("万吨二氧化碳 10⁴ t CO2")
    ax.set_xlabel("年份 Year")
    ax.set_title(title or "历史二氧化碳排放清单 Historical CO2 inventory")
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.legend(fontsize=8, loc="upper left", ncol=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    top = max(float((bottom + t["scope2"]).max()), float(comparison["published_wan_t"].max())
              if len(comparison) else 0.0)
    ax.set_ylim(top=top * 1.35)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from peakpath.io.atomic import atomic_path

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return path


def write_inventory(inv: Inventory, comparison: pd.DataFrame, out_dir: str | Path
                    ) -> list[Path]:
    """Write inventory.csv (detail), inventory_totals.csv, inventory_comparison.csv (when
    there is something to compare) and inventory_notes.txt into ``out_dir``."""
    from peakpath.io.atomic import atomic_write_table, atomic_write_text

    out = Path(out_dir)
    files = {"inventory.csv": inv.detail.to_csv(index=False, float_format="%.6f"),
             "inventory_totals.csv": inv.totals.to_csv(index=False, float_format="%.6f")}
    if len(comparison):
        files["inventory_comparison.csv"] = comparison.to_csv(index=False, float_format="%.4f")
    files["inventory_notes.txt"] = "".join(f"{n}\n" for n in inv.notes)
    for name, text in files.items():
        (atomic_write_table if name.endswith(".csv") else atomic_write_text)(out / name, text)
    return [out / n for n in files]


def _rjust(text: str, width: int) -> str:
    """Right-justify for a terminal: Chinese characters take two columns."""
    cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return " " * max(width - cells, 1) + text


def _table(head_zh: list[str], head_en: list[str], rows: list[tuple[int, list[float]]],
           width: int = 12) -> str:
    lines = ["年份" + "".join(_rjust(h, width) for h in head_zh),
             "Year" + "".join(_rjust(h, width) for h in head_en)]
    lines += [f"{y:<4}" + "".join(_rjust(f"{v:,.0f}", width) for v in vals) for y, vals in rows]
    return "\n".join(lines)


def format_totals(inv: Inventory) -> str:
    """The totals as a text table, one row per year (万t CO2)."""
    rows = [(int(r["year"]), [r[k] for k in TOTAL_LABELS]) for _, r in inv.totals.iterrows()]
    return _table([zh for zh, _ in TOTAL_LABELS.values()],
                  [en for _, en in TOTAL_LABELS.values()], rows)


def format_groups(inv: Inventory, groups: pd.DataFrame) -> str:
    """Scope 1 + 2 CO2 by sector group and year (万t)."""
    d = inv.detail[(inv.detail["gas"] == "CO2") & (inv.detail["scope"] != "sink")]
    p = d.pivot_table(index="year", columns="group", values="emissions_wan_t", aggfunc="sum",
                      fill_value=0.0)
    cols = [g for g in groups["group"] if g in p.columns]
    names = groups.set_index("group")
    rows = [(int(y), [r[g] for g in cols]) for y, r in p[cols].iterrows()]
    return _table([names.loc[g, "name_zh"] for g in cols], [g for g in cols], rows)


def format_comparison(comparison: pd.DataFrame) -> str:
    lines = []
    for (src, scope), c in comparison.groupby(["source", "scope"]):
        lines.append(f"{src} ({scope}), 万t CO2:")
        lines.append(f"  {'year':<6}{'published':>12}{'inventory':>12}{'difference':>12}"
                     f"{'%':>8}")
        for r in c.itertuples(index=False):
            lines.append(f"  {r.year:<6}{r.published_wan_t:>12,.0f}{r.inventory_wan_t:>12,.0f}"
                         f"{r.difference_wan_t:>+12,.0f}{r.difference_pct:>+8.1f}")
    return "\n".join(lines)


# ============================================================================================
# command line


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("inventory", help=command_help("inventory"))
    p.add_argument("dataset", help="dataset folder (or data-list workbook .xlsx)")
    p.add_argument("--compare", metavar="CSV", help="published totals to compare with "
                   "(columns source, scope, year, value, unit; default: the dataset's "
                   "inventory_reference table)")
    p.add_argument("--scenario", metavar="YAML", help="take GWP values and the accounting "
                   "boundary from this scenario (default: the model's defaults)")
    p.add_argument("--out", metavar="DIR", help="output folder (default: "
                   "results/inventory/<dataset name>)")
    p.set_defaults(func=cmd_inventory)


def cmd_inventory(args: argparse.Namespace) -> int:
    from peakpath.report.fonts import use_cjk_fonts

    settings = load_scenario(args.scenario).settings if args.scenario else None
    data = read_dataset(args.dataset)
    inv = compute_inventory(data, settings)
    if args.compare:
        reference = read_reference(args.compare)
        ref_name = args.compare
    else:
        reference = data["inventory_reference"]
        ref_name = "the dataset's inventory_reference table"
    comparison = compare(inv.totals, reference)
    name = Path(args.dataset).stem or "dataset"
    out = writable_dir(Path(args.out) if args.out else Path("results") / "inventory" / name)
    files = write_inventory(inv, comparison, out)
    use_cjk_fonts()
    fig = trend_figure(inv, comparison, data["sector_groups"], out / "inventory.png",
                       f"{name} 历史二氧化碳排放清单 Historical CO2 inventory")
    years = inv.totals["year"].tolist()
    print(f"\n== 历史排放清单 Historical inventory: {args.dataset} "
          f"({_years_text(years)}) ==")
    print("万吨 CO2 (10^4 t); scope 2 = purchased electricity at the grid factor; "
          "CH4+N2O in CO2e (GWP100 "
          + ", ".join(f"{g} {v:g}" for g, v in inv.settings["gwp"].items()) + ")")
    print(format_totals(inv))
    print("\n分部门 By sector group (scope 1 + scope 2 CO2, 万t):")
    print(format_groups(inv, data["sector_groups"]))
    if len(comparison):
        print(f"\n对比 Compared with {ref_name}:")
        print(format_comparison(comparison))
    for n in inv.notes:
        print(f"note: {n}")
    print(f"\n结果 Written: {', '.join(str(f) for f in [*files, fig])}")
    return 0
