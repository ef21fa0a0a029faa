"""Workbooks: one per bureau, district and enterprise; same bytes for the same input; text
that looks like a formula stays text."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from peakpath.analysis.allocate import allocate, parse_rule, write_allocation
from peakpath.report.figures import target_frame
from peakpath.report.workbooks import FIXED_TIME, workbook_bytes, write_table
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
    assert t.cell(1, 3).value == "二氧化碳目标" and "万t CO2" in t.cell(2, 3).value
    got = {r[0]: r[2] for r in t.iter_rows(min_row=3, values_only=True)}
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


# --------------------------------------------------------------------------------------------
# issue 10 §8: number formats, frozen headers, filters, no all-zero rows, what is new


@pytest.fixture(scope="module")
def written(peak_dir, tmp_path_factory):
    s = load_solved(peak_dir)
    a = allocate(s, parse_rule("per-capita"))
    out = tmp_path_factory.mktemp("alloc")
    write_allocation(a, out, s)
    return s, a, out / "workbooks"


def _numbers(ws):
    return [c for row in ws.iter_rows(min_row=3) for c in row
            if isinstance(c.value, int | float) and not isinstance(c.value, bool)]


def test_every_table_sheet_has_formats_frozen_headers_and_a_filter(written):
    _, _, folder = written
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 25
    for f in files:
        wb = openpyxl.load_workbook(f)
        for ws in wb.worksheets[1:]:
            assert ws.freeze_panes == "A3", (f.name, ws.title)
            header = [c.value for c in ws[2]]
            last = get_column_letter(sum(v is not None for v in header))
            assert re.fullmatch(rf"A2:{last}\d+", ws.auto_filter.ref), (f.name, ws.title)
            for c in _numbers(ws):
                if ws.cell(1, c.column).value is None:
                    continue  # a note row below the table
                unit = header[c.column - 1]
                if unit == "Year":
                    assert c.number_format == "0"
                elif "(%)" in unit:
                    assert c.number_format == "0.0%"
                elif "(万t CO2" in unit or "(万tce" in unit or "(万元" in unit:
                    assert c.number_format == "#,##0.0", (f.name, ws.title, unit)
                else:
                    assert c.number_format != "General", (f.name, ws.title, unit)


def test_no_all_zero_rows_and_the_note_says_how_many(written):
    _, a, folder = written
    wb = openpyxl.load_workbook(folder / "district_qingshan.xlsx")
    ws = wb["措施 Measures"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] and r[4]]
    for r in rows:
        assert any(isinstance(v, float) and abs(v) > 1e-9 for v in r[5:]), r
    m = a.measures_districts[a.measures_districts["unit"] == "qingshan"]
    cols = ["adoption", "new_builds", "investment", "annual_cost", "energy_bill", "net_cost",
            "co2"]
    zero = int((m[cols].abs() <= 1e-9).all(axis=1).sum())
    assert zero > 0 and len(rows) == len(m) - zero
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("Note")]
    assert notes == [f"Note: {zero} rows whose numbers are all zero (no target, no measure, "
                     "no cost) are left out."]
    # a bureau whose targets are all zero (CCUS captures nothing in this run) says so
    ws = openpyxl.load_workbook(folder / "bureau_ccus.xlsx")["目标 Targets"]
    ccus = a.bureaus[a.bureaus["unit"] == "ccus"]
    if (ccus[["co2", "energy"]].abs() <= 1e-9).all().all():
        assert any(isinstance(c.value, str) and f"{len(ccus)} rows" in c.value
                   for c in ws["A"])


def test_what_is_new_column(written):
    """新增 where no plan target bears on the year (2021–2024: the first targets of
    wuhan-peak-2030 are for 2025), 收紧 where the unit's target is below its previous
    plan-target year's, else 已有; recomputed here from the target table."""
    s, a, folder = written
    tt = target_frame(s.ds)
    plan_years = set(tt["year"])  # every family is city-wide but the manufacturing coal limit
    assert min(plan_years) == 2025
    for t in (a.bureaus, a.districts):
        for _unit, f in t.groupby("unit"):
            f = f.set_index("year").sort_index()
            prev = 2020
            for y in f.index:
                if y == 2020:
                    want = "基准年 base year"
                elif y not in plan_years:
                    want = "新增 new"
                else:
                    lower = (f.loc[y, "co2"] < f.loc[prev, "co2"] - 1e-9 * abs(f.loc[prev, "co2"])
                             or f.loc[y, "energy"] < f.loc[prev, "energy"]
                             - 1e-9 * abs(f.loc[prev, "energy"]))
                    want = "收紧 tightened" if lower else "已有 existing"
                    prev = y
                assert f.loc[y, "new"] == want, (_unit, y)
    counts = a.districts["new"].value_counts()
    assert {"新增 new", "已有 existing", "收紧 tightened"} <= set(counts.index)
    # the limit on manufacturing coal bears on the industry bureau only
    ind = a.bureaus[(a.bureaus["unit"] == "industry") & (a.bureaus["year"] == 2026)]
    bld = a.bureaus[(a.bureaus["unit"] == "buildings") & (a.bureaus["year"] == 2026)]
    assert "限额" in ind["basis"].iloc[0] and "限额" not in bld["basis"].iloc[0]
    # the workbook shows the column beside the year
    ws = openpyxl.load_workbook(folder / "bureau_industry.xlsx")["目标 Targets"]
    assert ws.cell(1, 2).value == "新增/已有" and ws.cell(2, 2).value == "What is new"
    got = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    want = a.bureaus[a.bureaus["unit"] == "industry"].set_index("year")["new"]
    assert got == want.to_dict()


def test_document_properties_are_fixed(written):
    _, _, folder = written
    wb = openpyxl.load_workbook(folder / "bureau_energy.xlsx")
    assert wb.properties.creator == "peakpath"
    assert wb.properties.created == wb.properties.modified == FIXED_TIME
