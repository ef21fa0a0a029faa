"""Policy recommendations generated from a solved pathway, never hand-written
(``peakpath recommend RESULTS [--batch DIR]``).

Everything below is read from the solution: per bureau, the measures the least-cost pathway
deploys (how much, from which year, at what cost, for what abatement) and its investment by
year (the demand for green finance); each binding target with its shadow price in plain words;
the targets that cannot be met and by how much; the major projects the pathway leaves out (and,
when ``peakpath projects`` has been run, those it cannot absorb); across a batch, the no-regret
measures (in use at the end of the horizon in at least ``--no-regret`` of the solved
scenarios). `recommend` returns a structured `Recommendations`; ``to_markdown()`` and
``to_html()`` render it Chinese first with English beside, so other reports can embed it.

Units: adoption in each measure's unit; money in 万元 (2020 prices; investment undiscounted);
abatement in 万t CO2 a year; average cost in CNY per t CO2 (= 万元 per 万t); shadow prices in
CNY per unit of the target, money of the target's year.
"""

from __future__ import annotations

import argparse
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from peakpath.cli.commands import command_help
from peakpath.core.targets import FAMILY_LABELS
from peakpath.errors import InputError, Problem
from peakpath.io.atomic import atomic_write_text
from peakpath.io.places import writable_dir
from peakpath.results.dataset import BINDING_TOL, load_results, open_netcdf
from peakpath.results.pathway import Solved, load_solved, measure_accounts

#: share of a batch's scenarios in which a measure must be in use to count as no-regret
NO_REGRET_SHARE = 0.9
#: adoption below this (measure units) counts as not in use (solver noise is far smaller)
IN_USE = 1e-3
MILESTONES = (2025, 2030, 2035)


@dataclass
class MeasureRec:
    measure: str
    name_zh: str
    name_en: str
    unit: str
    first_year: int
    adoption: dict[int, float]
    investment_total: float  # 万元, undiscounted sum over the horizon
    abatement: dict[int, float]  # 万t CO2/yr (positive = less CO2)
    average_cost: float | None  # CNY/t CO2 over the horizon (None without abatement)


@dataclass
class BureauRec:
    group: str
    name_zh: str
    name_en: str
    bureau_zh: str
    bureau_en: str
    measures: list[MeasureRec]
    investment: dict[int, float]  # 万元 by year


@dataclass
class TargetRec:
    id: str
    family: str
    year: int
    limit: float
    achieved: float
    unit: str
    shadow_price: float
    shadow_unit: str
    shortfall: float = 0.0

    def text(self) -> tuple[str, str]:
        zh, en = FAMILY_LABELS.get(self.family, (self.family, self.family))
        if self.shortfall > 0:
            return (f"{zh}（{self.id}）{self.year}年无法实现，缺口{_n(self.shortfall)}"
                    f"（限值{_n(self.limit)}，实际{_n(self.achieved)}，{self.unit}）。",
                    f"{en} ({self.id}) cannot be met in {self.year}: short by "
                    f"{_n(self.shortfall)} (limit {_n(self.limit)}, achieved "
                    f"{_n(self.achieved)}, {self.unit}).")
        return (f"{zh}（{self.id}）在{self.year}年起约束作用：目标每收紧一个单位，系统成本增加"
                f"{_n(self.shadow_price, 1)} {self.shadow_unit}（{self.year}年价格）。",
                f"{en} ({self.id}) binds in {self.year}: tightening it by one unit would raise "
                f"the system cost by {_n(self.shadow_price, 1)} {self.shadow_unit} (money of "
                f"{self.year}).")


@dataclass
class ProjectRec:
    project: str
    name_zh: str
    name_en: str
    reason_zh: str
    reason_en: str


@dataclass
class Recommendations:
    scenario: str
    status: str
    bureaus: list[BureauRec]
    binding: list[TargetRec]
    unmet: list[TargetRec]
    projects_out: list[ProjectRec]
    no_regret: list[tuple[str, str, str, float]] | None = None  # measure, zh, en, share
    batch_size: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def total_investment(self) -> dict[int, float]:
        out: dict[int, float] = {}
        for b in self.bureaus:
            for y, v in b.investment.items():
                out[y] = out.get(y, 0.0) + v
        return out

    def to_markdown(self) -> str:
        return "\n".join(_markdown(self)) + "\n"

    def to_html(self) -> str:
        """A self-contained HTML page."""
        return _html(self)

    def to_html_body(self, shift: int = 0) -> str:
        """The same content as an HTML fragment to embed in another page (the report), its
        headings ``shift`` levels deeper."""
        return _html_body(self, shift)


