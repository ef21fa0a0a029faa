"""The standard figures of a solved pathway, a batch and a comparison (matplotlib; PNG and SVG).

Chinese labels first with English beside, in Noto Sans CJK (`model.report.fonts`). Every figure
function takes results Datasets (`peakpath.results.dataset`) and, where it needs labels, potentials
or unit effects, the scenario's `ModelData`; it returns a `Figure` with a caption that says what a
reader learns from it. Figures are made with `matplotlib.figure.Figure` (no pyplot state), so they
are safe to make in any process.

Units: CO2 in 万t (10^4 t) on the scenario's target boundary, energy in 万tce (electricity at
the calorific equivalent), money in 亿元 (10^8 CNY, 2020 prices), prices in CNY per unit.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.figure
import matplotlib.patches
import numpy as np
import pandas as pd
import xarray as xr

from peakpath.core.baseline import ModelData
from peakpath.core.targets import FAMILY_LABELS
from peakpath.io.atomic import atomic_write_bytes
from peakpath.io.units import WAN_TCE_PER_YI_KWH
from peakpath.report import abatement
from peakpath.report.fonts import use_cjk_fonts
from peakpath.results.dataset import present_value

#: one colour per bureau group, the same in every figure
GROUP_COLOURS = {"energy": "#8c564b", "industry": "#1f77b4", "buildings": "#ff7f0e",
                 "transport": "#9467bd", "agriculture": "#bcbd22", "sinks": "#2ca02c",
                 "ccus": "#17becf"}
SCOPE2_COLOUR = "#7f7f7f"
FUEL_COLOURS = {"coal": "#4d4d4d", "coke": "#8c6d31", "oil": "#d62728",
                "natural_gas": "#ff9896", "biomass": "#98df8a", "electricity": "#1f77b4",
                "heat": "#e377c2"}
DPI = 130
#: the no-measure reference path, the same in every figure that draws it
REFERENCE_STYLE = {"color": "#222222", "ls": (0, (5, 2)), "lw": 2.0, "zorder": 6}
#: bars of a MAC curve narrower than this share of the curve's total potential are grouped
#: into one "其他 Other" bar: a narrower bar cannot carry a legible label at the default size
MAC_MIN_SHARE = 0.02
OTHER_COLOUR = "#9e9e9e"


@dataclass
class Figure:
    """A finished figure: file stem, bilingual title and a one-sentence caption."""

    name: str
    title: str
    caption: str
    figure: matplotlib.figure.Figure
    _bytes: dict[str, bytes] = field(default_factory=dict, repr=False)

    def png(self) -> bytes:
        return self._rendered("png")

    def svg(self) -> bytes:
        return self._rendered("svg")

    def _rendered(self, fmt: str) -> bytes:
        # rendered once: the report embeds the same PNG that is saved beside it
        if fmt not in self._bytes:
            self._bytes[fmt] = _render(self.figure, fmt)
        return self._bytes[fmt]

    def save(self, folder: Path) -> list[Path]:
        """Write ``<name>.png`` and ``<name>.svg`` into ``folder`` (atomically)."""
        out = []
        for ext, data in (("png", self.png()), ("svg", self.svg())):
            path = Path(folder) / f"{self.name}.{ext}"
            atomic_write_bytes(path, data)
            out.append(path)
        return out


def _render(fig: matplotlib.figure.Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    # no timestamps in the files: the same results give the same bytes
    meta = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta)
    return buf.getvalue()


def new_figure(width: float = 9.0, height: float = 5.0) -> matplotlib.figure.Figure:
    use_cjk_fonts()
    return matplotlib.figure.Figure(figsize=(width, height), layout="constrained")


def bi(zh: str, en: str) -> str:
    """A bilingual label: Chinese first, English beside."""
    return f"{zh} {en}"


def _title(ax, zh: str, en: str) -> None:
    ax.set_title(f"{zh}\n{en}", fontsize=11, loc="left")


def _names(frame: pd.DataFrame, key: str) -> dict[str, str]:
    return {k: bi(z, e) for k, z, e in zip(frame[key], frame["name_zh"], frame["name_en"],
                                           strict=True)}


def _years(ds: xr.Dataset) -> np.ndarray:
    return ds["year"].values.astype(int)


def _stack_signed(ax, x: np.ndarray, bands: list[tuple[str, np.ndarray, str]],
                  base: np.ndarray | None = None) -> None:
    """Stack bands above ``base`` where positive and below it where negative, so that a
    band that changes sign (sinks, capture, a generation credit) is drawn truthfully."""
    base = np.zeros(len(x)) if base is None else np.asarray(base, float)
    up, down = base.copy(), base.copy()
    for label, values, colour in bands:
        v = np.asarray(values, float)
        pos, neg = np.clip(v, 0.0, None), np.clip(v, None, 0.0)
        shown = False
        if (pos > 1e-9).any():
            ax.fill_between(x, up, up + pos, color=colour, alpha=0.85, lw=0, label=label)
            up = up + pos
            shown = True
        if (neg < -1e-9).any():
            ax.fill_between(x, down + neg, down, color=colour, alpha=0.85, lw=0,
                            label=None if shown else label, hatch="//" if shown else None)
            down = down + neg


def _legend(ax, **kw) -> None:
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=8, frameon=False, **({"loc": "upper left",
                                                  "bbox_to_anchor": (1.01, 1.0)} | kw))


# --------------------------------------------------------------------------------------------
# emissions and energy


def co2_bands(ds: xr.Dataset, md: ModelData) -> list[tuple[str, np.ndarray, str]]:
    """CO2 on the target boundary split into bands that add up to ``co2_total`` (万t): direct
    CO2 of each bureau group (sinks and capture negative), CO2 of purchased electricity, and
    the targeted non-CO2 gases in CO2e."""
    acc = md.scenario.accounting
    co2 = ds["emissions"].sel(gas="CO2").sum("district")
    sinks = set(md.sector_ids(role="sink"))
    names = _names(md.groups, "group")
    bands = []
    for g in md.groups["group"]:
        sectors = [s for s, sg in zip(ds["sector"].values, ds["sector_group"].values,
                                      strict=True) if sg == g]
        if not acc["count_sinks"]:
            sectors = [s for s in sectors if s not in sinks]
        if sectors:
            bands.append((names[g], co2.sel(sector=sectors).sum("sector").values,
                          GROUP_COLOURS.get(g, "#aaaaaa")))
    bands.append((bi("外购电力间接排放", "Purchased electricity (scope 2)"),
                  ds["scope2"].sum(["sector", "district"]).values, SCOPE2_COLOUR))
    other = [g for g in acc["target_gases"] if g != "CO2"]
    if other:
        gwp = xr.DataArray([md.gwp[g] for g in other], dims=["gas"], coords={"gas": other})
        nc = (ds["emissions"].sel(gas=other) * gwp).sum(["gas", "sector", "district"])
        bands.append((bi("非二氧化碳温室气体", "Non-CO2 gases (CO2e)"), nc.values, "#c49c94"))
    return bands


def emissions_by_sector(ds: xr.Dataset, md: ModelData, baseline: xr.Dataset | None = None
                        ) -> Figure:
    """Stacked CO2 by bureau group against the reference path (and a baseline run), with the
    cap and the peak year marked."""
    fig = new_figure(10, 5.5)
    ax = fig.subplots()
    x = _years(ds)
    _stack_signed(ax, x, co2_bands(ds, md))
    total = ds["co2_total"].values
    ax.plot(x, total, color="black", lw=2, label=bi("净排放", "Net CO2 (target boundary)"))
    # the reference is what the measures bend the path away from: drawn last, above the bands
    # and the net line, in its own colour and dash so it cannot be read as a band edge
    ax.plot(x, ds["co2_reference"].values, **REFERENCE_STYLE,
            label=bi("参考路径（无措施）", "Reference path (no measures)"))
    if baseline is not None:
        ax.plot(_years(baseline), baseline["co2_total"].values, color="#d62728", ls=":", lw=1.8,
                label=bi("基准情景", f"Baseline run ({baseline.attrs.get('scenario', '')})"))
    _mark_caps(ax, md, x)
    peak = int(x[int(np.nanargmax(total))])
    top = float(np.nanmax(total))
    ax.axvline(peak, color="#d62728", lw=1, ls="-.")
    # below the net line: above it the reference path runs
    ax.annotate(f"达峰 Peak {peak}\n{top:,.0f} 万t", (peak, top), xytext=(8, -30),
                textcoords="offset points", fontsize=9, color="#d62728",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel(bi("二氧化碳", "CO2 (万t/yr)"))
    ax.set_xlabel(bi("年份", "Year"))
    _title(ax, f"分部门二氧化碳排放：{ds.attrs['scenario']}",
           "CO2 emissions by sector against the reference path, with the cap and the peak")
    _legend(ax)
    return Figure("emissions_by_sector", bi("分部门二氧化碳排放", "CO2 emissions by sector"),
                  "Where the city's CO2 comes from each year, how far the measures bend it below "
                  "the no-measure reference path, and when and at what level it peaks against "
                  "the cap.", fig)


def _mark_caps(ax, md: ModelData, x: np.ndarray) -> None:
    t = md.scenario.targets
    peak = t.get("peak") or {}
    if peak.get("cap"):
        ax.axhline(float(peak["cap"]), color="#d62728", lw=1.2, ls=(0, (6, 3)),
                   label=bi("峰值上限", f"Peak cap {float(peak['cap']):,.0f} 万t"))
    caps = t.get("carbon_cap") or {}
    if caps:
        ys = sorted(int(y) for y in caps)
        ax.scatter(ys, [float(caps[y]) for y in ys], marker="v", s=60, color="#d62728",
                   zorder=5, label=bi("碳排放总量上限", "Carbon cap"))


def local_renewable_power(ds: xr.Dataset, md: ModelData) -> np.ndarray:
    """Local renewable power by year (万tce, calorific): the generation of the solar and wind
    sectors, plus the output of renewable-generation measures built in other sectors (new
    waste-to-energy, whose plants' existing output burns biomass counted as a fuel)::

        R[y] = 1.229 * (sum_{s renewable, d} generation[s,d,y]
                        + sum_{m not in those sectors} adoption[m,y] * e_ren[m,y])"""
    ren = md.sector_ids(role="renewable_power")
    gen = ds["generation"].sel(sector=ren).sum(["sector", "district"]).values
    eff = md.effects[md.effects["kind"] == "renewable_generation"]
    sector = eff["measure"].map(md.measures.set_index("measure")["sector"])
    other = eff[~sector.isin(ren)].pivot_table(index="year", columns="measure",
                                               values="value", aggfunc="sum")
    if len(other.columns):
        years = ds["year"].values
        stock = ds["adoption"].sum("district").sel(measure=list(other.columns))
        e = other.reindex(years).fillna(0.0).to_numpy()
        gen = gen + (stock.transpose("year", "measure").values * e).sum(axis=1)
    return gen * WAN_TCE_PER_YI_KWH


def energy_by_carrier(ds: xr.Dataset, md: ModelData) -> Figure:
    """Energy use by carrier (万tce, calorific equivalent) with the total under the
    scenario's accounting rules and any energy caps."""
    fig = new_figure(10, 5.5)
    ax = fig.subplots()
    x = _years(ds)
    names = _names(md.fuels, "fuel")
    bands = [(names[f], ds["fuel_use"].sel(fuel=f).values, FUEL_COLOURS.get(f, "#aaaaaa"))
             for f in ds["fuel_use"]["fuel"].values.tolist()]
    bands.append((bi("外购电力", "Purchased electricity"),
                  ds["purchased_electricity"].values, FUEL_COLOURS["electricity"]))
    bands.append((bi("本地可再生电力", "Local renewable power"),
                  local_renewable_power(ds, md), "#2ca02c"))
    _stack_signed(ax, x, bands)
    ax.plot(x, ds["energy_total"].values, color="black", lw=2,
            label=bi("能源消费总量（核算口径）", "Energy consumption (accounting rules)"))
    caps = md.scenario.targets.get("energy_cap") or {}
    if caps:
        ys = sorted(int(y) for y in caps)
        ax.scatter(ys, [float(caps[y]) for y in ys], marker="v", s=60, color="#d62728",
                   zorder=5, label=bi("能耗总量上限", "Energy cap"))
    ax.set_ylabel(bi("能源", "Energy (万tce/yr)"))
    ax.set_xlabel(bi("年份", "Year"))
    _title(ax, "分品种能源消费（当量值，含原料用能）",
           "Energy use by carrier (calorific equivalent, feedstock included)")
    _legend(ax)
    return Figure("energy_by_carrier", bi("分品种能源消费", "Energy by carrier"),
                  "How the energy mix shifts from coal and oil towards gas, purchased "
                  "electricity and local renewables, and how the counted total compares with "
                  "any energy cap.", fig)


def abatement_wedges(ds: xr.Dataset, md: ModelData) -> Figure:
    """Wedges of CO2 abated by each bureau group's measures, stacked on the solved path up to
    the reference path plus the major projects (万t/yr)."""
    w = abatement.wedges(md, ds)
    years = np.asarray(md.years)
    co2 = ds["co2_total"].sel(year=years).values
    group_of = md.measures.set_index("measure")["group"]
    names = _names(md.groups, "group")
    by_group = w["wedge"].groupby(xr.DataArray(group_of.reindex(w["measure"].values).values,
                                               dims=["measure"], name="group")).sum()
    fig = new_figure(10, 8)
    ax, low = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    bands = [(names[g], by_group.sel(group=g).values, GROUP_COLOURS.get(g, "#aaaaaa"))
             for g in md.groups["group"] if g in by_group["group"].values]
    _stack_signed(ax, years, bands, base=co2)
    ax.plot(years, co2, color="black", lw=2, label=bi("净排放", "Net CO2 (solved pathway)"))
    ref = ds["co2_reference"].sel(year=years).values
    ax.plot(years, ref, **REFERENCE_STYLE,
            label=bi("参考路径（无措施）", "Reference path (no measures)"))
    if "project_co2" in w and float(np.abs(w["project_co2"]).sum()) > 0:
        ax.plot(years, ref + w["project_co2"].sum("project").values, color="#d62728", ls=":",
                lw=1.6, label=bi("参考路径＋重大项目", "Reference + major projects online"))
    ax.set_ylabel(bi("二氧化碳", "CO2 (万t/yr)"))
    # zero-based: on an axis that starts near the path the wedges look many times their size
    lo = min(0.0, float(np.nanmin(co2)))
    ax.set_ylim(bottom=lo * 1.05 if lo < 0 else 0.0)
    ax.axhline(0, color="black", lw=0.6)
    _title(ax, "分领域措施减排量（楔形图）", "Abatement wedges by measure group")
    _legend(ax)
    # the wedges alone, stacked from zero, so each group's share is read off directly
    _stack_signed(low, years, bands)
    low.plot(years, by_group.sum("group").values, color="black", lw=1.4,
             label=bi("措施减排合计", "All measures"))
    low.axhline(0, color="black", lw=0.6)
    low.set_ylabel(bi("减排量", "Abated (万t CO2/yr)"))
    low.set_xlabel(bi("年份", "Year"))
    _legend(low)
    return Figure("abatement_wedges", bi("减排楔形图", "Abatement wedges"),
                  "How much CO2 each bureau's measures take off the path each year, so a reader "
                  "sees whose measures close the gap between the reference path and the target.",
                  fig)


# --------------------------------------------------------------------------------------------
# measures and costs


def mac_bars(md: ModelData, ds: xr.Dataset, year: int,
             min_share: float = MAC_MIN_SHARE) -> pd.DataFrame:
    """The bars of the MAC curve of ``year``: the measures of `abatement.mac_curve` (万t CO2/yr
    at potential and adopted, levelised cost CNY/t CO2), where every measure whose potential is
    below ``min_share`` of the total is grouped: first with the other small measures of its
    field and cost sign (a saving or a cost), then, if that bar is still below the share, into
    one bar "其他 Other". A grouped bar's width is the sum of its members' and its height their
    cost weighted by potential abatement. Bars are in cost order with ``cumulative``
    recomputed, and ``members`` counts the measures in each bar."""
    f = abatement.mac_curve(md, ds, year)
    cols = ["measure", "group", "name_zh", "name_en", "potential_abatement",
            "adopted_abatement", "lcoa"]
    f = f[cols].assign(members=1)
    limit = min_share * float(f["potential_abatement"].sum())
    names = md.groups.set_index("group")
    small = f["potential_abatement"] < limit
    parts = [f[~small]]
    for (g, saving), rows in f[small].groupby(["group", f["lcoa"] < 0], sort=False):
        zh, en = names.loc[g, "name_zh"], names.loc[g, "name_en"]
        kind = ("节约", "saving") if saving else ("成本", "costing")
        parts.append(_grouped(rows, g, f"{zh}其他{kind[0]}型措施（{len(rows)}项）",
                              f"Other {en.lower()} measures, {kind[1]} ({len(rows)})"))
    f = pd.concat(parts, ignore_index=True)
    rest = f["potential_abatement"] < limit  # field groups, or lone measures, still too small
    if int(rest.sum()) >= 2:
        n = int(f.loc[rest, "members"].sum())
        f = pd.concat([f[~rest], _grouped(f[rest], "other", f"其他（{n}项措施）",
                                          f"Other ({n} measures)")], ignore_index=True)
    f = f.sort_values("lcoa", kind="stable").reset_index(drop=True)
    f["cumulative"] = f["potential_abatement"].cumsum()
    return f


def _grouped(rows: pd.DataFrame, group: str, zh: str, en: str) -> pd.DataFrame:
    """One bar for ``rows``: widths added, cost weighted by potential abatement."""
    w = rows["potential_abatement"].to_numpy(float)
    cost = float(np.average(rows["lcoa"], weights=w)) if w.sum() > 0 else float(
        rows["lcoa"].mean())
    return pd.DataFrame([{"measure": "other", "group": group, "name_zh": zh, "name_en": en,
                          "potential_abatement": float(w.sum()),
                          "adopted_abatement": float(rows["adopted_abatement"].sum()),
                          "lcoa": cost, "members": int(rows["members"].sum())}])


def mac_curve(ds: xr.Dataset, md: ModelData, year: int) -> Figure:
    """The marginal abatement cost curve of ``year`` (formula in `model.report.abatement`):
    bar width is the abatement at the measure's potential, the solid part what the pathway
    adopts, the height the levelised cost (CNY/t CO2). Measures too narrow to label are grouped
    into one "其他 Other" bar (`mac_bars`); every other bar carries a number keyed to its
    bilingual name beside the plot."""
    f = mac_bars(md, ds, year)
    fig = new_figure(12, 7)
    ax = fig.subplots()
    left = f["cumulative"].to_numpy() - f["potential_abatement"].to_numpy()
    colours = [OTHER_COLOUR if g == "other" else GROUP_COLOURS.get(g, "#aaaaaa")
               for g in f["group"]]
    ax.bar(left, f["lcoa"], width=f["potential_abatement"], align="edge", color=colours,
           alpha=0.3, edgecolor="white", lw=0.4)
    ax.bar(left, f["lcoa"], width=f["adopted_abatement"], align="edge", color=colours,
           edgecolor="white", lw=0.4)
    keys = _number_bars(ax, f, left)
    names = _names(md.groups, "group")
    groups = [g for g in dict.fromkeys(f["group"]) if g != "other"]
    handles = [matplotlib.patches.Patch(color=GROUP_COLOURS.get(g, "#aaaaaa"), label=names[g])
               for g in groups]
    if "other" in set(f["group"]):
        handles.append(matplotlib.patches.Patch(color=OTHER_COLOUR, label=bi(
            "其他（小措施合并）", f"Other: measures < {MAC_MIN_SHARE:.0%} of the total each")))
    cp = md.carbon_price.set_index("year")["value"].get(year, 0.0)
    if cp:
        handles.append(ax.axhline(cp, color="#d62728", ls="--", lw=1.2,
                                  label=bi("碳价", f"Carbon price {cp:,.0f} CNY/t")))
    ax.axhline(0, color="black", lw=0.6)
    groups_legend = ax.legend(handles=handles, fontsize=8, frameon=False, loc="upper left",
                              bbox_to_anchor=(1.01, 1.0), title=bi("领域", "Field"),
                              title_fontsize=8)
    ax.add_artist(groups_legend)
    key = [matplotlib.patches.Patch(color=c, label=f"{n}  {zh} {en}")
           for n, zh, en, c in keys]
    ax.legend(handles=key, fontsize=7, frameon=False, loc="lower left",
              bbox_to_anchor=(1.01, 0.0), title=bi("编号", "Bar numbers"), title_fontsize=8,
              handlelength=1.0)
    ax.set_xlabel(bi("减排潜力", f"Abatement at potential in {year} (万t CO2/yr)"))
    ax.set_ylabel(bi("平准化减排成本", "Levelised cost of abatement (CNY/t CO2)"))
    _title(ax, f"{year}年边际减排成本曲线（实色：路径采用部分）",
           f"Marginal abatement cost curve, {year} (solid: adopted in the pathway; "
           "faded: unused potential)")
    return Figure(f"mac_curve_{year}", bi("边际减排成本曲线", f"MAC curve {year}"),
                  f"Which measures abate CO2 most cheaply in {year}, how much each could "
                  "abate, and how far up the cost curve the least-cost pathway has to go.", fig)


def _number_bars(ax, f: pd.DataFrame, left: np.ndarray) -> list[tuple[int, str, str, str]]:
    """Write a number on each bar (at its end away from zero) and return the key: (number,
    Chinese name, English name, colour) in cost order."""
    keys = []
    for i, r in enumerate(f.itertuples()):
        y = float(r.lcoa)
        ax.annotate(str(i + 1), (left[i] + r.potential_abatement / 2, y),
                    xytext=(0, 2 if y >= 0 else -2), textcoords="offset points",
                    ha="center", va="bottom" if y >= 0 else "top", fontsize=7)
        colour = OTHER_COLOUR if r.group == "other" else GROUP_COLOURS.get(r.group, "#aaaaaa")
        keys.append((i + 1, str(r.name_zh), str(r.name_en), colour))
    return keys


def adoption_share(ds: xr.Dataset, md: ModelData) -> xr.DataArray:
    """adoption[year, measure] / potential[year, measure] (share of potential in use, 0–1),
    on the model years; NaN where a measure has no potential that year."""
    pot = md.potential.groupby(["year", "measure"])["value"].sum().unstack()
    years = md.years
    measures = ds["measure"].values.tolist()
    pot = pot.reindex(index=years, columns=measures).to_numpy()
    ad = ds["adoption"].sum("district").sel(year=years).transpose("year", "measure").values
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pot > 0, np.clip(ad, 0.0, None) / pot, np.nan)
    return xr.DataArray(share, dims=["year", "measure"],
                        coords={"year": years, "measure": measures})


