"""The data list (数据清单): the Excel workbook that departments fill, and its ingestion.

Under the work plan, departments fill the data-list tables and the modelers turn them into
model inputs. This module closes that loop:

* ``peakpath template OUT.xlsx [--from DATASET]`` writes the workbook, generated from
  `peakpath.io.schema`: an instructions sheet (Chinese and English: what each column means, its
  unit, which department fills it), then one sheet per table with a frozen header row, drop-down
  lists for categorical and code columns and number checks. ``--from`` fills it with a dataset.
  Identical inputs give identical bytes: document properties and zip timestamps are fixed.
* ``peakpath ingest WORKBOOK.xlsx OUT_DIR`` validates a filled workbook with the same validator
  as the CSV path (`peakpath.io.inputs.validate_tables`), plus checks only a workbook needs (missing
  sheet, merged cells, formulas without a saved value, data without a header, an empty
  workbook). Every problem is reported at once with sheet, Excel row, column and rule and a
  Chinese hint; nothing is written unless there are none.

Beside the model's tables the workbook carries the collection sheets the work plan asks
departments to fill (`COLLECTION_TABLES`): 核心指标 core indicators per field, 节能低碳示范项目
demonstration projects, green projects ready to start, and 市统计局's audit flag on each actual
energy figure. Each names its lead bureau (牵头单位) and responsible bureaus (责任单位) on the
instructions sheet, in its header notes and in its printed page header. The model does not read
them; ingest checks them like a model table (types, allowed values, ranges, keys, codes defined
on the model sheets, audit rows that match an energy row and carry a date) with located errors,
and writes them as CSV to ``OUT_DIR/collection/``.

Energy may be entered in physical units (t, 万t, 万m³, 万kWh, GJ:
`peakpath.io.units.PHYSICAL_UNITS`)
in ``energy`` and in the energy rows of ``measure_effects`` and ``project_effects``. Ingest
converts each such value to 万tce with the workbook's own standard-coal coefficient of that fuel
(sheet ``standard_coal``, GB/T 2589-2020): value × base units per unit × kgce per base unit ÷
10^7 kgce per 万tce. The CSV dataset then holds 万tce only, so the model never sees a physical
unit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from peakpath.cli.commands import command_help
from peakpath.errors import InputError, Problem
from peakpath.io.inputs import (
    InputData,
    _validate_table,
    read_dataset,
    validate_tables,
    value_column,
)
from peakpath.io.places import writable_dir, writable_file
from peakpath.io.scenario import DEFAULTS
from peakpath.io.schema import STATS, TABLE_BY_NAME, TABLES, Column, Table
from peakpath.io.units import PHYSICAL_UNITS, UNITS, physical_to_wan_tce

INSTRUCTIONS = "说明 Instructions"
#: subfolder of an ingested dataset that holds the collection sheets as CSV
COLLECTION_DIR = "collection"
#: rows below the header that drop-down lists and number checks cover
MAX_ROWS = 5000
#: fixed document time and zip entry time, so identical inputs give identical bytes
FIXED_TIME = dt.datetime(2020, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: tables whose energy values may be given in physical units: table -> (fuel column, the
#: ``kind`` that marks an energy row, or None when every row is energy)
PHYSICAL_TABLES: dict[str, tuple[str, str | None]] = {
    "energy": ("fuel", None),
    "measure_effects": ("item", "energy"),
    "project_effects": ("item", "energy"),
}
#: characters that make a spreadsheet read text as a formula
FORMULA_START = ("=", "+", "-", "@")

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_OPTIONAL_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_TITLE_FONT = Font(bold=True, size=14)


# ============================================================================================
# template


def template_bytes(rows: dict[str, list[list[str]]] | None = None) -> bytes:
    """The data-list workbook as .xlsx bytes; ``rows`` fills sheets with text rows in schema
    column order (numbers as text, "" for empty). Same input, same bytes."""
    wb = _template_workbook(rows or {})
    buf = io.BytesIO()
    with _FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return buf.getvalue()


def write_template(path: str | Path, dataset: str | Path | None = None) -> int:
    """Write the workbook to ``path`` (atomically), filled from the CSV dataset folder
    ``dataset`` if given (it is validated first). Returns the number of data rows written."""
    from peakpath.io.atomic import atomic_write_bytes

    rows = dataset_rows(dataset) if dataset is not None else {}
    atomic_write_bytes(Path(path), template_bytes(rows))
    return sum(len(r) for r in rows.values())


def dataset_rows(dataset: str | Path) -> dict[str, list[list[str]]]:
    """The rows of a valid CSV dataset as text, as entered (units not converted), with the
    collection sheets an ingest wrote to its ``collection/`` folder."""
    root = Path(dataset)
    if not root.is_dir():
        raise InputError([Problem(str(root), None, None, "dataset",
                                  "--from needs a dataset folder of CSV tables",
                                  "--from 须为CSV数据集文件夹")])
    read_dataset(root)  # the workbook is only filled from a dataset that is valid
    out = {}
    # the collection sheets an ingest wrote beside the dataset come back into the workbook
    where = {t.name: root / t.file for t in TABLES}
    where |= {t.name: root / COLLECTION_DIR / t.file for t in COLLECTION_TABLES}
    for t in (*TABLES, *COLLECTION_TABLES):
        f = where[t.name]
        if not f.exists():
            continue
        df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                         skipinitialspace=True)
        df = df.rename(columns=lambda c: str(c).strip())
        cols = [df[c].str.strip() if c in df.columns else pd.Series("", index=df.index)
                for c in t.column_names]
        out[t.name] = [list(r) for r in zip(*cols, strict=True)] if len(df) else []
    return out


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose entries all carry one fixed time (openpyxl stamps the clock)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=ZIP_TIME)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o644 << 16
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def _template_workbook(rows: dict[str, list[list[str]]]) -> Workbook:
    wb = Workbook()
    p = wb.properties
    p.creator = p.lastModifiedBy = "peakpath"
    p.title = "数据清单 Data list"
    p.created = p.modified = FIXED_TIME
    _instructions(wb.active)
    for t in TABLES:
        _table_sheet(wb.create_sheet(t.name), t, rows.get(t.name, []))
    collected = collection_rows(rows, int(DEFAULTS["years"]["base"]))
    for t in COLLECTION_TABLES:
        ws = wb.create_sheet(t.name)
        _table_sheet(ws, t, collected.get(t.name, []))
    return wb


def _instructions(ws) -> None:
    ws.title = INSTRUCTIONS
    ws["A1"] = "城市二氧化碳排放达峰评估 数据清单  Data list of the city CO2 peak assessment"
    ws["A1"].font = _TITLE_FONT
    lines = [
        "1. 每个工作表是一张数据表。第1行是列名（代码），请勿修改；"
        "从第2行起每行填写一条记录，空行将被忽略。",
        "   Each sheet is one table. Row 1 holds the column codes: do not change them. Enter one "
        "record per row from row 2; empty rows are skipped.",
        "2. 请勿合并单元格，请勿使用没有计算结果的公式；文本按原样填写。",
        "   Do not merge cells or leave formulas without a computed value; text is kept as typed.",
        "3. 带下拉列表的列只能填写列出的代码；行业、能源品种、措施等代码须先在对应工作表中定义。",
        "   Columns with a drop-down take only the listed codes; sector, fuel and measure codes "
        "must first be defined on their own sheet.",
        "4. 数值列只填数字（不带单位），单位填在 unit 列。"
        "能源消费量可按实物量填报（吨、万吨、万立方米、万千瓦时、吉焦），"
        "导入时按 standard_coal 表的折标准煤系数（GB/T 2589-2020）折算为万吨标准煤。",
        "   Number columns take numbers only; the unit goes in the unit column. Energy may be "
        "given in physical units (t, 万t, 万m³, 万kWh, GJ); ingest converts it to 万tce with "
        "the standard-coal coefficients of sheet standard_coal (GB/T 2589-2020).",
        "5. 建模组用 peakpath ingest 检查并导入："
        "所有问题一次列出（工作表、行、列、规则及中文提示），全部改正后才生成数据集。",
        "   Modelers run `peakpath ingest`: every problem is listed at once (sheet, row, column, "
        "rule and a Chinese hint); the dataset is written only when there are none.",
    ]
    for i, line in enumerate(lines, start=3):
        ws.cell(i, 1, line)
    head = ["工作表 Sheet", "牵头填报部门", "Lead department", "列 Column", "含义", "Meaning",
            "单位 Unit", "类型与取值 Type and allowed values", "必填 Required"]
    r0 = len(lines) + 4
    for j, h in enumerate(head, start=1):
        c = ws.cell(r0, j, h)
        c.font, c.fill = _HEADER_FONT, _REQUIRED_FILL
    r = r0 + 1
    for t in (*TABLES, *COLLECTION_TABLES):
        note = "（可选表 optional table）" if t.optional else ""
        for j, v in enumerate([t.name, t.lead_zh, t.lead_en, "", t.doc_zh + note, t.doc_en],
                              start=1):
            ws.cell(r, j, v).font = _HEADER_FONT
        r += 1
        for col in t.columns:
            vals = [t.name, t.lead_zh, t.lead_en, col.name, col.doc_zh, col.doc_en,
                    _unit_text(t, col), _type_text(col), "是 yes" if col.required else "否 no"]
            for j, v in enumerate(vals, start=1):
                _text_cell(ws.cell(r, j), v)
            r += 1
    _collection_instructions(ws, r + 1)
    for j, width in enumerate((20, 14, 30, 18, 44, 52, 40, 44, 10), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = ws.cell(r0 + 1, 1).coordinate


def allowed_units(t: Table) -> list[str]:
    """Units accepted in table ``t``'s unit column (physical ones where ingest converts)."""
    spec = t.unit_dimension
    if spec is None:
        return []
    dims = {spec} if isinstance(spec, str) else set(spec[1].values())
    units = [u for u, v in UNITS.items() if v.dimension in dims]
    if t.name in PHYSICAL_TABLES:
        units += [u for u in PHYSICAL_UNITS if u not in units]
    return units


