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
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.figure
import numpy as np
import pandas as pd
import xarray as xr

from peakpath.core.baseline import ModelData
from peakpath.io.atomic import atomic_write_bytes
from peakpath.io.units import WAN_TCE_PER_YI_KWH
from peakpath.report import abatement
from peakpath.report.fonts import use_cjk_fonts

#: one colour per bureau group, the same in every figure
GROUP_COLOURS = {"energy": "#8c564b", "industry": "#1f77b4", "buildings": "#ff7f0e",
                 "transport": "#9467bd", "agriculture": "#bcbd22", "sinks": "#2ca02c",
                 "ccus": "#17becf"}
SCOPE2_COLOUR = "#7f7f7f"
FUEL_COLOURS = {"coal": "#4d4d4d", "coke": "#8c6d31", "oil": "#d62728",
                "natural_gas": "#ff9896", "biomass": "#98df8a", "electricity": "#1f77b4",
                "heat": "#e377c2"}
DPI = 130


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
    ax.plot(x, ds["co2_reference"].values, color="black", ls="--", lw=1.3,
            label=bi("参考路径（无措施）", "Reference path (no measures)"))
    if baseline is not None:
        ax.plot(_years(baseline), baseline["co2_total"].values, color="#d62728", ls=":", lw=1.8,
                label=bi("基准情景", f"Baseline run ({baseline.attrs.get('scenario', '')})"))
    _mark_caps(ax, md, x)
    peak = int(x[int(np.nanargmax(total))])
    top = float(np.nanmax(total))
    ax.axvline(peak, color="#d62728", lw=1, ls="-.")
    ax.annotate(f"达峰 Peak {peak}\n{top:,.0f} 万t", (peak, top), xytext=(8, 14),
                textcoords="offset points", fontsize=9, color="#d62728")
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
    ren = md.sector_ids(role="renewable_power")
    local = ds["generation"].sel(sector=ren).sum(["sector", "district"]) * WAN_TCE_PER_YI_KWH
    bands.append((bi("本地光伏与风电", "Local solar and wind"), local.values, "#2ca02c"))
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
    fig = new_figure(10, 5.5)
    ax = fig.subplots()
    bands = [(names[g], by_group.sel(group=g).values, GROUP_COLOURS.get(g, "#aaaaaa"))
             for g in md.groups["group"] if g in by_group["group"].values]
    _stack_signed(ax, years, bands, base=co2)
    ax.plot(years, co2, color="black", lw=2, label=bi("净排放", "Net CO2 (solved pathway)"))
    ref = ds["co2_reference"].sel(year=years).values
    ax.plot(years, ref, color="black", ls="--", lw=1.3,
            label=bi("参考路径（无措施）", "Reference path (no measures)"))
    if "project_co2" in w and float(np.abs(w["project_co2"]).sum()) > 0:
        ax.plot(years, ref + w["project_co2"].sum("project").values, color="#d62728", ls=":",
                lw=1.6, label=bi("参考路径＋重大项目", "Reference + major projects online"))
    ax.set_ylabel(bi("二氧化碳", "CO2 (万t/yr)"))
    ax.set_xlabel(bi("年份", "Year"))
    _title(ax, "分领域措施减排量（楔形图）", "Abatement wedges by measure group")
    _legend(ax)
    return Figure("abatement_wedges", bi("减排楔形图", "Abatement wedges"),
                  "How much CO2 each bureau's measures take off the path each year, so a reader "
                  "sees whose measures close the gap between the reference path and the target.",
                  fig)


# --------------------------------------------------------------------------------------------
# measures and costs