def measure_timing(ds: xr.Dataset, md: ModelData) -> Figure:
    """Heat map of the share of each adopted measure's potential in use, by year."""
    share = adoption_share(ds, md)
    used = (share.fillna(0.0) > 1e-4).any("year")
    meas = md.measures.set_index("measure")
    ids = [m for m in share["measure"].values if bool(used.sel(measure=m))]
    first = {m: int(share["year"].values[np.argmax(share.sel(measure=m).fillna(0).values
                                                   > 1e-4)]) for m in ids}
    order = sorted(ids, key=lambda m: (list(md.groups["group"]).index(meas.loc[m, "group"]),
                                       first[m], m))
    fig = new_figure(11, max(3.5, 0.26 * len(order) + 1.6))
    ax = fig.subplots()
    if not order:
        ax.text(0.5, 0.5, bi("路径未采用任何措施", "The pathway adopts no measure"),
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        data = share.sel(measure=order).transpose("measure", "year").values
        im = ax.imshow(np.ma.masked_invalid(data), aspect="auto", cmap="YlGn", vmin=0, vmax=1,
                       interpolation="nearest")
        ax.set_yticks(range(len(order)),
                      [bi(meas.loc[m, "name_zh"], meas.loc[m, "name_en"]) for m in order],
                      fontsize=7)
        years = share["year"].values
        ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=90, fontsize=8)
        for tick, m in zip(ax.get_yticklabels(), order, strict=True):
            tick.set_color(GROUP_COLOURS.get(meas.loc[m, "group"], "black"))
        cb = fig.colorbar(im, ax=ax, shrink=0.8)
        cb.set_label(bi("潜力利用率", "Share of potential in use"))
    _title(ax, "措施实施时序（按领域着色）", "Measure timing: share of potential in use "
           "(labels coloured by bureau group)")
    return Figure("measure_timing", bi("措施实施时序", "Measure timing"),
                  "Which measures the pathway takes up, from which year and how fast, so each "
                  "bureau sees when its measures must start.", fig)