def _unit_text(t: Table, col: Column) -> str:
    if col.unit:
        return col.unit
    if col.name == "unit" and t.unit_dimension is not None:
        return "可选 allowed: " + ", ".join(allowed_units(t))
    if col.name == value_column(t) and "unit" in t.column_names:
        return "见 unit 列 see column unit"
    return ""


def _type_text(col: Column) -> str:
    kind = {"str": "文本 text", "int": "整数 whole number", "float": "数字 number"}[col.kind]
    parts = [kind]
    if col.allowed:
        parts.append("取值 one of: " + ", ".join(col.allowed))
    if col.ref:
        parts.append(f"代码见 codes from: {col.ref}")
    if col.min is not None:
        parts.append(f"{'>' if col.min_exclusive else '≥'} {col.min:g}")
    if col.max is not None:
        parts.append(f"≤ {col.max:g}")
    return "; ".join(parts)


def _table_sheet(ws, t: Table, rows: list[list[str]]) -> None:
    for j, col in enumerate(t.columns, start=1):
        c = ws.cell(1, j, col.name)
        c.font = _HEADER_FONT
        c.fill = _REQUIRED_FILL if col.required else _OPTIONAL_FILL
        c.alignment = Alignment(horizontal="center")
        unit = _unit_text(t, col)
        text = f"{col.doc_zh}\n{col.doc_en}" + (f"\n单位 unit: {unit}" if unit else "") + \
            f"\n填报 filled by: {t.lead_zh} {t.lead_en}"
        if "responsible_zh" in t.extra:
            text += f"\n责任单位 responsible: {t.extra['responsible_zh']}"
        c.comment = Comment(text, "peakpath", width=320, height=140)
        width = 28 if col.name.startswith("name") or col.name.startswith("product") else 14
        ws.column_dimensions[get_column_letter(j)].width = max(width, len(col.name) + 4)
    ws.freeze_panes = "A2"
    _bureau_header(ws, t)
    for i, row in enumerate(rows, start=2):
        for j, (col, text) in enumerate(zip(t.columns, row, strict=True), start=1):
            _put(ws.cell(i, j), col, text)
    for j, col in enumerate(t.columns, start=1):
        dv = _validation(t, col)
        if dv is not None:
            letter = get_column_letter(j)
            dv.add(f"{letter}2:{letter}{max(MAX_ROWS, len(rows) + 1)}")
            ws.add_data_validation(dv)


def _put(cell, col: Column, text: str) -> None:
    if text == "":
        return
    if col.kind in ("int", "float"):
        cell.value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    else:
        _text_cell(cell, text)


