"""The enterprise plans of ``peakpath assess``: one carbon-reduction action plan
(碳减排行动方案) per state-owned enterprise of soe_enterprises.csv — the city-owned ones
(市属出资企业, led by 市国资委) first, then the central SOEs in Wuhan (央企), kept as key
enterprises in a section of their own.

Each plan gives, from the run's results and the sourced table and nothing else:

* who the enterprise is: ownership, supervisor, the model sectors it works in, its share of
  each sector where the table gives one (with the basis), and its 13th-FYP energy use where
  reported; what is missing is listed for 市国资委 to fill (the data list sheet
  soe_enterprises);
* the sector pathway: energy (万tce, accounting rules) and CO2 (万t, target boundary) of each
  of its sectors in the base year and the milestone years (sector accounts of results.nc);
  with a share, the enterprise's allocated energy and CO2 = share × sector; without one, the
  sector figures are the envelope and the plan says so;
* the model's measures in those sectors (and capture measures they host): the first year in
  use, the investment (万元, 2020 prices, undiscounted, horizon total) and the CO2 abated
  (万t/yr) in the milestone years, times the share where there is one.

No enterprise number is made up: an enterprise without a share gets no allocated number.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from peakpath.report.documents import Document, Paragraph, Section, Table

if TYPE_CHECKING:
    from peakpath.report.assess import Assessment

#: ownership order of the plans: the 市属 ones the work plan asks for, then the central SOEs
OWNERSHIP_ORDER = ("municipal", "central")
#: the plan's heading keys (outline ``enterprises.headings``)
ENTERPRISE_KEYS = ("basis", "pathway", "measures", "data")


def slug(s: str) -> str:
    """A file-name-safe id."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", s).strip("-") or "enterprise"