# --------------------------------------------------------------------------------------------
# targets


def target_label(target: str, family: str, md: ModelData | None = None) -> str:
    """A target's bilingual name for people (`peakpath.core.targets.FAMILY_LABELS`); a limit
    is named by its quantity and the sectors or districts it covers when ``md`` is given."""
    zh, en = FAMILY_LABELS.get(family, (target, target))
    if family != "limit":
        return bi(zh, en)
    lim = next((x for x in ((md.scenario.targets.get("limits") or []) if md is not None else [])
                if x.get("id") == target), None)
    if lim is None:
        return bi(f"{zh}：{target}", f"{en}: {target}")
    q_zh, q_en = LIMIT_QUANTITY_LABELS.get(lim.get("quantity"), (lim.get("quantity"),) * 2)
    where_zh, where_en = [], []
    for key, frame, col in (("sectors", md.sectors, "sector"),
                            ("districts", md.districts, "district")):
        names = frame.set_index(col) if col in frame.columns else None
        for i in lim.get(key) or []:
            known = names is not None and i in names.index
            where_zh.append(str(names.loc[i, "name_zh"]) if known else str(i))
            where_en.append(str(names.loc[i, "name_en"]) if known else str(i))
    place_zh = "、".join(where_zh) or "全市"
    place_en = ", ".join(where_en) or "city"
    return bi(f"{place_zh}{q_zh}限额", f"{q_en} limit, {place_en}")