def _text_cell(cell, text: str) -> None:
    """Text stays text: a leading = + - @ must not make a formula."""
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def _validation(t: Table, col: Column) -> DataValidation | None:
    if col.allowed or (col.name == "unit" and t.unit_dimension is not None):
        items = list(col.allowed) if col.allowed else allowed_units(t)
        formula = '"' + ",".join(items) + '"'
        return DataValidation(type="list", formula1=formula, allow_blank=True,
                              showErrorMessage=True, errorTitle="取值无效 Invalid value",
                              error="请从下拉列表中选择 Choose a value from the list",
                              showInputMessage=True, promptTitle=col.name[:32],
                              prompt=col.doc_zh[:255])
    if col.ref:
        rt, rc = col.ref.split(".")
        letter = get_column_letter(TABLE_BY_NAME[rt].column_names.index(rc) + 1)
        return DataValidation(type="list", formula1=f"'{rt}'!${letter}$2:${letter}${MAX_ROWS}",
                              allow_blank=True, showErrorMessage=True, errorStyle="warning",
                              errorTitle="未定义的代码 Unknown code",
                              error=f"请先在 {rt} 表中定义 Define it on sheet {rt} first",
                              showInputMessage=True, promptTitle=col.name[:32],
                              prompt=f"{col.doc_zh}（代码见 {rt} 表）"[:255])
    if col.kind in ("int", "float"):
        return _number_validation(t, col)
    return None


def _number_validation(t: Table, col: Column) -> DataValidation:
    lo, hi = col.min, col.max
    if col.name == value_column(t) and t.unit_dimension is not None:
        # the schema's range is in canonical units: a %-unit value is 100× larger, so only the
        # sign survives every unit
        lo, hi = (0.0 if col.min == 0 else None), None
    kind = "whole" if col.kind == "int" else "decimal"
    kw: dict = {}
    if lo is not None and hi is not None:
        kw = {"operator": "between", "formula1": f"{lo:g}", "formula2": f"{hi:g}"}
    elif lo is not None:
        kw = {"operator": "greaterThan" if col.min_exclusive else "greaterThanOrEqual",
              "formula1": f"{lo:g}"}
    elif hi is not None:
        kw = {"operator": "lessThanOrEqual", "formula1": f"{hi:g}"}
    else:
        big = "1E+307" if kind == "decimal" else "2147483647"
        kw = {"operator": "between", "formula1": f"-{big}", "formula2": big}
    rng = _type_text(col)
    return DataValidation(type=kind, allow_blank=True, showErrorMessage=True,
                          errorTitle="应为数字 A number is expected",
                          error=f"{col.doc_zh}: {rng}"[:225], **kw)


# ============================================================================================
# ingest


@dataclass
class SheetTables:
    """Raw text tables read from a workbook, where each row came from, and what was found."""

    path: str
    raw: dict[str, pd.DataFrame] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)  # Excel row of each data row
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> letter
    problems: list[Problem] = field(default_factory=list)
    conversions: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, unit) -> n
    #: collection sheets (`COLLECTION_TABLES`) as raw text: checked, not model input
    collection: dict[str, pd.DataFrame] = field(default_factory=dict)

    def file_of(self, table: str) -> str:
        return f"{self.path}:{table}"

    def line_of(self, table: str, i: int) -> int:
        return self.rows[table][i]


def read_workbook(path: str | Path) -> InputData:
    """Validate a filled data-list workbook; the dataset in canonical units. Raises
    `InputError` with every problem (sheet, Excel row, column, rule, Chinese hint)."""
    return _validated(load(path))[0]


def load(path: str | Path) -> SheetTables:
    """Read every table sheet as text, with the workbook-only checks and the conversion of
    physical units; problems are collected, not raised."""
    wbk = SheetTables(str(path))
    books = _open(Path(path), wbk)
    if books is None:
        return wbk
    values, formulas = books
    present = [t for t in TABLES if t.name in values.sheetnames]
    if not present:
        wbk.problems.append(Problem(
            wbk.path, None, None, "empty-workbook",
            "the workbook holds none of the data-list sheets (expected "
            f"{', '.join(t.name for t in TABLES)}); start from `peakpath template`",
            "工作簿中没有任何数据清单工作表，请使用 peakpath template 生成的模板"))
        return wbk
    others = [s for s in values.sheetnames if s not in SHEETS_BY_NAME and s != INSTRUCTIONS]
    for t in TABLES:
        if t.name in formulas:
            _read_sheet(wbk, t, values[t.name], formulas[t.name])
        elif t.name in values.sheetnames:
            continue  # too large to read: reported by _open
        elif not t.optional:
            also = f"; the workbook has other sheets: {', '.join(others)}" if others else ""
            wbk.problems.append(Problem(
                wbk.file_of(t.name), None, None, "missing-sheet",
                f"required sheet '{t.name}' is missing ({t.doc_en.rstrip('.')}){also}",
                f"缺少必需的工作表“{t.name}”（{t.doc_zh.rstrip('。')}，{t.lead_zh}填报）"))
    for t in COLLECTION_TABLES:
        if t.name in formulas:
            _read_sheet(wbk, t, values[t.name], formulas[t.name])
            wbk.collection[t.name] = wbk.raw.pop(t.name)
    convert_physical_units(wbk)
    return wbk


def _open(path: Path, wbk: SheetTables):
    """The values workbook and the formula cells of its table sheets, or None (and the
    problem in ``wbk``). Sheets whose used range exceeds `MAX_SHEET_ROWS` or
    `MAX_SHEET_COLUMNS` are reported and left out: reading them cell by cell would not end."""
    refusal = _not_a_workbook(path)
    if refusal is not None:
        wbk.problems.append(Problem(str(path), None, None, "workbook", *refusal))
        return None
    try:
        values = load_workbook(path, data_only=True)
        too_big = _oversized_sheets(values, wbk)
        formulas = _formula_cells(path, skip=too_big)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        wbk.problems.append(Problem(str(path), None, None, "workbook",
                                    f"cannot open as an .xlsx workbook ({type(e).__name__}: {e})",
                                    "无法打开工作簿，须为Excel .xlsx格式"))
        return None
    return values, formulas


