"""One Excel workbook per bureau, district and key enterprise: targets by year, the measure
schedule, costs, and a note on units — Chinese first with English beside.

Workbooks are written with openpyxl and then re-packed with fixed zip timestamps and fixed
document properties, so the same allocation always gives the same bytes. Text that begins with
= + - @ is stored as text, never as a formula (a name in an input file cannot run anything when
a bureau opens the workbook).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from peakpath.io.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from peakpath.analysis.allocate import Allocation

#: fixed timestamp of every zip entry and document property (reproducible bytes)
FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)
FORMULA_PREFIXES = ("=", "+", "-", "@")
BOLD = Font(bold=True)
ITALIC = Font(italic=True)

#: (column, header zh, header en, unit) of each table
TARGET_COLUMNS = [
    ("year", "年份", "Year", ""),
    ("new", "新增/已有", "What is new", ""),
    ("co2", "二氧化碳目标", "CO2 target", "万t CO2"),
    ("co2_share", "占全市二氧化碳比重", "Share of the city's CO2", "%"),
    ("co2_lc", "最低成本路径排放", "CO2, least-cost path", "万t CO2"),
    ("energy", "能源消费目标", "Energy target", "万tce"),
    ("energy_lc", "最低成本路径能耗", "Energy, least-cost path", "万tce"),
    ("energy_intensity", "能耗强度", "Energy intensity", "tce/万元"),
    ("carbon_intensity", "碳排放强度", "Carbon intensity", "t CO2/万元"),
    ("basis", "依据的规划目标", "Plan targets that year", ""),
]
DISTRICT_COLUMNS = [
    ("population", "常住人口", "Population", "万人"),
    ("gdp", "地区生产总值", "GDP", "亿元, 2020 prices"),
    ("co2_per_capita", "人均二氧化碳", "CO2 per resident", "t CO2/人"),
    ("capex_annuities", "措施投资年金", "Capex annuities of measures", "万元/yr"),
    ("transfer", "目标差额折算费用", "Cost of target vs least cost", "万元/yr"),
    ("cost", "减排成本", "Abatement cost", "万元/yr"),
]
MEASURE_COLUMNS = [
    ("measure", "措施代码", "Measure id", ""),
    ("name_zh", "措施名称", "Measure (Chinese)", ""),
    ("name_en", "措施名称（英文）", "Measure (English)", ""),
    ("measure_unit", "规模单位", "Unit of adoption", ""),
    ("year", "年份", "Year", ""),
    ("adoption", "在用规模", "In use", "measure unit"),
    ("new_builds", "新建规模", "New builds", "measure unit/yr"),
    ("investment", "投资", "Investment", "万元"),
    ("annual_cost", "年化成本（投资年金+运维）", "Annualised cost (capex + O&M)", "万元/yr"),
    ("energy_bill", "能源费用变化", "Change in energy bills", "万元/yr"),
    ("net_cost", "净成本", "Net cost", "万元/yr"),
    ("co2", "二氧化碳变化（负为减排）", "CO2 change (negative abates)", "万t CO2/yr"),
]
COST_COLUMNS = [
    ("year", "年份", "Year", ""),
    ("investment", "投资（绿色金融需求）", "Investment (green-finance demand)", "万元"),
    ("annual_cost", "年化成本", "Annualised cost", "万元/yr"),
    ("energy_bill", "能源费用变化", "Change in energy bills", "万元/yr"),
    ("net_cost", "净成本", "Net cost", "万元/yr"),
    ("co2", "措施减排量（负为减排）", "CO2 change from measures", "万t CO2/yr"),
]
UNITS_NOTE = [
    ("万t CO2", "万吨二氧化碳；目标口径为本地直接排放加外购电力间接排放，扣除碳汇",
     "10^4 t CO2 on the city's target boundary: direct emissions plus purchased electricity, "
     "net of sinks"),
    ("万tce", "万吨标准煤；电力按当量值0.1229 kgce/kWh（或情景设定）折算，按情景核算规则",
     "10^4 t of coal equivalent under the scenario's accounting rules"),
    ("万元", "万元，2020年不变价；年化成本按折现率与寿命计算资本回收",
     "10^4 CNY at constant 2020 prices; annualised with the capital recovery factor"),
    ("亿元", "亿元，2020年不变价", "10^8 CNY at constant 2020 prices"),
    ("tce/万元", "单位GDP能耗；部门为其占全市能耗强度的份额",
     "energy per 10^4 CNY of GDP; for a bureau its contribution to the city's"),
    ("t CO2/人", "人均二氧化碳排放（吨/人）", "t CO2 per resident"),
]


#: Excel number format by unit: amounts with a thousands separator and one decimal, shares as
#: percentages, intensities with the digits their size needs
NUMBER_FORMATS = {
    "万t CO2": "#,##0.0", "万tce": "#,##0.0", "万元": "#,##0.0", "万元/yr": "#,##0.0",
    "万t CO2/yr": "#,##0.0", "万人": "#,##0.0", "亿元, 2020 prices": "#,##0.0",
    "%": "0.0%", "tce/万元": "0.0000", "t CO2/万元": "0.0000", "t CO2/人": "0.00",
    "measure unit": "#,##0.0###", "measure unit/yr": "#,##0.0###",
}
YEAR_FORMAT = "0"
#: a value this close to zero counts as zero when rows that are all zero are left out
ZERO = 1e-9


def safe_cell(ws, row: int, col: int, value):
    """Write one cell; text beginning with = + - @ stays text."""
    if isinstance(value, float) and value != value:
        value = None
    c = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        c.data_type = "s"
    return c


def zero_rows(frame: pd.DataFrame, keys: Sequence[str] = ("year",)) -> pd.Series:
    """Rows whose numeric cells (other than ``keys``) are all zero or empty: they say nothing
    to a bureau and hide the rows that do. False for a frame without numeric cells."""
    num = frame.drop(columns=[k for k in keys if k in frame.columns]).select_dtypes("number")
    if num.shape[1] == 0:
        return pd.Series(False, index=frame.index)
    return (num.fillna(0.0).abs() <= ZERO).all(axis=1)


def write_table(ws, frame: pd.DataFrame, columns: Sequence[tuple[str, str, str, str]],
                start_row: int = 1) -> int:
    """Two header rows (Chinese, then English with the unit) and the rows of ``frame`` with
    a number format by unit (`NUMBER_FORMATS`), the headers frozen and a filter on the
    table; rows whose numbers are all zero are left out and a note under the table says how
    many. Returns the next free row."""
    cols = [c for c in columns if c[0] in frame.columns]
    frame = frame[[c[0] for c in cols]]
    zero = zero_rows(frame)
    frame = frame[~zero]
    for j, (_key, zh, en, unit) in enumerate(cols, start=1):
        safe_cell(ws, start_row, j, zh).font = BOLD
        safe_cell(ws, start_row + 1, j, f"{en} ({unit})" if unit else en).font = BOLD
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(en) + 4))
    formats = [YEAR_FORMAT if key == "year" else NUMBER_FORMATS.get(unit)
               for key, _zh, _en, unit in cols]
    r = start_row + 2
    for rec in frame.itertuples(index=False):
        for j, v in enumerate(rec, start=1):
            c = safe_cell(ws, r, j, _plain(v))
            if formats[j - 1] and isinstance(c.value, int | float):
                c.number_format = formats[j - 1]
        r += 1
    if cols:
        ws.freeze_panes = ws.cell(start_row + 2, 1).coordinate
        last = max(r - 1, start_row + 1)
        ws.auto_filter.ref = f"A{start_row + 1}:{get_column_letter(len(cols))}{last}"
    n = int(zero.sum())
    if n:
        r += 1
        safe_cell(ws, r, 1, f"注：已省略{n}行数值全为零的记录（无目标、无措施、无费用）。"
                  ).font = ITALIC
        safe_cell(ws, r + 1, 1, f"Note: {n} rows whose numbers are all zero (no target, no "
                  "measure, no cost) are left out.").font = ITALIC
        r += 2
    return r


def _plain(v):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        return round(v, 6)
    return v


def _notes_sheet(ws, title_zh: str, title_en: str, lines: Iterable[tuple[str, str]]) -> None:
    safe_cell(ws, 1, 1, title_zh).font = Font(bold=True, size=14)
    safe_cell(ws, 2, 1, title_en).font = BOLD
    r = 4
    for zh, en in lines:
        safe_cell(ws, r, 1, zh)
        safe_cell(ws, r, 2, en)
        r += 1
    r += 1
    safe_cell(ws, r, 1, "单位说明").font = BOLD
    safe_cell(ws, r, 2, "Units").font = BOLD
    for unit, zh, en in UNITS_NOTE:
        r += 1
        safe_cell(ws, r, 1, unit)
        safe_cell(ws, r, 2, zh)
        safe_cell(ws, r, 3, en)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 60


def workbook_bytes(sheets: list[tuple[str, callable]]) -> bytes:
    """A workbook from (sheet title, fill function) pairs, as reproducible bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, fill in sheets:
        fill(wb.create_sheet(title))
    wb.properties.creator = "peakpath"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = "peakpath"
    buf = io.BytesIO()
    wb.save(buf)
    return _repack(buf.getvalue())