#: the quantities a `targets.limits` entry may bound (`peakpath.io.scenario.LIMIT_QUANTITIES`)
LIMIT_QUANTITY_LABELS = {"co2": ("二氧化碳", "CO2"), "energy": ("能耗", "Energy"),
                         "coal": ("煤炭", "Coal"), "gas": ("天然气", "Natural gas"),
                         "oil": ("石油", "Oil"), "investment": ("投资", "Investment")}


def binding_prices(tt: pd.DataFrame) -> pd.DataFrame:
    """Shadow prices by target and year (target × year), NaN where the target does not bind:
    a zero dual is no price, and a line drawn through it would read as a falling price."""
    price = tt["shadow_price"].where(tt["binding"] & (tt["shadow_price"].abs() > 1e-9))
    f = tt.assign(price=price).groupby(["target", "year"], sort=False)["price"].sum(
        min_count=1).unstack("year")
    return f.reindex(index=list(dict.fromkeys(tt["target"])),
                     columns=sorted(int(y) for y in set(tt["year"])))


def shadow_prices(ds: xr.Dataset, md: ModelData | None = None) -> Figure:
    """Shadow prices of the targets that bind, one panel per unit (CNY per t CO2, per tce,
    per unit of a share): markers where a target binds, lines only between consecutive binding
    years, nothing where it does not bind (`binding_prices`). Targets that never bind are
    named in a note under the panels. ``md`` names the limits."""
    tt = target_frame(ds)
    prices = binding_prices(tt) if len(tt) else pd.DataFrame()
    family = dict(zip(tt["target"], tt["family"], strict=False))
    binds = [t for t in prices.index if prices.loc[t].notna().any()]
    idle = [t for t in dict.fromkeys(tt["target"]) if t not in binds]
    units = list(dict.fromkeys(tt.loc[tt["target"].isin(binds), "shadow_unit"])) or [
        "CNY/t CO2"]
    fig = new_figure(10, 2.6 * len(units) + 1.6)
    axes = np.atleast_1d(fig.subplots(len(units), 1, sharex=True, squeeze=False)[:, 0])
    for ax, unit in zip(axes, units, strict=True):
        part = [t for t in dict.fromkeys(tt.loc[tt["shadow_unit"] == unit, "target"])
                if t in binds]
        for target in part:
            row = prices.loc[target].dropna().reindex(prices.columns).sort_index()
            ax.plot(row.index.astype(int), row.to_numpy(float), marker="o", ms=5, lw=1.4,
                    label=target_label(target, family[target], md))
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel(bi("影子价格", f"Shadow price ({unit})"), fontsize=9)
        _legend(ax)
    if not binds:
        axes[0].text(0.5, 0.5, bi("本情景无起约束的目标", "No target binds in this scenario"),
                     ha="center", va="center", transform=axes[0].transAxes)
    if idle:
        names = "；".join(target_label(t, family[t], md) for t in idle)
        note = textwrap.fill(f"不起约束的目标 Targets that never bind: {names}", 120)
        axes[-1].annotate(note, (0, 0), xycoords="axes fraction", xytext=(0, -42),
                          textcoords="offset points", va="top", fontsize=8, color="#555555")
    axes[-1].set_xlabel(bi("目标年份", "Target year"))
    _title(axes[0], "起约束目标的影子价格（边际成本；仅标出起约束的年份）",
           "Shadow prices of the binding targets (marginal cost, money of the target's year; "
           "shown only where the target binds)")
    return Figure("shadow_prices", bi("目标影子价格", "Shadow prices of the targets"),
                  "Which targets actually constrain the pathway and what one more tonne of CO2 "
                  "or tce of energy saved would cost under each of them, year by year.", fig)