#: the first bytes of an OLE2 compound file: an encrypted Office file, or a 97–2003 .xls
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
#: the stream Office's encryption stores the real workbook in (MS-OFFCRYPTO), as its UTF-16
#: directory entry name
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: the largest sheet read: 150 times the longest table of the Wuhan dataset (energy, 636
#: rows) and four times the widest (measures, 23 columns). A used range beyond it comes from a
#: stray cell far below or right of the data (one at XFD1048576 once made ingest hang)
MAX_SHEET_ROWS = 100_000
MAX_SHEET_COLUMNS = 100


def _not_a_workbook(path: Path) -> tuple[str, str] | None:
    """(message, Chinese hint) when ``path`` cannot be an .xlsx workbook, else None."""
    if path.is_dir():
        return "this is a folder; expected an .xlsx workbook", "该路径是文件夹，应为.xlsx工作簿"
    if not path.exists():
        return "workbook not found", "找不到工作簿文件"
    try:
        data = path.read_bytes()
    except OSError as e:
        return f"cannot read the workbook: {e.strerror}", "无法读取工作簿"
    if not data.startswith(OLE2_MAGIC):
        return None
    if ENCRYPTED_STREAM in data:
        return ("the workbook is password-protected/encrypted; save it without a password "
                "(File > Info > Protect Workbook > Encrypt with Password: clear it) and ingest "
                "that copy", "工作簿已加密（设置了打开密码），请取消密码后另存再导入")
    return ("this is an Excel 97–2003 workbook (.xls) or another OLE2 file; save it as an Excel "
            "workbook (.xlsx)", "这是旧版.xls格式，请另存为.xlsx格式")


def _oversized_sheets(values, wbk: SheetTables) -> set[str]:
    """Table sheets whose used range is beyond the limits, each reported at its last cell."""
    out = set()
    for ws in values.worksheets:
        if ws.title not in SHEETS_BY_NAME:
            continue
        if ws.max_row > MAX_SHEET_ROWS or ws.max_column > MAX_SHEET_COLUMNS:
            last = f"{get_column_letter(ws.max_column)}{ws.max_row}"
            wbk.problems.append(Problem(
                wbk.file_of(ws.title), ws.max_row, get_column_letter(ws.max_column),
                "sheet-size", f"the sheet's used range reaches {last} ({ws.max_row:,} rows × "
                f"{ws.max_column:,} columns); at most {MAX_SHEET_ROWS:,} rows and "
                f"{MAX_SHEET_COLUMNS} columns are read: delete the stray cells beyond the data "
                "(Ctrl+End in Excel jumps to the last one)",
                "工作表使用范围过大，请删除数据区域以外的多余单元格"))
            out.add(ws.title)
    return out


def _formula_cells(path: Path, skip: set[str] = frozenset()
                   ) -> dict[str, set[tuple[int, int]]]:
    """(row, column) of every formula cell of each table sheet (but ``skip``): where the
    values workbook shows None, a formula without a saved value may hide (a file never opened
    in Excel)."""
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        return {ws.title: {(c.row, c.column) for row in ws.iter_rows() for c in row
                           if c.data_type == "f"}
                for ws in book.worksheets if ws.title in SHEETS_BY_NAME and ws.title not in skip}
    finally:
        book.close()


def _read_sheet(wbk: SheetTables, t: Table, ws, formula_cells: set[tuple[int, int]]) -> None:
    file = wbk.file_of(t.name)
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    header = [_text(v) for v in grid[0]] if grid else []
    while header and header[-1] == "":
        header.pop()
    if not header:
        wbk.problems.append(Problem(file, 1, None, "header",
                                    "the sheet has no header row; expected columns: "
                                    f"{', '.join(t.column_names)}", "缺少表头（第1行列名）"))
        return
    for j, h in enumerate(header):
        if h and h in header[:j]:
            first = get_column_letter(header.index(h) + 1)
            wbk.problems.append(Problem(
                file, 1, h, "duplicate-column",
                f"column '{h}' appears twice ({first}1 and {get_column_letter(j + 1)}1); "
                "the second is ignored", "列名重复"))
            header[j] = ""
    wbk.letters[t.name] = {h: get_column_letter(j + 1) for j, h in enumerate(header) if h}
    _merged(wbk, t, ws, grid, header)
    _percent_cells(wbk, t, ws, header)
    records, rows = [], []
    for r, vals in enumerate(grid[1:], start=2):
        texts = [_text(v) for v in vals]
        if all(x == "" for x in texts):
            continue
        for j in range(len(header), len(texts)):
            if texts[j] != "":
                wbk.problems.append(Problem(
                    file, r, get_column_letter(j + 1), "no-header",
                    f"cell {get_column_letter(j + 1)}{r} holds '{texts[j]}' but its column "
                    "has no header", "该列没有列名"))
        for j in range(len(header)):
            if j < len(vals) and vals[j] is None and (r, j + 1) in formula_cells:
                wbk.problems.append(Problem(
                    file, r, header[j] or get_column_letter(j + 1), "formula",
                    f"cell {get_column_letter(j + 1)}{r} holds a formula without a saved value; "
                    "open and save the workbook in Excel or LibreOffice, or type the value",
                    "公式没有计算结果，请在Excel中重新计算保存或直接填写数值"))
        texts = (texts + [""] * len(header))[:len(header)]
        records.append(texts)
        rows.append(r)
    for j, h in enumerate(header):
        if h == "" and grid[0][j] in (None, "") and any(rec[j] != "" for rec in records):
            letter = get_column_letter(j + 1)
            wbk.problems.append(Problem(file, 1, letter, "no-header",
                                        f"column {letter} holds data but has no header",
                                        "该列没有列名"))
    if not records and not t.optional:
        wbk.problems.append(Problem(file, 2, None, "empty-sheet",
                                    f"required sheet '{t.name}' has no data rows "
                                    f"({t.doc_en.rstrip('.')})",
                                    f"必需的工作表“{t.name}”没有数据（{t.lead_zh}填报）"))
    keep = [j for j, h in enumerate(header) if h]
    df = pd.DataFrame([[rec[j] for j in keep] for rec in records],
                      columns=[header[j] for j in keep], dtype=str)
    wbk.raw[t.name] = df
    wbk.rows[t.name] = rows


def _percent_cells(wbk: SheetTables, t: Table, ws, header: list[str]) -> None:
    """A number formatted as a percentage shows 5% but holds 0.05, while the unit column may
    say %: the value would be read 100 times too small, so it is refused."""
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, int | float) and not isinstance(c.value, bool) \
                    and "%" in (c.number_format or ""):
                name = header[c.column - 1] if c.column <= len(header) else c.column_letter
                wbk.problems.append(Problem(
                    wbk.file_of(t.name), c.row, name or c.column_letter, "percent-format",
                    f"cell {c.coordinate} is formatted as a percentage (it holds {c.value!r}); "
                    "format it as a plain number and enter the value in the unit of the unit "
                    "column (e.g. 5 with unit %/yr)",
                    "请勿使用百分比格式，请填写普通数字并在单位列注明单位"))


