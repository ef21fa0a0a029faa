"""``peakpath assess RESULTS [--batch DIR] [--out DIR] [--lang zh|zh+en] [--rule R]``: the
1+N assessment set of a solved run — the city assessment report and the special reports
(energy, industry with steel, thermal power, petrochemicals, building materials and chemicals,
buildings, transport, agriculture), the key-area papers (two-high projects, CCUS, sinks, green
finance, spatial layout, services, low-carbon living), and one report per district and zone
(`peakpath.report.assess_districts`, targets allocated by ``--rule`` as `peakpath allocate`
does; the overlay units of district_overlays.csv get reports built from their host units),
the carbon-reduction action plans of the state-owned enterprises of soe_enterprises.csv
(`peakpath.report.assess_enterprises`), each as an editable Word file and a self-contained
HTML twin, with an index of every document, its lead bureau and the bureaus responsible.

What goes where is the outline ``templates/assess.yaml`` (titles, headings, which sectors each
report covers, the lead bureau); how a page looks is ``templates/assess_report.html.j2``. Both
are files a modeller edits without touching code. The bureaus come from the dataset's sector
groups as the run's results name them.

Every number is read from the run's results: the Dataset (results.nc) and the accounts derived from
it for the decision commands (`peakpath.results.pathway`: CO2 and energy by sector, each measure's
cost and abatement; `peakpath.analysis.recommend`: measures, binding targets, projects left out;
`model.report.abatement`: the MAC curve; `peakpath.analysis.batch_report`: P(target met) over a
batch).
Nothing is re-solved and no account the model wrote is computed again. Two key-area papers
also read input tables the optimisation does not use: district_area.csv (land areas, km², for
the spatial paper's densities) and behaviour.csv (shares of a sector's CO2 that behaviour
measures remove, applied to the pathway's sector CO2 as wedges outside the pathway and its
targets). Each table states its
unit and where its numbers come from.

Units: energy 万tce (accounting rules of the scenario unless said), CO2 万t on the target
boundary (scope 1 + purchased electricity, net of sinks), money 万元 (2020 prices; investment
undiscounted) and 亿元 for the system cost, abatement cost CNY per t CO2, shares in %.

The set is assembled in a hidden folder beside the output folder and swapped in at once
(`peakpath.io.atomic`), so an interrupted assess leaves the previous set as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from peakpath.cli.commands import command_help
from peakpath.errors import InputError, Problem, line_of
from peakpath.io.places import writable_dir
from peakpath.report.documents import (
    TEMPLATES,
    Document,
    Paragraph,
    Picture,
    Section,
    Table,
    check_docx_template,
    environment,
    index_docx,
    render_docx,
    render_html,
)

if TYPE_CHECKING:
    from peakpath.analysis.allocate import Rule
    from peakpath.report.assess_districts import DistrictReports
    from peakpath.report.assess_enterprises import EnterprisePlans
    from peakpath.results.pathway import Solved

LANGS = ("zh", "zh+en")
#: adoption below this (measure units) counts as not in use (as in `peakpath.analysis.recommend`)
IN_USE = 1e-3
#: target families on CO2: city-wide, listed in every report
CO2_FAMILIES = ("peak", "peak_cap", "peak_decline", "carbon_cap", "carbon_intensity")
#: target families of the energy report
ENERGY_FAMILIES = ("energy_cap", "energy_intensity", "coal_cap", "oil_peak", "non_fossil_share")
#: at most this many rows of measures not worth their cost per report
NOT_WORTH_ROWS = 12


def xr_weights(gwp: Any, gases: list[str]):
    """GWP weights of ``gases`` as an xarray vector over ``gas`` (1 where none is given)."""
    import xarray as xr

    get = gwp.get if hasattr(gwp, "get") else (lambda g, d=1.0: d)
    return xr.DataArray([float(get(g, 1.0)) for g in gases], coords={"gas": gases},
                        dims="gas")


def load_outline(path: str | Path | None = None) -> dict[str, Any]:
    """The outline of the set (``templates/assess.yaml`` unless ``path``)."""
    from peakpath.io.yamlio import read_yaml

    p = Path(path) if path else TEMPLATES / "assess.yaml"
    data, lines = read_yaml(p, "assessment outline", "评估提纲文件")
    check_outline(data, p, lines)
    return data


#: keys of the special reports' headings the writer knows (`parts` only where a report has them)
SPECIAL_KEYS = ("history", "pathway", "parts", "targets", "measures", "projects", "policy",
                "uncertainty")
CITY_KEYS = ("summary", "history", "pathway", "fields", "targets", "measures", "projects",
             "policy", "uncertainty")
ENERGY_TOPICS = ("coal_oil", "dual_control", "non_fossil", "electrification", "other_carriers")
#: key-area papers the writer can fill, and their heading keys
KEYAREA_TOPICS = {"two_high": ("list", "priced", "left_out", "green"),
                  "green_finance": ("by_year", "by_measure", "qualifying", "gap"),
                  "spatial": ("density", "siting"),
                  "services": ("pathway", "measures", "malls"),
                  "living": ("appliances", "behaviour", "gaps")}
#: the spatial-layout paper names this many top districts (CO2 per km², abatement)
SPATIAL_TOP = 3
#: the district reports' heading keys (`peakpath.report.assess_districts`)
DISTRICT_KEYS = ("sources", "history", "targets", "measures", "projects", "flag")


def check_outline(data: Any, path: Path, lines: dict[tuple, int] | None = None) -> None:
    """Refuse an outline the writer cannot follow, naming the file, line and key: its shape
    by `peakpath.io.filemodels.OutlineM`, then the keys and names the writer knows."""
    from peakpath.io.filemodels import OutlineM, validate_model

    lines = lines or {}
    problems: list[Problem] = []

    def bad(key: tuple, msg: str, zh: str) -> None:
        problems.append(Problem(str(path), line_of(lines, key),
                                ".".join(map(str, key)) or None, "outline", msg, zh))

    if not isinstance(data, dict):
        raise InputError([Problem(str(path), None, None, "outline",
                                  "expected a mapping with headings, city_headings, "
                                  "energy_topics and documents", "提纲格式错误")])
    validate_model(OutlineM, data, lambda key, rule, en, zh: bad(key, en, zh))
    if problems:  # the rules below read a well-formed outline
        raise InputError(problems)
    blocks = [("headings", SPECIAL_KEYS), ("city_headings", CITY_KEYS),
              ("energy_topics", ENERGY_TOPICS)]
    if "districts" in data:
        blocks.append(("district_headings", DISTRICT_KEYS))
    for name, known in blocks:
        if data.get(name) is None:
            bad((name,), "missing", "缺少必填项")
        for k in data.get(name) or {}:
            if k not in known:
                bad((name, k), f"unknown heading key; expected one of {', '.join(known)}",
                    "章节键无效")
    for k in ENERGY_TOPICS:  # the energy report writes each of them, in this order
        if k not in data["energy_topics"]:
            bad(("energy_topics",), f"no heading for topic '{k}': the energy report writes "
                f"all of {', '.join(ENERGY_TOPICS)}", "缺少能源专题小节标题")
    for topic, block in data.get("keyarea_headings", {}).items():
        if topic not in KEYAREA_TOPICS:
            bad(("keyarea_headings", topic), "unknown topic; expected one of "
                f"{', '.join(KEYAREA_TOPICS)}", "专题类型无效")
            continue
        for k in block:
            if k not in KEYAREA_TOPICS[topic]:
                bad(("keyarea_headings", topic, k), "unknown heading key; expected one of "
                    f"{', '.join(KEYAREA_TOPICS[topic])}", "章节键无效")
    dist = data.get("districts")
    if dist is not None:
        if "{district}" not in dist["file"] or "/" in dist["file"]:
            bad(("districts", "file"), "expected a file name with {district} and no '/'",
                "文件名须含{district}且不含'/'")
        for k in ("core", "suburban", "zone"):
            if k not in dist["lead"]:
                bad(("districts", "lead"), f"no lead for kind '{k}'", "缺少该类型的牵头单位")
    if data.get("enterprises") is not None:
        _check_enterprises_outline(data["enterprises"], bad)
    files: set[str] = {str((data.get("index") or {}).get("file", "index"))}
    for i, d in enumerate(data["documents"]):
        if d["kind"] == "keyarea" and d.get("topic") not in KEYAREA_TOPICS:
            bad(("documents", i, "topic"), "a key-area paper needs a topic: one of "
                f"{', '.join(KEYAREA_TOPICS)}", "重点领域专题须指定topic")
        if d["file"] in files:
            bad(("documents", i, "file"), f"file name '{d['file']}' is used twice (or by the "
                "index)", "文件名重复")
        files.add(d["file"])
    if problems:
        raise InputError(problems)


def _check_enterprises_outline(ent: dict, bad) -> None:
    """The outline's enterprises block: a file with {enterprise}, a lead and a label per
    ownership, headings the writer knows (`peakpath.report.assess_enterprises`)."""
    from peakpath.report.assess_enterprises import ENTERPRISE_KEYS, OWNERSHIP_ORDER

    if "{enterprise}" not in ent["file"] or "/" in ent["file"]:
        bad(("enterprises", "file"), "expected a file name with {enterprise} and no '/'",
            "文件名须含{enterprise}且不含'/'")
    for block in ("lead", "ownership"):
        for k in OWNERSHIP_ORDER:
            if k not in ent[block]:
                bad(("enterprises", block), f"no {block} for ownership '{k}'", "缺少该出资关系的项")
    for k in ent["headings"]:
        if k not in ENTERPRISE_KEYS:
            bad(("enterprises", "headings", k), "unknown heading key; expected one of "
                f"{', '.join(ENTERPRISE_KEYS)}", "章节键无效")


@dataclass
class Batch:
    """What a batch folder says about uncertainty (`peakpath.analysis.batch_report`)."""

    path: Path
    n: int
    fan: Picture | None
    targets: pd.DataFrame  # target, family, year, met, probability, shadow_p05/p50/p95
    peak: pd.DataFrame  # metric, year, value, unit


@dataclass
class AssessFiles:
    """What `write_assess` wrote."""

    folder: Path
    documents: list[tuple[Document, Path, Path]] = field(default_factory=list)
    index_html: Path | None = None
    index_docx: Path | None = None


# --------------------------------------------------------------------------------------------
# loading


def load_batch_info(path: str | Path, scenario_years: list[int]) -> Batch:
    """The batch folder's fan chart, target odds and peak verdict; a folder that is not a
    batch is an `InputError` naming it."""
    from peakpath.analysis.batch_report import (
        load_batch_dir,
        peak_outcomes,
        peak_verdict,
        target_probability,
    )
    from peakpath.analysis.compare import load_runs, stack_runs
    from peakpath.report.figures import fan_chart

    p = Path(path)
    if not p.is_dir():
        raise InputError([Problem(str(p), None, None, "batch", "--batch: not a folder; give "
                                  "a batch's results folder (with summary.csv)",
                                  "批量结果应为文件夹")])
    table, bds = load_batch_dir(p)
    stack = bds if bds is not None and "co2_total" in bds and "scenario" in bds.dims else None
    if stack is None:  # no batch.nc: the run folders, labelled by their ids as summary.csv is
        ids = set(table["id"].astype(str))
        runs = [r for r in load_runs([p]) if r.path.name in ids]
        for r in runs:
            r.label = r.path.name
        stack = stack_runs(runs) if runs else None
    fan = None
    if stack is not None and stack.sizes.get("scenario", 0) >= 2:
        f = fan_chart(stack)
        fan = Picture(f.title, f.caption, f.png(), f.name)
    verdict = pd.DataFrame(columns=["metric", "year", "value", "unit"])
    if "peak_year" in table:  # written by every batch since the peak verdict exists
        verdict = peak_verdict(peak_outcomes(table, stack), len(table), scenario_years)
    return Batch(p, len(table), fan, target_probability(p, table), verdict)


# --------------------------------------------------------------------------------------------
# the writer


class Assessment:
    """Builds the documents of one run. ``lang`` is "zh" or "zh+en" (English beside)."""

    def __init__(self, solved: Solved, *, lang: str = "zh", batch: Batch | None = None,
                 outline: dict[str, Any] | None = None, rule: Rule | None = None) -> None:
        from peakpath.analysis.recommend import recommend
        from peakpath.report.figures import target_frame
        from peakpath.results.dataset import summary
        from peakpath.results.pathway import measure_accounts, sector_accounts

        self.s, self.ds, self.md = solved, solved.ds, solved.md
        self.lang = lang
        self.batch = batch
        self.rule = rule
        self.district_reports: DistrictReports | None = None
        self.enterprise_plans: EnterprisePlans | None = None
        self.outline = outline or load_outline()
        self.rec = recommend(solved, batch.path if batch is not None else None)
        self.summary = summary(self.ds, {})
        self.tt = target_frame(self.ds)
        self.base = int(self.ds.attrs["base_year"])
        years = [int(y) for y in self.ds["year"].values]
        self.years = years
        self.show = [self.base] + [int(y) for y in self.outline.get("milestones", [])
                                   if int(y) in years and int(y) != self.base]
        acc = sector_accounts(solved)
        self.acc = acc.groupby(["year", "sector"], as_index=False)[["co2", "energy"]].sum()
        m = measure_accounts(solved)
        self.macc = m.groupby(["measure", "year"], as_index=False)[
            ["adoption", "investment", "net_cost", "co2"]].sum()
        self.sectors = self.md.sectors.set_index("sector")
        self.groups = self.md.groups.set_index("group")
        self.minfo = self.md.measures.set_index("measure")
        self.mrec = {m.measure: (b, m) for b in self.rec.bureaus for m in b.measures}
        self._mac = None
        self._wedges = None

    # ---------------------------------------------------------------- language and helpers

    def t(self, zh: str, en: str) -> str:
        """Chinese, with English beside for ``--lang zh+en``."""
        return zh if self.lang == "zh" or not en else f"{zh} {en}"

    def h(self, spec: dict[str, str]) -> str:
        """A heading or title from the outline ({zh, en})."""
        return self.t(str(spec["zh"]), str(spec.get("en") or ""))

    def sector_name(self, s: str) -> str:
        """A sector's name in the reader's language(s)."""
        r = self.sectors.loc[s]
        return self.t(str(r["name_zh"]), str(r["name_en"]))

    def measure_name(self, m: str) -> str:
        """A measure's name in the reader's language(s)."""
        r = self.minfo.loc[m]
        return self.t(str(r["name_zh"]), str(r["name_en"]))

    def district_name(self, d: str) -> str:
        """A district's name (its id when the dataset does not list it)."""
        f = self.s.data["districts"].set_index("district")
        if d not in f.index:
            return d
        return self.t(str(f.loc[d, "name_zh"]), str(f.loc[d, "name_en"]))

    def select(self, spec: Any) -> list[str]:
        """Sector ids of a selection (`groups`, `sectors`, `roles`), in the dataset's order."""
        if spec in (None, "all"):
            return self.md.sectors["sector"].tolist()
        f = self.md.sectors
        keep = np.zeros(len(f), dtype=bool)
        if spec.get("groups"):
            keep |= f["group"].isin(spec["groups"]).to_numpy()
        if spec.get("sectors"):
            keep |= f["sector"].isin(spec["sectors"]).to_numpy()
        if spec.get("roles"):
            keep |= f["role"].isin(spec["roles"]).to_numpy()
        return f.loc[keep, "sector"].tolist()

    def bureaus_of(self, sectors: list[str]) -> list[str]:
        """The bureaus of the groups of ``sectors``, in the dataset's order."""
        gs = set(self.sectors.loc[sectors, "group"]) if sectors else set()
        return [self.t(str(r.bureau_zh), str(r.bureau_en))
                for r in self.md.groups.itertuples(index=False) if r.group in gs]

    def lead_of(self, spec: dict[str, Any]) -> list[str]:
        """The lead bureau: the dataset's bureau of ``lead_group``, else the outline's."""
        g = spec.get("lead_group")
        if g and g in self.groups.index:
            r = self.groups.loc[g]
            return [self.t(str(r["bureau_zh"]), str(r["bureau_en"]))]
        return [self.h(x) for x in spec.get("lead", [])]

    def src(self, zh: str, en: str) -> str:
        """A table's source line."""
        return self.t(f"来源：{zh}", f"Source: {en}")

    def unit(self, zh: str, en: str = "") -> str:
        """A table's unit line."""
        return self.t(f"单位：{zh}", f"Unit: {en or zh}")

    def year_cols(self, first: list[str], last: list[str] | None = None) -> list[str]:
        """Column headings: ``first``, the years shown, ``last``."""
        return [*first, *(str(y) for y in self.show), *(last or [])]

    def series_row(self, label: str, unit: str, values: pd.Series, source: str,
                   scale: float = 1.0) -> list:
        return [label, unit, *(float(values.get(y, np.nan)) * scale for y in self.show),
                source]

    # ---------------------------------------------------------------- accounts of a field

    def field_co2(self, sectors: list[str]) -> pd.Series:
        """CO2 of ``sectors`` on the target boundary by year (万t; `sector_accounts`)."""
        a = self.acc[self.acc["sector"].isin(sectors)]
        return a.groupby("year")["co2"].sum().reindex(self.years).fillna(0.0)

    def field_energy(self, sectors: list[str]) -> pd.Series:
        """Energy of ``sectors`` on the accounting rules by year (万tce; `sector_accounts`)."""
        a = self.acc[self.acc["sector"].isin(sectors)]
        return a.groupby("year")["energy"].sum().reindex(self.years).fillna(0.0)

    def field_measures(self, sectors: list[str]) -> list[str]:
        """The measures sited in ``sectors``."""
        return [m for m in self.minfo.index if self.minfo.loc[m, "sector"] in sectors]

    def field_abatement(self, sectors: list[str]) -> pd.Series:
        """CO2 abated by the measures of ``sectors`` by year (万t/yr; `measure_accounts`)."""
        ms = self.field_measures(sectors)
        a = self.macc[self.macc["measure"].isin(ms)]
        return (-a.groupby("year")["co2"].sum()).reindex(self.years).fillna(0.0)

    def carrier_use(self, sectors: list[str], fuels: list[str]) -> pd.Series:
        """Use of ``fuels`` by ``sectors`` (万tce, calorific), by year."""
        if not sectors or not fuels:
            return pd.Series(0.0, index=self.years)
        e = self.ds["energy"].sel(sector=sectors, fuel=fuels).sum(["sector", "fuel",
                                                                    "district"])
        return e.to_series().reindex(self.years).fillna(0.0)

    def electrification(self, sectors: list[str]) -> pd.Series:
        """Electricity's share of the final energy use of the end-use sectors among
        ``sectors`` (calorific), by year; NaN without end use."""
        ends = [s for s in sectors if self.sectors.loc[s, "role"] == "end_use"]
        fuels = self.ds["fuel"].values.tolist()
        total = self.carrier_use(ends, fuels)
        elec = self.carrier_use(ends, self.md.fuel_ids(("electricity",)))
        return (elec / total.where(total > 0)).reindex(self.years)

    def mac(self) -> tuple[int, pd.DataFrame]:
        """The MAC curve of 2030 (or the last model year) and its year."""
        from peakpath.report import abatement

        if self._mac is None:
            year = 2030 if 2030 in self.md.years else self.md.years[-1]
            self._mac = (year, abatement.mac_curve(self.md, self.ds, year))
        return self._mac

    def project_co2(self) -> pd.DataFrame | None:
        """CO2 each major project adds while online (year × project, 万t/yr)."""
        from peakpath.report import abatement

        if self._wedges is None:
            w = abatement.wedges(self.md, self.ds)
            self._wedges = (w["project_co2"].to_pandas() if "project_co2" in w
                            else pd.DataFrame())
        return self._wedges

    def project_prices(self) -> dict[str, dict[str, Any]] | None:
        """Each major project's price, per project: what `peakpath projects` wrote beside the
        run (projects/projects.csv) when it was written for these results (same input
        hash); otherwise priced now, as that command does, and written there for the next
        set. None when the dataset lists no projects."""
        if hasattr(self, "_prices"):  # once per set, even where the run folder is read-only
            return self._prices
        self._prices = self._price_projects()
        return self._prices

    def _price_projects(self) -> dict[str, dict[str, Any]] | None:
        from peakpath.analysis.projects_impact import assess as price_projects
        from peakpath.analysis.projects_impact import project_facts

        current = str(self.s.ds.attrs.get("input_hash", ""))
        f = self.s.path / "projects" / "projects.csv" if self.s.path is not None else None
        t = None
        if f is not None and f.is_file():
            try:
                t = pd.read_csv(f, encoding="utf-8-sig", dtype={"input_hash": str})
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
                raise InputError([Problem(str(f), None, None, "results",
                                          f"cannot read the project prices ({type(e).__name__}"
                                          f": {e}); run peakpath projects again",
                                          "无法读取项目定价结果")]) from None
            if "input_hash" not in t or set(t["input_hash"].astype(str)) != {current}:
                t = None  # priced for other results: price again
        if t is None:
            if project_facts(self.s).empty:
                return None
            t = price_projects(self.s).assign(input_hash=current)
            if f is not None:
                from peakpath.io.atomic import atomic_write_table

                with contextlib.suppress(OSError):  # a read-only run folder: use, not keep
                    f.parent.mkdir(exist_ok=True)
                    atomic_write_table(f, t.to_csv(index=False, float_format="%.8g"))
        return {str(r["project"]): r for r in t.to_dict("records")}

    # ---------------------------------------------------------------- sections

    def history(self, sec: Section, sectors: list[str]) -> None:
        """Base-year energy and CO2 of each sector, and energy by carrier."""
        b = self.base
        if not sectors:
            sec.add(Paragraph(self.t("本数据集中没有本领域的部门，无历史数据。",
                                     "The dataset has no sector of this field: no history.")))
            return
        city = float(self.ds["co2_total"].sel(year=b))
        sec.add(Paragraph(self.t(
            f"基准年为{b}年。下表为各部门基准年的能源消费与二氧化碳排放（目标口径：直接排放加外购"
            "电力，本地发电计入电厂），及其占全市排放的比重。",
            f"The base year is {b}. The table gives each sector's energy use and CO2 in the "
            "base year (target boundary: direct emissions plus purchased electricity, local "
            "generation credited to its plants) and its share of the city's CO2.")))
        rows, tot = [], [0.0, 0.0]
        for s in sectors:
            a = self.acc[(self.acc["sector"] == s) & (self.acc["year"] == b)]
            e, c = float(a["energy"].sum()), float(a["co2"].sum())
            tot[0] += e
            tot[1] += c
            rows.append([self.sector_name(s), e, c, 100 * c / city if city else np.nan])
        rows.append([self.t("合计", "Total"), tot[0], tot[1],
                     100 * tot[1] / city if city else np.nan])
        sec.add(Table(
            self.t(f"{b}年各部门能源消费与排放", f"Energy use and CO2 by sector, {b}"),
            self.unit("能源 万tce（核算口径），二氧化碳 万t，占比 %",
                      "energy 万tce (accounting rules), CO2 万t, share %"),
            self.src("数据（基准年统计，results.nc 部门核算）",
                     "data (base-year statistics; sector accounts of results.nc)"),
            [self.t("部门", "Sector"), self.t("能源消费", "Energy"),
             self.t("二氧化碳", "CO2"), self.t("占全市 %", "Share of city %")],
            rows, digits=[None, 1, 1, 1], row_class=[""] * (len(rows) - 1) + ["total"]))
        fuels = self.ds["fuel"].values.tolist()
        e = self.ds["energy"].sel(year=b, sector=sectors).sum(["sector", "district"]) \
            if sectors else None
        if e is not None:
            rows = [[self.t(str(zh), str(en)), float(v)] for zh, en, v in zip(
                self.ds["fuel_name_zh"].values, self.ds["fuel_name_en"].values,
                e.sel(fuel=fuels).values, strict=True) if abs(float(v)) > 1e-9]
            if rows:
                sec.add(Table(
                    self.t(f"{b}年分品种能源消费", f"Energy use by carrier, {b}"),
                    self.unit("万tce（当量值）", "万tce (calorific equivalent)"),
                    self.src("数据（基准年统计，results.nc energy）",
                             "data (base-year statistics; results.nc energy)"),
                    [self.t("品种", "Carrier"), self.t("消费量", "Use")], rows,
                    digits=[None, 1]))

    def pathway(self, sec: Section, sectors: list[str], city: bool = False) -> None:
        """The reference path against the pathway (city), or the field with and without its
        own measures."""
        co2 = self.field_co2(sectors)
        ab = self.field_abatement(sectors)
        rows = []
        if city:
            sec.add(Paragraph(self.t(
                "参照路径：不采取新措施、不上重大项目，活动水平与自主能效进步按情景设定；优化路径：在目标约束"
                "下系统成本最低的路径。",
                "Reference path: no new measures and no major projects, activity and the "
                "autonomous efficiency trend as in the scenario; pathway: the least-cost "
                "pathway under the targets.")))
            rows.append(self.series_row(
                self.t("参照路径二氧化碳", "CO2, reference path"), "万t",
                self.ds["co2_reference"].to_series(),
                self.t("数据（参照路径）", "data (reference path)")))
        elif sectors:
            sec.add(Paragraph(self.t(
                "本领域的优化路径排放，加上本领域措施的减排量，即为本领域不采取这些措施时的排放（归因参照）。"
                "全市参照路径与优化路径列于表末以作比较。",
                "The field's CO2 on the pathway plus the abatement of its own measures is its "
                "CO2 without them (attributed reference). The city's reference path and "
                "pathway close the table for comparison.")))
            rows.append(self.series_row(
                self.t("本领域排放（不含本领域措施）", "Field CO2 without its measures"), "万t",
                co2 + ab, self.t("路径＋措施", "pathway + measures")))
            rows.append(self.series_row(
                self.t("本领域措施减排量", "Abatement by the field's measures"), "万t/年",
                ab, self.t("措施（results.nc 采用量×单位减排）",
                           "measures (results.nc adoption × CO2 per unit)")))
            rows.append(self.series_row(self.t("本领域排放（优化路径）", "Field CO2, pathway"),
                                        "万t", co2, self.t("路径（部门核算）",
                                                          "pathway (sector accounts)")))
            rows.append(self.series_row(
                self.t("全市参照路径二氧化碳", "City CO2, reference path"), "万t",
                self.ds["co2_reference"].to_series(), self.t("数据（参照路径）",
                                                             "data (reference path)")))
        rows.append(self.series_row(self.t("全市二氧化碳（优化路径）", "City CO2, pathway"),
                                    "万t", self.ds["co2_total"].to_series(),
                                    self.t("路径（results.nc co2_total）",
                                           "pathway (results.nc co2_total)")))
        sec.add(Table(self.t("参照路径与优化路径", "Reference path and pathway"),
                      self.unit("万t CO2（目标口径）", "万t CO2 (target boundary)"),
                      self.src("results.nc（co2_reference、co2_total、部门核算、措施减排）",
                               "results.nc (co2_reference, co2_total, sector accounts, "
                               "measure abatement)"),
                      self.year_cols([self.t("指标", "Indicator"), self.t("单位", "Unit")],
                                     [self.t("来源", "Source")]), rows,
                      digits=[None, None, *[1] * len(self.show), None]))
        if city:
            from peakpath.report.figures import abatement_wedges, emissions_by_sector

            for f in (emissions_by_sector(self.ds, self.md), abatement_wedges(self.ds, self.md)):
                sec.add(Picture(f.title, f.caption, f.png(), f.name))
        elif sectors:
            sec.add(self.field_figure(co2, ab))

    def field_figure(self, co2: pd.Series, ab: pd.Series) -> Picture:
        """The field's CO2 with and without its own measures."""
        from peakpath.report.figures import bi, new_figure

        fig = new_figure(8, 3.8)
        ax = fig.subplots()
        x = np.asarray(self.years)
        ax.plot(x, (co2 + ab).to_numpy(), color="black", ls="--",
                label=bi("不含本领域措施", "Without the field's measures"))
        ax.plot(x, co2.to_numpy(), color="#1f77b4", lw=2, label=bi("优化路径", "Pathway"))
        ax.axhline(0, color="black", lw=0.5)
        ax.set_ylabel(bi("二氧化碳", "CO2 (万t/yr)"))
        ax.set_xlabel(bi("年份", "Year"))
        ax.legend(fontsize=8, frameon=False)
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
        return Picture(self.t("本领域排放路径", "The field's CO2 path"),
                       self.t("虚线与实线之差为本领域措施的减排量。",
                              "The gap between the dashed and solid lines is what the field's "
                              "measures abate."), buf.getvalue(), "field_co2")

    def relevant_targets(self, sectors: list[str], families: tuple[str, ...] | None
                         ) -> pd.DataFrame:
        """Target rows of a report: CO2 families (city-wide), ``families`` (None: all), and the
        limits whose selection touches ``sectors``."""
        tt = self.tt
        if families is None:
            return tt
        limits = {}
        for lim in (json.loads(self.ds.attrs.get("targets", "{}")).get("limits") or []):
            sel = self.select({"groups": lim.get("groups"), "sectors": lim.get("sectors")}) \
                if (lim.get("groups") or lim.get("sectors")) else self.select("all")
            limits[str(lim.get("id"))] = bool(set(sel) & set(sectors))
        keep = tt["family"].isin((*CO2_FAMILIES, *families)) | (
            (tt["family"] == "limit") & tt["target"].map(lambda i: limits.get(str(i), False)))
        return tt[keep]

    def target_table(self, sec: Section, tt: pd.DataFrame) -> None:
        """Target rows with limit, achieved value, status and shadow price."""
        from peakpath.core.targets import FAMILY_LABELS

        if tt.empty:
            sec.add(Paragraph(self.t("本情景未设与本领域相关的约束目标。",
                                     "The scenario sets no target for this field.")))
            return
        sense = {"le": "≤", "ge": "≥", "eq": "="}
        rows, cls = [], []
        # the milestone years, and every year where a target binds or is missed
        keep = tt["year"].isin(self.show) | tt["binding"] | (tt["shortfall"] > 1e-6)
        if not keep.all():
            sec.add(Paragraph(self.t(
                f"下表列出{'、'.join(map(str, self.show[1:]))}年及目标起约束作用或未实现的年份；"
                "其余年份目标均满足（见运行结果 targets.csv）。",
                f"The table shows {', '.join(map(str, self.show[1:]))} and every year in which "
                "a target binds or is missed; it is met in the other years (see the run's "
                "targets.csv)."), note=True))
        for r in tt[keep].itertuples(index=False):
            zh, en = FAMILY_LABELS.get(r.family, (r.family, r.family))
            status = (self.t("未实现", "missed") if r.shortfall > 1e-6 else
                      self.t("约束生效", "binding") if r.binding else self.t("满足", "met"))
            rows.append([f"{self.t(zh, en)}（{r.target}）", int(r.year),
                         sense.get(r.sense, r.sense), float(r.limit), float(r.achieved),
                         str(r.unit), status, float(r.shadow_price), str(r.shadow_unit)])
            cls.append("unmet" if r.shortfall > 1e-6 else "binding" if r.binding else "")
        sec.add(Table(self.t("目标完成情况", "Targets"),
                      self.unit("各行单位见“单位”列；影子价格为目标年份价格",
                                "per row (unit column); shadow prices in money of the "
                                "target's year"),
                      self.src("目标（情景设定）；实现值与影子价格来自 results.nc 目标表",
                               "targets (scenario); achieved values and shadow prices from "
                               "the target table of results.nc"),
                      [self.t("目标", "Target"), self.t("年份", "Year"),
                       self.t("方向", "Sense"), self.t("限值", "Limit"),
                       self.t("实现值", "Achieved"), self.t("单位", "Unit"),
                       self.t("状态", "Status"), self.t("影子价格", "Shadow price"),
                       self.t("价格单位", "Price unit")], rows, row_class=cls))

    def core_indicators(self, sec: Section, sectors: list[str], city: bool = False) -> None:
        """The field's (or the city's) core indicators in the years shown."""
        ds = self.ds
        rows = []
        srcp = self.t("路径", "pathway")
        if city:
            rows += [
                self.series_row(self.t("二氧化碳排放（目标口径）", "CO2 (target boundary)"),
                                "万t", ds["co2_total"].to_series(), srcp),
                self.series_row(self.t("直接排放（范围一）", "Direct CO2 (scope 1)"), "万t",
                                ds["co2_scope1"].to_series(), srcp),
                self.series_row(self.t("能源消费总量", "Energy consumption"), "万tce",
                                ds["energy_total"].to_series(), srcp),
                self.series_row(self.t("非化石能源占比", "Non-fossil share"), "%",
                                ds["non_fossil_share"].to_series(), srcp, 100.0),
                self.series_row(self.t("能耗强度", "Energy intensity"), "tce/万元",
                                ds["energy_intensity"].to_series(), srcp),
                self.series_row(self.t("碳排放强度", "Carbon intensity"), "t CO2/万元",
                                ds["carbon_intensity"].to_series(), srcp),
                self.series_row(self.t("地区生产总值", "GDP"), "亿元",
                                ds["gdp"].to_series(), self.t("数据", "data")),
            ]
        else:
            coal = self.md.coal_fuels
            rows += [
                self.series_row(self.t("二氧化碳排放（目标口径）", "CO2 (target boundary)"),
                                "万t", self.field_co2(sectors), srcp),
                self.series_row(self.t("能源消费（核算口径）", "Energy (accounting rules)"),
                                "万tce", self.field_energy(sectors), srcp),
                self.series_row(self.t("煤炭消费", "Coal use"), "万tce",
                                self.carrier_use(sectors, [f for f in coal
                                                           if f in ds["fuel"].values]), srcp),
            ]
            el = self.electrification(sectors)
            if el.notna().any():
                rows.append(self.series_row(self.t("电气化率（终端）", "Electrification (end use)"),
                                            "%", el, srcp, 100.0))
            non_co2 = ds["emissions_co2e"].sel(sector=sectors).sum(["sector", "district"]) \
                - ds["emissions"].sel(sector=sectors, gas="CO2").sum(["sector", "district"])
            nc = non_co2.to_series()
            if (nc.abs() > 1e-9).any():
                rows.append(self.series_row(self.t("非二氧化碳温室气体", "Non-CO2 GHG"),
                                            "万t CO2e", nc, srcp))
        sec.add(Table(self.t("核心指标", "Core indicators"),
                      self.unit("见各行", "per row"),
                      self.src("results.nc（路径：模型解；数据：输入数据）",
                               "results.nc (pathway: the solution; data: the inputs)"),
                      self.year_cols([self.t("指标", "Indicator"), self.t("单位", "Unit")],
                                     [self.t("来源", "Source")]), rows,
                      digits=[None, None, *[None] * len(self.show), None]))

    def energy_topics(self, sec: Section) -> None:
        """Coal and oil, dual control, non-fossil power, electrification, other carriers."""
        from peakpath.report.figures import plan_targets

        ds, md = self.ds, self.md
        topics = self.outline["energy_topics"]
        cols = self.year_cols([self.t("指标", "Indicator"), self.t("单位", "Unit")],
                              [self.t("来源", "Source")])
        srcp = self.t("路径", "pathway")
        fuels = ds["fuel"].values.tolist()
        fu = ds["fuel_use"].to_pandas()
        coal = [f for f in md.coal_fuels if f in fuels]
        oil = md.fuel_ids(("oil",))
        coal_use = fu[coal].sum(axis=1) if coal else pd.Series(0.0, index=self.years)
        oil_use = fu[oil].sum(axis=1) if oil else pd.Series(0.0, index=self.years)

        s = sec.sub("coal_oil", self.h(topics["coal_oil"]))
        rows = [self.series_row(self.t("煤炭消费量", "Coal use"), "万tce", coal_use, srcp)]
        rows += [self.series_row(self.t(str(ds["fuel_name_zh"].sel(fuel=f).item()),
                                        str(ds["fuel_name_en"].sel(fuel=f).item())), "万tce",
                                 fu[f], srcp) for f in coal if len(coal) > 1]
        rows.append(self.series_row(self.t("石油消费量", "Oil use"), "万tce", oil_use, srcp))
        s.add(Table(self.t("煤炭与石油消费", "Coal and oil use"),
                    self.unit("万tce", "万tce"),
                    self.src("results.nc fuel_use（全市品种消费）",
                             "results.nc fuel_use (city use by carrier)"),
                    cols, rows, digits=[None, None, *[1] * len(self.show), None]))
        if oil and float(oil_use.max()) > 0:
            oy = int(oil_use.idxmax())
            s.add(Paragraph(self.t(
                f"石油消费在{oy}年达到峰值{oil_use[oy]:,.1f}万tce；煤炭消费由{self.base}年的"
                f"{coal_use[self.base]:,.1f}万tce变为{self.years[-1]}年的"
                f"{coal_use[self.years[-1]]:,.1f}万tce。",
                f"Oil use peaks in {oy} at {oil_use[oy]:,.1f} 万tce; coal use goes from "
                f"{coal_use[self.base]:,.1f} 万tce in {self.base} to "
                f"{coal_use[self.years[-1]]:,.1f} 万tce in {self.years[-1]}.")))
        self.target_table(s, self.tt[self.tt["family"].isin(("coal_cap", "oil_peak"))])

        s = sec.sub("dual_control", self.h(topics["dual_control"]))
        rows = [self.series_row(self.t("能源消费总量（核算口径）", "Energy consumption"),
                                "万tce", ds["energy_total"].to_series(), srcp),
                self.series_row(self.t("能耗强度", "Energy intensity"), "tce/万元",
                                ds["energy_intensity"].to_series(), srcp)]
        s.add(Table(self.t("能耗总量与强度", "Energy consumption and intensity"),
                    self.unit("见各行", "per row"),
                    self.src("results.nc energy_total、energy_intensity",
                             "results.nc energy_total, energy_intensity"), cols, rows))
        pt = plan_targets(ds, md, "energy_intensity", "energy_intensity")
        if len(pt):
            ch = ds["energy_intensity"].to_series()
            rows = [[f"{int(r.start) + 1}–{int(r.year)}", 100 * float(r.change),
                     100 * (float(ch[int(r.year)]) / float(ch[int(r.start)]) - 1.0),
                     float(r.target), float(r.achieved)] for r in pt.itertuples()]
            s.add(Table(self.t("五年规划期能耗强度下降", "Energy-intensity change per plan "
                               "period"),
                        self.unit("变化 %，强度 tce/万元", "change %, intensity tce/万元"),
                        self.src("目标（情景）；实现值：results.nc energy_intensity",
                                 "target (scenario); achieved: results.nc energy_intensity"),
                        [self.t("规划期", "Period"), self.t("目标变化 %", "Target change %"),
                         self.t("实现变化 %", "Achieved change %"),
                         self.t("目标强度", "Target level"), self.t("实现强度", "Achieved")],
                        rows, digits=[None, 1, 1, 4, 4]))
        self.target_table(s, self.tt[self.tt["family"].isin(("energy_cap",
                                                              "energy_intensity"))])

        s = sec.sub("non_fossil", self.h(topics["non_fossil"]))
        ren = md.sector_ids(role="renewable_power")
        gen = (ds["generation"].sel(sector=ren).sum(["sector", "district"]).to_series()
               if ren else pd.Series(0.0, index=self.years))
        rows = [self.series_row(self.t("非化石能源占比", "Non-fossil share"), "%",
                                ds["non_fossil_share"].to_series(), srcp, 100.0),
                self.series_row(self.t("本地可再生能源发电量", "Local renewable generation"),
                                "亿kWh", gen, srcp),
                self.series_row(self.t("外购电力", "Purchased electricity"), "万tce",
                                ds["purchased_electricity"].to_series(), srcp)]
        s.add(Table(self.t("非化石能源与电力", "Non-fossil energy and power"),
                    self.unit("见各行", "per row"),
                    self.src("results.nc non_fossil_share、generation、purchased_electricity",
                             "results.nc non_fossil_share, generation, purchased_electricity"),
                    cols, rows))
        self.target_table(s, self.tt[self.tt["family"] == "non_fossil_share"])

        s = sec.sub("electrification", self.h(topics["electrification"]))
        ends = md.sector_ids(role="end_use")
        rows = [self.series_row(self.t("终端电气化率", "Electricity share of final use"), "%",
                                self.electrification(ends), srcp, 100.0)]
        for g in md.groups.itertuples(index=False):
            gs = [x for x in ends if self.sectors.loc[x, "group"] == g.group]
            if gs:
                rows.append(self.series_row(self.t(f"其中：{g.name_zh}", f"of which {g.name_en}"),
                                            "%", self.electrification(gs), srcp, 100.0))
        s.add(Table(self.t("电气化率", "Electrification rate"),
                    self.unit("%（电力占终端用能，当量值）",
                              "% (electricity in final energy use, calorific)"),
                    self.src("results.nc energy（终端部门）",
                             "results.nc energy (end-use sectors)"),
                    cols, rows, digits=[None, None, *[1] * len(self.show), None]))

        s = sec.sub("other_carriers", self.h(topics["other_carriers"]))
        names = [f for f in fuels if any(k in f.lower() for k in ("geothermal", "hydrogen"))]
        if names:
            rows = [self.series_row(self.t(str(ds["fuel_name_zh"].sel(fuel=f).item()),
                                           str(ds["fuel_name_en"].sel(fuel=f).item())),
                                    "万tce", fu[f], srcp) for f in names]
            s.add(Table(self.t("地热与氢能", "Geothermal and hydrogen"), self.unit("万tce"),
                        self.src("results.nc fuel_use", "results.nc fuel_use"), cols, rows))
        else:
            s.add(Paragraph(self.t("数据集中没有地热或氢能品种，本节无数值。",
                                   "The dataset has no geothermal or hydrogen carrier, so this "
                                   "section has no numbers.")))

    def measures(self, sec: Section, sectors: list[str], bureau_column: bool = False,
                 only: list[str] | None = None) -> None:
        """Measures in use: from which year, how much, investment, abatement, average cost
        (``only``: just these measures of ``sectors``)."""
        from peakpath.analysis.recommend import MILESTONES

        avail = [m for m in self.field_measures(sectors) if only is None or m in only]
        ms = [m for m in avail if m in self.mrec]
        sec.add(Paragraph(self.t(
            f"本领域数据中有{len(avail)}项措施，优化路径采用其中{len(ms)}项。",
            f"The data list {len(avail)} measures in this field; the pathway uses {len(ms)} "
            "of them.")))
        if not ms:
            return
        ys = [y for y in MILESTONES if y in self.years]
        rows = []
        for m in sorted(ms, key=lambda m: -max(self.mrec[m][1].abatement.values(),
                                               default=0.0)):
            b, r = self.mrec[m]
            row = [self.measure_name(m)]
            if bureau_column:
                row.append(self.t(b.bureau_zh, b.bureau_en))
            row += [str(r.unit), int(r.first_year),
                    *(r.adoption.get(y, np.nan) for y in ys), r.investment_total,
                    *(r.abatement.get(y, np.nan) for y in ys),
                    r.average_cost if r.average_cost is not None else np.nan]
            rows.append(row)
        cols = [self.t("措施", "Measure")]
        if bureau_column:
            cols.append(self.t("部门", "Bureau"))
        cols += [self.t("单位", "Unit"), self.t("起始年", "From"),
                 *(self.t(f"规模 {y}", f"in use {y}") for y in ys),
                 self.t("累计投资 万元", "Investment 万元"),
                 *(self.t(f"减排 {y}", f"abated {y}") for y in ys),
                 self.t("平均成本 元/t", "Avg. cost CNY/t")]
        sec.add(Table(self.t("措施的时间、成本与减排", "Measures: timing, cost and abatement"),
                      self.unit("规模为措施单位；投资 万元（2020年价，不折现）；减排 万t CO2/年；"
                                "平均成本 元/t CO2",
                                "in use: the measure's unit; investment 万元 (2020 prices, "
                                "undiscounted); abatement 万t CO2/yr; average cost CNY/t CO2"),
                      self.src("措施（results.nc 采用量与新建量；措施成本数据）",
                               "measures (results.nc adoption and new builds; measure cost "
                               "data)"), cols, rows))

    def projects(self, sec: Section, sectors: list[str]) -> None:
        """Major projects of the field: online year and the CO2 they add."""
        md, ds = self.md, self.ds
        pr = md.projects[md.projects["sector"].isin(sectors)] if len(md.projects) else \
            md.projects
        if pr.empty:
            sec.add(Paragraph(self.t("数据中本领域没有列出的重大项目。",
                                     "The data list no major project in this field.")))
            return
        pc = self.project_co2()
        priced = self.project_prices()
        # the project's own district (a city run files every project under the city)
        raw = self.s.data["projects"]
        where = dict(zip(raw["project"], raw["district"], strict=True))
        rows = []
        for r in pr.itertuples(index=False):
            on = ds["project_online"].sel(project=r.project).to_series() \
                if "project_online" in ds else pd.Series(dtype=float)
            first = on.index[on > 0.5]
            co2 = pc[r.project] if pc is not None and r.project in pc else pd.Series(dtype=float)
            rows.append([self.t(str(r.name_zh), str(r.name_en)), self.sector_name(r.sector),
                         self.district_name(str(where.get(r.project, r.district))),
                         int(first.min()) if len(first) else self.t("不投产", "offline"),
                         *(float(co2.get(y, np.nan)) for y in self.show[1:])])
            if priced is not None:
                q = priced.get(r.project, {})
                hold = q.get("targets_hold")
                rows[-1] += [q.get("price_wan_cny", np.nan), q.get("peak_change_wan_t", np.nan),
                             "—" if hold is None else self.t("是", "yes") if bool(hold)
                             else self.t("否", "no")]
        cols = [self.t("项目", "Project"), self.t("部门", "Sector"), self.t("区", "District"),
                self.t("投产年份", "Online"),
                *(self.t(f"新增排放 {y}", f"added CO2 {y}") for y in self.show[1:])]
        if priced is not None:
            cols += [self.t("吸纳价格 万元", "Price 万元"),
                     self.t("峰值变化 万t", "Peak change 万t"),
                     self.t("目标仍满足", "Targets hold")]
        sec.add(Table(self.t("重大项目", "Major projects"),
                      self.unit("新增排放 万t CO2/年；价格为折现系统成本之差，万元",
                                "added CO2 万t CO2/yr; price: difference in discounted system "
                                "cost, 万元"),
                      self.src("数据（项目清单）；投产年份与新增排放来自 results.nc project_online"
                               + ("；价格来自 peakpath projects（projects/projects.csv）"
                                  if priced is not None else ""),
                               "data (project list); online year and added CO2 from "
                               "results.nc project_online" + (
                                   "; price from peakpath projects (projects/projects.csv)"
                                   if priced is not None else "")), cols, rows))

    def policy(self, sec: Section, sectors: list[str], families: tuple[str, ...] | None
               ) -> None:
        """Recommendations generated from the solution (`peakpath.analysis.recommend`, the MAC
        curve)."""
        rel = self.relevant_targets(sectors, families)
        ids = {(str(t), int(y)) for t, y in zip(rel["target"], rel["year"], strict=True)}
        sec.add(Paragraph(self.t("以下建议均由模型解自动生成。",
                                 "Generated from the solution, not hand-written."), note=True))
        s = sec.sub("binding", self.t("约束性目标与影子价格", "Binding targets and shadow prices"))
        binding = [t for t in self.rec.binding if (t.id, t.year) in ids]
        for t in binding:
            zh, en = t.text()
            s.add(Paragraph(self.t(zh, en)))
        for t in (t for t in self.rec.unmet if (t.id, t.year) in ids):
            zh, en = t.text()
            s.add(Paragraph(self.t(zh, en)))
        if not s.blocks:
            s.add(Paragraph(self.t("与本领域相关的目标均未起约束作用：最低成本路径本身即可满足。",
                                   "No target of this field binds: the least-cost pathway "
                                   "meets them on its own.")))
        s = sec.sub("pays", self.t("自身即可收回成本的措施", "Measures that pay for themselves"))
        pays = [self.mrec[m][1] for m in self.field_measures(sectors) if m in self.mrec
                and self.mrec[m][1].average_cost is not None
                and self.mrec[m][1].average_cost < 0]
        for r in pays:
            s.add(Paragraph(self.t(
                f"{r.name_zh}：平均减排成本{r.average_cost:,.0f}元/t（负值即节省），自{r.first_year}年起"
                "推广。", f"{r.name_en}: average abatement cost {r.average_cost:,.0f} CNY/t "
                f"(negative: it saves money), deployed from {r.first_year}.")))
        if not pays:
            s.add(Paragraph(self.t("本领域没有净节省成本的已采用措施。",
                                   "No measure in use in this field saves money on balance.")))
        s = sec.sub("not_worth", self.t("成本高于其价值的措施", "Measures not worth their cost"))
        year, mac = self.mac()
        msec = mac["measure"].map(self.minfo["sector"])
        idle = mac[msec.isin(sectors) & (mac["adoption"] <= IN_USE)]
        if len(idle):
            rows = [[self.measure_name(r.measure), float(r.lcoa),
                     float(r.potential_abatement)]
                    for r in idle.sort_values("lcoa").head(NOT_WORTH_ROWS).itertuples()]
            s.add(Paragraph(self.t(
                f"下列措施{year}年可用但优化路径未采用：在现有目标下，其平准化减排成本高于目标的边际价值。",
                f"These measures are available in {year} but the pathway leaves them out: under "
                "the current targets their levelised cost of abatement exceeds what the "
                "targets are worth at the margin.")))
            s.add(Table(self.t(f"{year}年未采用的措施", f"Measures left out, {year}"),
                        self.unit("平准化成本 元/t CO2；潜力 万t CO2/年",
                                  "levelised cost CNY/t CO2; potential 万t CO2/yr"),
                        self.src("措施（边际减排成本曲线，results.nc 单位减排）",
                                 "measures (MAC curve; results.nc CO2 per unit)"),
                        [self.t("措施", "Measure"), self.t("平准化减排成本", "LCOA"),
                         self.t("减排潜力", "Potential abatement")], rows,
                        digits=[None, 0, 1]))
        else:
            s.add(Paragraph(self.t("本领域可减排的措施均已被采用。",
                                   "Every abating measure of this field is in use.")))
        if self.rec.no_regret is not None:
            s = sec.sub("no_regret", self.t("无悔措施", "No-regret measures"))
            mine = [x for x in self.rec.no_regret if x[0] in self.minfo.index
                    and self.minfo.loc[x[0], "sector"] in sectors]
            for _m, zh, en, share in mine:
                s.add(Paragraph(self.t(f"{zh}：在{100 * share:.0f}%的情景中采用。",
                                       f"{en}: in use in {100 * share:.0f}% of the scenarios.")))
            if not mine:
                s.add(Paragraph(self.t("本领域没有达到无悔门槛的措施。",
                                       "No measure of this field reaches the no-regret "
                                       "threshold.")))
        out = [p for p in self.rec.projects_out
               if p.project in set(self.md.projects.loc[self.md.projects["sector"].isin(
                   sectors), "project"])]
        if out:
            s = sec.sub("projects_out", self.t("路径无法吸纳的重大项目",
                                               "Major projects the pathway cannot absorb"))
            for p in out:
                s.add(Paragraph(self.t(f"{p.name_zh}：{p.reason_zh}", f"{p.name_en}: "
                                       f"{p.reason_en}")))

    def uncertainty(self, sec: Section, sectors: list[str], families: tuple[str, ...] | None
                    ) -> None:
        """The batch's fan chart, P(target met) and P(peak by year); or a note."""
        b = self.batch
        if b is None:
            sec.add(Paragraph(self.t(
                "未提供批量计算结果（--batch DIR），本节无扇形图和目标实现概率。",
                "No batch was given (--batch DIR), so there is no fan chart and no "
                "probability of meeting the targets.")))
            return
        sec.add(Paragraph(self.t(f"批量计算：{b.path}，共{b.n}个情景。",
                                 f"Batch: {b.path}, {b.n} scenarios.")))
        if b.fan is not None:
            sec.add(b.fan)
        if not b.targets.empty:
            rel = self.relevant_targets(sectors, families)
            ids = set(zip(rel["target"].astype(str), rel["year"].astype(int), strict=True))
            from peakpath.core.targets import FAMILY_LABELS

            t = b.targets[[(str(a), int(y)) in ids for a, y in
                           zip(b.targets["target"], b.targets["year"], strict=True)]]
            # the milestone years, and every row that is not certain or that binds somewhere
            t = t[t["year"].isin(self.show) | (t["probability"] < 1.0)
                  | (t["shadow_p50"].abs() > 1e-6)]
            rows = [[f"{self.t(*FAMILY_LABELS.get(r.family, (r.family, r.family)))}"
                     f"（{r.target}）", int(r.year), 100 * float(r.probability),
                     float(r.shadow_p50), str(r.shadow_unit)] for r in t.itertuples()]
            if rows:
                sec.add(Table(self.t("目标实现概率", "Probability of meeting each target"),
                              self.unit("概率 %（占全部情景）；影子价格中位数",
                                        "probability % (of all scenarios); median shadow "
                                        "price"),
                              self.src("批量计算（各情景 summary.json）",
                                       "batch (each scenario's summary.json)"),
                              [self.t("目标", "Target"), self.t("年份", "Year"),
                               self.t("实现概率 %", "P(met) %"),
                               self.t("影子价格中位数", "Median shadow price"),
                               self.t("价格单位", "Price unit")], rows,
                              digits=[None, None, 1, 1, None]))
        p = b.peak[b.peak["metric"] == "p_peak_by"]
        if len(p):
            rows = [[int(r.year), 100 * float(r.value)] for r in p.itertuples()]
            sec.add(Table(self.t("达峰时间概率", "Probability of peaking by a year"),
                          self.unit("%（占已求解情景）", "% (of solved scenarios)"),
                          self.src("批量计算（batch_report 峰值判定）",
                                   "batch (batch-report peak verdict)"),
                          [self.t("不晚于", "By"), self.t("概率 %", "Probability %")], rows,
                          digits=[None, 1]))

    # ---------------------------------------------------------------- documents

    def meta(self, lead: list[str], responsible: list[str], scope: str) -> list[tuple[str, str]]:
        """The lines under a document's title."""
        ds = self.ds
        return [(self.t("牵头单位", "Lead"), "、".join(lead)),
                (self.t("责任单位", "Responsible"), "、".join(responsible) or "—"),
                (self.t("范围", "Scope"), scope),
                (self.t("情景", "Scenario"), str(ds.attrs.get("scenario", ""))),
                (self.t("求解状态", "Status"), str(ds.attrs.get("status", ""))),
                (self.t("输入哈希", "Input hash"), str(ds.attrs.get("input_hash", ""))),
                ("peakpath", str(ds.attrs.get("peakpath_version", "")))]

    def scope_text(self, sectors: list[str]) -> str:
        """The sectors a document covers, as text."""
        if not sectors:
            return self.t("本数据集中无此领域的部门", "no sector of this field in the dataset")
        return "、".join(self.sector_name(s) for s in sectors)

    def special(self, spec: dict[str, Any]) -> Document:
        """One special report, its headings in the outline's order."""
        sectors = self.select(spec.get("select"))
        heads = self.outline["headings"]
        lead = self.lead_of(spec)
        resp = self.bureaus_of(sectors)
        resp = [b for b in lead if b in resp] + [b for b in resp if b not in lead]
        doc = Document(spec["id"], spec["file"], self.h(spec["title"]), lead, resp,
                       self.meta(lead, resp, self.scope_text(sectors)), lang=self.lang)
        energy = spec.get("topic") == "energy"
        families: tuple[str, ...] = ENERGY_FAMILIES if energy else ()
        if not sectors:
            doc.sections.append(Section("empty", self.t("说明", "Note"), [Paragraph(self.t(
                "本次结果的数据集中没有属于本报告的部门；以下各节按提纲列出，以便各单位补充。",
                "The run's dataset has no sector in this report; the sections below are "
                "listed as the outline gives them so that the bureau can fill them in."))]))
        for key in heads:
            if key == "parts":
                if spec.get("parts"):
                    self.parts(doc.section(key, self.h(heads[key])), spec["parts"])
                continue
            sec = doc.section(key, self.h(heads[key]))
            if key == "history":
                self.history(sec, sectors)
            elif key == "pathway":
                self.pathway(sec, sectors)
            elif key == "targets":
                self.target_table(sec, self.relevant_targets(sectors, families))
                if sectors:
                    self.core_indicators(sec, sectors)
                if energy:
                    self.energy_topics(sec)
            elif key == "measures":
                self.measures(sec, sectors)
            elif key == "projects":
                self.projects(sec, sectors)
            elif key == "policy":
                self.policy(sec, sectors, families)
            elif key == "uncertainty":
                self.uncertainty(sec, sectors, families)
        return doc

    def parts(self, top: Section, parts: list[dict[str, Any]]) -> None:
        """One section per sub-sector (the industry report's steel, thermal power ...)."""
        for p in parts:
            sectors = self.select(p.get("select"))
            s = top.sub(f"part-{p['id']}", self.h(p))
            if not sectors:
                s.add(Paragraph(self.t("本数据集中没有该行业的部门。",
                                       "The dataset has no sector of this industry.")))
                continue
            s.add(Paragraph(self.t(f"范围：{self.scope_text(sectors)}；责任单位："
                                   f"{'、'.join(self.bureaus_of(sectors))}。",
                                   f"Scope: {self.scope_text(sectors)}; responsible: "
                                   f"{', '.join(self.bureaus_of(sectors))}.")))
            self.core_indicators(s, sectors)
            self.measures(s, sectors)
            self.projects(s, sectors)

    def city(self, spec: dict[str, Any], specials: list[tuple[dict, Document]]) -> Document:
        """The city assessment report."""
        sectors = self.select("all")
        heads = self.outline["city_headings"]
        lead = self.lead_of(spec)
        resp = self.bureaus_of(sectors)
        doc = Document(spec["id"], spec["file"], self.h(spec["title"]), lead, resp,
                       self.meta(lead, resp, self.t("全市", "the whole city")), lang=self.lang)
        for key in heads:
            sec = doc.section(key, self.h(heads[key]))
            if key == "summary":
                self.findings(sec)
            elif key == "history":
                self.history(sec, sectors)
            elif key == "pathway":
                self.pathway(sec, sectors, city=True)
            elif key == "fields":
                self.fields(sec, specials)
            elif key == "targets":
                self.target_table(sec, self.tt)
                self.core_indicators(sec, sectors, city=True)
            elif key == "measures":
                self.measures(sec, sectors, bureau_column=True)
                self.investment(sec)
            elif key == "projects":
                self.projects(sec, sectors)
            elif key == "policy":
                self.policy(sec, sectors, None)
            elif key == "uncertainty":
                self.uncertainty(sec, sectors, None)
        return doc

    def keyarea(self, spec: dict[str, Any]) -> Document:
        """A key-area paper (two-high projects, green finance, spatial layout, services,
        low-carbon living)."""
        topic = spec["topic"]
        heads = (self.outline.get("keyarea_headings") or {}).get(topic) or {
            k: {"zh": k, "en": k} for k in KEYAREA_TOPICS[topic]}
        sectors = self.select(spec.get("select"))
        lead = self.lead_of(spec)
        acting = sectors
        if topic == "living":  # the sectors the behaviour measures act on are responsible too
            extra = [x for x in self.behaviour_table()["sector"] if x in self.sectors.index]
            acting = [x for x in self.md.sectors["sector"] if x in set(sectors) | set(extra)]
        resp = self.bureaus_of(acting)
        resp = [b for b in lead if b in resp] + [b for b in resp if b not in lead]
        doc = Document(spec["id"], spec["file"], self.h(spec["title"]), lead, resp,
                       self.meta(lead, resp, self.scope_text(sectors)
                                 if spec.get("select") not in (None, "all")
                                 else self.t("全市", "the whole city")), lang=self.lang)
        fill = {"two_high": self.two_high, "green_finance": self.green_finance,
                "spatial": self.spatial, "services": self.services,
                "living": lambda k, sec, ss: self.living(k, sec, ss, spec)}[topic]
        for key in heads:
            fill(key, doc.section(key, self.h(heads[key])), sectors)
        return doc

    def two_high(self, key: str, sec: Section, sectors: list[str]) -> None:
        """The two-high projects: facts, the pathway's decision, their price (when
        `peakpath projects` has run) and those the pathway cannot absorb."""
        from peakpath.analysis.projects_impact import decided, project_facts

        facts = project_facts(self.s)
        facts = facts[facts["sector"].isin(sectors)] if len(facts) else facts
        if key == "list":
            if facts.empty:
                sec.add(Paragraph(self.t("数据中没有列出重大项目。",
                                         "The data list no major project.")))
                return
            on = decided(self.s)
            rows = [[self.t(str(r.name_zh), str(r.name_en)), self.sector_name(r.sector),
                     self.district_name(str(r.district)), float(r.energy), float(r.co2),
                     float(r.value_added),
                     self.t("是", "yes") if r.energy >= 1.0 else self.t("否", "no"),
                     on.get(r.project) if on.get(r.project) is not None
                     else self.t("不投产", "offline")] for r in facts.itertuples()]
            sec.add(Paragraph(self.t(
                "两高项目指年综合能耗1万吨标准煤及以上的项目。下表列出数据中的重大项目、其能耗与排放、"
                "增加值，以及最低成本路径安排的投产年份。",
                "Two-high projects use 1 万tce a year or more. The table lists the data's major "
                "projects with their energy use, CO2 and value added, and the year the least-cost "
                "pathway brings each online.")))
            sec.add(Table(self.t("重大项目清单", "Major projects"),
                          self.unit("能耗 万tce/年；排放 万t CO2/年（首个投产年份）；"
                                    "增加值 亿元/年",
                                    "energy 万tce/yr; CO2 万t/yr (first year online); value "
                                    "added 亿元/yr"),
                          self.src("数据（项目清单与项目能耗）；投产年份：路径（results.nc "
                                   "project_online）",
                                   "data (project list and effects); online year: pathway "
                                   "(results.nc project_online)"),
                          [self.t("项目", "Project"), self.t("部门", "Sector"),
                           self.t("区", "District"), self.t("能耗", "Energy"),
                           self.t("排放", "CO2"), self.t("增加值", "Value added"),
                           self.t("≥1万tce", "≥ 1 万tce"), self.t("投产年份", "Online")],
                          rows, digits=[None, None, None, 1, 1, 1, None, None]))
        elif key == "priced":
            priced = self.project_prices()
            if priced is None:
                sec.add(Paragraph(self.t("数据中没有拟建重大项目，无需定价。",
                                         "The data list no major projects to price.")))
                return
            ends = [y for y in self.show[1:] if f"energy_intensity_{y}" in
                    next(iter(priced.values()))][:2]
            rows = []
            for r in facts.itertuples():
                q = priced.get(r.project)
                if q is None:
                    continue
                rows.append([self.t(str(r.name_zh), str(r.name_en)),
                             float(q.get("price_wan_cny", np.nan)),
                             float(q.get("net_value_wan_cny", np.nan)),
                             float(q.get("peak_change_wan_t", np.nan)),
                             *(float(q.get(f"energy_intensity_{y}", np.nan)) for y in ends),
                             self.t("是", "yes") if bool(q.get("targets_hold")) else
                             self.t("否", "no"),
                             self.t("通过", "pass") if bool(q.get("absorbable")) else
                             self.t("不通过", "fail")])
            sec.add(Paragraph(self.t(
                "吸纳价格为项目投产与不投产两次求解的系统成本之差（不含项目自身增加值）；净价值为"
                "项目增加值现值减去吸纳价格；“通过”指项目投产后全部目标仍可满足且净价值为正。"
                "能耗强度变化为项目使该年全市万元GDP能耗增加的量（能耗双控）；能耗强度目标约束的年份"
                "该变化为零，守住目标的代价计入吸纳价格。",
                "The price is the difference in system cost between solving with and without "
                "the project (its own value added left out); net value is the present value "
                "of its value added less the price; 'pass' means every target still holds "
                "with the project and its net value is positive. The energy-intensity change "
                "is how much the project raises the city's energy per 万元 GDP in that year "
                "(energy dual control); in a year where the intensity target binds it is zero "
                "and the cost of holding the target is in the price.")))
            sec.add(Table(self.t("项目定价", "Project prices"),
                          self.unit("价格、净价值 万元（现值）；峰值变化 万t CO2；能耗强度变化 "
                                    "tce/万元",
                                    "price and net value 万元 (present value); peak change "
                                    "万t CO2; energy-intensity change tce/万元"),
                          self.src("peakpath projects（projects/projects.csv："
                                   "两次求解的系统成本之差）",
                                   "peakpath projects (projects/projects.csv: the difference "
                                   "in system cost of two solves)"),
                          [self.t("项目", "Project"), self.t("吸纳价格", "Price"),
                           self.t("净价值", "Net value"), self.t("峰值变化", "Peak change"),
                           *(self.t(f"能耗强度变化 {y}", f"Energy intensity {y}")
                             for y in ends),
                           self.t("目标仍满足", "Targets hold"), self.t("结论", "Verdict")],
                          rows, digits=[None, 0, 0, 1, *([4] * len(ends)), None, None]))
        elif key == "left_out":
            out = [p for p in self.rec.projects_out if p.project in set(facts["project"])] \
                if len(facts) else []
            for p in out:
                sec.add(Paragraph(self.t(f"{p.name_zh}：{p.reason_zh}",
                                         f"{p.name_en}: {p.reason_en}")))
            if not out:
                sec.add(Paragraph(self.t("无：所列项目均可纳入路径。",
                                         "None: every listed project fits the pathway.")))
        elif key == "green":
            sec.add(Paragraph(self.t(
                "数据中尚无绿色项目清单，本节待数据清单补充后生成。",
                "The data have no list of green projects yet; this section is written once "
                "the data list has one.")))

    def green_finance(self, key: str, sec: Section, sectors: list[str]) -> None:
        """Investment need by year, bureau and measure (`peakpath.analysis.recommend`, measure
        accounts)."""
        if key == "by_year":
            years = sorted(self.rec.total_investment)
            bs = self.rec.bureaus
            rows = [[int(y), *(b.investment.get(y, 0.0) for b in bs),
                     self.rec.total_investment[y]] for y in years]
            rows.append([self.t("合计", "Total"), *(sum(b.investment.values()) for b in bs),
                         sum(self.rec.total_investment.values())])
            sec.add(Table(self.t("分年度、分部门投资需求", "Investment need by year and bureau"),
                          self.unit("万元（2020年价，不折现）", "万元 (2020 prices, undiscounted)"),
                          self.src("措施（results.nc investment：新建量×单位投资）",
                                   "measures (results.nc investment: new builds × capex)"),
                          [self.t("年份", "Year"), *(self.t(b.bureau_zh, b.bureau_en)
                                                     for b in bs), self.t("合计", "Total")],
                          rows, digits=[None, *[0] * (len(bs) + 1)],
                          row_class=[""] * (len(rows) - 1) + ["total"]))
        elif key == "by_measure":
            inv = self.measure_investment()
            inv = inv[inv > 1e-6].sort_values(ascending=False)
            if inv.empty:
                sec.add(Paragraph(self.t("路径没有措施投资。",
                                         "The pathway invests in no measure.")))
                return
            grp = self.md.groups.set_index("group")
            actors = {}
            if "actors" in self.s.data.tables:
                actors = {str(r.actor): self.t(str(r.name_zh), str(r.name_en))
                          for r in self.s.data["actors"].itertuples(index=False)}
            rows = []
            for m, v in inv.items():
                g = self.sectors.loc[self.minfo.loc[m, "sector"], "group"]
                rows.append([self.measure_name(m),
                             self.t(str(grp.loc[g, "bureau_zh"]), str(grp.loc[g, "bureau_en"])),
                             actors.get(str(self.minfo.loc[m, "actor"]),
                                        str(self.minfo.loc[m, "actor"]))
                             if "actor" in self.minfo else "",
                             float(v), 100 * float(v) / float(inv.sum())])
            sec.add(Table(self.t("分措施投资需求", "Investment need by measure"),
                          self.unit("万元（2020年价，不折现，全期合计）；占比 %",
                                    "万元 (2020 prices, undiscounted, horizon total); share %"),
                          self.src("措施（results.nc 新建量×措施单位投资）",
                                   "measures (results.nc new builds × the measure's capex)"),
                          [self.t("措施", "Measure"), self.t("部门", "Bureau"),
                           self.t("投资主体", "Investor"), self.t("投资", "Investment"),
                           self.t("占比 %", "Share %")], rows, digits=[None, None, None, 0, 1]))
        elif key == "qualifying":
            self.finance_qualifying(sec)
        elif key == "gap":
            self.finance_gap(sec)

    #: first level of the green bond catalogue (绿色债券支持项目目录, 2021 edition): the first
    #: digit of a catalogue code in measure_finance.csv; the six classes named in the 2020
    #: draft's explanation and kept in the 2021 edition (SOURCES.md, green finance)
    GB_CATALOGUE_LEVEL1: ClassVar[dict[str, tuple[str, str]]] = {
        "1": ("节能环保产业", "Energy saving and environmental protection"),
        "2": ("清洁生产产业", "Cleaner production"),
        "3": ("清洁能源产业", "Clean energy"),
        "4": ("生态环境产业", "Ecology and environment"),
        "5": ("基础设施绿色升级", "Green upgrading of infrastructure"),
        "6": ("绿色服务", "Green services")}

    def measure_investment(self) -> pd.Series:
        """Investment by measure over the horizon, 万元 (2020 prices, undiscounted; results.nc
        new builds × capex, summed over districts and years): the numbers of the by-measure
        table, which the qualifying and gap sections split."""
        return self.macc.groupby("measure")["investment"].sum()

    def measure_finance(self) -> pd.DataFrame | None:
        """measure_finance.csv indexed by measure, with ``level1`` (the catalogue's first level,
        "" outside it), ``bond`` and ``facility`` (bool); None when the dataset has no such
        table. A catalogue code whose first level is not 1-6 is refused with its line."""
        from peakpath.io.inputs import catalogue_code_ok

        data = self.s.data
        if not data.has("measure_finance"):
            return None
        f = data["measure_finance"].reset_index(drop=True)
        code = f["catalogue_code"].fillna("").astype(str).str.strip()
        ok = pd.Series(catalogue_code_ok(code))  # checked at ingest too; data edited since
        if not ok.all():
            lines = data.lines.get("measure_finance")
            raise InputError([Problem(
                str(Path(data.source) / "measure_finance.csv"),
                int(lines[i]) if lines is not None else i + 2, "catalogue_code", "allowed",
                f"'{code.iloc[i]}' is not a catalogue code: digits separated by dots, the "
                "first one the catalogue's first level (1-6), e.g. 3.2",
                "目录编号应为以点分隔的数字，首位为一级分类（1-6），如 3.2")
                for i in np.flatnonzero(~ok.to_numpy())])
        out = f.set_index("measure")
        out["level1"] = code.str[:1].to_numpy()
        out["bond"] = out["level1"].ne("")
        out["facility"] = out["carbon_facility"].eq("true")
        return out

    def finance_accounts(self, fin: pd.DataFrame) -> pd.DataFrame:
        """Investment by measure and year (万元, the `measure_investment` numbers by year) with
        the measure's bureau, catalogue first level and eligibility; a measure without a row in
        measure_finance.csv counts as not eligible (``mapped`` False)."""
        a = self.macc.groupby(["measure", "year"], as_index=False)["investment"].sum()
        group = self.sectors["group"].reindex(self.minfo["sector"]).to_numpy()
        bureau = pd.DataFrame({"bureau_zh": self.groups["bureau_zh"].reindex(group).to_numpy(),
                               "bureau_en": self.groups["bureau_en"].reindex(group).to_numpy()},
                              index=self.minfo.index)
        a = a.join(bureau, on="measure").join(fin[["level1", "bond", "facility"]], on="measure")
        a["mapped"] = a["bond"].notna()
        a["level1"] = a["level1"].fillna("")
        a[["bond", "facility"]] = a[["bond", "facility"]].fillna(False).astype(bool)
        a["either"] = a["bond"] | a["facility"]
        return a

    def _finance_missing(self, sec: Section) -> bool:
        """Say the mapping is missing (and return True) when the dataset has no
        measure_finance.csv."""
        if self.measure_finance() is not None:
            return False
        sec.add(Paragraph(self.t(
            "数据中尚未将措施归入人民银行《绿色债券支持项目目录》的类别（measure_finance.csv），暂不能"
            "给出符合绿色债券或碳减排支持工具条件的投资比例与融资缺口。",
            "The data do not yet map the measures to the PBoC green bond catalogue "
            "(measure_finance.csv), so the share that qualifies for green bonds or "
            "carbon-reduction loans, and the financing gap, cannot be given.")))
        return True

    def finance_qualifying(self, sec: Section) -> None:
        """Investment need by first-level category of the green bond catalogue (2021 edition),
        with the share of the total that qualifies for green bonds and the share in the scope
        of the PBoC carbon emission reduction facility (万元, 2020 prices, undiscounted)."""
        if self._finance_missing(sec):
            return
        fin = self.measure_finance()
        a = self.finance_accounts(fin)
        by_m = a.groupby("measure").agg(investment=("investment", "sum"),
                                        level1=("level1", "first"),
                                        facility=("facility", "first"),
                                        mapped=("mapped", "first"))
        total = float(by_m["investment"].sum())
        if total <= 1e-6:
            sec.add(Paragraph(self.t("路径没有措施投资。", "The pathway invests in no measure.")))
            return
        rows = []
        names = self.GB_CATALOGUE_LEVEL1
        for code in [*sorted(names), ""]:
            g = by_m[(by_m["level1"] == code) & (by_m["investment"] > 1e-6)]
            g = g.sort_values("investment", ascending=False)
            label = (self.t(*names[code]) if code
                     else self.t("不属于目录", "Not in the catalogue"))
            rows.append([label, float(g["investment"].sum()),
                         100 * float(g["investment"].sum()) / total,
                         float(g.loc[g["facility"], "investment"].sum()),
                         "、".join(self.measure_name(m) for m in g.index) or "—"])
        bond = float(by_m.loc[by_m["level1"] != "", "investment"].sum())
        facility = float(by_m.loc[by_m["facility"], "investment"].sum())
        rows.append([self.t("合计", "Total"), total, 100.0, facility, ""])
        sec.add(Paragraph(self.t(
            f"路径投资需求合计{total:,.0f}万元，其中{100 * bond / total:.1f}%属于《绿色债券支持"
            f"项目目录（2021年版）》的支持类别，{100 * facility / total:.1f}%属于人民银行碳减排"
            "支持工具（2021年）的支持领域。",
            f"Of the pathway's investment need of {total:,.0f} 万元, {100 * bond / total:.1f}% "
            "falls in a category of the green bond catalogue (2021 edition) and "
            f"{100 * facility / total:.1f}% in the scope of the PBoC carbon emission reduction "
            "facility (2021).")))
        sec.add(Table(
            self.t("按绿色债券目录一级分类的投资需求", "Investment need by green bond catalogue "
                   "category"),
            self.unit("万元（2020年价，不折现，全期合计）；占比 %",
                      "万元 (2020 prices, undiscounted, horizon total); share %"),
            self.src("措施投资（results.nc）；措施归类（measure_finance.csv，见 SOURCES.md）",
                     "measure investment (results.nc); classification (measure_finance.csv, "
                     "see SOURCES.md)"),
            [self.t("目录一级分类", "Catalogue category"), self.t("投资", "Investment"),
             self.t("占比 %", "Share %"),
             self.t("其中属碳减排支持工具领域", "Of which in the carbon facility's scope"),
             self.t("措施", "Measures")],
            rows, digits=[None, 0, 1, 0, None], row_class=[""] * (len(rows) - 1) + ["total"]))
        unmapped = by_m.index[~by_m["mapped"] & (by_m["investment"] > 1e-6)]
        if len(unmapped):
            sec.add(Paragraph(self.t(
                "以下措施在 measure_finance.csv 中没有归类，按不符合条件计：",
                "These measures have no row in measure_finance.csv and count as not "
                "qualifying: ") + "、".join(self.measure_name(m) for m in unmapped), note=True))
        sec.add(Paragraph(self.t(
            "归类为措施层面的判断（依据与标注见 SOURCES.md）：具体项目能否发行绿色债券或获得碳减排"
            "贷款，还取决于项目是否满足目录条目的技术标准与人民银行的认定；目录条目编号与名称多为"
            "回忆（[R]），须对照目录原文核对。",
            "The classification is by measure (basis and tags in SOURCES.md): whether a given "
            "project can issue green bonds or draw carbon-reduction loans also depends on it "
            "meeting the item's technical criteria and the PBoC's recognition; most item codes "
            "and names are recalled ([R]) and must be checked against the catalogue's text."),
            note=True))

    def finance_bands(self, years: pd.Series) -> pd.Series:
        """Five-year plan band of each year, e.g. "2021–25" (bands start the year after the
        base year, which is the last year of a five-year plan in the shipped data)."""
        start = self.base + 1 + 5 * ((years.astype(int) - self.base - 1) // 5)
        return start.astype(str) + "–" + (start + 4).astype(str).str[-2:]

    def finance_gap(self, sec: Section) -> None:
        """The investment that qualifies for neither green bonds nor the carbon facility, by
        bureau and five-year band (万元, 2020 prices, undiscounted): the part green
        instruments leave to fiscal budgets and ordinary credit."""
        if self._finance_missing(sec):
            return
        a = self.finance_accounts(self.measure_finance())
        a = a[~a["either"]].copy()
        a["band"] = self.finance_bands(a["year"])
        # the base year is history: investment starts the year after
        bands = sorted(self.finance_bands(pd.Series([y for y in self.years
                                                     if y > self.base])).unique())
        if a["investment"].sum() <= 1e-6:
            sec.add(Paragraph(self.t(
                "路径的全部投资均属于绿色债券目录或碳减排支持工具的支持范围，绿色金融工具没有融资缺口。",
                "All the pathway's investment qualifies for green bonds or the carbon facility: "
                "green instruments leave no financing gap.")))
        else:
            p = a.pivot_table(index=["bureau_zh", "bureau_en"], columns="band",
                              values="investment", aggfunc="sum", fill_value=0.0)
            p = p.reindex(columns=bands, fill_value=0.0)
            p = p[p.sum(axis=1) > 1e-6]
            p = p.loc[p.sum(axis=1).sort_values(ascending=False).index]
            rows = [[self.t(zh, en), *(float(v) for v in r), float(sum(r))]
                    for (zh, en), r in zip(p.index, p.to_numpy(), strict=True)]
            rows.append([self.t("合计", "Total"), *(float(v) for v in p.sum().to_numpy()),
                         float(p.to_numpy().sum())])
            total = float(self.measure_investment().sum())
            gap = float(p.to_numpy().sum())
            sec.add(Paragraph(self.t(
                f"不属于绿色债券目录、也不属于碳减排支持工具领域的投资为{gap:,.0f}万元，占投资需求的"
                f"{100 * gap / total:.1f}%。这部分是绿色金融工具的融资缺口，须由财政预算、企业自有"
                "资金或普通信贷解决。",
                f"The investment that qualifies neither for green bonds nor for the carbon "
                f"facility is {gap:,.0f} 万元, {100 * gap / total:.1f}% of the need: the financing "
                "gap of green instruments, to be met from fiscal budgets, own funds or ordinary "
                "credit.")))
            sec.add(Table(
                self.t("绿色金融工具的融资缺口（按部门、五年规划期）",
                       "Financing gap of green instruments by bureau and five-year period"),
                self.unit("万元（2020年价，不折现）", "万元 (2020 prices, undiscounted)"),
                self.src("措施投资（results.nc）减去符合绿色债券或碳减排支持工具条件的部分"
                         "（measure_finance.csv）",
                         "measure investment (results.nc) less the part that qualifies for "
                         "green bonds or the carbon facility (measure_finance.csv)"),
                [self.t("部门", "Bureau"), *bands, self.t("合计", "Total")], rows,
                digits=[None, *[0] * (len(bands) + 1)],
                row_class=[""] * (len(rows) - 1) + ["total"]))
        sec.add(Paragraph(self.t(
            "上表只是绿色金融工具覆盖不到的投资，不是完整的资金缺口：完整缺口需要各年度可用资金。"
            "请市地方金融局会同有关部门提供：（1）市、区两级财政各年度可用于节能降碳的预算资金；"
            "（2）在汉金融机构各年度绿色贷款新增额（按投向），其中碳减排支持工具支持的碳减排贷款；"
            "（3）在汉主体各年度绿色债券发行额及募集资金投向；（4）主要投资主体（企业、居民）的"
            "自有资金安排。数据中没有这些数据，本文件不作估计。",
            "The table is the investment green instruments do not reach, not the full gap, which "
            "needs the funding available each year. The 市地方金融局, with the bureaus "
            "concerned, should provide: (1) the city and district budgets available for energy "
            "saving and carbon reduction, by year; (2) new green loans by Wuhan's banks by year "
            "and use, and within them the carbon-reduction loans of the PBoC facility; (3) green "
            "bonds issued by Wuhan entities by year, with the use of proceeds; (4) the own funds "
            "of the main investors (firms, households). The data have none of these, and this "
            "document estimates none.")))

    # ---------------------------------------------------------------- spatial layout

    def district_accounts(self) -> pd.DataFrame:
        """CO2 (万t) and energy (万tce) by district and year (`sector_accounts`, which place a
        city run in districts by district_shares.csv), cached."""
        from peakpath.results.pathway import sector_accounts

        if getattr(self, "_dacc", None) is None:
            a = sector_accounts(self.s)
            self._dacc = a.groupby(["district", "year"], as_index=False)[["co2",
                                                                          "energy"]].sum()
        return self._dacc

    def district_measures(self) -> pd.DataFrame:
        """Measure accounts by measure, district and year (`measure_accounts`), cached."""
        from peakpath.results.pathway import measure_accounts

        if getattr(self, "_dmeas", None) is None:
            self._dmeas = measure_accounts(self.s)
        return self._dmeas

    def density_frame(self) -> tuple[pd.DataFrame, str | None]:
        """One row per district (kind core, suburban or zone) and year shown: area (km², empty
        where not sourced), population (万人), GDP (亿元), CO2 (万t) and the densities:
        population per km² (人/km²), GDP per km² (亿元/km²), CO2 per km² (万t/km²), CO2 per
        capita (t/人). Population and GDP are district_indicators.csv in the base year and grow
        with the city's afterwards (the district keeps its base-year share, as in `peakpath
        allocate`). Also the reason the population and GDP are missing, if they are."""
        from peakpath.analysis.allocate import district_indicators

        units = self.s.districts()
        units = units[units["kind"].isin(("core", "suburban", "zone"))]
        area = (self.s.data["district_area"].set_index("district")["area"]
                if "district_area" in self.s.data.tables else pd.Series(dtype=float))
        why = None
        try:
            ind = district_indicators(self.s)
        except InputError as e:  # no population and GDP by district: densities left empty
            ind, why = None, "; ".join(str(p) for p in e.problems)
        acc = self.district_accounts().set_index(["district", "year"])["co2"]
        pop_city = self.ds["population"].to_series() if "population" in self.ds else None
        gdp_city = self.ds["gdp"].to_series()
        rows = []
        for d in units["district"]:
            for y in self.show:
                pop = gdp = np.nan
                if ind is not None and d in ind.index:
                    # the district's own figure in the base year, growing with the city's
                    pop = (float(ind.loc[d, "population"]) * float(pop_city[y])
                           / float(pop_city[self.base]) if pop_city is not None else np.nan)
                    gdp = float(ind.loc[d, "gdp"]) * float(gdp_city[y]) / float(
                        gdp_city[self.base])
                a = float(area.get(d, np.nan))
                co2 = float(acc.get((d, y), 0.0))
                rows.append({"district": d, "year": y, "area": a, "population": pop,
                             "gdp": gdp, "co2": co2})
        f = pd.DataFrame(rows, columns=["district", "year", "area", "population", "gdp",
                                        "co2"])
        f["pop_density"] = f["population"] * 1e4 / f["area"]  # 万人 -> 人
        f["gdp_density"] = f["gdp"] / f["area"]
        f["co2_density"] = f["co2"] / f["area"]
        f["co2_per_capita"] = f["co2"] / f["population"]  # 万t / 万人 = t per person
        return f, why

    def spatial(self, key: str, sec: Section, sectors: list[str]) -> None:
        """District density and land indicators; where the measures sit."""
        f, why = self.density_frame()
        if f.empty:
            sec.add(Paragraph(self.t("数据集中没有分区（districts.csv 只有全市一行），本节无数值。",
                                     "The dataset has no districts (districts.csv has only "
                                     "the city row), so this section has no numbers.")))
            return
        if key == "density":
            self.density_tables(sec, f, why)
        elif key == "siting":
            self.siting(sec, f)

    def density_tables(self, sec: Section, f: pd.DataFrame, why: str | None) -> None:
        b = self.base
        missing = [d for d in dict.fromkeys(f["district"]) if
                   np.isnan(f.loc[f["district"] == d, "area"].iloc[0])]
        sec.add(Paragraph(self.t(
            "各区的排放按本次结果的部门核算分摊到区（district_shares.csv 的分摊比例）；"
            "人口与地区生产总值为基准年普查与统计数，之后年份保持基准年占全市比重"
            "（与 peakpath allocate 相同）；土地面积来自 district_area.csv，每一行注明来源。",
            "District CO2 is the run's sector accounts placed in districts (the shares of "
            "district_shares.csv); population and GDP are base-year census and statistics, "
            "kept at their base-year share of the city afterwards (as peakpath allocate); land "
            "areas are from district_area.csv, each row with its source.")))
        if missing:
            sec.add(Paragraph(self.t(
                f"以下单位尚无与其统计口径一致的土地面积，密度指标留空（未作估算）："
                f"{'、'.join(self.district_name(d) for d in missing)}。补充其面积"
                "（district_area.csv，市自然资源和规划局）后重新生成本文件。",
                f"These units have no land area on their statistical boundary, so their "
                f"densities are left empty (not estimated): "
                f"{', '.join(self.district_name(d) for d in missing)}. Add their areas "
                "(district_area.csv, Natural Resources and Planning Bureau) and write the set "
                "again.")))
        self.share_basis_note(sec)
        sec.add(Paragraph(self.t(
            "面积的来源与年份见 district_area.csv 与 SOURCES.md；各来源的口径（是否含水域、行政区划"
            "或实际管辖范围）不尽一致，宜由市自然资源和规划局以第三次国土调查的分单位面积替换。",
            "The areas' sources and years are in district_area.csv and SOURCES.md; the sources "
            "differ in definition (water inside the boundary or not, administrative or "
            "actually administered area), so the Natural Resources and Planning Bureau should "
            "replace them with the third land survey's areas by unit."), note=True))
        if why is not None:
            sec.add(Paragraph(self.t(f"缺少各区人口与地区生产总值：{why}。",
                                     f"No district population and GDP: {why}."), note=True))
        fb = f[f["year"] == b]
        rows = [[self.district_name(r.district), r.area, r.population, r.pop_density, r.gdp,
                 r.gdp_density, r.co2, r.co2_density, r.co2_per_capita]
                for r in fb.itertuples(index=False)]
        sec.add(Table(
            self.t(f"{b}年各区密度与用地指标", f"District density and land indicators, {b}"),
            self.unit("面积 km²；人口 万人；人口密度 人/km²；地区生产总值 亿元；地均GDP 亿元/km²；"
                      "二氧化碳 万t；地均排放 万t CO2/km²；人均排放 t CO2/人",
                      "area km²; population 万人; population density persons/km²; GDP 亿元; "
                      "GDP per km² 亿元/km²; CO2 万t; CO2 per km² 万t CO2/km²; CO2 per capita "
                      "t CO2/person"),
            self.src("数据（district_area.csv、district_indicators.csv）；排放：results.nc "
                     "部门核算按区分摊",
                     "data (district_area.csv, district_indicators.csv); CO2: sector "
                     "accounts of results.nc placed in districts"),
            [self.t("区", "District"), self.t("面积", "Area"), self.t("人口", "Population"),
             self.t("人口密度", "Pop. density"), self.t("地区生产总值", "GDP"),
             self.t("地均GDP", "GDP per km²"), self.t("二氧化碳", "CO2"),
             self.t("地均排放", "CO2 per km²"), self.t("人均排放", "CO2 per capita")],
            rows, digits=[None, 2, 2, 0, 1, 3, 1, 4, 2]))
        later = self.show[1:]
        if later:
            rows = []
            for d in dict.fromkeys(f["district"]):
                g = f[f["district"] == d].set_index("year")
                rows.append([self.district_name(d),
                             *(float(g.loc[y, "co2_density"]) for y in self.show),
                             *(float(g.loc[y, "co2_per_capita"]) for y in self.show)])
            sec.add(Table(
                self.t("各区地均排放与人均排放", "CO2 per km² and per capita by district"),
                self.unit("地均排放 万t CO2/km²；人均排放 t CO2/人",
                          "CO2 per km² 万t CO2/km²; CO2 per capita t CO2/person"),
                self.src("路径（results.nc 部门核算按区分摊）；面积与人口见上表",
                         "pathway (sector accounts placed in districts); area and population "
                         "as above"),
                [self.t("区", "District"),
                 *(self.t(f"地均 {y}", f"per km² {y}") for y in self.show),
                 *(self.t(f"人均 {y}", f"per capita {y}") for y in self.show)],
                rows, digits=[None, *[4] * len(self.show), *[2] * len(self.show)]))
        top = fb.dropna(subset=["co2_density"]).sort_values("co2_density",
                                                           ascending=False).head(SPATIAL_TOP)
        if len(top):
            sec.add(Paragraph(self.t(
                f"{b}年地均排放最高的区：" + "、".join(
                    f"{self.district_name(r.district)}（{r.co2_density:,.3f}万t/km²）"
                    for r in top.itertuples()) + "。",
                f"Highest CO2 per km² in {b}: " + ", ".join(
                    f"{self.district_name(r.district)} ({r.co2_density:,.3f} 万t/km²)"
                    for r in top.itertuples()) + ".")))

    def share_basis_note(self, sec: Section) -> None:
        """How much of the city's base-year CO2 is placed in districts by population or GDP
        shares (district_shares.csv basis): there the per-capita or per-GDP figures of the
        districts are alike by construction, not by measurement."""
        if self.s.has_districts or "district_shares" not in self.s.data.tables:
            return
        sh = self.s.data["district_shares"]
        if sh.empty:
            return
        basis = sh.groupby("sector")["basis"].agg(lambda b: b.mode().iloc[0])
        a = self.acc[self.acc["year"] == self.base].set_index("sector")["co2"]
        city = float(a.sum())
        if city <= 0:
            return
        pop = 100 * float(a.reindex(basis.index[basis == "population"]).fillna(0.0).sum()) / city
        gdp = 100 * float(a.reindex(basis.index[basis == "gdp"]).fillna(0.0).sum()) / city
        sec.add(Paragraph(self.t(
            f"{self.base}年全市排放中{pop:.1f}%按人口比例、{gdp:.1f}%按地区生产总值比例分摊到区"
            "（district_shares.csv 的分摊依据）：这部分排放的人均值（按人口）或单位GDP值"
            "（按GDP）在各区相同，是分摊方法的结果而非各区实测；各区自有能源统计可替代这些比例。",
            f"Of the city's CO2 in {self.base}, {pop:.1f}% is placed in districts by population "
            f"and {gdp:.1f}% by GDP (the basis in district_shares.csv): for those parts the "
            "CO2 per capita (population basis) or per unit of GDP (GDP basis) is the same in "
            "every district by construction, not by measurement; the districts' own energy "
            "statistics would replace the shares."),
            note=True))

    def siting(self, sec: Section, f: pd.DataFrame) -> None:
        """Abatement and investment of the measures by district: sited (measure_sites.csv) and
        placed by their sector's district shares."""
        m = self.district_measures()
        units = list(dict.fromkeys(f["district"]))
        sites = self.s.data["measure_sites"] if "measure_sites" in self.s.data.tables else None
        sited = set() if sites is None or sites.empty else set(
            zip(sites["measure"].astype(str), sites["district"].astype(str), strict=True))
        m = m[m["district"].isin(units)]
        is_sited = pd.Series([(a, d) in sited for a, d in zip(m["measure"], m["district"],
                                                               strict=True)], index=m.index)
        ys = self.show[1:] or self.show
        rows = []
        for d in units:
            g = m[m["district"] == d]
            s = is_sited[g.index]
            ab = -g.groupby("year")["co2"].sum()
            ab_s = -g[s].groupby("year")["co2"].sum()
            rows.append([self.district_name(d), *(float(ab.get(y, 0.0)) for y in ys),
                         *(float(ab_s.get(y, 0.0)) for y in ys),
                         float(g["investment"].sum()),
                         int(g.loc[g["adoption"] > IN_USE, "measure"].nunique())])
        order = sorted(range(len(rows)), key=lambda i: -rows[i][len(ys)])
        rows = [rows[i] for i in order]
        sec.add(Paragraph(self.t(
            "下表为各区的措施减排量与投资：选址措施（measure_sites.csv，如电厂、钢厂的碳捕集机组）计入其"
            "所在区，其余措施按所在行业的分区比例计入各区（与区报告相同）。表按最后一个年份的减排量排序。",
            "The table gives each district's abatement and investment: sited measures "
            "(measure_sites.csv, such as the CCUS units of a plant) count where they are "
            "sited, the others by their sector's district shares (as in the district "
            "reports). Sorted by abatement in the last year shown.")))
        sec.add(Table(
            self.t("各区措施减排量与投资", "Abatement and investment of the measures by "
                   "district"),
            self.unit("减排 万t CO2/年；投资 万元（2020年价，不折现，全期合计）；措施数 项",
                      "abatement 万t CO2/yr; investment 万元 (2020 prices, undiscounted, "
                      "horizon total); measures: count"),
            self.src("措施（results.nc 采用量与新建量，按区：measure_sites.csv 或行业比例）",
                     "measures (results.nc adoption and new builds, by district: "
                     "measure_sites.csv or sector shares)"),
            [self.t("区", "District"), *(self.t(f"减排 {y}", f"abated {y}") for y in ys),
             *(self.t(f"其中选址 {y}", f"of which sited {y}") for y in ys),
             self.t("累计投资", "Investment"), self.t("采用措施数", "Measures used")],
            rows, digits=[None, *[2] * (2 * len(ys)), 0, None]))
        top = [r for r in rows[:SPATIAL_TOP] if r[len(ys)] > 0]
        if top:
            y = ys[-1]
            sec.add(Paragraph(self.t(
                f"{y}年减排量最大的区：" + "、".join(f"{r[0]}（{r[len(ys)]:,.1f}万t）"
                                            for r in top) + "。",
                f"Largest abatement in {y}: " + ", ".join(f"{r[0]} ({r[len(ys)]:,.1f} 万t)"
                                                         for r in top) + ".")))

    # ---------------------------------------------------------------- services

    def services(self, key: str, sec: Section, sectors: list[str]) -> None:
        """Commercial and public buildings and logistics (road freight): their pathway,
        measures with timing, investment and abatement, and the green-mall gap."""
        if not sectors and key != "malls":
            sec.add(Paragraph(self.t("本数据集中没有公共与商业建筑或道路货运部门，本节无数值。",
                                     "The dataset has no public and commercial buildings or "
                                     "road freight sector, so this section has no "
                                     "numbers.")))
            return
        if key == "pathway":
            srcp = self.t("路径（部门核算）", "pathway (sector accounts)")
            city = self.ds["co2_total"].to_series()
            rows = []
            for s in sectors:
                g = self.sectors.loc[s, "group"]
                bureau = self.t(str(self.groups.loc[g, "bureau_zh"]),
                                str(self.groups.loc[g, "bureau_en"]))
                zh, en = str(self.sectors.loc[s, "name_zh"]), str(self.sectors.loc[s, "name_en"])
                co2 = self.field_co2([s])
                rows += [
                    self.series_row(self.t(f"{zh}：二氧化碳", f"{en}: CO2"), "万t", co2, bureau),
                    self.series_row(self.t(f"{zh}：能源消费", f"{en}: energy"), "万tce",
                                    self.field_energy([s]), bureau),
                    self.series_row(self.t(f"{zh}：措施减排量", f"{en}: abatement of its "
                                           "measures"), "万t/年", self.field_abatement([s]),
                                    bureau),
                    self.series_row(self.t(f"{zh}：占全市排放", f"{en}: share of the city's CO2"),
                                    "%", co2 / city.where(city != 0), srcp, 100.0)]
            sec.add(Paragraph(self.t(
                "服务业以公共与商业建筑（商场、写字楼、酒店等）和物流（道路货运）为代表；各行的责任部门为"
                "该部门所属组的牵头部门，市商务局牵头商场与物流企业的行动。",
                "Services are represented by public and commercial buildings (malls, offices, "
                "hotels) and logistics (road freight); each row's responsible bureau is that of "
                "the sector's group, and the Commerce Bureau leads the malls' and logistics "
                "firms' actions.")))
            sec.add(Table(self.t("服务业与物流：排放、能源与措施减排",
                                 "Services and logistics: CO2, energy and abatement"),
                          self.unit("见各行", "per row"),
                          self.src("results.nc（部门核算、措施减排）",
                                   "results.nc (sector accounts, measure abatement)"),
                          self.year_cols([self.t("指标", "Indicator"), self.t("单位", "Unit")],
                                         [self.t("责任部门", "Responsible")]), rows,
                          digits=[None, None, *[1] * len(self.show), None]))
            sec.add(self.field_figure(self.field_co2(sectors), self.field_abatement(sectors)))
        elif key == "measures":
            self.measures(sec, sectors, bureau_column=True)
        elif key == "malls":
            ms = [m for m in self.field_measures(sectors)
                  if self.sectors.loc[self.minfo.loc[m, "sector"], "role"] == "end_use"
                  and self.minfo.loc[m, "sector"] == "public_commercial"]
            names = "、".join(self.measure_name(m) for m in ms) or self.t("无", "none")
            sec.add(Paragraph(self.t(
                "数据集中尚无单独的“绿色商场”措施：商场作为公共与商业建筑的一部分，由该部门的措施"
                f"（{names}）覆盖，其采用量、投资与减排见上节。要将绿色商场作为单独措施纳入，需要："
                "全市商场的建筑面积与能耗（市商务局）、绿色商场创建的单位面积节能量或节能率、单位面积"
                "改造成本与寿命。",
                "The dataset has no separate green-mall measure: malls are part of public and "
                f"commercial buildings and are covered by that sector's measures ({names}), "
                "whose adoption, investment and abatement are in the section above. To add "
                "green malls as a measure of their own the data need: the floor area and energy "
                "use of the city's malls (Commerce Bureau), the saving per m² or in % of a "
                "mall's energy that a green-mall upgrade brings, and its cost per m² and "
                "lifetime.")))

    # ---------------------------------------------------------------- low-carbon living

    def behaviour_table(self) -> pd.DataFrame:
        """behaviour.csv of the run's dataset (empty without one)."""
        if "behaviour" not in self.s.data.tables:
            return pd.DataFrame(columns=["measure", "name_zh", "name_en", "sector", "low",
                                         "central", "high", "start_year", "source",
                                         "data_needed"])
        return self.s.data["behaviour"]

    def behaviour_wedges(self) -> pd.DataFrame:
        """Per quantified behaviour measure and model year: the sector's CO2 on the pathway
        (万t) and the wedge share × that CO2 (万t/yr) at low, central and high, zero before
        the measure's start year. Not part of the optimisation: an ex-post wedge."""
        b = self.behaviour_table()
        b = b[b["central"].notna() & b["sector"].isin(self.sectors.index)]
        rows = []
        for r in b.itertuples(index=False):
            co2 = self.field_co2([str(r.sector)])
            for y in self.years:
                on = 1.0 if y >= int(r.start_year) else 0.0
                c = float(co2[y])
                rows.append({"measure": r.measure, "sector": r.sector, "year": y,
                             "sector_co2": c, "low": on * float(r.low) * c,
                             "central": on * float(r.central) * c,
                             "high": on * float(r.high) * c})
        return pd.DataFrame(rows, columns=["measure", "sector", "year", "sector_co2", "low",
                                           "central", "high"])

    def batch_sector_co2(self, sectors: list[str]) -> tuple[pd.DataFrame | None, str]:
        """CO2 of end-use ``sectors`` on the target boundary in each solved scenario of the
        batch (scenario, year, sector, co2 万t): direct emissions of the target gases (GWP-
        weighted) plus scope2, the identity of `sector_accounts` for end-use sectors, checked
        against this run's accounts first. None with the reason when it cannot be read."""
        from peakpath.analysis.batch_report import load_batch_dir
        from peakpath.results.dataset import load_results

        if self.batch is None:
            return None, ""
        ends = [s for s in sectors if s in self.sectors.index
                and self.sectors.loc[s, "role"] == "end_use"]
        gases = [g for g in dict.fromkeys(["CO2", *self.md.scenario.accounting["target_gases"]])
                 if g in self.ds["gas"].values]
        gwp = xr_weights(self.md.gwp, gases)

        def co2_of(ds) -> pd.DataFrame:
            e = (ds["emissions"].sel(sector=ends, gas=gases) * gwp).sum(["gas", "district"])
            c = e + ds["scope2"].sel(sector=ends).sum("district")
            return c.to_dataframe("co2").reset_index()[["year", "sector", "co2"]]

        if not ends or "scope2" not in self.ds:
            return None, self.t("数据中没有可比的部门排放。", "no comparable sector CO2.")
        own = co2_of(self.ds).set_index(["year", "sector"])["co2"]
        ref = self.acc[self.acc["sector"].isin(ends)].set_index(["year", "sector"])["co2"]
        if float((own - ref.reindex(own.index).fillna(0.0)).abs().max()) > 1e-6 * max(
                1.0, float(ref.abs().max())):
            return None, self.t("本次结果的部门排放口径与批量结果不一致。",
                                "the sector accounts do not match the batch's variables.")
        table, bds = load_batch_dir(self.batch.path)
        ok = table.loc[table["status"] == "optimal", "id"].astype(str).tolist()
        parts = []
        if bds is not None and "emissions" in bds and "scenario" in bds.dims:
            for sid in [s for s in bds["scenario"].values.astype(str) if s in ok]:
                parts.append(co2_of(bds.sel(scenario=sid)).assign(scenario=sid))
        else:  # no batch.nc: the run folders named in summary.csv
            for sid in ok:
                if (self.batch.path / sid / "results.nc").is_file():
                    parts.append(co2_of(load_results(self.batch.path / sid)).assign(
                        scenario=sid))
        if not parts:
            return None, self.t("批量结果中没有已求解的情景。", "no solved scenario in the batch.")
        return pd.concat(parts, ignore_index=True), ""

    def behaviour_batch(self, sec: Section, w: pd.DataFrame, info: pd.DataFrame) -> None:
        """The wedge (central share) against the 5th, 50th and 95th percentiles of its
        sector's CO2 over the batch's solved scenarios."""
        f, why = self.batch_sector_co2(list(dict.fromkeys(w["sector"])))
        if f is None:
            sec.add(Paragraph(self.t(f"未给出批量结果中的行业排放分位数：{why}",
                                     f"No sector percentiles from the batch: {why}"),
                              note=True))
            return
        q = f.groupby(["sector", "year"])["co2"].quantile([0.05, 0.5, 0.95]).unstack()
        n = f["scenario"].nunique()
        ys = self.show[1:] or self.show
        rows = []
        for m in dict.fromkeys(w["measure"]):
            r = info.loc[m]
            s, share, start = str(r["sector"]), float(r["central"]), int(r["start_year"])
            for y in ys:
                p = q.loc[(s, y)] if (s, y) in q.index else pd.Series(np.nan, index=q.columns)
                on = share if y >= start else 0.0
                rows.append([self.t(str(r["name_zh"]), str(r["name_en"])), int(y),
                             *(float(p[k]) for k in (0.05, 0.5, 0.95)),
                             *(on * float(p[k]) for k in (0.05, 0.5, 0.95))])
        sec.add(Table(
            self.t("行为减排楔形与行业排放的批量分位数",
                   "Behaviour wedges against the batch's sector CO2 percentiles"),
            self.unit("万t CO2/年；楔形按中值比例", "万t CO2/yr; wedge at the central share"),
            self.src(f"批量计算（{n}个已求解情景：直接排放＋外购电力排放）× behaviour.csv",
                     f"batch ({n} solved scenarios: direct plus purchased-electricity CO2) "
                     "× behaviour.csv"),
            [self.t("措施", "Measure"), self.t("年份", "Year"),
             self.t("行业排放 P5", "Sector CO2 P5"), self.t("行业排放 P50", "Sector CO2 P50"),
             self.t("行业排放 P95", "Sector CO2 P95"), self.t("楔形 P5", "Wedge P5"),
             self.t("楔形 P50", "Wedge P50"), self.t("楔形 P95", "Wedge P95")],
            rows, digits=[None, None, 1, 1, 1, 2, 2, 2]))

    def living(self, key: str, sec: Section, sectors: list[str], spec: dict[str, Any]
               ) -> None:
        """Efficient appliances from the results; behaviour measures as ex-post wedges beside
        the pathway; those not yet quantified with the data that would quantify them."""
        b = self.behaviour_table()
        if key == "appliances":
            listed = spec.get("appliance_measures")
            ms = [m for m in (["efficient_appliances"] if listed is None else listed)
                  if m in self.minfo.index]
            if not ms:
                sec.add(Paragraph(self.t("数据集中没有高效家电措施。",
                                         "The dataset has no efficient-appliance measure.")))
                return
            sec.add(Paragraph(self.t(
                "高效家电是模型中已计成本的措施，由优化路径决定其推广规模，计入路径与目标。",
                "Efficient appliances are a costed measure of the model: the pathway decides how "
                "far they go, and they count in the pathway and the targets.")))
            self.measures(sec, [str(self.minfo.loc[m, "sector"]) for m in ms], only=ms)
        elif key == "behaviour":
            w = self.behaviour_wedges()
            sec.add(Paragraph(self.t(
                "行为改变不是最低成本模型选择的投资，因此不进入优化：以下减排量为“楔形”，"
                "按各措施减少所作用行业排放的比例（低、中、高，见 behaviour.csv 及其来源）"
                "乘以该行业在优化路径上的排放事后计算（如 LEAP 将生活方式作为需求情景处理）。"
                "比例作用于优化路径上（已含电动化等措施之后）的行业排放，因此不与路径中的措施重复计算。"
                "这些减排量不计入路径，也不计入目标的完成情况。",
                "Behaviour change is not an investment the least-cost model chooses, so it is "
                "outside the optimisation: the abatement below is a wedge computed afterwards as "
                "the share of the sector's CO2 each measure removes (low, central, high; "
                "behaviour.csv and its sources) times the sector's CO2 on the pathway (as LEAP "
                "treats lifestyle as a demand scenario). The share applies to the sector's CO2 "
                "left on the pathway (after its electrification and other measures), so it does "
                "not count the pathway's measures twice. It is NOT counted in the pathway nor "
                "in meeting the targets.")))
            if w.empty:
                sec.add(Paragraph(self.t("数据中没有已量化的行为措施（behaviour.csv）。",
                                         "The data have no quantified behaviour measure "
                                         "(behaviour.csv).")))
                return
            info = b.set_index("measure")
            ys = self.show[1:] or self.show
            rows = []
            for m in dict.fromkeys(w["measure"]):
                r = info.loc[m]
                g = w[w["measure"] == m].set_index("year")
                for y in ys:
                    rows.append([self.t(str(r["name_zh"]), str(r["name_en"])),
                                 self.sector_name(str(r["sector"])), int(y),
                                 float(g.loc[y, "sector_co2"]), float(g.loc[y, "low"]),
                                 float(g.loc[y, "central"]), float(g.loc[y, "high"])])
            tot = w.groupby("year")[["low", "central", "high"]].sum()
            city = self.ds["co2_total"].to_series()
            for y in ys:
                rows.append([self.t("合计", "Total"), "", int(y), float(city[y]),
                             float(tot.loc[y, "low"]), float(tot.loc[y, "central"]),
                             float(tot.loc[y, "high"])])
            sec.add(Table(
                self.t("行为减排楔形（不计入路径与目标）",
                       "Behaviour wedges (not counted in the pathway or the targets)"),
                self.unit("排放与减排 万t CO2/年；合计行的“行业排放”为全市排放",
                          "CO2 and abatement 万t CO2/yr; the total rows' sector CO2 is the "
                          "city's"),
                self.src("behaviour.csv 的比例 × results.nc 部门核算（优化路径）",
                         "shares of behaviour.csv × sector accounts of results.nc (pathway)"),
                [self.t("措施", "Measure"), self.t("作用行业", "Sector"), self.t("年份", "Year"),
                 self.t("行业排放", "Sector CO2"), self.t("减排 低", "Abated, low"),
                 self.t("减排 中", "Abated, central"), self.t("减排 高", "Abated, high")],
                rows, digits=[None, None, None, 1, 2, 2, 2],
                row_class=[""] * (len(rows) - len(ys)) + ["total"] * len(ys)))
            q = b[b["central"].notna()]
            rows = [[self.t(str(r.name_zh), str(r.name_en)), 100 * float(r.low),
                     100 * float(r.central), 100 * float(r.high), int(r.start_year),
                     str(r.source)] for r in q.itertuples(index=False)]
            sec.add(Table(self.t("行为措施的减排比例与来源", "Behaviour shares and sources"),
                          self.unit("占所作用行业排放 %", "% of the sector's CO2"),
                          self.src("数据（behaviour.csv，来源见 SOURCES.md）",
                                   "data (behaviour.csv; sources in SOURCES.md)"),
                          [self.t("措施", "Measure"), self.t("低 %", "Low %"),
                           self.t("中 %", "Central %"), self.t("高 %", "High %"),
                           self.t("起始年", "From"), self.t("来源", "Source")], rows,
                          digits=[None, 1, 1, 1, None, None]))
            sec.add(Paragraph(self.t(
                "楔形的低—高区间反映行为比例的不确定性；行业排放本身的不确定性见批量结果（--batch）。",
                "The wedge's low–high range is the uncertainty of the behaviour shares; the "
                "sector's own uncertainty comes from a batch (--batch)."), note=True))
            if self.batch is not None:
                self.behaviour_batch(sec, w, info)
        elif key == "gaps":
            q = b[b["central"].isna()]
            if b.empty:
                sec.add(Paragraph(self.t(
                    "数据中没有行为措施表（behaviour.csv）：绿色出行、绿色包装、近零碳排放区示范等"
                    "行为措施需按行业给出减排比例（低、中、高）及来源后才能计算。",
                    "The data have no behaviour table (behaviour.csv): low-carbon travel, green "
                    "packaging, near-zero-carbon pilot areas and the like need a share of a "
                    "sector's CO2 (low, central, high) with its source before they can be "
                    "computed.")))
                return
            if q.empty:
                sec.add(Paragraph(self.t("数据中的行为措施均已量化。",
                                         "Every behaviour measure of the data is quantified.")))
                return
            sec.add(Paragraph(self.t(
                "下列行为措施尚无可用于武汉的来源比例，本文件不给出其减排量（不作估算），并列出补充所需的"
                "数据。",
                "These behaviour measures have no sourced share for Wuhan yet, so no abatement "
                "is given for them (none is estimated); the data that would quantify them are "
                "listed.")))
            rows = [[self.t(str(r.name_zh), str(r.name_en)),
                     self.sector_name(str(r.sector)) if r.sector in self.sectors.index
                     else str(r.sector), str(r.data_needed or "—"), str(r.source)]
                    for r in q.itertuples(index=False)]
            sec.add(Table(self.t("尚未量化的行为措施", "Behaviour measures not yet quantified"),
                          self.unit("—", "—"),
                          self.src("数据（behaviour.csv）", "data (behaviour.csv)"),
                          [self.t("措施", "Measure"), self.t("作用行业", "Sector"),
                           self.t("所需数据", "Data needed"), self.t("现有资料", "What exists")],
                          rows))

    def findings(self, sec: Section) -> None:
        """The city report's opening: peak, reference peak, cost, binding and missed rows."""
        sm = self.summary
        obj = sm.get("objective_wan_cny")
        lines = [self.t(
            f"优化路径于{sm['peak_year']}年达峰，峰值{sm['peak_co2_wan_t']:,.1f}万t CO2；参照路径"
            f"（无新措施、无重大项目）于{sm['reference_peak_year']}年达峰，峰值"
            f"{sm['reference_peak_co2_wan_t']:,.1f}万t。",
            f"The pathway peaks in {sm['peak_year']} at {sm['peak_co2_wan_t']:,.1f} 万t CO2; "
            f"the reference path (no new measures, no major projects) peaks in "
            f"{sm['reference_peak_year']} at {sm['reference_peak_co2_wan_t']:,.1f} 万t.")]
        if obj is not None:
            lines.append(self.t(f"折现系统总成本{obj / 1e4:,.1f}亿元（{self.base}年价）。",
                                f"Discounted system cost {obj / 1e4:,.1f} 亿元 ({self.base} "
                                "money)."))
        nb = len(self.rec.binding)
        lines.append(self.t(f"起约束作用的目标{nb}项，未实现的目标{len(self.rec.unmet)}项。",
                            f"{nb} target rows bind; {len(self.rec.unmet)} are missed."))
        for x in lines:
            sec.add(Paragraph(x))
        sec.add(Paragraph(self.src("results.nc 与 summary.json（峰值、参照路径、目标函数）",
                                   "results.nc and its summary (peak, reference, objective)"),
                          note=True))

    def fields(self, sec: Section, specials: list[tuple[dict, Document]]) -> None:
        """CO2 of each special report's field."""
        rows = []
        for spec, d in specials:
            sectors = self.select(spec.get("select"))
            rows.append(self.series_row(d.title, "万t", self.field_co2(sectors),
                                        "、".join(d.lead)))
        sec.add(Paragraph(self.t(
            "各专题报告范围可能重叠（如火电同时属于能源与工业报告），合计不等于全市。",
            "The special reports can overlap (thermal power is in both the energy and the "
            "industry report), so they do not add up to the city.")))
        sec.add(Table(self.t("各专题报告领域的二氧化碳排放", "CO2 of each special report's field"),
                      self.unit("万t CO2（目标口径）", "万t CO2 (target boundary)"),
                      self.src("路径（results.nc 部门核算）", "pathway (sector accounts)"),
                      self.year_cols([self.t("专题报告", "Special report"),
                                      self.t("单位", "Unit")], [self.t("牵头单位", "Lead")]),
                      rows, digits=[None, None, *[1] * len(self.show), None]))

    def investment(self, sec: Section) -> None:
        """Investment need by bureau and year (`peakpath.analysis.recommend`)."""
        years = sorted(self.rec.total_investment)
        show = [y for y in self.show if y in years]
        rows = [[self.t(b.bureau_zh, b.bureau_en), sum(b.investment.get(y, 0.0) for y in years),
                 *(b.investment.get(y, 0.0) for y in show)] for b in self.rec.bureaus]
        tot = self.rec.total_investment
        rows.append([self.t("合计", "Total"), sum(tot.values()), *(tot.get(y, 0.0) for y in show)])
        sec.add(Table(self.t("各部门投资需求", "Investment need by bureau"),
                      self.unit("万元（2020年价，不折现）", "万元 (2020 prices, undiscounted)"),
                      self.src("措施（results.nc investment）", "measures (results.nc investment)"),
                      [self.t("部门", "Bureau"), self.t("全期合计", "Horizon total"),
                       *(str(y) for y in show)], rows, digits=[None, *[0] * (len(show) + 1)],
                      row_class=[""] * (len(rows) - 1) + ["total"]))

    def documents(self) -> list[Document]:
        """The city report first, then the special reports, in the outline's order."""
        specs = self.outline["documents"]
        specials = [(sp, self.special(sp)) for sp in specs if sp.get("kind") == "special"]
        built = {id(sp): d for sp, d in specials}
        for sp in specs:
            if sp.get("kind") == "keyarea":
                built[id(sp)] = self.keyarea(sp)
        cities = [self.city(sp, specials) for sp in specs if sp.get("kind") == "city"]
        return (cities + [built[id(sp)] for sp in specs if id(sp) in built] + self.districts()
                + self.enterprises())

    def districts(self) -> list[Document]:
        """One report per district and zone (`peakpath.report.assess_districts`), when the
        outline has a districts block and the dataset real districts."""
        from peakpath.analysis.allocate import parse_rule
        from peakpath.report.assess_districts import DistrictReports

        if not self.outline.get("districts") or not (
                self.s.data["districts"]["kind"] != "city").any():
            return []
        self.district_reports = DistrictReports(self, self.rule or parse_rule("least-cost"))
        return self.district_reports.documents()

    def enterprises(self) -> list[Document]:
        """One action plan per state-owned enterprise (`peakpath.report.assess_enterprises`),
        when the outline has an enterprises block and the dataset soe_enterprises.csv."""
        from peakpath.report.assess_enterprises import EnterprisePlans

        self.enterprise_plans = EnterprisePlans(self)
        return self.enterprise_plans.documents()

    def index_rows(self, docs: list[Document]) -> list[dict[str, str]]:
        """One row of the index per document."""
        return [{"id": d.id, "title": d.title, "lead": "、".join(d.lead),
                 "responsible": "、".join(d.responsible) or "—",
                 "scope": next((v for k, v in d.meta if k.startswith("范围")), ""),
                 "html": f"{d.file}.html", "docx": f"{d.file}.docx"} for d in docs]


# --------------------------------------------------------------------------------------------
# writing


def write_assess(results: str | Path, *, batch: str | Path | None = None,
                 out: str | Path | None = None, lang: str = "zh",
                 outline: str | Path | None = None, rule: str = "least-cost",
                 docx_template: str | Path | None = None) -> AssessFiles:
    """Write the 1+N set of the run ``results`` (a run folder or its results.nc) into ``out``
    (default RESULTS/assess/): one .docx and one .html per document, index.html and
    index.docx. The Word files take their page set-up and styles from ``docx_template``
    (default templates/assess.docx). Bad input (missing, corrupt or unsolved results, a batch
    folder that is not one, an output place that cannot be written, a template that is not a
    usable .docx) is an `InputError` naming it."""
    from peakpath.io.atomic import (
        atomic_write_bytes,
        atomic_write_text,
        replace_dir,
        sweep_stale,
        temp_dir,
    )
    from peakpath.results.pathway import load_solved

    if lang not in LANGS:
        raise InputError([Problem("<command line>", None, "--lang", "choice",
                                  f"expected one of {', '.join(LANGS)}; got {lang!r}",
                                  "语言选项无效")])
    from peakpath.analysis.allocate import parse_rule

    r = parse_rule(rule)  # a bad rule is refused before anything is read
    check_docx_template(docx_template)
    if out is not None:
        writable_dir(out, "--out")
    s = load_solved(results)
    status = s.ds.attrs.get("status")
    if status not in ("optimal", "elastic"):
        hint = (" (its targets cannot all be met: run it again with --elastic for a pathway "
                "with the shortfalls priced)" if status == "infeasible" else "")
        raise InputError([Problem(str(s.path / "results.nc"), None, None, "results",
                                  f"the run ended '{status}'{hint}; the documents need a "
                                  "solved pathway: give a solved run (or one solved in "
                                  "elastic mode)", "该情景未求解成功")])
    folder = Path(out) if out is not None else s.path / "assess"
    writable_dir(folder, "--out")
    spec = load_outline(outline)
    b = load_batch_info(batch, s.years) if batch is not None else None
    a = Assessment(s, lang=lang, batch=b, outline=spec, rule=r)
    docs = a.documents()
    rows = a.index_rows(docs)
    idx = spec.get("index") or {}
    title = a.h(idx.get("title", {"zh": "碳达峰评估文件集", "en": "Assessment set"}))
    ifile = str(idx.get("file", "index"))
    columns = [a.t("序号", "No."), a.t("文件", "Document"), a.t("牵头单位", "Lead"),
               a.t("责任单位", "Responsible"), a.t("范围", "Scope"), a.t("文件", "Files")]
    notes = [a.t(f"情景：{s.ds.attrs.get('scenario')}；状态：{s.ds.attrs.get('status')}。"
                 "每份文件提供可编辑的 Word 版（.docx）与网页版（.html），数值均取自求解结果 "
                 "results.nc。",
                 f"Scenario {s.ds.attrs.get('scenario')}, status {s.ds.attrs.get('status')}. "
                 "Each document comes as an editable Word file (.docx) and an HTML twin; every "
                 "number is read from the results (results.nc).")]
    if a.district_reports is not None:
        dr = a.district_reports
        flagged = dr.flagged()
        names = "、".join(a.district_name(d) for d in flagged) or a.t("无", "none")
        notes.append(a.t(
            f"区报告的目标按{dr.rule_label()}分配（--rule）；全市达峰年{dr.peak_year}年之后分配排放"
            f"上升的区：{names}。",
            f"The district reports' targets follow {dr.rule_label()} (--rule); districts whose "
            f"allocated CO2 rises after the city's peak year {dr.peak_year}: {names}."))
        notes += dr.index_notes()
    if a.enterprise_plans is not None:
        notes += a.enterprise_plans.index_notes()
    html_index = environment().get_template("assess_index.html.j2").render(
        title=title, notes=notes, columns=columns, docs=rows)
    docx_index = index_docx(title, columns[:-1], [
        [str(i), r["title"], r["lead"], r["responsible"], r["scope"]]
        for i, r in enumerate(rows, start=1)], notes, docx_template)
    names = {f"{ifile}.html", f"{ifile}.docx"} | {f"{d.file}.{e}" for d in docs
                                                  for e in ("html", "docx")}
    sweep_stale(folder.parent)
    tmp = temp_dir(folder)
    files = AssessFiles(folder)
    try:
        for d in docs:
            atomic_write_text(tmp / f"{d.file}.html", render_html(d))
            atomic_write_bytes(tmp / f"{d.file}.docx", render_docx(d, docx_template))
            files.documents.append((d, folder / f"{d.file}.html", folder / f"{d.file}.docx"))
        atomic_write_text(tmp / f"{ifile}.html", html_index)
        atomic_write_bytes(tmp / f"{ifile}.docx", docx_index)
        replace_dir(tmp, folder, names)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files.index_html, files.index_docx = folder / f"{ifile}.html", folder / f"{ifile}.docx"
    return files


# --------------------------------------------------------------------------------------------
# CLI


def add_parser(sub) -> None:
    """``peakpath assess`` and its options."""
    p = sub.add_parser("assess", help=command_help("assess"))
    p.add_argument("results", help="a solved run's folder (results/<name>/) or its results.nc")
    p.add_argument("--batch", default=None,
                   help="a batch's results folder: fan chart, P(target met), no-regret "
                   "measures in the uncertainty sections")
    p.add_argument("--out", default=None, help="folder to write the set into "
                   "(default: RESULTS/assess/)")
    p.add_argument("--lang", default="zh", choices=LANGS,
                   help="zh: Chinese; zh+en: Chinese with English beside (default zh)")
    p.add_argument("--outline", default=None,
                   help="an edited copy of the outline (default: the packaged "
                   "templates/assess.yaml)")
    p.add_argument("--rule", default="least-cost",
                   help="how the district reports allocate the city's targets, as in "
                   "peakpath allocate: least-cost | equal-intensity | per-capita | "
                   "ability-to-pay | blend:RULE=W,RULE=W (default least-cost)")
    p.add_argument("--docx-template", default=None, metavar="FILE",
                   help="a Word file whose page set-up and styles every .docx takes (an "
                   "edited copy of the packaged templates/assess.docx; default that one)")
    p.set_defaults(func=cmd_assess)


def cmd_assess(args: argparse.Namespace) -> int:
    """Write the set and list what was written."""
    files = write_assess(args.results, batch=args.batch, out=args.out, lang=args.lang,
                         outline=args.outline, rule=args.rule,
                         docx_template=args.docx_template)
    print(f"评估文件集 Assessment set: {len(files.documents)} documents -> {files.folder}/")
    for d, html, docx in files.documents:
        print(f"  {d.title}  [{'、'.join(d.lead)}]  {docx.name}, {html.name}")
    print(f"索引 Index: {files.index_html}")
    return 0