def _n(x: float, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if abs(x) < 2 and digits == 0:
        digits = 4
    return f"{x:,.{digits}f}"


# --------------------------------------------------------------------------------------------
# building


def targets_of(ds: xr.Dataset) -> tuple[list[TargetRec], list[TargetRec]]:
    """Binding targets (|shadow price| above the results' tolerance, no shortfall) and unmet
    ones (shortfall > 0), from the results' target table."""
    n = ds.sizes.get("target_row", 0)
    binding, unmet = [], []
    for i in range(n):
        def v(name, i=i):
            return ds[f"target_{name}"].values[i]
        rec = TargetRec(str(v("target")), str(v("family")), int(v("year")), float(v("limit")),
                        float(v("achieved")), str(v("unit")), float(v("shadow_price")),
                        str(v("shadow_unit")), float(v("shortfall")))
        if rec.shortfall > 1e-6:
            unmet.append(rec)
        elif bool(v("binding")):
            binding.append(rec)
    return binding, unmet


def bureau_measures(s: Solved) -> list[BureauRec]:
    md = s.md
    m = measure_accounts(s).groupby(["measure", "year"], as_index=False)[
        ["adoption", "investment", "net_cost", "co2"]].sum()
    info = md.measures.set_index("measure")
    m["group"] = m["measure"].map(info["group"])
    out = []
    for g in md.groups.itertuples(index=False):
        f = m[m["group"] == g.group]
        recs = []
        for meas, h in f.groupby("measure"):
            h = h.set_index("year")
            used = h.index[h["adoption"] > IN_USE]
            if not len(used):
                continue
            abate = -h["co2"]
            tot_ab = float(abate.sum())
            recs.append(MeasureRec(
                meas, info.loc[meas, "name_zh"], info.loc[meas, "name_en"],
                info.loc[meas, "unit"], int(used.min()),
                {y: float(h.loc[y, "adoption"]) for y in MILESTONES if y in h.index},
                float(h["investment"].sum()),
                {y: float(abate[y]) for y in MILESTONES if y in abate.index},
                float(h["net_cost"].sum()) / tot_ab if tot_ab > 1e-9 else None))
        recs.sort(key=lambda r: -max(r.abatement.values(), default=0.0))
        inv = f.groupby("year")["investment"].sum()
        out.append(BureauRec(g.group, g.name_zh, g.name_en, g.bureau_zh, g.bureau_en, recs,
                             {int(y): float(v) for y, v in inv.items()}))
    return out


def projects_left_out(s: Solved) -> list[ProjectRec]:
    """Projects the pathway keeps offline, and (after `peakpath projects`) those whose price
    exceeds their value or with which the targets fail."""
    out: list[ProjectRec] = []
    if "project_online" not in s.ds:
        return out
    names = s.md.projects.set_index("project")
    on = s.ds["project_online"].to_pandas()
    for p in on.columns:
        if (on[p] > 0.5).any():
            continue
        out.append(ProjectRec(str(p), names.loc[p, "name_zh"], names.loc[p, "name_en"],
                              "最低成本路径未安排投产（在既定目标下吸纳成本高于其价值或目标无法实现）",
                              "the least-cost pathway keeps it offline (absorbing it costs more "
                              "than it is worth, or the targets would fail)"))
    f = (s.path / "projects" / "projects.csv") if s.path is not None else None
    if f is not None and f.exists():
        t = pd.read_csv(f)
        for r in t.itertuples(index=False):
            if r.project in {x.project for x in out} or bool(r.absorbable):
                continue
            why_zh = ("投产后目标无法实现" if not bool(r.targets_hold)
                      else f"吸纳价格{_n(r.price_wan_cny)}万元高于增加值现值")
            why_en = ("the targets fail with it online" if not bool(r.targets_hold)
                      else f"its price {_n(r.price_wan_cny)} 万元 exceeds the PV of its value "
                      "added")
            out.append(ProjectRec(r.project, names.loc[r.project, "name_zh"],
                                  names.loc[r.project, "name_en"], why_zh, why_en))
    return out


def no_regret(folder: Path, share: float = NO_REGRET_SHARE
              ) -> tuple[list[tuple[str, str, str, float]], int]:
    """Measures in use at the end of the horizon in at least ``share`` of the solved scenarios
    of a batch: those in its batch.nc (solved to optimality), or without one, every
    sub-folder of ``folder`` with a results.nc."""
    ends = _adoption_at_end(Path(folder))
    if len(ends) < 2:  # one run (a run folder given as the batch) makes every measure no-regret
        raise InputError([Problem(str(folder), None, None, "batch",
                                  f"no-regret measures need a batch of at least two solved "
                                  f"scenarios; found {len(ends)}",
                                  "批量结果至少需要两个求解成功的情景")])
    used: dict[str, int] = {}
    names: dict[str, tuple[str, str]] = {}
    for m, zh, en, end in ends:
        for k, z, e, v in zip(m, zh, en, end, strict=True):
            names[str(k)] = (str(z), str(e))
            used[str(k)] = used.get(str(k), 0) + int(v > IN_USE)
    n = len(ends)
    out = [(m, *names[m], c / n) for m, c in used.items() if n and c / n >= share]
    return sorted(out, key=lambda t: (-t[3], t[0])), n


def _adoption_at_end(folder: Path) -> list[tuple]:
    """(measure ids, Chinese names, English names, adoption in the last year) of each solved
    scenario of the batch in ``folder``."""
    nc = folder / "batch.nc"
    if nc.is_file():
        ds = open_netcdf(nc, "batch results file")
        ok = (ds["scenario_status"].values == "optimal" if "scenario_status" in ds else
              np.ones(ds.sizes["scenario"], dtype=bool))
        end = ds["adoption"].sum("district").isel(year=-1).transpose("scenario", "measure")
        m, zh, en = (ds["measure"].values, ds["measure_name_zh"].values,
                     ds["measure_name_en"].values)
        if "scenario" in ds["measure_name_zh"].dims:  # names stacked along scenarios
            zh, en = zh[0], en[0]
        return [(m, zh, en, end.values[i]) for i in np.flatnonzero(ok)]
    runs = sorted(p for p in folder.rglob("results.nc"))
    if not runs:
        raise InputError([Problem(str(folder), None, None, "batch",
                                  "no batch.nc and no results.nc below this folder",
                                  "批量结果文件夹中没有结果")])
    out = []
    for r in runs:
        ds = load_results(r)
        if ds.attrs.get("status") not in ("optimal", "elastic"):
            continue
        out.append((ds["measure"].values, ds["measure_name_zh"].values,
                    ds["measure_name_en"].values,
                    ds["adoption"].sum("district").isel(year=-1).values))
    return out


def recommend(s: Solved, batch: Path | None = None,
              no_regret_share: float = NO_REGRET_SHARE) -> Recommendations:
    binding, unmet = targets_of(s.ds)
    rec = Recommendations(s.scenario.name, str(s.ds.attrs.get("status")), bureau_measures(s),
                          binding, unmet, projects_left_out(s))
    if batch is not None:
        rec.no_regret, rec.batch_size = no_regret(batch, no_regret_share)
    return rec


# --------------------------------------------------------------------------------------------
# rendering


def _milestone_cells(d: dict[int, float]) -> list[str]:
    return [_n(d.get(y), 1) if y in d else "—" for y in MILESTONES]


def _markdown(r: Recommendations) -> list[str]:
    L = [f"# 政策建议 Policy recommendations — {r.scenario}", "",
         f"求解状态 Status: {r.status}。以下内容均由模型解自动生成 / generated from the "
         "solution, not hand-written.", ""]
    L += ["## 1. 约束性目标与影子价格 Binding targets and their shadow prices", ""]
    if not r.binding:
        L.append("- 无约束性目标 / no target binds: the least-cost pathway meets them all "
                 "with room to spare.")
    for t in r.binding:
        zh, en = t.text()
        L.append(f"- {zh} / {en}")
    L += ["", "## 2. 未实现目标 Unmet targets", ""]
    if not r.unmet:
        L.append("- 无 / none: every target is met.")
    for t in r.unmet:
        zh, en = t.text()
        L.append(f"- {zh} / {en}")
    L += ["", "## 3. 各部门措施 Measures by bureau", ""]
    ys = "/".join(str(y) for y in MILESTONES)
    for b in r.bureaus:
        L += [f"### {b.bureau_zh}（{b.name_zh}） / {b.bureau_en} ({b.name_en})", ""]
        if not b.measures:
            L += ["- 本路径无需部署措施 / the pathway deploys no measure here.", ""]
            continue
        L += [f"| 措施 Measure | 起始年 From | 规模 In use {ys} | 累计投资 Investment 万元 | "
              f"减排 Abatement 万t/yr {ys} | 平均成本 Avg. cost CNY/t |",
              "|---|---|---|---|---|---|"]
        for m in b.measures:
            L.append(f"| {m.name_zh} / {m.name_en} ({m.unit}) | {m.first_year} | "
                     f"{' / '.join(_milestone_cells(m.adoption))} | {_n(m.investment_total)} | "
                     f"{' / '.join(_milestone_cells(m.abatement))} | "
                     f"{_n(m.average_cost, 0) if m.average_cost is not None else '—'} |")
        L.append("")
    L += ["## 4. 投资需求（绿色金融） Investment needs (green finance), 万元", ""]
    years = sorted(r.total_investment)
    L += ["| 部门 Bureau | " + " | ".join(str(y) for y in years) + " |",
          "|---|" + "---|" * len(years)]
    for b in r.bureaus:
        L.append(f"| {b.bureau_zh} {b.bureau_en} | "
                 + " | ".join(_n(b.investment.get(y, 0.0)) for y in years) + " |")
    L.append("| 合计 Total | " + " | ".join(_n(r.total_investment[y]) for y in years) + " |")
    L += ["", "## 5. 路径无法吸纳的两高项目 Major projects the pathway cannot absorb", ""]
    if not r.projects_out:
        L.append("- 无 / none: every listed project fits the pathway.")
    for p in r.projects_out:
        L.append(f"- {p.name_zh}（{p.project}）：{p.reason_zh} / {p.name_en}: {p.reason_en}")
    if r.no_regret is not None:
        L += ["", f"## 6. 无悔措施 No-regret measures ({r.batch_size} 个情景 scenarios)", ""]
        if not r.no_regret:
            L.append("- 无 / none reach the threshold.")
        for m, zh, en, share in r.no_regret:
            L.append(f"- {zh} / {en} ({m}): {100 * share:.0f}% 的情景中采用 / in use in "
                     f"{100 * share:.0f}% of scenarios")
    return L


def _html(r: Recommendations) -> str:
    """A self-contained HTML page from the Markdown structure (headings, lists, tables)."""
    style = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:1100px;"
             "margin:2em auto;line-height:1.5}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #bbb;padding:3px 6px;font-size:90%}th{background:#eee}")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(r.scenario)} 政策建议</title><style>{style}</style>"
            "</head><body>\n" + _html_body(r) + "\n</body></html>\n")