def _merged(wbk: SheetTables, t: Table, ws, grid: list[list], header: list[str]) -> None:
    """Report merged cells; fill the merged area with its top-left value so that the cells
    it hides raise no second, misleading problem (the workbook is rejected anyway)."""
    for rng in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col)):
        j = rng.min_col - 1
        column = header[j] if j < len(header) and header[j] else get_column_letter(rng.min_col)
        wbk.problems.append(Problem(
            wbk.file_of(t.name), rng.min_row, column, "merged-cells",
            f"cells {rng.coord} are merged; unmerge them and fill every cell",
            "请取消合并单元格，并在每个单元格中填写"))
        top = grid[rng.min_row - 1][j] if rng.min_row - 1 < len(grid) else None
        for r in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = top


def _text(v) -> str:
    """A cell value as the text the validator reads."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()
    return str(v).strip()


def standard_coal_coefficients(sc: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    """kgce per base unit (kg, m³, kWh, MJ) by (fuel, basis), from a raw standard_coal table;
    rows that are not valid are left to the validator."""
    out: dict[tuple[str, str], float] = {}
    if sc is None or not {"fuel", "basis", "value", "unit"} <= set(sc.columns):
        return out
    for fuel, basis, value, unit in sc[["fuel", "basis", "value", "unit"]].itertuples(
            index=False):
        v = pd.to_numeric(value.strip(), errors="coerce")
        u = UNITS.get(unit.strip())
        if pd.notna(v) and v > 0 and u is not None and u.dimension == f"sce_{basis.strip()}":
            out[fuel.strip(), basis.strip()] = float(v) * u.factor
    return out


def convert_physical_units(wbk: SheetTables) -> None:
    """Energy in physical units -> 万tce with the workbook's standard-coal coefficients."""
    coef = standard_coal_coefficients(wbk.raw.get("standard_coal"))
    for tname, (fuel_col, kind) in PHYSICAL_TABLES.items():
        df = wbk.raw.get(tname)
        if df is None or not {fuel_col, "unit", "value"} <= set(df.columns):
            continue
        if kind is not None and "kind" not in df.columns:
            continue
        for i in range(len(df)):
            unit = df.at[i, "unit"].strip()
            if unit not in PHYSICAL_UNITS or (kind is not None
                                              and df.at[i, "kind"].strip() != kind):
                continue
            _convert_row(wbk, tname, df, i, fuel_col, unit, coef)


def _convert_row(wbk: SheetTables, tname: str, df: pd.DataFrame, i: int, fuel_col: str,
                 unit: str, coef: dict[tuple[str, str], float]) -> None:
    fuel = df.at[i, fuel_col].strip()
    basis = PHYSICAL_UNITS[unit].basis
    k = coef.get((fuel, basis))
    # the row now claims 万tce either way: a failed conversion is reported here, once
    df.at[i, "unit"] = "万tce"
    if k is None:
        wbk.problems.append(Problem(
            wbk.file_of(tname), wbk.line_of(tname, i), "unit", "conversion",
            f"'{unit}' is a physical unit ({basis}); converting '{fuel}' to 万tce needs a "
            f"standard-coal coefficient for fuel '{fuel}', basis '{basis}' in "
            f"{wbk.file_of('standard_coal')}, and there is none; add it or give the value in "
            "tce or 万tce", f"缺少“{fuel}”按{basis}折标准煤的系数，请在standard_coal表中补充或"
            "按吨标准煤填报"))
        return
    v = pd.to_numeric(df.at[i, "value"].strip(), errors="coerce")
    if pd.isna(v):
        return  # the validator reports the cell that is not a number
    # 12 significant digits: far beyond the 4-digit coefficients, and free of float noise
    df.at[i, "value"] = f"{physical_to_wan_tce(float(v), unit, k):.12g}"
    key = (tname, unit)
    wbk.conversions[key] = wbk.conversions.get(key, 0) + 1


def _validated(wbk: SheetTables) -> tuple[InputData, SheetTables]:
    if wbk.problems and not wbk.raw:
        raise InputError(wbk.problems)
    own = list(wbk.problems) + check_collection(wbk)
    try:
        data = validate_tables(wbk.raw, source=wbk.path, file_of=wbk.file_of,
                               problems=own, line_of=wbk.line_of)
    except InputError as e:
        # a cell a workbook check reported (a formula without a value) is not reported again
        # as the empty cell the validator then sees
        seen = {(p.file, p.row, p.column) for p in own}
        later = [p for p in e.problems[len(own):] if (p.file, p.row, p.column) not in seen]
        raise InputError([_with_cell(wbk, p) for p in [*own, *later]]) from None
    return data, wbk


def _with_cell(wbk: SheetTables, p: Problem) -> Problem:
    """Name the Excel cell (E7) in a problem that has a sheet, a row and one column."""
    table = p.file[len(wbk.path) + 1:] if p.file.startswith(wbk.path + ":") else None
    letter = wbk.letters.get(table, {}).get(p.column or "") if table else None
    if letter is None or p.row is None or p.message.startswith("cell"):
        return p
    return Problem(p.file, p.row, p.column, p.rule, f"cell {letter}{p.row}: {p.message}",
                   p.hint_zh)