def target_frame(ds: xr.Dataset) -> pd.DataFrame:
    """The target table of a results Dataset (one row per target row)."""
    cols = ["target", "family", "year", "sense", "limit", "achieved", "unit", "shadow_price",
            "shadow_unit", "binding", "shortfall"]
    if not all(f"target_{c}" in ds for c in cols):
        raise ValueError("the results have no target table (target_* variables)")
    f = pd.DataFrame({c: ds[f"target_{c}"].values for c in cols})
    # typed even when empty (a scenario without targets), so filters keep the columns
    return f.astype({"binding": bool, "year": int, "limit": float, "achieved": float,
                     "shadow_price": float, "shortfall": float})


def plan_targets(ds: xr.Dataset, md: ModelData, family: str, var: str) -> pd.DataFrame:
    """Intensity targets as levels: for each plan period ending T with a required change c,
    the level var[T-5] × (1 + c), beside what the pathway achieves."""
    goals = md.scenario.targets.get(family) or {}
    v = ds[var].to_series()
    rows = [{"year": int(t), "start": int(t) - 5, "change": float(c),
             "target": float(v[int(t) - 5]) * (1.0 + float(c)), "achieved": float(v[int(t)])}
            for t, c in sorted(goals.items()) if int(t) - 5 in v.index and int(t) in v.index]
    return pd.DataFrame(rows, columns=["year", "start", "change", "target", "achieved"])