def _html_body(r: Recommendations, shift: int = 0) -> str:
    def h(level: int, text: str) -> str:
        n = min(level + shift, 6)
        return f"<h{n}>{text}</h{n}>"

    body: list[str] = []
    table: list[str] | None = None
    for line in _markdown(r):
        esc = html.escape(line)
        if line.startswith("|"):
            cells = [html.escape(c.strip()) for c in line.strip("|").split("|")]
            if set("".join(cells)) <= {"-"}:
                continue
            if table is None:
                table = ["<table>", "<tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr>"]
            else:
                table.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            continue
        if table is not None:
            body += [*table, "</table>"]
            table = None
        if line.startswith("### "):
            body.append(h(3, esc[4:]))
        elif line.startswith("## "):
            body.append(h(2, esc[3:]))
        elif line.startswith("# "):
            body.append(h(1, esc[2:]))
        elif line.startswith("- "):
            body.append(f"<ul><li>{esc[2:]}</li></ul>")
        elif line:
            body.append(f"<p>{esc}</p>")
    if table is not None:
        body += [*table, "</table>"]
    return "\n".join(body)


# --------------------------------------------------------------------------------------------
# CLI


def add_parser(sub) -> None:
    p = sub.add_parser("recommend", help=command_help("recommend"))
    p.add_argument("results", help="a run folder (results/<name>/) or its results.nc")
    p.add_argument("--batch", default=None,
                   help="a batch folder: add the no-regret measures across its scenarios")
    p.add_argument("--no-regret", type=float, default=NO_REGRET_SHARE,
                   help="share of scenarios a no-regret measure is used in (default 0.9)")
    p.add_argument("--out", default=None, help="output folder (default: RESULTS)")
    p.set_defaults(func=cmd_recommend)


def cmd_recommend(args: argparse.Namespace) -> int:
    if not 0 < args.no_regret <= 1:
        raise InputError([Problem("--no-regret", None, None, "range",
                                  "must be a share between 0 and 1", "应为0到1之间的比例")])
    s = load_solved(args.results)
    out = writable_dir(Path(args.out) if args.out else s.path)
    r = recommend(s, Path(args.batch) if args.batch else None, args.no_regret)
    atomic_write_text(out / "recommendations.md", r.to_markdown())
    atomic_write_text(out / "recommendations.html", r.to_html())
    print(f"政策建议 Recommendations: {len(r.binding)} binding targets, {len(r.unmet)} unmet, "
          f"{sum(len(b.measures) for b in r.bureaus)} measures, {len(r.projects_out)} projects "
          f"left out -> {out}/recommendations.md, .html")
    return 0


__all__ = ["BINDING_TOL", "Recommendations", "recommend"]
