"""The district reports of ``peakpath assess``: one document per administrative unit of the
dataset (districts.csv, kind core, suburban or zone; never the whole-city row), led by the
district government (区人民政府) or the zone's management committee (管委会), with the city
bureaus of the sectors the district has as the responsible units.

After the partition units come the overlay units of district_overlays.csv (临空港经开区 and
汉南区, one administration with Dongxihu and the Economic & Technological Development Zone;
长江新区, part of Jiang'an, Huangpi and Xinzhou): each report follows the same headings and
quotes its host units' numbers section by section with the reason, so nothing is counted
twice; an overlay without a sourced share says which data would give it accounts of its own.
The partition units alone add up to the city (`DistrictReports.partition_check`).

Each report gives, from the run's results and nothing else:

* where its numbers come from: most district data are shares of the city's sectors
  (district_shares.csv, with the basis and source of each), measures sited by
  measure_sites.csv and projects by the district column of projects.csv; a district with no
  data of its own says so, and no district number is made up;
* its history: base-year energy (万tce) and CO2 (万t) by sector, from the sector accounts
  (`peakpath.results.pathway.sector_accounts`, which place a city run in districts by those
  shares);
* its targets under the rule of ``--rule`` (`peakpath.analysis.allocate`, the same rules and
  the same functions as ``peakpath allocate``): CO2 and energy in every year with carbon and
  energy intensity and their change from the base year and over each plan period;
* the measures in the district (measure accounts by district) with timing, investment and
  abatement, the sited ones first;
* the major projects sited there, their online year (results.nc project_online) and the CO2
  they add;
* a flag where the allocated CO2 rises after the city's peak year, with the reason: the
  sectors whose CO2 grows in the district, the projects that come online there, and under a
  rule other than least cost, the district's growing share of the city.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from peakpath.errors import InputError
from peakpath.report.documents import Document, Paragraph, Section, Table

if TYPE_CHECKING:
    from peakpath.analysis.allocate import Allocation, Rule
    from peakpath.report.assess import Assessment

#: the kinds of unit that get a report (districts.csv)
KINDS = ("core", "suburban", "zone")
#: a rise after the city's peak smaller than this (万t CO2, and relative to the peak-year
#: value) is rounding, not a rise
RISE_ABS = 1e-6
RISE_REL = 1e-9
#: plan periods whose intensity change is shown (end years)
PLAN_ENDS = (2025, 2030, 2035)
#: a flag's reason names at most this many growing sectors (the largest), then the rest
TOP_SECTORS = 5


def short_name(name: str) -> str:
    """A unit's name without its bracketed note: 青山区（武汉化工区） -> 青山区."""
    return re.sub(r"\s*[（(].*?[）)]\s*", "", str(name)).strip() or str(name)