class EnterprisePlans:
    """Builds the enterprise plans of an `Assessment`."""

    def __init__(self, a: Assessment) -> None:
        self.a = a
        self.spec: dict[str, Any] = a.outline.get("enterprises") or {}
        data = a.s.data
        t = data["soe_enterprises"] if "soe_enterprises" in data.tables else pd.DataFrame()
        if len(t):
            t = t[t["sector"].isin(a.sectors.index)]
            order = {o: i for i, o in enumerate(OWNERSHIP_ORDER)}
            t = t.assign(_o=t["ownership"].map(order)).sort_values("_o", kind="stable")
        self.table = t.reset_index(drop=True)

    # ------------------------------------------------------------------ numbers

    def sector_series(self, sector: str) -> pd.DataFrame:
        """Energy (万tce) and CO2 (万t) of one sector by year (sector accounts)."""
        a = self.a
        return pd.DataFrame({"energy": a.field_energy([sector]), "co2": a.field_co2([sector])})

    def measures_of(self, sector: str) -> list[str]:
        """The measures of the sector and the capture measures it hosts, in dataset order."""
        info = self.a.minfo
        host = info["host_sector"] if "host_sector" in info else pd.Series(index=info.index,
                                                                            dtype=object)
        return [m for m in info.index if info.loc[m, "sector"] == sector or host.get(m) == sector]

    def enterprise_values(self, e: str) -> pd.DataFrame:
        """Per sector of the enterprise with a share and per year: share × sector energy and
        CO2 (columns sector, year, share, energy, co2); empty without shares."""
        rows = self.table[(self.table["enterprise"] == e) & self.table["share"].notna()]
        out = [self.sector_series(str(r.sector)).mul(float(r.share)).assign(
            sector=str(r.sector), share=float(r.share)).rename_axis("year").reset_index()
            for r in rows.itertuples(index=False)]
        if not out:
            return pd.DataFrame(columns=["sector", "year", "share", "energy", "co2"])
        return pd.concat(out, ignore_index=True)

    # ------------------------------------------------------------------ documents

    def documents(self) -> list[Document]:
        if not self.spec or self.table.empty:
            return []
        ids = list(dict.fromkeys(self.table["enterprise"].astype(str)))
        return [self.document(e, n) for n, e in enumerate(ids, start=1)]

    def fill(self, spec: dict[str, str], names: dict[str, str], e: str, n: int,
             suffix: tuple[str, str] = ("", "")) -> str:
        zh = str(spec["zh"]).format(name=names["zh"], enterprise=e, n=n) + suffix[0]
        en = str(spec.get("en") or "").format(name=names["en"], enterprise=e, n=n)
        return self.a.t(zh, en + suffix[1] if en else en)

    def label(self, own: str) -> tuple[str, str]:
        """The ownership label (zh, en) from the outline."""
        spec = self.spec["ownership"][own]
        return str(spec["zh"]), str(spec.get("en") or "")

    def document(self, e: str, n: int) -> Document:
        a = self.a
        rows = self.table[self.table["enterprise"] == e]
        r0 = rows.iloc[0]
        names = {"zh": str(r0["name_zh"]), "en": str(r0["name_en"])}
        own = str(r0["ownership"])
        sectors = [s for s in a.md.sectors["sector"] if s in set(rows["sector"])]
        lead = [self.fill(self.spec["lead"][own], names, e, n)]
        resp = [a.t(names["zh"], names["en"]), *a.bureaus_of(sectors)]
        zh, en = self.label(own)
        scope = a.t(f"{zh}；行业：", f"({en}) sectors: ") + a.scope_text(sectors)
        title = self.fill(self.spec["title"], names, e, n,
                          ("（央企）", " (central SOE)") if own == "central" else ("", ""))
        doc = Document(f"enterprise-{e}", self.spec["file"].format(enterprise=slug(e), n=n),
                       title, lead, resp, a.meta(lead, resp, scope), lang=a.lang)
        for key, head in (self.spec.get("headings") or {}).items():
            sec = doc.section(key, a.h(head))
            {"basis": self.basis, "pathway": self.pathway, "measures": self.measures,
             "data": self.data}[key](sec, e, rows, sectors)
        return doc

    # ------------------------------------------------------------------ sections

    def basis(self, sec: Section, e: str, rows: pd.DataFrame, sectors: list[str]) -> None:
        """Who the enterprise is and where each fact comes from."""
        a = self.a
        r0 = rows.iloc[0]
        zh, en = self.label(str(r0["ownership"]))
        sec.add(Paragraph(a.t(
            f"{r0['name_zh']}：{zh}，监管机构{r0['supervisor_zh']}。"
            "本方案的数值取自全市优化路径（results.nc 部门核算）："
            "企业在数据中给出占行业比例的，其能源与排放为比例乘以行业数值；"
            "未给出比例的，以行业数值作为企业的上限范围，不另作拆分。",
            f"{r0['name_en']}: {en}, supervised by {r0['supervisor_en']}. The numbers are "
            "the city pathway's (sector accounts of results.nc): where the data give the "
            "enterprise's share of a sector, its energy and CO2 are the share times the "
            "sector's; where they do not, the sector figures are its envelope and nothing is "
            "split off.")))
        sec.add(Table(
            a.t("企业所属行业、比例与能耗", "Sectors, shares and energy use of the enterprise"),
            a.unit("比例：占全市该行业活动水平；能耗 万tce（“十三五”期间最高年份）",
                   "share: of the city's activity of the sector; energy 万tce (highest year of "
                   "the 13th FYP)"),
            a.src("数据（soe_enterprises.csv）", "data (soe_enterprises.csv)"),
            [a.t("行业", "Sector"), a.t("比例", "Share"), a.t("比例依据", "Basis"),
             a.t("“十三五”能耗", "Energy, 13th FYP"), a.t("来源", "Source")],
            [[a.sector_name(str(r.sector)),
              float(r.share) if pd.notna(r.share) else a.t("无来源", "no source"),
              str(r.share_basis or "—"),
              float(r.energy_13fyp) if pd.notna(r.energy_13fyp)
              else a.t("待填报", "to be reported"),
              str(r.source)] for r in rows.itertuples(index=False)],
            digits=[None, 4, None, 2, None]))

    def pathway(self, sec: Section, e: str, rows: pd.DataFrame, sectors: list[str]) -> None:
        """Each sector's energy and CO2 in the base and milestone years, and the enterprise's
        share of them where there is one."""
        a = self.a
        show = a.show
        for r in rows.itertuples(index=False):
            s = str(r.sector)
            f = self.sector_series(s)
            has = pd.notna(r.share)
            sh = float(r.share) if has else np.nan
            table_rows = [
                [a.t("行业能源消费", "Sector energy"), a.t("万tce", "万tce"),
                 *(float(f["energy"].get(y, np.nan)) for y in show)],
                [a.t("行业二氧化碳", "Sector CO2"), a.t("万t CO2", "万t CO2"),
                 *(float(f["co2"].get(y, np.nan)) for y in show)]]
            if has:
                table_rows += [
                    [a.t("企业能源消费（比例×行业）", "Enterprise energy (share × sector)"),
                     a.t("万tce", "万tce"), *(sh * float(f["energy"].get(y, np.nan))
                                             for y in show)],
                    [a.t("企业二氧化碳（比例×行业）", "Enterprise CO2 (share × sector)"),
                     a.t("万t CO2", "万t CO2"), *(sh * float(f["co2"].get(y, np.nan))
                                                for y in show)]]
            sub = sec.sub(f"pathway-{s}", a.sector_name(s))
            if has:
                sub.add(Paragraph(a.t(
                    f"企业占全市{a.sectors.loc[s, 'name_zh']}活动水平的{100 * sh:.2f}%"
                    f"（{r.share_basis}），其分配的能源与排放为该比例乘以行业数值。",
                    f"The enterprise holds {100 * sh:.2f}% of the city's "
                    f"{a.sectors.loc[s, 'name_en']} activity ({r.share_basis}); its allocated "
                    "energy and CO2 are that share times the sector's.")))
            else:
                sub.add(Paragraph(a.t(
                    f"数据未给出企业占全市{a.sectors.loc[s, 'name_zh']}的比例：下表只给出行业数值，"
                    "作为企业的上限范围。市国资委填报企业能耗（或占行业比例）后，本表将给出企业自身"
                    "的分配数值。",
                    f"The data give no share of the city's {a.sectors.loc[s, 'name_en']} for "
                    "the enterprise: the table gives the sector figures only, as its envelope. "
                    "Once 市国资委 reports its energy use (or its share of the sector), the "
                    "table gives the enterprise's own allocation.")))
            sub.add(Table(
                a.t(f"{a.sectors.loc[s, 'name_zh']}：能源与排放路径",
                    f"{a.sectors.loc[s, 'name_en']}: energy and CO2 pathway"),
                a.unit("能源 万tce（核算口径），二氧化碳 万t CO2（目标口径）",
                       "energy 万tce (accounting rules), CO2 万t CO2 (target boundary)"),
                a.src("路径（results.nc 部门核算）" + ("；比例（soe_enterprises.csv）" if has
                                                    else ""),
                      "pathway (sector accounts of results.nc)" + (
                          "; share (soe_enterprises.csv)" if has else "")),
                a.year_cols([a.t("指标", "Indicator"), a.t("单位", "Unit")]), table_rows,
                digits=[None, None, *[2] * len(show)]))

    def measures(self, sec: Section, e: str, rows: pd.DataFrame, sectors: list[str]) -> None:
        """The model's measures in the enterprise's sectors with timing, investment and
        abatement; the enterprise's part where it has a share."""
        from peakpath.analysis.recommend import MILESTONES
        from peakpath.report.assess import IN_USE

        a = self.a
        ys = [y for y in MILESTONES if y in a.years]
        for r in rows.itertuples(index=False):
            s = str(r.sector)
            has = pd.notna(r.share)
            sh = float(r.share) if has else 1.0
            sub = sec.sub(f"measures-{s}", a.sector_name(s))
            out = []
            for m in self.measures_of(s):
                f = a.macc[a.macc["measure"] == m].set_index("year")
                on = f.index[f["adoption"] > IN_USE]
                if not len(on):
                    continue
                out.append([a.measure_name(m), int(on.min()),
                            sh * float(f["investment"].sum()),
                            *(-sh * float(f["co2"].get(y, 0.0)) for y in ys)])
            if not out:
                sub.add(Paragraph(a.t("优化路径在该行业没有采用措施。",
                                      "The pathway uses no measure in this sector.")))
                continue
            part = a.t(f"企业部分（比例{sh:.4f}×行业）", f"enterprise's part (share {sh:.4f} × "
                       "sector)") if has else a.t("全行业（企业比例无来源）",
                                                  "whole sector (no sourced share)")
            sub.add(Table(
                a.t(f"{a.sectors.loc[s, 'name_zh']}：措施的时间、投资与减排（{part}）",
                    f"{a.sectors.loc[s, 'name_en']}: measures, timing, investment and "
                    f"abatement ({part})"),
                a.unit("投资 万元（2020年价，不折现，全期合计）；减排 万t CO2/年",
                       "investment 万元 (2020 prices, undiscounted, horizon total); abatement "
                       "万t CO2/yr"),
                a.src("措施（results.nc 采用量与投资）", "measures (results.nc adoption and "
                      "investment)"),
                [a.t("措施", "Measure"), a.t("起始年", "From"), a.t("累计投资", "Investment"),
                 *(a.t(f"减排 {y}", f"abated {y}") for y in ys)],
                out, digits=[None, None, 0, *[2] * len(ys)]))

    def data(self, sec: Section, e: str, rows: pd.DataFrame, sectors: list[str]) -> None:
        """What 市国资委 (or the enterprise) still has to report."""
        a = self.a
        items = []
        if rows["energy_13fyp"].isna().all():
            items.append(a.t(
                "“十三五”期间（2016–2020年）各年综合能耗（万tce），用于确认企业达到1万tce的门槛"
                "（soe_enterprises.csv 的 energy_13fyp 列，注明 energy_source）；",
                "annual energy use in 2016–2020 (万tce), to confirm the 1 万tce threshold "
                "(energy_13fyp column of soe_enterprises.csv, with energy_source);"))
        for r in rows[rows["share"].isna()].itertuples(index=False):
            items.append(a.t(
                f"企业占全市{a.sectors.loc[str(r.sector), 'name_zh']}活动水平的比例及其依据"
                "（share 与 share_basis 列），或该行业的企业能耗；",
                f"the enterprise's share of the city's "
                f"{a.sectors.loc[str(r.sector), 'name_en']} activity and its basis (share and "
                "share_basis columns), or its energy use in the sector;"))
        if not items:
            sec.add(Paragraph(a.t("数据清单中本企业的数据已齐全。",
                                  "The data list has every figure of this enterprise.")))
            return
        who = (a.t("市国资委组织企业", "市国资委 has the enterprise")
               if rows["ownership"].iloc[0] == "municipal" else a.t("企业", "the enterprise"))
        sec.add(Paragraph(a.t(
            f"以下数据尚未填报，由{who}在数据清单（peakpath template 生成的工作簿，"
            "soe_enterprises 表）中填写：",
            f"These figures are not yet reported; {who} fill(s) them in the data list (the "
            "workbook of peakpath template, sheet soe_enterprises):")))
        for text in items:
            sec.add(Paragraph("· " + text))

    def index_notes(self) -> list[str]:
        """Lines of the index: how many plans, and that the shares stay within their
        sectors."""
        a = self.a
        t = self.table
        if t.empty or not self.spec:
            return []
        n_m = t.loc[t["ownership"] == "municipal", "enterprise"].nunique()
        n_c = t.loc[t["ownership"] == "central", "enterprise"].nunique()
        miss = t.loc[t["energy_13fyp"].isna(), "enterprise"].nunique()
        return [a.t(
            f"企业碳减排行动方案：市属出资企业{n_m}家（市国资委牵头），在汉央企{n_c}家（重点企业）；"
            f"{miss}家企业的“十三五”能耗待市国资委填报。同一行业各企业比例之和不超过1，企业数值不"
            "超过行业数值。",
            f"Enterprise action plans: {n_m} city-owned enterprises (led by 市国资委) and "
            f"{n_c} central SOEs (key enterprises); the 13th-FYP energy use of {miss} is to be "
            "reported by 市国资委. The shares of one sector add up to at most 1, so no "
            "enterprise number exceeds its sector's.")]