def ingest(workbook: str | Path, out_dir: str | Path) -> tuple[InputData, SheetTables]:
    """Validate ``workbook`` and write its tables as CSV into ``out_dir`` (values as entered,
    physical units converted to 万tce). Nothing is written when there is any problem."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), None, None, "out-dir",
                                  "the output path exists and is not a folder",
                                  "输出路径已存在且不是文件夹")])
    data, wbk = _validated(load(workbook))
    stale = [t for t in TABLES if t.name not in wbk.raw and (out / t.file).exists()]
    if stale:
        raise InputError([Problem(str(out / t.file), None, None, "stale-table",
                                  f"the workbook has no sheet '{t.name}' but {out} holds "
                                  f"{t.file}; remove the file or add the sheet",
                                  "输出文件夹中有工作簿未包含的数据表") for t in stale])
    from peakpath.io.atomic import atomic_write_text

    for t in TABLES:
        if t.name in wbk.raw:
            atomic_write_text(out / t.file, _csv_text(t, wbk.raw[t.name]))
    for name, df in wbk.collection.items():
        # beside the dataset, not in it: the model reads none of these
        if len(df):
            t = COLLECTION_BY_NAME[name]
            atomic_write_text(out / COLLECTION_DIR / t.file, _csv_text(t, df))
    return data, wbk


def _csv_text(t: Table, df: pd.DataFrame) -> str:
    out = df.reindex(columns=t.column_names, fill_value="")
    out = out.apply(lambda s: s.str.strip())
    return out.to_csv(index=False, lineterminator="\n")


# ============================================================================================
# collection sheets: what the seed asks departments to report beside the model's inputs


def _col(name: str, kind: str, en: str, zh: str, **kw) -> Column:
    return Column(name, kind, en, zh, **kw)


def _bureaus(lead_zh: str, lead_en: str, resp_zh: str, resp_en: str) -> dict:
    return {"lead_zh": lead_zh, "lead_en": lead_en, "responsible_zh": resp_zh,
            "responsible_en": resp_en}


#: fields of the work plan (the assessment's special reports) and their lead bureaus
FIELDS = ("city", "energy", "industry", "buildings", "transport", "agriculture", "services",
          "sinks")
PROJECT_STATUS = ("规划 planned", "在建 under construction", "投运 in operation")
GREEN_STATUS = ("前期 preparing", "已备案 filed", "可开工 ready to start")
GREEN_CATEGORIES = ("可再生能源 renewables", "节能改造 efficiency retrofit",
                    "绿色建筑 green buildings", "绿色交通 green transport", "碳汇 carbon sinks",
                    "循环经济 circular economy", "其他 other")
AUDIT_STATUS = ("已审核 audited", "未审核 not yet audited")
AUDITED = AUDIT_STATUS[0]
_LEAD = _col("lead_bureau", "str", "lead bureau (牵头单位) of the row", "牵头单位")
_RESP = _col("responsible_bureaus", "str", "responsible bureaus (责任单位), separated by 、",
             "责任单位（以、分隔）", required=False)
_NOTE = _col("note", "str", "note or source of the figure", "备注或数据来源", required=False)
_START = _col("start_year", "int", "year work starts or started", "开工年份", min=2000,
              max=2060)


def _project_columns(status: tuple[str, ...], extra: tuple[Column, ...] = ()) -> tuple:
    return (
        _col("project", "str", "project code (unique)", "项目编号（唯一）"),
        _col("name_zh", "str", "project name", "项目名称"),
        _col("district", "str", "district or zone", "所在区（开发区）", ref="districts.district"),
        _col("sector", "str", "sector", "所属行业", ref="sectors.sector"),
        *extra,
        _col("energy_saved", "float", "energy saved", "节能量", min=0, unit="万tce/a"),
        _col("co2_avoided", "float", "CO2 avoided", "二氧化碳减排量", min=0, unit="万t CO2/a"),
        _col("investment", "float", "total investment", "总投资", min=0, unit="万元"),
        _START,
        _col("status", "str", "status", "项目状态", allowed=status),
        _LEAD, _RESP, _NOTE,
    )


def _target_slot(year: int) -> Column:
    return _col(f"target_{year}", "float", f"target value for {year} (unit column)",
                f"{year}年目标值（单位见unit列）", required=False)


COLLECTION_TABLES: tuple[Table, ...] = (
    Table(
        "core_indicators",
        "Core indicators (核心指标) of each field, as the assessment reports them: the base-year "
        "value and the plan targets, with the bureau that leads and those responsible.",
        "各领域核心指标：基准年数值与规划目标值，注明牵头单位与责任单位。",
        "Municipal Development and Reform Commission", "市发改委",
        columns=(
            _col("field", "str", "field of the work plan", "领域", allowed=FIELDS),
            _col("indicator", "str", "indicator code (unique)", "指标代码（唯一）"),
            _col("name_zh", "str", "indicator", "指标名称"),
            _col("name_en", "str", "indicator (English)", "指标英文名称"),
            _col("unit", "str", "unit", "单位"),
            _col("base_year", "int", "base year", "基准年", min=1990, max=2100),
            _col("base_value", "float", "value in the base year", "基准年数值",
                 required=False),
            _target_slot(2025), _target_slot(2030), _target_slot(2035),
            _LEAD, _RESP, _NOTE,
        ),
        key=("indicator",), optional=True,
        extra=_bureaus("市发改委", "Municipal Development and Reform Commission",
                       "市统计局、市生态环境局、市经信局、市城建局、市交通运输局、市农业农村局、"
                       "市园林林业局",
                       "Statistics, Ecology and Environment, Economy and IT, Urban "
                       "Construction, Transport, Agriculture and Rural Affairs, and Landscape "
                       "and Forestry bureaus")),
    Table(
        "demo_projects",
        "Energy-saving and low-carbon demonstration projects (节能低碳示范项目).",
        "节能低碳示范项目：名称、所在区、行业、节能量、减排量、投资、开工年份与状态。",
        "Municipal Development and Reform Commission", "市发改委",
        columns=_project_columns(PROJECT_STATUS), key=("project",), optional=True,
        extra=_bureaus("市发改委", "Municipal Development and Reform Commission",
                       "市经信局、市城建局、市交通运输局、市生态环境局、各区人民政府",
                       "Economy and IT, Urban Construction, Transport, and Ecology and "
                       "Environment bureaus; the district governments")),
    Table(
        "green_projects",
        "Green projects ready to start (绿色项目储备): the list green finance draws on.",
        "绿色项目储备（拟开工）：绿色金融支持的项目清单。",
        "Municipal Development and Reform Commission", "市发改委",
        columns=_project_columns(GREEN_STATUS, (
            _col("category", "str", "kind of green project", "项目类别",
                 allowed=GREEN_CATEGORIES),)),
        key=("project",), optional=True,
        extra=_bureaus("市发改委", "Municipal Development and Reform Commission",
                       "市地方金融局、市生态环境局、各区人民政府",
                       "Local Financial Supervision and Ecology and Environment bureaus; the "
                       "district governments")),
    Table(
        "energy_audit",
        "Audit flag of the Statistics Bureau on each actual energy figure (sheet energy): "
        "audited or not yet, with the date of the audit.",
        "市统计局对能源消费实际数据（energy表）逐项标注审核状态：已审核或未审核，并注明审核日期。",
        *STATS,
        columns=(
            _col("sector", "str", "sector (as on sheet energy)", "行业（同energy表）",
                 ref="sectors.sector"),
            _col("fuel", "str", "carrier (as on sheet energy)", "能源品种（同energy表）",
                 ref="fuels.fuel"),
            _col("year", "int", "year (as on sheet energy)", "年份（同energy表）", min=1990,
                 max=2100),
            _col("audit", "str", "audit status", "审核状态", allowed=AUDIT_STATUS),
            _col("audit_date", "str", "date of the audit, YYYY-MM-DD (required when audited)",
                 "审核日期（YYYY-MM-DD，已审核时必填）", required=False),
            _col("auditor", "str", "who audited", "审核人", required=False),
            _NOTE,
        ),
        key=("sector", "fuel", "year"), optional=True,
        extra=_bureaus("市统计局", "Municipal Bureau of Statistics", "市发改委",
                       "Municipal Development and Reform Commission")),
)
COLLECTION_BY_NAME = {t.name: t for t in COLLECTION_TABLES}
#: every sheet a data-list workbook may hold (model tables and collection sheets)
SHEETS_BY_NAME: dict[str, Table] = {**TABLE_BY_NAME, **COLLECTION_BY_NAME}

#: the indicators the assessment reports, one row each on sheet core_indicators: (field,
#: code, Chinese, English, unit, lead bureau). Values are left for the bureaus to fill.
CORE_INDICATORS = (
    ("city", "co2_total", "二氧化碳排放总量", "CO2 emissions", "万t CO2", "市生态环境局"),
    ("city", "energy_total", "能源消费总量", "Energy consumption", "万tce", "市发改委"),
    ("city", "energy_intensity", "单位GDP能耗", "Energy per unit of GDP", "tce/万元",
     "市发改委"),
    ("city", "carbon_intensity", "单位GDP二氧化碳排放", "CO2 per unit of GDP", "t CO2/万元",
     "市生态环境局"),
    ("energy", "coal_share", "煤炭消费占比", "Coal share of energy use", "%", "市发改委"),
    ("energy", "non_fossil_share", "非化石能源消费占比", "Non-fossil share of energy use", "%",
     "市发改委"),
    ("energy", "electrification", "电能占终端能源消费比重",
     "Electricity share of final energy use", "%", "市发改委"),
    ("energy", "oil_use", "石油消费量", "Oil consumption", "万tce", "市发改委"),
    ("energy", "renewable_capacity", "可再生能源发电装机", "Renewable generating capacity",
     "万kW", "市发改委"),
    ("industry", "industry_energy", "工业能源消费量", "Industrial energy use", "万tce",
     "市经信局"),
    ("industry", "industry_co2", "工业二氧化碳排放", "Industrial CO2", "万t CO2", "市经信局"),
    ("industry", "industry_intensity", "规上工业单位增加值能耗",
     "Energy per unit of industrial value added", "tce/万元", "市经信局"),
    ("buildings", "buildings_energy", "建筑能源消费量", "Building energy use", "万tce",
     "市城建局"),
    ("buildings", "buildings_co2", "建筑二氧化碳排放", "Building CO2", "万t CO2", "市城建局"),
    ("buildings", "green_building_share", "城镇新建建筑中绿色建筑占比",
     "Green-standard share of new urban buildings", "%", "市城建局"),
    ("transport", "transport_energy", "交通运输能源消费量", "Transport energy use", "万tce",
     "市交通运输局"),
    ("transport", "transport_co2", "交通运输二氧化碳排放", "Transport CO2", "万t CO2",
     "市交通运输局"),
    ("transport", "nev_share", "新能源汽车占新增车辆比重", "New-energy share of new vehicles",
     "%", "市交通运输局"),
    ("agriculture", "agriculture_energy", "农业能源消费量", "Agricultural energy use", "万tce",
     "市农业农村局"),
    ("agriculture", "agriculture_co2", "农业二氧化碳排放", "Agricultural CO2", "万t CO2",
     "市农业农村局"),
    ("services", "services_energy", "服务业能源消费量", "Services energy use", "万tce",
     "市商务局"),
    ("sinks", "forest_cover", "森林覆盖率", "Forest cover", "%", "市园林林业局"),
    ("sinks", "forest_stock", "森林蓄积量", "Forest stock", "万m³", "市园林林业局"),
    ("sinks", "sink_co2", "林业与湿地碳汇量", "CO2 taken up by forests and wetlands",
     "万t CO2", "市园林林业局"),
)
#: bureaus responsible beside the lead for every core indicator: the figures come from the
#: statistics (energy) and the inventory (CO2)
CORE_RESPONSIBLE = "市统计局、市生态环境局"


def collection_rows(rows: dict[str, list[list[str]]], base_year: int = 2020,
                    audit: bool = False) -> dict[str, list[list[str]]]:
    """Rows the collection sheets start with: the core indicators (codes, names, units and
    bureaus; values blank for the bureaus), and with ``audit`` one audit row per energy row
    of ``rows`` marked 未审核 until 市统计局 audits it (off by default: an audit row must
    match an energy row, so a workbook whose energy rows are then edited would carry stale
    audit rows). Rows already given are kept."""
    out = {}
    core = COLLECTION_BY_NAME["core_indicators"]
    filled = {"field": 0, "indicator": 1, "name_zh": 2, "name_en": 3, "unit": 4,
              "lead_bureau": 5}
    cells = []
    for ind in CORE_INDICATORS:
        row = []
        for c in core.column_names:
            if c in filled:
                row.append(ind[filled[c]])
            elif c == "base_year":
                row.append(str(base_year))
            elif c == "responsible_bureaus":
                row.append(CORE_RESPONSIBLE)
            else:
                row.append("")
        cells.append(row)
    out["core_indicators"] = rows.get("core_indicators") or cells
    energy = rows.get("energy") or []
    if audit and energy and not rows.get("energy_audit"):
        cols = TABLE_BY_NAME["energy"].column_names
        i = [cols.index(c) for c in ("sector", "fuel", "year")]
        out["energy_audit"] = [[r[i[0]], r[i[1]], r[i[2]], AUDIT_STATUS[1], "", "", ""]
                               for r in energy]
    for name in ("demo_projects", "green_projects", "energy_audit"):
        if rows.get(name):
            out[name] = rows[name]
    return out


def _bureau_header(ws, t: Table) -> None:
    """Name the lead bureau (and the responsible ones, where the sheet has them) in the
    printed page header of the sheet."""
    ws.oddHeader.left.text = f"牵头单位 Lead: {t.extra.get('lead_zh', t.lead_zh)}"
    if "responsible_zh" in t.extra:
        ws.oddHeader.right.text = f"责任单位 Responsible: {t.extra['responsible_zh']}"


def _collection_instructions(ws, r: int) -> int:
    """The collection sheets on the instructions sheet, from row ``r``: what each is for, its
    lead and responsible bureaus, and that ingest checks it but the model does not read it."""
    ws.cell(r, 1, "填报表（不进入模型，导入时检查） Collection sheets (checked by ingest, not "
            "read by the model)").font = _HEADER_FONT
    head = ["工作表 Sheet", "牵头单位", "Lead bureau", "责任单位", "Responsible bureaus",
            "含义", "Meaning"]
    for j, h in enumerate(head, start=1):
        c = ws.cell(r + 1, j, h)
        c.font, c.fill = _HEADER_FONT, _REQUIRED_FILL
    r += 2
    for t in COLLECTION_TABLES:
        vals = [t.name, t.extra["lead_zh"], t.extra["lead_en"], t.extra["responsible_zh"],
                t.extra["responsible_en"], t.doc_zh, t.doc_en]
        for j, v in enumerate(vals, start=1):
            _text_cell(ws.cell(r, j), v)
        r += 1
    return r


def check_collection(wbk: SheetTables) -> list[Problem]:
    """Validate the collection sheets read into ``wbk.collection``: column types, allowed
    values, ranges and unique keys (as a model table), codes defined on the model sheets,
    audit rows that match an energy row and carry a date when audited."""
    problems: list[Problem] = []
    for name, raw in wbk.collection.items():
        t = COLLECTION_BY_NAME[name]
        file = wbk.file_of(name)
        df, probs = _validate_table(t, raw.copy(), file, wbk.line_of)
        problems += probs
        if df is None:
            continue
        text = raw.reindex(columns=t.column_names, fill_value="").apply(lambda s: s.str.strip())
        for col in t.columns:
            if col.ref:
                problems += _unknown_codes(wbk, name, text, col)
        if name == "energy_audit":
            problems += _audit_problems(wbk, text)
    return problems


def _unknown_codes(wbk: SheetTables, name: str, text: pd.DataFrame, col: Column
                   ) -> list[Problem]:
    rt, rc = col.ref.split(".")
    ref = wbk.raw.get(rt)
    if ref is None or rc not in ref.columns:
        return []  # the model sheet is missing: reported on its own
    known = set(ref[rc].str.strip())
    bad = (text[col.name] != "") & ~text[col.name].isin(known)
    return [Problem(wbk.file_of(name), wbk.line_of(name, i), col.name, "reference",
                    f"'{text.loc[i, col.name]}' is not defined on sheet {rt} (column {rc})",
                    f"代码未在{rt}表中定义") for i in bad.to_numpy().nonzero()[0]]


def _audit_problems(wbk: SheetTables, text: pd.DataFrame) -> list[Problem]:
    file = wbk.file_of("energy_audit")
    problems = []
    energy = wbk.raw.get("energy")
    if energy is not None and {"sector", "fuel", "year"} <= set(energy.columns):
        have = set(zip(*(energy[c].str.strip() for c in ("sector", "fuel", "year")),
                       strict=True))
        rows = list(zip(text["sector"], text["fuel"], text["year"], strict=True))
        for i, key in enumerate(rows):
            if "" not in key and key not in have:
                problems.append(Problem(file, wbk.line_of("energy_audit", i), "year",
                                        "audit-row", f"no energy figure {'/'.join(key)} on "
                                        "sheet energy to audit", "energy表中没有对应的能源数据"))
    audited = text["audit"] == AUDITED
    date = pd.to_datetime(text["audit_date"], format="%Y-%m-%d", errors="coerce")
    for i in (audited & (text["audit_date"] == "")).to_numpy().nonzero()[0]:
        problems.append(Problem(file, wbk.line_of("energy_audit", i), "audit_date", "required",
                                "an audited figure needs the date of its audit",
                                "已审核的数据须填写审核日期"))
    bad = (text["audit_date"] != "") & date.isna()
    for i in bad.to_numpy().nonzero()[0]:
        problems.append(Problem(file, wbk.line_of("energy_audit", i), "audit_date", "date",
                                f"'{text.loc[i, 'audit_date']}' is not a date YYYY-MM-DD",
                                "审核日期格式应为YYYY-MM-DD"))
    return problems


# ============================================================================================
# command line


def add_parser(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("template", help=command_help("template"))
    t.add_argument("out", help="workbook to write (.xlsx)")
    t.add_argument("--from", dest="dataset", metavar="DATASET",
                   help="fill the workbook with this CSV dataset folder")
    t.set_defaults(func=cmd_template)
    i = sub.add_parser("ingest", help=command_help("ingest"))
    i.add_argument("workbook", help="filled data-list workbook (.xlsx)")
    i.add_argument("out_dir", help="dataset folder to write the CSV tables into")
    i.set_defaults(func=cmd_ingest)


def cmd_template(args: argparse.Namespace) -> int:
    writable_file(args.out, "OUT", "data-list.xlsx")
    n = write_template(args.out, args.dataset)
    src = f" with {n} rows from {args.dataset}" if args.dataset else ""
    print(f"数据清单 Data list written: {args.out} ({len(TABLES)} model tables and "
          f"{len(COLLECTION_TABLES)} collection sheets{src})")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    writable_dir(args.out_dir, "OUT_DIR")
    data, wbk = ingest(args.workbook, args.out_dir)
    n = sum(len(df) for df in wbk.raw.values())
    print(f"{args.workbook}: valid ({n} rows in {len(wbk.raw)} sheets; digest "
          f"{data.digest[:12]}); CSV dataset written to {args.out_dir}/")
    for (table, unit), k in sorted(wbk.conversions.items()):
        print(f"  折标 converted {k} value{'s' if k != 1 else ''} of {table} from {unit} to 万tce "
              "(standard_coal)")
    return 0