def intensity_targets(ds: xr.Dataset, md: ModelData) -> Figure:
    """Energy intensity (tce/万元) and carbon intensity (t CO2/万元) against their plan-period
    targets."""
    fig = new_figure(11, 4.8)
    axes = fig.subplots(1, 2)
    x = _years(ds)
    specs = (("energy_intensity", "energy_intensity", "能耗强度", "Energy intensity",
              "tce/万元", None),
             ("carbon_intensity", "carbon_intensity", "碳排放强度", "Carbon intensity",
              "t CO2/万元", ds["co2_reference"] / ds["gdp"]))
    for ax, (family, var, zh, en, unit, ref) in zip(axes, specs, strict=True):
        ax.plot(x, ds[var].values, color="black", lw=2, label=bi("路径", "Pathway"))
        if ref is not None:
            ax.plot(x, ref.values, **REFERENCE_STYLE, label=bi("参考路径", "Reference path"))
        pt = plan_targets(ds, md, family, var)
        for r in pt.itertuples():
            ax.plot([r.start, r.year], [float(ds[var].sel(year=r.start)), r.target],
                    color="#d62728", ls=":", lw=1)
        if len(pt):
            ax.scatter(pt["year"], pt["target"], marker="v", s=70, color="#d62728", zorder=5,
                       label=bi("规划目标", "Plan-period target"))
        ax.set_ylabel(f"{zh} {en} ({unit})")
        ax.set_xlabel(bi("年份", "Year"))
        _title(ax, f"{zh}与目标", f"{en} against its targets")
        ax.legend(fontsize=8, frameon=False)
    return Figure("intensity_targets", bi("能耗强度与碳排放强度", "Energy and carbon intensity"),
                  "Whether energy use and CO2 per unit of GDP fall fast enough in each "
                  "five-year plan period to meet the intensity targets, and by what margin.",
                  fig)