class DistrictReports:
    """Builds the district reports of an `Assessment` under one allocation rule."""

    def __init__(self, a: Assessment, rule: Rule) -> None:
        from peakpath.results.pathway import measure_accounts, sector_accounts

        self.a, self.rule = a, rule
        self.spec: dict[str, Any] = a.outline.get("districts") or {}
        self.heads: dict[str, Any] = a.outline.get("district_headings") or {}
        self.acc = sector_accounts(a.s)  # year, sector, district, co2, energy
        self.meas = measure_accounts(a.s)  # measure, district, year, ...
        self.units = a.s.districts()
        self.units = self.units[self.units["kind"].isin(KINDS)].reset_index(drop=True)
        self.alloc: Allocation | None = None
        self.alloc_error: str | None = None
        try:
            from peakpath.analysis.allocate import allocate

            self.alloc = allocate(a.s, rule)
        except InputError as e:  # no population and GDP by district: say so in the reports
            self.alloc_error = "; ".join(str(p) for p in e.problems)
        sm = a.summary
        self.peak_year = int(sm["peak_year"])

    # ------------------------------------------------------------------ helpers

    def fill(self, spec: dict[str, str], r: Any, n: int) -> str:
        zh = str(spec["zh"]).format(name=short_name(r.name_zh), district=r.district, n=n)
        en = str(spec.get("en") or "").format(name=short_name(r.name_en), district=r.district,
                                            n=n)
        return self.a.t(zh, en)

    def rule_label(self) -> str:
        from peakpath.analysis.allocate import RULE_LABELS

        w = self.rule.weights
        zh = " + ".join(RULE_LABELS[k][0] + ("" if len(w) == 1 else f"×{v:g}")
                        for k, v in w.items())
        en = " + ".join(RULE_LABELS[k][1] + ("" if len(w) == 1 else f" ×{v:g}")
                        for k, v in w.items())
        return self.a.t(f"{zh}（{self.rule.name}）", en)

    def district_sectors(self, d: str) -> list[str]:
        """Sectors with any energy or CO2 in the district, in the dataset's order."""
        f = self.acc[self.acc["district"] == d]
        f = f[(f["co2"].abs() > 1e-9) | (f["energy"].abs() > 1e-9)]
        have = set(f["sector"])
        return [s for s in self.a.md.sectors["sector"] if s in have]

    def own_data(self, d: str) -> list[str]:
        """Sectors whose activity the dataset gives for this district itself (activity.csv
        rows of the district), not as a share of the city's."""
        act = self.a.s.data["activity"]
        if "district" not in act:
            return []
        return sorted(set(act.loc[act["district"] == d, "sector"]))

    def targets(self, d: str) -> pd.DataFrame | None:
        """The district's allocated targets (year-indexed), or None without an allocation."""
        if self.alloc is None:
            return None
        t = self.alloc.districts
        return t[t["unit"] == d].set_index("year").sort_index()

    # ------------------------------------------------------------------ documents

    def documents(self) -> list[Document]:
        """The partition units' reports (districts.csv), then the overlay units' (district
        overlays), numbered on."""
        if not self.spec:
            return []
        docs = [self.document(r, n) for n, r in enumerate(self.units.itertuples(index=False),
                                                           start=1)]
        ov = self.overlays()
        for n, (u, rows) in enumerate(ov.groupby("unit", sort=False), start=len(docs) + 1):
            docs.append(self.overlay_document(str(u), rows, n))
        return docs

    # ------------------------------------------------------------------ overlay units

    def overlays(self) -> pd.DataFrame:
        """district_overlays.csv rows whose host is a unit with a report (empty without)."""
        data = self.a.s.data
        if "district_overlays" not in data.tables or data["district_overlays"].empty:
            return pd.DataFrame(columns=["unit", "host", "relation"])
        ov = data["district_overlays"]
        return ov[ov["host"].isin(self.units["district"])].reset_index(drop=True)

    def relation_text(self, r: Any) -> str:
        """What the overlay unit is to its host, in the reader's language(s)."""
        host = self.a.district_name(str(r.host))
        if r.relation == "co_administered":
            return self.a.t(f"与{host}为同一管理机构（合署/托管）：同一套数据",
                            f"one administration with {host}: the same numbers")
        return self.a.t(f"{host}的一部分：{r.covers_zh}", f"part of {host}: {r.covers_en}")

    def overlay_document(self, u: str, rows: pd.DataFrame, n: int) -> Document:
        """The report of an overlay unit: its relation to its hosts and, section by section,
        the host units' numbers with the reason, never a number of its own."""
        a = self.a
        r0 = rows.iloc[0]
        names = {"zh": short_name(r0["name_zh"]), "en": short_name(r0["name_en"])}
        fake = type("U", (), {"name_zh": r0["name_zh"], "name_en": r0["name_en"],
                              "district": u})()
        lead = [a.t(str(r0["lead_zh"]), str(r0["lead_en"]))]
        hosts = rows["host"].astype(str).tolist()
        sectors = [s for s in a.md.sectors["sector"]
                   if any(s in self.district_sectors(h) for h in hosts)]
        kinds = self.spec.get("kind") or {}
        kind = kinds.get(r0["kind"]) or {"zh": "新区", "en": "new area"}
        host_names = "、".join(a.district_name(h) for h in hosts)
        scope = a.t(f"{names['zh']}，{kind['zh']}；叠加单元，不计入全市分区合计；"
                    f"所在区：{host_names}",
                    f"({names['en']}, {kind.get('en', '')}; an overlay unit, not counted in "
                    "the city's partition)")
        meta = a.meta(lead, a.bureaus_of(sectors), scope)
        meta.insert(3, (a.t("分配规则", "Allocation rule"), self.rule_label()))
        doc = Document(f"district-{u}", self.spec["file"].format(district=u, n=n,
                                                                  name=names["zh"]),
                       self.fill(self.spec["title"], fake, n), lead,
                       a.bureaus_of(sectors), meta, lang=a.lang)
        methods = {"history": self.history, "targets": self.allocated,
                   "measures": self.measures, "projects": self.projects, "flag": self.flag}
        for key, head in self.heads.items():
            sec = doc.section(key, a.h(head))
            if key == "sources":
                self.overlay_sources(sec, names, rows)
                continue
            for r in rows.itertuples(index=False):
                h = str(r.host)
                sub = sec if len(rows) == 1 else sec.sub(f"{key}-{h}", a.district_name(h))
                sub.add(Paragraph(self.host_note(r, names), note=True))
                methods[key](sub, h, self.district_sectors(h))
        return doc

    def host_note(self, r: Any, names: dict[str, str]) -> str:
        """Why a section of an overlay report shows its host's numbers."""
        a, host = self.a, self.a.district_name(str(r.host))
        if r.relation == "co_administered":
            return a.t(
                f"以下为{host}的数值：{names['zh']}与{host}为同一管理机构、同一套统计数据，"
                f"本节数值与{host}报告相同，汇总时只计一次。",
                f"The numbers below are {host}'s: {names['en']} and {host} are one "
                f"administration with one set of statistics, so they equal {host}'s report "
                "and count once in any total.")
        return a.t(
            f"以下为所在区{host}全区的数值；{names['zh']}只覆盖其中一部分（{r.covers_zh}），"
            "其所占份额没有来源，未作拆分，不得与所在区数值相加。",
            f"The numbers below are those of the whole host unit {host}; {names['en']} covers "
            f"only part of it ({r.covers_en}); its share has no source and is not split off, "
            "and must not be added to the host's numbers.")

    def overlay_sources(self, sec: Section, names: dict[str, str], rows: pd.DataFrame) -> None:
        """The overlay unit's relation to its hosts, the sources, and what data would give it
        its own accounts."""
        a = self.a
        sec.add(Paragraph(a.t(
            f"{names['zh']}不是模型分区（districts.csv）的单元：模型按分区单元分配全市排放，各分区单元"
            f"之和等于全市。{names['zh']}与下列分区单元重叠（district_overlays.csv），本报告引用其数值"
            "并说明原因，不另行计入全市合计。",
            f"{names['en']} is not a unit of the model's partition (districts.csv): the model "
            "allocates the city's emissions over the partition units, which add up to the city. "
            f"{names['en']} overlays the units below (district_overlays.csv); this report quotes "
            "their numbers with the reason and adds nothing to the city's total.")))
        sec.add(Table(
            a.t("所在分区单元与关系", "Host units and relation"),
            a.unit("比例：占所在区活动水平（空白：无来源）",
                   "share: of the host's activity (empty: no source)"),
            a.src("数据（district_overlays.csv）", "data (district_overlays.csv)"),
            [a.t("所在区", "Host unit"), a.t("关系", "Relation"), a.t("比例", "Share"),
             a.t("来源", "Source")],
            [[a.district_name(str(r.host)), self.relation_text(r),
              float(r.share) if pd.notna(r.share) else a.t("无来源", "no source"),
              str(r.source)] for r in rows.itertuples(index=False)],
            digits=[None, None, 4, None]))
        parts = rows[rows["relation"] == "part_of"]
        if len(parts) and parts["share"].isna().any():
            hosts = "、".join(a.district_name(str(h)) for h in parts["host"])
            sec.add(Paragraph(a.t(
                f"{names['zh']}自身的能源与排放核算不在数据中。要给出本单元自己的数值，需市统计局提供"
                f"本单元所涉街道（{hosts}的相关部分）分行业的能源消费与地区生产总值，作为其占所在区"
                "比例填入 district_overlays.csv 的 share 列（并注明依据与来源）。"
                "在此之前，以下各节给出所在区全区的模型数值，作为本单元的上限范围。",
                f"{names['en']}'s own energy and emission accounts are not in the data. To give "
                "its own numbers, the Municipal Bureau of Statistics would need to provide the "
                f"energy use by sector and the GDP of the sub-districts it covers (the parts of "
                f"{hosts}), entered as its share of each host in the share column of "
                "district_overlays.csv with basis and source. Until then the sections below give "
                "the model figures of the whole host units, as an envelope.")))
        for r in rows.itertuples(index=False):
            h = str(r.host)
            sub = sec.sub(f"sources-{h}", a.district_name(h))
            self.sources(sub, h, self.district_sectors(h))

    def partition_check(self, year: int | None = None) -> tuple[int, float, float]:
        """(year, sum over the partition units of their CO2 (万t, sector accounts), the
        city's co2_total (万t)); the two agree when nothing is counted twice."""
        y = int(year if year is not None else self.a.base)
        f = self.acc[(self.acc["year"] == y) & self.acc["district"].isin(self.units["district"])]
        return y, float(f["co2"].sum()), float(self.a.ds["co2_total"].sel(year=y))

    def index_notes(self) -> list[str]:
        """Lines of the index: the partition adds up to the city; overlays are marked."""
        a = self.a
        y, tot, city = self.partition_check()
        out = [a.t(
            f"分区单元（districts.csv，{len(self.units)}个）之和等于全市：{y}年各单元二氧化碳合计"
            f"{tot:,.2f}万t，全市{city:,.2f}万t。",
            f"The partition units (districts.csv, {len(self.units)}) add up to the city: their "
            f"CO2 in {y} is {tot:,.2f} 万t against the city's {city:,.2f} 万t.")]
        ov = self.overlays()
        if len(ov):
            names = "、".join(a.t(short_name(r["name_zh"]), short_name(r["name_en"]))
                             for _, r in ov.drop_duplicates("unit").iterrows())
            out.append(a.t(
                f"叠加单元（district_overlays.csv）：{names}。其报告引用所在区的数值并说明关系，"
                "不计入上述合计。",
                f"Overlay units (district_overlays.csv): {names}. Their reports quote their "
                "host units' numbers with the relation and are not part of the total above."))
        return out

    def document(self, r: Any, n: int) -> Document:
        a = self.a
        d = str(r.district)
        lead = [self.fill(self.spec["lead"][r.kind], r, n)]
        sectors = self.district_sectors(d)
        resp = a.bureaus_of(sectors)
        kind = (self.spec.get("kind") or {}).get(r.kind)
        scope = a.district_name(d) + (f"，{a.h(kind)}" if kind else "")
        meta = a.meta(lead, resp, scope)
        meta.insert(3, (a.t("分配规则", "Allocation rule"), self.rule_label()))
        doc = Document(f"district-{d}", self.spec["file"].format(
            district=d, n=n, name=short_name(r.name_zh)), self.fill(self.spec["title"], r, n),
            lead, resp, meta, lang=a.lang)
        for key, head in self.heads.items():
            sec = doc.section(key, a.h(head))
            {"sources": self.sources, "history": self.history, "targets": self.allocated,
             "measures": self.measures, "projects": self.projects, "flag": self.flag}[key](
                sec, d, sectors)
        return doc

    # ------------------------------------------------------------------ sections

    def sources(self, sec: Section, d: str, sectors: list[str]) -> None:
        """Where the district's numbers come from: shares, sites, its own data."""
        a, data = self.a, self.a.s.data
        own = self.own_data(d)
        split = "districts: true" if a.s.has_districts else "districts: false"
        sec.add(Paragraph(a.t(
            "归属规则：本区的能源消费与排放是全市各行业数值按本区所占比例分摊所得"
            "（district_shares.csv，分摊依据与来源见下表）；选址措施（measure_sites.csv）的效果"
            f"与重大项目（projects.csv 的区列）计入其所在区。本次结果的情景设定为 {split}。",
            "Attribution rule: the district's energy use and CO2 are the city's sectors times the "
            "district's shares of them (district_shares.csv; basis and source below); the "
            "effects of sited measures (measure_sites.csv) and major projects (the district "
            f"column of projects.csv) count where they are sited. The run was solved with "
            f"{split}.")))
        if not own:
            sec.add(Paragraph(a.t(
                "本区没有本区自身的统计数据：本报告中的本区数值均为按比例分摊的估算值，"
                "并非本区统计数。",
                "This district has no data of its own: every district number in this report "
                "is a share of the city's, not a district statistic.")))
        else:
            sec.add(Paragraph(a.t(
                f"本区自有活动数据的部门：{'、'.join(a.sector_name(s) for s in own)}；"
                "其余部门为分摊值。",
                f"Sectors with the district's own activity data: "
                f"{', '.join(a.sector_name(s) for s in own)}; the others are shares.")))
        sh = data["district_shares"]
        sh = sh[sh["district"] == d]
        rows = [[a.sector_name(str(x.sector)), 100 * float(x.share), str(x.basis),
                 str(x.source)] for x in sh.itertuples(index=False)
                if str(x.sector) in a.sectors.index]
        if rows:
            sec.add(Table(a.t("本区所占全市各行业的比例",
                              "The district's shares of the city's sectors"),
                          a.unit("%（占全市该行业活动）",
                                 "% (of the city's activity of the sector)"),
                          a.src("数据（district_shares.csv）", "data (district_shares.csv)"),
                          [a.t("部门", "Sector"), a.t("比例 %", "Share %"),
                           a.t("分摊依据", "Basis"), a.t("来源", "Source")], rows,
                          digits=[None, 2, None, None]))
        ind = data["district_indicators"] if "district_indicators" in data.tables else None
        if ind is not None and len(ind):
            ind = ind[ind["district"] == d]
            rows = [[str(x.variable), int(x.year), float(x.value), str(x.unit), str(x.source)]
                    for x in ind.itertuples(index=False)]
            if rows:
                sec.add(Table(a.t("本区人口与地区生产总值", "Population and GDP of the district"),
                              a.unit("见“单位”列", "per row (unit column)"),
                              a.src("数据（district_indicators.csv）",
                                    "data (district_indicators.csv)"),
                              [a.t("指标", "Indicator"), a.t("年份", "Year"), a.t("数值", "Value"),
                               a.t("单位", "Unit"), a.t("来源", "Source")], rows,
                              digits=[None, None, 2, None, None]))

    def history(self, sec: Section, d: str, sectors: list[str]) -> None:
        """Base-year energy and CO2 by sector in the district (sector accounts)."""
        a, b = self.a, self.a.base
        f = self.acc[(self.acc["district"] == d) & (self.acc["year"] == b)]
        f = f.groupby("sector")[["energy", "co2"]].sum()
        city = self.acc[self.acc["year"] == b].groupby("sector")[["energy", "co2"]].sum()
        sec.add(Paragraph(a.t(
            f"基准年为{b}年。下表为本区各部门基准年的能源消费与二氧化碳排放（目标口径：直接排放加外购电力），"
            "按上节的归属规则由全市各部门核算分摊而来，及其占全市该部门排放的比重。",
            f"The base year is {b}. The table gives the district's energy use and CO2 by sector "
            "in the base year (target boundary: direct emissions plus purchased electricity), "
            "attributed from the city's sector accounts by the rule above, and its share of the "
            "city's CO2 of the sector.")))
        rows, tot = [], [0.0, 0.0]
        for s in sectors:
            if s not in f.index:
                continue
            e, c = float(f.loc[s, "energy"]), float(f.loc[s, "co2"])
            cc = float(city.loc[s, "co2"]) if s in city.index else 0.0
            tot[0] += e
            tot[1] += c
            rows.append([a.sector_name(s), e, c, 100 * c / cc if abs(cc) > 1e-12 else np.nan])
        if not rows:
            sec.add(Paragraph(a.t("本区在基准年没有能源消费或排放。",
                                  "The district has no energy use or CO2 in the base year.")))
            return
        cityc = float(a.ds["co2_total"].sel(year=b))
        rows.append([a.t("合计", "Total"), tot[0], tot[1],
                     100 * tot[1] / cityc if cityc else np.nan])
        sec.add(Table(
            a.t(f"{b}年本区各部门能源消费与排放",
                f"Energy use and CO2 by sector in the district, {b}"),
            a.unit("能源 万tce（核算口径），二氧化碳 万t CO2，占比 %（合计行：占全市）",
                   "energy 万tce (accounting rules), CO2 万t CO2, share % (total row: of the "
                   "city)"),
            a.src("路径（results.nc 部门核算，按区分摊）",
                  "pathway (sector accounts of results.nc, attributed to districts)"),
            [a.t("部门", "Sector"), a.t("能源消费", "Energy"), a.t("二氧化碳", "CO2"),
             a.t("占全市该部门 %", "Share of the city's sector %")], rows,
            digits=[None, 2, 2, 1], row_class=[""] * (len(rows) - 1) + ["total"]))

    def allocated(self, sec: Section, d: str, sectors: list[str]) -> None:
        """CO2 and energy targets per year under the rule, with the intensity changes."""
        a = self.a
        t = self.targets(d)
        if t is None:
            sec.add(Paragraph(a.t(
                f"无法按规则分配目标：{self.alloc_error}。补充各区人口与地区生产总值"
                "（district_indicators.csv）后重新生成本文件。",
                f"The targets cannot be allocated: {self.alloc_error}. Add the districts' "
                "population and GDP (district_indicators.csv) and write the set again.")))
            return
        sec.add(Paragraph(a.t(
            f"分配规则：{self.rule_label()}。各区分配排放之和逐年等于全市优化路径排放（results.nc "
            "co2_total），能源同理；“最低成本”列为模型自身的分区结果，供比较。",
            f"Rule: {self.rule_label()}. The districts' allocations add up to the city's "
            "pathway in every year (results.nc co2_total), and likewise for energy; the least-"
            "cost columns are the model's own split, for comparison.")))
        for n in self.alloc.notes:
            sec.add(Paragraph(n, note=True))
        base = a.base
        city = a.ds["co2_total"].to_series()
        ci0, ei0 = float(t.loc[base, "carbon_intensity"]), float(t.loc[base, "energy_intensity"])
        rows = []
        for y, r in t.iterrows():
            rows.append([int(y), float(r["co2"]), float(r["co2_lc"]),
                         100 * float(r["co2"]) / float(city[y]) if city[y] else np.nan,
                         float(r["energy"]), float(r["energy_lc"]),
                         float(r["carbon_intensity"]),
                         100 * (float(r["carbon_intensity"]) / ci0 - 1) if ci0 else np.nan,
                         float(r["energy_intensity"]),
                         100 * (float(r["energy_intensity"]) / ei0 - 1) if ei0 else np.nan])
        sec.add(Table(
            a.t(f"分配目标（{self.rule_label()}）", f"Allocated targets ({self.rule_label()})"),
            a.unit("二氧化碳 万t CO2（目标口径）；能源 万tce（核算口径）；碳强度 t CO2/万元；"
                   "能耗强度 tce/万元；变化 %（较基准年）",
                   "CO2 万t CO2 (target boundary); energy 万tce (accounting rules); carbon "
                   "intensity t CO2/万元; energy intensity tce/万元; change % (from the base "
                   "year)"),
            a.src("peakpath allocate 规则（results.nc 部门核算；区GDP按基准年占比）",
                  "peakpath allocate rules (sector accounts of results.nc; district GDP at "
                  "its base-year share)"),
            [a.t("年份", "Year"), a.t("二氧化碳 分配", "CO2 allocated"),
             a.t("二氧化碳 最低成本", "CO2 least cost"), a.t("占全市 %", "Share of city %"),
             a.t("能源 分配", "Energy allocated"), a.t("能源 最低成本", "Energy least cost"),
             a.t("碳强度", "Carbon intensity"), a.t("碳强度变化 %", "Carbon intensity change %"),
             a.t("能耗强度", "Energy intensity"),
             a.t("能耗强度变化 %", "Energy intensity change %")], rows,
            digits=[None, 2, 2, 2, 2, 2, 4, 1, 4, 1], row_class=self.rise_rows(d, t)))
        rows = []
        for end in PLAN_ENDS:
            start = end - 5
            if end in t.index and start in t.index:
                rows.append([f"{start + 1}–{end}",
                             100 * (float(t.loc[end, "carbon_intensity"])
                                    / float(t.loc[start, "carbon_intensity"]) - 1),
                             100 * (float(t.loc[end, "energy_intensity"])
                                    / float(t.loc[start, "energy_intensity"]) - 1),
                             float(t.loc[end, "co2"]) - float(t.loc[start, "co2"]),
                             float(t.loc[end, "energy"]) - float(t.loc[start, "energy"])])
        if rows:
            sec.add(Table(
                a.t("五年规划期强度变化", "Intensity change per plan period"),
                a.unit("强度变化 %；排放变化 万t CO2；能源变化 万tce",
                       "intensity change %; CO2 change 万t CO2; energy change 万tce"),
                a.src("由上表计算（期末较期初）", "from the table above (period end against "
                      "its start)"),
                [a.t("规划期", "Period"), a.t("碳强度变化 %", "Carbon intensity change %"),
                 a.t("能耗强度变化 %", "Energy intensity change %"),
                 a.t("排放变化", "CO2 change"), a.t("能源变化", "Energy change")], rows,
                digits=[None, 1, 1, 2, 2]))

    def measures(self, sec: Section, d: str, sectors: list[str]) -> None:
        """Measures in the district: the sited ones (measure_sites.csv), then those placed by
        their sector's shares, with timing, investment and abatement (measure accounts)."""
        from peakpath.analysis.recommend import MILESTONES

        a = self.a
        from peakpath.report.assess import IN_USE

        m = self.meas[self.meas["district"] == d]
        sites = a.s.data["measure_sites"] if "measure_sites" in a.s.data.tables else None
        sited = [] if sites is None or sites.empty else \
            sites.loc[sites["district"] == d, "measure"].astype(str).tolist()
        sited = [x for x in sited if x in a.minfo.index]
        used = m.groupby("measure")["adoption"].max()
        used = [x for x in used.index if used[x] > IN_USE]
        order = sited + [x for x in a.minfo.index if x in used and x not in sited]
        ys = [y for y in MILESTONES if y in a.years]
        sec.add(Paragraph(a.t(
            f"选址在本区的措施{len(sited)}项（measure_sites.csv）；优化路径在本区采用的措施{len(used)}项"
            "（其余措施按所在行业的分区比例计入本区）。",
            f"{len(sited)} measures are sited in the district (measure_sites.csv); the pathway "
            f"uses {len(used)} measures here (measures without a site count by their sector's "
            "district shares).")))
        if not order:
            return
        rows = []
        for x in order:
            f = m[m["measure"] == x].set_index("year")
            on = f.index[f["adoption"] > IN_USE]
            rows.append([a.measure_name(x),
                         a.t("选址", "sited") if x in sited else a.t("按行业比例", "by shares"),
                         str(a.minfo.loc[x, "unit"]),
                         int(on.min()) if len(on) else a.t("未采用", "not used"),
                         *(float(f["adoption"].get(y, np.nan)) for y in ys),
                         float(f["investment"].sum()),
                         *(-float(f["co2"].get(y, np.nan)) for y in ys)])
        sec.add(Table(
            a.t("本区措施的时间、投资与减排", "Measures in the district: timing, investment and "
                "abatement"),
            a.unit("规模为措施单位；投资 万元（2020年价，不折现，全期合计）；减排 万t CO2/年",
                   "in use: the measure's unit; investment 万元 (2020 prices, undiscounted, "
                   "horizon total); abatement 万t CO2/yr"),
            a.src("措施（results.nc 采用量与新建量，按区：measure_sites.csv 或行业比例）",
                  "measures (results.nc adoption and new builds, by district: measure_sites.csv "
                  "or sector shares)"),
            [a.t("措施", "Measure"), a.t("落地方式", "Placement"), a.t("单位", "Unit"),
             a.t("起始年", "From"), *(a.t(f"规模 {y}", f"in use {y}") for y in ys),
             a.t("累计投资", "Investment"), *(a.t(f"减排 {y}", f"abated {y}") for y in ys)],
            rows, digits=[None, None, None, None, *[2] * len(ys), 0, *[2] * len(ys)]))

    def sited_projects(self, d: str) -> pd.DataFrame:
        pr = self.a.s.data["projects"] if "projects" in self.a.s.data.tables else None
        if pr is None or pr.empty:
            return pd.DataFrame(columns=["project", "name_zh", "name_en", "sector", "district"])
        return pr[pr["district"] == d]

    def online_year(self, p: str) -> int | None:
        ds = self.a.ds
        if "project_online" not in ds or p not in ds["project"].values:
            return None
        on = ds["project_online"].sel(project=p).to_series()
        first = on.index[on > 0.5]
        return int(first.min()) if len(first) else None

    def projects(self, sec: Section, d: str, sectors: list[str]) -> None:
        """Major projects sited in the district (projects.csv district column)."""
        a = self.a
        pr = self.sited_projects(d)
        if pr.empty:
            sec.add(Paragraph(a.t("数据中没有选址在本区的重大项目。",
                                  "The data list no major project sited in this district.")))
            return
        pc = a.project_co2()
        show = a.show[1:]
        rows = []
        for r in pr.itertuples(index=False):
            co2 = pc[r.project] if pc is not None and r.project in pc else pd.Series(dtype=float)
            on = self.online_year(str(r.project))
            rows.append([a.t(str(r.name_zh), str(r.name_en)), a.sector_name(str(r.sector)),
                         on if on is not None else a.t("不投产", "offline"),
                         float(r.value_added),
                         *(float(co2.get(y, 0.0)) for y in show)])
        sec.add(Table(
            a.t("本区重大项目", "Major projects in the district"),
            a.unit("增加值 亿元/年；新增排放 万t CO2/年", "value added 亿元/yr; added CO2 "
                   "万t CO2/yr"),
            a.src("数据（projects.csv 区列）；投产年份与新增排放来自 results.nc project_online",
                  "data (district column of projects.csv); online year and added CO2 from "
                  "results.nc project_online"),
            [a.t("项目", "Project"), a.t("部门", "Sector"), a.t("投产年份", "Online"),
             a.t("增加值", "Value added"), *(a.t(f"新增排放 {y}", f"added CO2 {y}") for y in show)],
            rows, digits=[None, None, None, 1, *[2] * len(show)]))

    def rise(self, d: str) -> tuple[int, int, float, float] | None:
        """(peak year P, year Y of the highest later value, X[P], X[Y]) when the allocated
        CO2 rises after the city's peak year; None otherwise."""
        t = self.targets(d)
        if t is None:
            return None
        x = t["co2"]
        p = self.peak_year
        later = x[x.index > p]
        if p not in x.index or later.empty:
            return None
        y = int(later.idxmax())
        tol = max(RISE_ABS, RISE_REL * abs(float(x[p])))
        if float(later[y]) - float(x[p]) > tol:
            return p, y, float(x[p]), float(later[y])
        return None

    def rise_rows(self, d: str, t: pd.DataFrame) -> list[str]:
        """Row classes of the target table: "flag" for the years above the level of the
        city's peak year (see `rise`)."""
        p = self.peak_year
        if self.rise(d) is None or p not in t.index:
            return [""] * len(t)
        x0 = float(t.loc[p, "co2"])
        tol = max(RISE_ABS, RISE_REL * abs(x0))
        return ["flag" if y > p and float(v) - x0 > tol else ""
                for y, v in t["co2"].items()]

    def reasons(self, d: str, p: int, y: int) -> list[str]:
        """Why the district's CO2 rises from p to y: projects online there, sectors growing
        in it, its growing share under the rule."""
        a = self.a
        out = []
        pc = a.project_co2()
        for r in self.sited_projects(d).itertuples(index=False):
            on = self.online_year(str(r.project))
            if on is not None and p < on <= y:
                add = float(pc[r.project].get(y, 0.0)) if pc is not None and r.project in pc \
                    else float("nan")
                out.append(a.t(
                    f"新项目：{r.name_zh}于{on}年在本区投产，{y}年新增排放{add:,.2f}万t CO2。",
                    f"New project: {r.name_en} comes online in the district in {on}, adding "
                    f"{add:,.2f} 万t CO2 in {y}."))
        f = self.acc[self.acc["district"] == d]
        ch = (f[f["year"] == y].groupby("sector")["co2"].sum()
              .sub(f[f["year"] == p].groupby("sector")["co2"].sum(), fill_value=0.0))
        grow = ch[ch > RISE_ABS].sort_values(ascending=False)
        if len(grow):
            tot = float(f[f["year"] == y]["co2"].sum()) or 1.0
            top = grow.head(TOP_SECTORS)
            parts_zh = [f"{a.sectors.loc[s, 'name_zh']} +{v:,.2f}万t" for s, v in top.items()]
            parts_en = [f"{a.sectors.loc[s, 'name_en']} +{v:,.2f} 万t" for s, v in top.items()]
            if len(grow) > len(top):
                rest = float(grow.iloc[len(top):].sum())
                parts_zh.append(f"其他{len(grow) - len(top)}个部门 +{rest:,.2f}万t")
                parts_en.append(f"{len(grow) - len(top)} other sectors +{rest:,.2f} 万t")
            ind = set(a.md.sectors.loc[a.md.sectors["group"] == "industry", "sector"])
            share = 100 * float(f[(f["year"] == y) & f["sector"].isin(ind)]["co2"].sum()) / tot
            zh = f"部门增长（最低成本路径，{p}→{y}年）：{'、'.join(parts_zh)}"
            en = f"Sectors growing (least-cost pathway, {p} to {y}): {', '.join(parts_en)}"
            if ind:  # the dataset has an industry group: its weight in the district
                zh += f"；{y}年工业占本区排放{share:.1f}%"
                en += f"; industry is {share:.1f}% of the district's CO2 in {y}"
            out.append(a.t(zh + "。", en + "."))
        if set(self.rule.weights) != {"least-cost"}:
            t = self.targets(d)
            city = a.ds["co2_total"].to_series()
            s0, s1 = 100 * t.loc[p, "co2"] / city[p], 100 * t.loc[y, "co2"] / city[y]
            if s1 > s0:  # the rule's own reason comes first
                out.insert(0, a.t(
                    f"分配规则使本区占全市排放的比重由{p}年的{s0:.2f}%升至{y}年的{s1:.2f}%"
                    f"（{self.rule_label()}）。",
                    f"The rule raises the district's share of the city's CO2 from {s0:.2f}% in "
                    f"{p} to {s1:.2f}% in {y} ({self.rule_label()})."))
        if not out:
            out.append(a.t("数据中找不到单一原因：上升来自各部门的分摊变化。",
                           "No single cause in the data: the rise comes from the attribution "
                           "of the sectors."))
        return out

    def flag(self, sec: Section, d: str, sectors: list[str]) -> None:
        a = self.a
        if self.alloc is None:
            sec.add(Paragraph(a.t("没有分配目标，无法判断。",
                                  "No allocated targets: nothing to check.")))
            return
        r = self.rise(d)
        if r is None:
            sec.add(Paragraph(a.t(
                f"未上升：按{self.rule_label()}分配，本区排放在全市达峰年（{self.peak_year}年）之后"
                "不超过达峰年水平。",
                f"No rise: under {self.rule_label()} the district's CO2 stays at or below its "
                f"level of the city's peak year ({self.peak_year}) afterwards.")))
            return
        p, y, x0, x1 = r
        sec.add(Paragraph(a.t(
            f"提示：全市于{p}年达峰，但按{self.rule_label()}分配，本区排放由{p}年的{x0:,.2f}万t CO2"
            f"升至{y}年的{x1:,.2f}万t CO2（+{x1 - x0:,.2f}万t）。",
            f"Flag: the city peaks in {p}, but under {self.rule_label()} the district's CO2 "
            f"rises from {x0:,.2f} 万t CO2 in {p} to {x1:,.2f} 万t CO2 in {y} "
            f"(+{x1 - x0:,.2f} 万t).")))
        for text in self.reasons(d, p, y):
            sec.add(Paragraph(a.t("原因：", "Reason: ") + text))

    def flagged(self) -> dict[str, tuple[int, int, float, float]]:
        """The districts whose allocated CO2 rises after the city's peak."""
        out = {}
        for d in self.units["district"]:
            r = self.rise(str(d))
            if r is not None:
                out[str(d)] = r
        return out