def _repack(data: bytes) -> bytes:
    """The same zip with every entry stamped FIXED_TIME (openpyxl stamps the clock)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                              + rb"\g<2>", body)
            dst.writestr(zi, body)
    return out.getvalue()


def _costs(m: pd.DataFrame) -> pd.DataFrame:
    cols = ["investment", "annual_cost", "energy_bill", "net_cost", "co2"]
    if m.empty:
        return pd.DataFrame(columns=["year", *cols])
    return m.groupby("year", as_index=False)[cols].sum()


def _header_lines(a: Allocation, who_zh: str, who_en: str) -> list[tuple[str, str]]:
    lines = [(f"情景：{a.scenario}", f"Scenario: {a.scenario}"),
             (f"分配规则：{a.rule.label()}", f"Allocation rule: {a.rule.name}"),
             (f"对象：{who_zh}", f"For: {who_en}"),
             ("目标为该单位在全市路径中应承担的二氧化碳与能耗数量；措施为最低成本路径中在本单位部署的措施。",
              "Targets are this unit's share of the city pathway; measures are those the "
              "least-cost pathway deploys here.")]
    lines += [(n.split(" / ")[0], n.split(" / ")[-1]) for n in a.notes]
    lines += [("“新增/已有”列：新增＝情景规划在该年无约束本单位的目标，由分解新设；"
               "已有＝规划目标在该年约束本单位；"
               "收紧＝规划目标约束且本单位目标低于其上一个规划目标年；"
               "“依据的规划目标”列出该年的规划目标。",
               "Column 'What is new': new = no plan target of the scenario bears on this unit "
               "that year, the allocation sets one; existing = a plan target bears on it; "
               "tightened = one bears on it and the unit's target is below its previous "
               "plan-target year's. 'Plan targets that year' names them."),
              ("数值全为零的行不列出，各表下方注明省略行数。",
               "Rows whose numbers are all zero are left out; a note under each table says "
               "how many.")]
    return lines


def write_workbooks(a: Allocation, folder: Path) -> list[Path]:
    """bureau_<group>.xlsx, district_<id>.xlsx and enterprise_<id>.xlsx under ``folder``."""
    folder = Path(folder)
    written = []
    bureaus, districts = (_with_share(f) for f in (a.bureaus, a.districts))
    for unit, t in bureaus.groupby("unit", sort=False):
        zh, en = t["bureau_zh"].iloc[0], t["bureau_en"].iloc[0]
        who = (f"{zh}（{t['name_zh'].iloc[0]}）", f"{en} ({t['name_en'].iloc[0]})")
        m = a.measures_bureaus[a.measures_bureaus["unit"] == unit]
        written.append(_write_one(folder / f"bureau_{unit}.xlsx", a, who, t, TARGET_COLUMNS, m))
    for unit, t in districts.groupby("unit", sort=False):
        who = (t["name_zh"].iloc[0], t["name_en"].iloc[0])
        m = a.measures_districts[a.measures_districts["unit"] == unit]
        written.append(_write_one(folder / f"district_{unit}.xlsx", a, who, t,
                                  TARGET_COLUMNS + DISTRICT_COLUMNS, m))
    for ent, t in a.enterprises.groupby("enterprise", sort=False):
        who = (f"{t['name_zh'].iloc[0]}（{t['owner_zh'].iloc[0]}）",
               f"{t['name_en'].iloc[0]} ({t['owner_en'].iloc[0]})")
        m = a.enterprise_measures[a.enterprise_measures["enterprise"] == ent]
        cols = [c for c in TARGET_COLUMNS if c[0] in ("year", "co2", "energy")]
        written.append(_write_one(folder / f"enterprise_{ent}.xlsx", a, who, t, cols, m))
    return written


def _with_share(t: pd.DataFrame) -> pd.DataFrame:
    """``t`` with each unit's share of the city's CO2 in the year (the units add up to it)."""
    return t.assign(co2_share=t["co2"] / t.groupby("year")["co2"].transform("sum"))


def _write_one(path: Path, a: Allocation, who: tuple[str, str], targets: pd.DataFrame,
               tcols, measures: pd.DataFrame) -> Path:
    sheets = [
        ("说明 Notes", lambda ws: _notes_sheet(ws, f"{who[0]} 碳达峰目标与措施",
                                              f"{who[1]}: carbon-peak targets and measures",
                                              _header_lines(a, *who))),
        ("目标 Targets", lambda ws: write_table(ws, targets, tcols)),
        ("措施 Measures", lambda ws: write_table(ws, measures, MEASURE_COLUMNS)),
        ("成本 Costs", lambda ws: write_table(ws, _costs(measures), COST_COLUMNS)),
    ]
    atomic_write_bytes(path, workbook_bytes(sheets))
    return path
