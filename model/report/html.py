"""One self-contained HTML report of a solved pathway: summary, figures (embedded PNG), target
table and recommendations. Nothing is loaded from the network: images are data URIs, the style
sheet is inline and text uses the fonts installed on the reader's machine.
"""

from __future__ import annotations

import base64
from html import escape

import numpy as np
import pandas as pd
import xarray as xr

from peakpath.report.figures import Figure, target_frame

CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans CJK JP", "Microsoft YaHei", "PingFang SC",
       sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.5; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #8c564b; padding-bottom: 0.2em; margin-top: 2em; }
.meta { color: #666; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.binding td { background: #fdecea; }
figure { margin: 1.5em 0; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; }
.note { color: #666; font-size: 0.9em; }
"""


def figure_html(fig: Figure) -> str:
    """One figure as an embedded PNG with its title and caption."""
    data = base64.b64encode(fig.png()).decode("ascii")
    return (f'<figure id="fig-{escape(fig.name)}"><img alt="{escape(fig.title)}" '
            f'src="data:image/png;base64,{data}">'
            f"<figcaption><b>{escape(fig.title)}.</b> {escape(fig.caption)}</figcaption>"
            "</figure>")


def table_html(frame: pd.DataFrame, *, index: bool = True,
               row_class: list[str] | None = None) -> str:
    """A DataFrame as an HTML table; numbers right-aligned."""
    head = ([escape(str(frame.index.name or ""))] if index else []) + [
        escape(str(c)) for c in frame.columns]
    rows = []
    for k, (idx, row) in enumerate(frame.iterrows()):
        cells = [f"<td>{escape(str(idx))}</td>"] if index else []
        for v in row:
            if isinstance(v, int | np.integer) and not isinstance(v, bool):
                cells.append(f'<td class="num">{int(v)}</td>')  # years and counts as is
            elif isinstance(v, float | np.floating):
                cells.append(f'<td class="num">{_num(v)}</td>')
            else:
                cells.append(f"<td>{escape(str(v))}</td>")
        cls = f' class="{row_class[k]}"' if row_class and row_class[k] else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _num(v: float) -> str:
    v = float(v)
    if np.isnan(v):
        return "—"
    if v != 0 and abs(v) < 1:
        return f"{v:.4g}"
    return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"


def targets_html(ds: xr.Dataset) -> str:
    """The target table: every target row with its limit, what the pathway achieves, its
    shadow price and whether it binds (binding rows highlighted)."""
    tt = target_frame(ds)
    if tt.empty:
        return '<p class="note">本情景无约束目标。The scenario sets no targets.</p>'
    show = pd.DataFrame({
        "目标 Target": tt["target"], "类别 Family": tt["family"], "年份 Year": tt["year"],
        "方向 Sense": tt["sense"].map({"le": "≤", "ge": "≥", "eq": "="}).fillna(tt["sense"]),
        "限值 Limit": tt["limit"], "实现 Achieved": tt["achieved"], "单位 Unit": tt["unit"],
        "影子价格 Shadow price": tt["shadow_price"], "价格单位 Price unit": tt["shadow_unit"],
        "约束 Binding": np.where(tt["binding"], "是 yes", "否 no"),
        "缺口 Shortfall": tt["shortfall"]})
    return table_html(show, index=False,
                      row_class=["binding" if b else "" for b in tt["binding"]])


def fallback_recommendations(ds: xr.Dataset) -> str:
    """What the target table says a decision-maker should know, when
    `peakpath.analysis.recommend` is not there: the binding targets by shadow price, and any
    targets missed."""
    tt = target_frame(ds)
    if ds.attrs.get("mga_index") not in (None, 0):
        return ('<p class="note">近优替代路线没有影子价格。A near-optimal alternative has no '
                "shadow prices: see the optimum's report.</p>")
    items = []
    bind = tt[tt["binding"]].sort_values("shadow_price", key=np.abs, ascending=False)
    for r in bind.itertuples():
        items.append(f"<li><b>{escape(r.target)} {r.year}</b>：约束生效，影子价格 "
                     f"{r.shadow_price:,.0f} {escape(r.shadow_unit)}。The target binds: "
                     f"meeting it one unit more strictly would cost {r.shadow_price:,.0f} "
                     f"{escape(r.shadow_unit)}.</li>")
    for r in tt[tt["shortfall"] > 1e-6].itertuples():
        items.append(f"<li><b>{escape(r.target)} {r.year}</b>：未能实现，缺口 "
                     f"{r.shortfall:,.2f}。Cannot be met: short by {r.shortfall:,.2f} "
                     f"(row units; limit {r.limit:.4g} {escape(r.unit)}).</li>")
    if not items:
        return ('<p>没有约束生效的目标：最低成本路径本身即满足全部目标。No target binds: the '
                "least-cost pathway meets every target on its own.</p>")
    return "<ul>" + "".join(items) + "</ul>"


def render_report(ds: xr.Dataset, figures: list[Figure], summary: pd.DataFrame, *,
                  recommendations_html: str | None = None, notes: list[str] | None = None,
                  description: str = "") -> str:
    """The whole report as one HTML document (UTF-8 text).

    ``summary`` is a one-column metric table (`peakpath.analysis.compare.metrics`);
    ``recommendations_html`` comes from `peakpath.analysis.recommend` when available, else the
    binding targets and shadow prices are listed from the target table."""
    name = str(ds.attrs.get("scenario", ""))
    title = f"碳达峰路径报告 Carbon-peak pathway report — {name}"
    rec = recommendations_html if recommendations_html is not None else (
        fallback_recommendations(ds))
    meta = (f"状态 Status: {escape(str(ds.attrs.get('status', '')))} · "
            f"求解器 Solver: {escape(str(ds.attrs.get('solver_name', '')))} "
            f"{escape(str(ds.attrs.get('solver_version', '')))} · "
            f"输入哈希 Input hash: {escape(str(ds.attrs.get('input_hash', '')))} · "
            f"peakpath {escape(str(ds.attrs.get('peakpath_version', '')))}")
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(description)}</p>" if description else "",
        f'<p class="meta">{meta}</p>',
        "<h2>摘要 Summary</h2>",
        '<p class="note">成本为折现至基准年的系统总成本（亿元，2020年价）；排放为目标口径'
        "（范围一加外购电力，扣除碳汇）的二氧化碳（万吨）。Cost is the discounted system cost "
        "(亿元, 2020 prices); CO2 is on the target boundary (scope 1 + purchased electricity, "
        "net of sinks), in 万t.</p>",
        table_html(summary),
        "<h2>建议 Recommendations</h2>", rec,
        "<h2>图表 Figures</h2>",
        *[figure_html(f) for f in figures],
        *[f'<p class="note">{escape(n)}</p>' for n in (notes or [])],
        "<h2>目标完成情况 Targets</h2>",
        '<p class="note">影子价格为目标年份货币的边际成本。Shadow prices are marginal costs '
        "in money of the target's year; binding rows are highlighted.</p>",
        targets_html(ds),
        "</body>", "</html>",
    ]
    return "\n".join(p for p in parts if p)