#: cost components of results.nc (`peakpath.core.objective`), in objective order
COST_COMPONENT_LABELS = {
    "capex": ("投资（年金）", "Capital (annuities)"), "om": ("运维", "O&M"),
    "fuel": ("燃料（不含税）", "Fuel (net of tax)"),
    "electricity": ("外购电力（不含税）", "Purchased electricity (net of tax)"),
    "network": ("输配电费", "Grid charges"), "hurdle": ("能效缺口（隐性成本）",
                                                   "Efficiency gap (hidden cost)"),
    "tax": ("税费", "Taxes"), "carbon": ("碳价", "Carbon price"),
    "project_value": ("重大项目价值（负）", "Value of major projects (negative)"),
    "penalty": ("未达目标罚金", "Penalty on unmet targets"),
}


def discounted_components(ds: xr.Dataset) -> pd.Series:
    """Cost by component as weighted in the objective (亿元 present value; results.nc
    ``cost_pv``)."""
    return present_value(ds).to_pandas() / 1e4  # 万元 -> 亿元


def cost_components(ds: xr.Dataset, baseline: xr.Dataset | None = None) -> Figure:
    """The pathway's discounted cost by component (亿元, base-year money) on a zero-based
    horizontal bar chart with each value written beside its bar; with a ``baseline`` run, the
    difference pathway − baseline by component instead, since the totals of two pathways
    differ by a few per cent and their gaps are invisible side by side."""
    own = discounted_components(ds)
    diff = baseline is not None
    if diff:
        other = discounted_components(baseline)
        values = own.subtract(other, fill_value=0.0)
    else:
        values = own
    order = [c for c in COST_COMPONENT_LABELS if c in values.index] + [
        c for c in values.index if c not in COST_COMPONENT_LABELS]
    values = values.reindex(order)
    values["total"] = float(values.sum())
    labels = [bi(*COST_COMPONENT_LABELS.get(c, (c, c))) for c in order] + [bi("合计", "Total")]
    fig = new_figure(10, 0.42 * len(values) + 2.2)
    ax = fig.subplots()
    y = np.arange(len(values))[::-1]
    colours = ["#2ca02c" if v < 0 else "#d62728" if diff else "#1f77b4" for v in values]
    colours[-1] = "black"
    ax.barh(y, values.to_numpy(), color=colours, height=0.65)
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    span = float(np.abs(values).max()) or 1.0
    for yi, v in zip(y, values.to_numpy(), strict=True):
        ax.annotate(f"{v:+,.1f}" if diff else f"{v:,.1f}", (v, yi),
                    xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=8)
    # room for the value labels on both sides of zero
    lo, hi = min(0.0, float(values.min())), max(0.0, float(values.max()))
    ax.set_xlim(lo - 0.18 * span if lo < 0 else -0.02 * span,
                hi + 0.18 * span if hi > 0 else 0.02 * span)
    if diff:
        name = baseline.attrs.get("scenario", "")
        ax.set_xlabel(bi("成本差值", f"Discounted cost, pathway − {name} (亿元, 2020 prices)"))
        _title(ax, f"与基准情景（{name}）相比的折现成本差值",
               f"Discounted cost difference from the baseline run ({name}) by component")
        caption = ("Where the pathway costs more or less than the baseline run, component by "
                   "component, and the net difference in present value.")
    else:
        ax.set_xlabel(bi("折现成本", "Discounted cost (亿元, 2020 prices)"))
        _title(ax, "分项折现成本（折现至基准年）",
               "Discounted cost by component (present value in base-year money)")
        caption = ("What the pathway costs in present value and which components (capital, "
                   "fuel, electricity, taxes, project value) make up the total.")
    return Figure("cost_components", bi("成本构成", "Cost by component"), caption, fig)


# --------------------------------------------------------------------------------------------
# batches and districts


