"""Workbooks: one per bureau, district and enterprise; same bytes for the same input; text
that looks like a formula stays text."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd

from peakpath.analysis.allocate import allocate, parse_rule, write_allocation
from peakpath.report.workbooks import workbook_bytes, write_table
from peakpath.results.pathway import load_solved


def test_one_workbook_per_unit_and_reproducible(peak_dir, tmp_path):
    s = load_solved(peak_dir)
    a = allocate(s, parse_rule("per-capita"))
    write_allocation(a, tmp_path / "one", s)
    write_allocation(a, tmp_path / "two", s)
    one = sorted((tmp_path / "one" / "workbooks").glob("*.xlsx"))
    assert len(one) == 7 + 15 + 3
    for f in one:
        assert f.read_bytes() == (tmp_path / "two" / "workbooks" / f.name).read_bytes()
    wb = openpyxl.load_workbook(tmp_path / "one" / "workbooks" / "district_qingshan.xlsx")
    assert wb.sheetnames == ["说明 Notes", "目标 Targets", "措施 Measures", "成本 Costs"]
    t = wb["目标 Targets"]
    assert t.cell(1, 2).value == "二氧化碳目标" and "万t CO2" in t.cell(2, 2).value
    got = {r[0]: r[1] for r in t.iter_rows(min_row=3, values_only=True)}
    want = a.districts[a.districts["unit"] == "qingshan"].set_index("year")["co2"]
    assert all(abs(got[y] - want[y]) < 1e-5 for y in want.index)
    notes = [c.value for c in wb["说明 Notes"]["A"] if c.value]
    assert "单位说明" in notes


def test_formula_like_text_is_written_as_text():
    evil = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
    frame = pd.DataFrame({"name_zh": evil, "year": [2030] * 4})
    data = workbook_bytes([("t", lambda ws: write_table(
        ws, frame, [("name_zh", "名称", "Name", ""), ("year", "年份", "Year", "")]))])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [wb["t"].cell(r, 1) for r in range(3, 7)]
    assert [c.value for c in cells] == evil
    assert all(c.data_type == "s" for c in cells)