def mac_curve(ds: xr.Dataset, md: ModelData, year: int) -> Figure:
    """The marginal abatement cost curve of ``year`` (formula in `model.report.abatement`):
    bar width is the abatement at the measure's potential, the solid part what the pathway
    adopts, the height the levelised cost (CNY/t CO2)."""
    f = abatement.mac_curve(md, ds, year)
    fig = new_figure(11, 6)
    ax = fig.subplots()
    left = f["cumulative"].to_numpy() - f["potential_abatement"].to_numpy()
    colours = [GROUP_COLOURS.get(g, "#aaaaaa") for g in f["group"]]
    ax.bar(left, f["lcoa"], width=f["potential_abatement"], align="edge", color=colours,
           alpha=0.3, edgecolor="white", lw=0.4)
    ax.bar(left, f["lcoa"], width=f["adopted_abatement"], align="edge", color=colours,
           edgecolor="white", lw=0.4)
    names = _names(md.groups, "group")
    for g in dict.fromkeys(f["group"]):
        ax.bar([0], [0], width=0, color=GROUP_COLOURS.get(g, "#aaaaaa"), label=names[g])
    _label_widest(ax, f, left)
    cp = md.carbon_price.set_index("year")["value"].get(year, 0.0)
    if cp:
        ax.axhline(cp, color="#d62728", ls="--", lw=1.2,
                   label=bi("碳价", f"Carbon price {cp:,.0f} CNY/t"))
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel(bi("减排潜力", f"Abatement at potential in {year} (万t CO2/yr)"))
    ax.set_ylabel(bi("平准化减排成本", "Levelised cost of abatement (CNY/t CO2)"))
    _title(ax, f"{year}年边际减排成本曲线（实色：路径采用部分）",
           f"Marginal abatement cost curve, {year} (solid: adopted in the pathway; "
           "faded: unused potential)")
    _legend(ax)
    return Figure(f"mac_curve_{year}", bi("边际减排成本曲线", f"MAC curve {year}"),
                  f"Which measures abate CO2 most cheaply in {year}, how much each could "
                  "abate, and how far up the cost curve the least-cost pathway has to go.", fig)


def _label_widest(ax, f: pd.DataFrame, left: np.ndarray, n: int = 12) -> None:
    """Name the widest bars (the others are too narrow to label legibly)."""
    for i in f["potential_abatement"].nlargest(n).index:
        y = float(f.loc[i, "lcoa"])
        ax.annotate(str(f.loc[i, "name_zh"]),
                    (left[i] + f.loc[i, "potential_abatement"] / 2, y),
                    xytext=(0, 3 if y >= 0 else -3), textcoords="offset points",
                    ha="center", va="bottom" if y >= 0 else "top", rotation=90, fontsize=7)


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


def shadow_prices(ds: xr.Dataset) -> Figure:
    """Shadow prices of the targets over time, one panel per unit (CNY per t CO2, per tce,
    per unit of a share)."""
    tt = target_frame(ds)
    units = list(dict.fromkeys(tt["shadow_unit"])) or ["CNY/t CO2"]
    fig = new_figure(10, 2.6 * len(units) + 1.2)
    axes = np.atleast_1d(fig.subplots(len(units), 1, sharex=True, squeeze=False)[:, 0])
    for ax, unit in zip(axes, units, strict=True):
        part = tt[tt["shadow_unit"] == unit]
        for target, rows in part.groupby("target", sort=False):
            rows = rows.groupby("year")["shadow_price"].sum().sort_index()
            ax.plot(rows.index, rows.to_numpy(), marker="o", ms=4, lw=1.4, label=target)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel(bi("影子价格", f"Shadow price ({unit})"), fontsize=9)
        _legend(ax)
    if tt.empty:
        axes[0].text(0.5, 0.5, bi("本情景无约束目标", "No targets in this scenario"),
                     ha="center", va="center", transform=axes[0].transAxes)
    axes[-1].set_xlabel(bi("目标年份", "Target year"))
    _title(axes[0], "约束目标的影子价格（边际成本）",
           "Shadow prices of the targets (marginal cost, money of the target's year)")
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
            ax.plot(x, ref.values, color="black", ls="--", lw=1.2,
                    label=bi("参考路径", "Reference path"))
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
                     batch: xr.Dataset | None = None, year: int | None = None
                     ) -> tuple[list[Figure], list[str]]:
    """The standard set for one run, and a note for each figure left out and why. ``year``
    is the MAC curve's year (default 2030, or the last model year)."""
    year = year or (2030 if 2030 in md.years else md.years[-1])
    figs = [emissions_by_sector(ds, md, baseline), energy_by_carrier(ds, md),
            abatement_wedges(ds, md), mac_curve(ds, md, year), measure_timing(ds, md),
            shadow_prices(ds), intensity_targets(ds, md)]
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