def fan_chart(batch: xr.Dataset, quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
              ) -> Figure:
    """Fan charts of CO2 (万t) and of the yearly cost (亿元, undiscounted) across the scenarios
    of a batch (a Dataset with a ``scenario`` dimension): median, 25–75 % and 5–95 % bands."""
    if "scenario" not in batch.dims or batch.sizes["scenario"] < 2:
        raise ValueError("a fan chart needs a batch Dataset with at least two scenarios")
    # the base year (first) has no decisions and so no cost: the cost fan starts after it
    series = (("co2_total", batch["co2_total"], "二氧化碳", "CO2 (万t/yr)"),
              ("cost", batch["cost"].sum("component").isel(year=slice(1, None)) / 1e4,
               "年度成本", "Yearly cost (亿元, undiscounted)"))
    fig = new_figure(11, 4.8)
    axes = fig.subplots(1, 2)
    for ax, (_, da, zh, en) in zip(axes, series, strict=True):
        x = da["year"].values.astype(int)
        vals = da.transpose("scenario", "year").values
        ok = ~np.all(np.isnan(vals), axis=1)
        q = np.nanquantile(vals[ok], quantiles, axis=0)
        lo, mid, hi = 0, len(quantiles) // 2, len(quantiles) - 1
        ax.fill_between(x, q[lo], q[hi], color="#1f77b4", alpha=0.2,
                        label=f"{quantiles[lo]:.0%}–{quantiles[hi]:.0%}")
        if len(quantiles) >= 5:
            ax.fill_between(x, q[1], q[-2], color="#1f77b4", alpha=0.35,
                            label=f"{quantiles[1]:.0%}–{quantiles[-2]:.0%}")
        ax.plot(x, q[mid], color="#1f77b4", lw=2, label=bi("中位数", "Median"))
        ax.set_ylabel(bi(zh, en))
        ax.set_xlabel(bi("年份", "Year"))
        _title(ax, f"{zh}的不确定性（{int(ok.sum())}个情景）",
               f"Spread across {int(ok.sum())} scenarios")
        ax.legend(fontsize=8, frameon=False)
    return Figure("fan_chart", bi("蒙特卡洛扇形图", "Monte Carlo fan chart"),
                  "How wide the range of CO2 paths and yearly costs is when the uncertain inputs "
                  "vary, and so how robust the peak and the budget are.", fig)


def district_co2(ds: xr.Dataset, md: ModelData) -> xr.DataArray:
    """CO2 on the target boundary by district and year (万t): direct CO2 (sinks netted when
    counted), purchased electricity and targeted non-CO2 gases."""
    acc = md.scenario.accounting
    em = ds["emissions"]
    sectors = ds["sector"].values.tolist()
    if not acc["count_sinks"]:
        sinks = set(md.sector_ids(role="sink"))
        sectors = [s for s in sectors if s not in sinks]
    out = em.sel(gas="CO2", sector=sectors).sum("sector") + ds["scope2"].sum("sector")
    for g in acc["target_gases"]:
        if g != "CO2":
            out = out + em.sel(gas=g).sum("sector") * md.gwp[g]
    return out


def district_bars(ds: xr.Dataset, md: ModelData, years: list[int] | None = None) -> Figure:
    """Grouped bars of each district's CO2 (万t) in the base year, the peak year, 2030 and the
    last year."""
    if ds.sizes.get("district", 1) < 2:
        raise ValueError("district bars need a run with districts (scenario: districts: true)")
    total = ds["co2_total"]
    peak = int(total["year"].values[int(np.nanargmax(total.values))])
    all_years = _years(ds).tolist()
    years = years or sorted({all_years[0], peak, *([2030] if 2030 in all_years else []),
                             all_years[-1]})
    co2 = district_co2(ds, md).sel(year=years)
    names = _names(md.districts, "district")
    ids = co2["district"].values.tolist()
    fig = new_figure(max(8.0, 0.9 * len(ids) + 3), 5)
    ax = fig.subplots()
    width = 0.8 / len(years)
    cmap = matplotlib.colormaps["Blues"]
    for k, y in enumerate(years):
        ax.bar(np.arange(len(ids)) + (k - (len(years) - 1) / 2) * width,
               co2.sel(year=y).values, width=width, color=cmap(0.35 + 0.6 * k / len(years)),
               label=f"{y}{' 达峰 peak' if y == peak else ''}")
    ax.set_xticks(range(len(ids)), [names.get(d, d) for d in ids], rotation=30, ha="right",
                  fontsize=8)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel(bi("二氧化碳", "CO2 (万t/yr)"))
    _title(ax, "分区二氧化碳排放", "CO2 by district (target boundary)")
    ax.legend(fontsize=8, frameon=False)
    return Figure("district_bars", bi("分区排放", "CO2 by district"),
                  "Which districts emit most and how much each one's CO2 falls between the base "
                  "year, the peak and the end of the horizon.", fig)


# --------------------------------------------------------------------------------------------
# the set


def standard_figures(ds: xr.Dataset, md: ModelData, *, baseline: xr.Dataset | None = None,
                     batch: xr.Dataset | None = None, year: int | None = None,
                     costs: bool = True) -> tuple[list[Figure], list[str]]:
    """The standard set for one run, and a note for each figure left out and why. ``year``
    is the MAC curve's year (default 2030, or the last model year); ``costs`` adds the cost
    figure (`cost_components`, the difference from ``baseline`` when given)."""
    year = year or (2030 if 2030 in md.years else md.years[-1])
    figs = [emissions_by_sector(ds, md, baseline), energy_by_carrier(ds, md),
            abatement_wedges(ds, md), mac_curve(ds, md, year), measure_timing(ds, md),
            shadow_prices(ds, md), intensity_targets(ds, md)]
    if costs:
        figs.append(cost_components(ds, baseline))
    notes = []
    if batch is not None and batch.sizes.get("scenario", 0) >= 2:
        figs.append(fan_chart(batch))
    else:
        notes.append("未提供批量结果，无蒙特卡洛扇形图。No Monte Carlo fan chart: no batch "
                     "results were given (peakpath report --batch BATCH).")
    if ds.sizes.get("district", 1) >= 2:
        figs.append(district_bars(ds, md))
    else:
        notes.append("本次求解不分区，无分区柱状图。No district bars: the run is for the whole "
                     "city (scenario setting districts: true solves by district).")
    return figs, notes
