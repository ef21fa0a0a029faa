"""The data-list workbook (issue 6): template, ingest with located errors, round trip, the full
loop template -> fill -> ingest -> run, and every corrupted workbook the issue lists."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from peakpath.cli.main import main
from peakpath.errors import InputError
from peakpath.io.datalist import (
    AUDIT_STATUS,
    COLLECTION_DIR,
    COLLECTION_TABLES,
    CORE_INDICATORS,
    INSTRUCTIONS,
    MAX_ROWS,
    dataset_rows,
    ingest,
    template_bytes,
    write_template,
)
from peakpath.io.inputs import digest_tables, read_dataset
from peakpath.io.schema import TABLES
from peakpath.solve.run import run_scenario
from tests.conftest import DATASET, make_scenario


@pytest.fixture(scope="module")
def filled_bytes() -> bytes:
    """The template filled with the shipped dataset (`template --from inputs/wuhan`)."""
    from peakpath.io.datalist import dataset_rows

    return template_bytes(dataset_rows(DATASET))


@pytest.fixture
def book(tmp_path, filled_bytes):
    path = tmp_path / "wuhan.xlsx"
    path.write_bytes(filled_bytes)
    return path


def _corrupt(path, edit):
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)


def _problems(path, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(InputError) as e:
        ingest(path, out)
    assert not out.exists(), "nothing may be written when the workbook has errors"
    return e.value.problems


def _row_of(ws, **key) -> int:
    """Excel row of the first data row whose columns equal ``key``."""
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if all(ws.cell(r, header.index(k) + 1).value == v for k, v in key.items()):
            return r
    raise AssertionError(f"no row {key}")


# --- template --------------------------------------------------------------------------------


def test_identical_inputs_give_identical_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(a, DATASET)
    write_template(b, DATASET)
    assert a.read_bytes() == b.read_bytes()
    assert template_bytes() == template_bytes()
    assert template_bytes() != a.read_bytes()


def test_document_properties_are_fixed(book):
    p = load_workbook(book).properties
    assert p.creator == "peakpath"
    assert p.created == p.modified
    assert p.created.year == 2020


def test_blank_template_has_a_sheet_per_table_with_headers_lists_and_checks(tmp_path):
    path = tmp_path / "blank.xlsx"
    path.write_bytes(template_bytes())
    wb = load_workbook(path)
    assert wb.sheetnames == [INSTRUCTIONS, *[t.name for t in TABLES],
                             *[t.name for t in COLLECTION_TABLES]]
    for t in TABLES:
        ws = wb[t.name]
        assert [c.value for c in ws[1]] == t.column_names, t.name
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 1, "a blank template has no data rows"
    checks = {str(dv.sqref): (dv.type, dv.formula1, dv.operator)
              for dv in wb["energy"].data_validations.dataValidation}
    assert checks[f"A2:A{MAX_ROWS}"] == ("list", f"'sectors'!$A$2:$A${MAX_ROWS}", None)
    assert checks[f"B2:B{MAX_ROWS}"] == ("list", f"'fuels'!$A$2:$A${MAX_ROWS}", None)
    assert checks[f"C2:C{MAX_ROWS}"] == ("whole", "1990", "between")
    assert checks[f"D2:D{MAX_ROWS}"] == ("decimal", "0", "greaterThanOrEqual")
    units = checks[f"E2:E{MAX_ROWS}"][1].strip('"').split(",")
    assert {"万tce", "tce", "t", "万t", "万m3", "10^4 m³", "万kWh"} <= set(units)
    roles = {str(dv.sqref): dv.formula1 for dv in wb["sectors"].data_validations.dataValidation}
    assert roles[f"E2:E{MAX_ROWS}"] == '"end_use,power,renewable_power,heat,sink,ccus"'
    for ws in wb.worksheets[1:]:  # Excel limits an inline list to 255 characters
        for dv in ws.data_validations.dataValidation:
            assert len(dv.formula1) <= 255, (ws.title, dv.formula1)


def test_instructions_name_meaning_unit_and_lead_department_of_every_column(book):
    ws = load_workbook(book)[INSTRUCTIONS]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    by_col = {(r[0], r[3]): r for r in rows if r[3]}
    for t in TABLES:
        for c in t.columns:
            r = by_col[(t.name, c.name)]
            assert r[1] == t.lead_zh and r[2] == t.lead_en
            assert r[4] == c.doc_zh and r[5] == c.doc_en
    assert by_col[("measures", "capex")][6] == "万元/unit"
    assert "万kWh" in by_col[("energy", "unit")][6]
    assert by_col[("energy", "value")][6] == "见 unit 列 see column unit"
    assert by_col[("energy", "sector")][1] == "市统计局"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    from peakpath.io.datalist import dataset_rows

    rows = dataset_rows(DATASET)
    rows["fuels"][0][2] = "=SUM(1,2)"
    rows["fuels"][1][2] = "-coke"
    path = tmp_path / "f.xlsx"
    path.write_bytes(template_bytes(rows))
    ws = load_workbook(path)["fuels"]
    assert ws["C2"].data_type == "s" and ws["C2"].value == "=SUM(1,2)"
    assert ws["C2"].quotePrefix and ws["C3"].value == "-coke"


# --- round trip and the full loop ------------------------------------------------------------


def test_round_trip_gives_identical_tables(book, tmp_path, wuhan):
    data, _ = ingest(book, tmp_path / "out")
    back = read_dataset(tmp_path / "out")
    assert digest_tables(back.tables) == digest_tables(wuhan.tables)
    assert digest_tables(data.tables) == digest_tables(wuhan.tables)
    for name, df in wuhan.tables.items():
        assert back.tables[name].equals(df), name


@pytest.mark.solve
def test_full_loop_template_fill_ingest_run(book, tmp_path, wuhan):
    """Departments fill energy in physical units; ingest converts with the GB/T 2589
    coefficients of sheet standard_coal; the model solves the same as on the CSV dataset."""
    e = wuhan["energy"].set_index(["sector", "fuel", "year"])["value"]
    filled = {  # (sector, fuel): (value in the physical unit, unit), year 2020
        ("steel", "coal"): (e["steel", "coal", 2020] * 1e7 / 0.7143 / 1e7, "万t"),
        ("steel", "coke"): (e["steel", "coke", 2020] * 1e7 / 0.9714 / 1e3, "t"),
        ("residential", "natural_gas"): (e["residential", "natural_gas", 2020] * 1e7 / 1.2143
                                         / 1e4, "10^4 m³"),
        ("other_manufacturing", "electricity"): (
            e["other_manufacturing", "electricity", 2020] * 1e7 / 0.1229 / 1e4, "万kWh"),
        ("petrochem", "heat"): (e["petrochem", "heat", 2020] * 1e7 / 0.03412 / 1e3, "GJ"),
    }

    def fill(wb):
        ws = wb["energy"]
        for (s, f), (v, unit) in filled.items():
            r = _row_of(ws, sector=s, fuel=f, year=2020)
            ws.cell(r, 4).value, ws.cell(r, 5).value = v, unit

    _corrupt(book, fill)
    data, wbk = ingest(book, tmp_path / "out")
    assert sum(wbk.conversions.values()) == len(filled)
    got = read_dataset(tmp_path / "out")["energy"].set_index(["sector", "fuel", "year"])["value"]
    for (s, f) in filled:
        assert got[s, f, 2020] == pytest.approx(e[s, f, 2020], rel=1e-11)
    ours = run_scenario(make_scenario(dataset=tmp_path / "out"), data, isolate=False)
    theirs = run_scenario(make_scenario(), wuhan, isolate=False)
    assert ours.status == theirs.status == "optimal"
    assert ours.dataset["co2_total"].to_numpy() == pytest.approx(
        theirs.dataset["co2_total"].to_numpy(), rel=1e-9)


def test_cli_template_then_ingest(tmp_path, capsys):
    assert main(["template", str(tmp_path / "t.xlsx"), "--from", str(DATASET)]) == 0
    assert main(["ingest", str(tmp_path / "t.xlsx"), str(tmp_path / "ds")]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and (tmp_path / "ds" / "energy.csv").exists()
    assert main(["validate", str(tmp_path / "t.xlsx")]) == 0  # a workbook is a dataset too


# --- corrupted workbooks ---------------------------------------------------------------------


def test_missing_sheet(book, tmp_path):
    _corrupt(book, lambda wb: wb.remove(wb["energy"]))
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (f"{book}:energy", None, None, "missing-sheet")
    assert "required sheet 'energy' is missing" in p.message
    assert "energy" in p.hint_zh and "市统计局" in p.hint_zh


def test_renamed_sheet_is_missing_and_named(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["energy"], "title", "Energy 2020"))
    [p] = _problems(book, tmp_path)
    assert p.rule == "missing-sheet" and "other sheets: Energy 2020" in p.message


def test_renamed_column(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["energy"]["D1"], "value", "valu"))
    probs = _problems(book, tmp_path)
    got = {(p.file, p.row, p.column, p.rule) for p in probs}
    assert got == {(f"{book}:energy", 1, "value", "missing-column"),
                   (f"{book}:energy", 1, "valu", "unknown-column")}
    unknown = next(p for p in probs if p.rule == "unknown-column")
    assert unknown.message.startswith("cell D1: unknown column 'valu'")


def test_text_in_a_number_cell(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["energy"]["D7"], "value", "about 12"))
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (f"{book}:energy", 7, "value", "number")
    assert p.message == "cell D7: 'about 12' is not a number"
    assert p.hint_zh == "应为数字"


def test_merged_cells(book, tmp_path):
    _corrupt(book, lambda wb: wb["energy"].merge_cells("A5:A6"))
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (f"{book}:energy", 5, "sector", "merged-cells")
    assert p.message == "cells A5:A6 are merged; unmerge them and fill every cell"
    assert "合并单元格" in p.hint_zh


def test_duplicate_keys(book, tmp_path):
    def dup(wb):
        ws = wb["energy"]
        for c in range(1, 6):
            ws.cell(4, c).value = ws.cell(3, c).value

    _corrupt(book, dup)
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.rule) == (f"{book}:energy", 4, "duplicate")
    assert "(first on row 3)" in p.message and p.hint_zh == "主键重复"


def test_unknown_sector_code(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["energy"]["A9"], "value", "steal"))
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (f"{book}:energy", 9, "sector", "reference")
    assert p.message == f"cell A9: 'steal' is not a known sector (see {book}:sectors)"


def test_negative_potential(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["measure_potential"]["C3"], "value", -5))
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (
        f"{book}:measure_potential", 3, "value", "range")
    assert p.message == "cell C3: -5 is out of range; expected >= 0"


def test_wrong_unit(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["energy"]["E2"], "value", "kgCO2/kWh"))
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (f"{book}:energy", 2, "unit", "unit")
    assert "unit 'kgCO2/kWh' is not a unit of energy" in p.message
    assert "万tce" in p.message and p.hint_zh == "单位错误"


def test_physical_unit_without_a_coefficient(book, tmp_path):
    def edit(wb):
        ws = wb["energy"]
        r = _row_of(ws, sector="power_waste", fuel="biomass", year=2020)
        ws.cell(r, 5).value = "万t"  # waste has no GB/T 2589 coefficient
        r2 = _row_of(ws, sector="steel", fuel="electricity", year=2020)
        ws.cell(r2, 5).value = "万m3"  # electricity has no volume
        edit.rows = (r, r2)

    _corrupt(book, edit)
    probs = _problems(book, tmp_path)
    assert [(p.row, p.column, p.rule) for p in probs] == [
        (edit.rows[0], "unit", "conversion"), (edit.rows[1], "unit", "conversion")]
    assert "fuel 'biomass', basis 'mass'" in probs[0].message
    assert "fuel 'electricity', basis 'volume'" in probs[1].message


def test_empty_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    [p] = _problems(path, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (str(path), None, None, "empty-workbook")
    assert "peakpath template" in p.message


def test_blank_template_asks_for_every_required_table(tmp_path):
    path = tmp_path / "blank.xlsx"
    path.write_bytes(template_bytes())
    probs = _problems(path, tmp_path)
    required = [t.name for t in TABLES if not t.optional]
    assert [(p.file, p.row, p.rule) for p in probs] == [
        (f"{path}:{name}", 2, "empty-sheet") for name in required]
    assert "required sheet 'energy' has no data rows" in probs[required.index("energy")].message


def test_number_formatted_as_a_percentage(book, tmp_path):
    def pct(wb):
        ws = wb["growth"]
        ws["D3"].value = 0.04
        ws["D3"].number_format = "0.0%"

    _corrupt(book, pct)
    [p] = _problems(book, tmp_path)
    assert (p.file, p.row, p.column, p.rule) == (f"{book}:growth", 3, "rate", "percent-format")
    assert p.message.startswith("cell D3 is formatted as a percentage (it holds 0.04)")


def test_formula_without_a_saved_value(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["energy"]["D2"], "value", "=1+1"))
    probs = _problems(book, tmp_path)
    assert [(p.row, p.column, p.rule) for p in probs] == [(2, "value", "formula")]


def test_data_without_a_header(book, tmp_path):
    _corrupt(book, lambda wb: setattr(wb["energy"]["G4"], "value", 12.5))
    [p] = _problems(book, tmp_path)
    assert (p.row, p.column, p.rule) == (4, "G", "no-header")
    assert p.message == "cell G4 holds '12.5' but its column has no header"


def test_not_a_workbook(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("sector,fuel\n", encoding="utf-8")
    [p] = _problems(path, tmp_path)
    assert (p.file, p.rule) == (str(path), "workbook")


def test_every_problem_at_once_and_nothing_written(book, tmp_path, capsys):
    def many(wb):
        wb.remove(wb["grid"])
        wb["energy"]["D7"].value = "n/a"
        wb["energy"]["A9"].value = "steal"
        wb["measure_potential"]["C3"].value = -5
        wb["sectors"].merge_cells("C2:D2")

    _corrupt(book, many)
    out = tmp_path / "out"
    assert main(["ingest", str(book), str(out)]) == 2
    err = capsys.readouterr().err
    assert not out.exists()
    assert "Traceback" not in err
    for where in (f"{book}:grid: [missing-sheet]",
                  f"{book}:energy, row 7, column 'value': [number] cell D7:",
                  f"{book}:energy, row 9, column 'sector': [reference]",
                  f"{book}:measure_potential, row 3, column 'value': [range]",
                  f"{book}:sectors, row 2, column 'name_zh': [merged-cells]"):
        assert where in err, where


def test_existing_tables_the_workbook_lacks_are_not_left_stale(book, tmp_path):
    out = tmp_path / "out"
    ingest(book, out)
    _corrupt(book, lambda wb: wb.remove(wb["projects"]) or wb.remove(wb["project_effects"]))
    with pytest.raises(InputError) as e:
        ingest(book, out)
    assert {p.rule for p in e.value.problems} == {"stale-table"}


# --------------------------------------------------------------------------------------------
# issue 10 §6: the collection sheets departments fill beside the model's tables


def test_collection_sheets_name_their_bureaus(tmp_path):
    wb = load_workbook(io.BytesIO(template_bytes()))
    inst = [[c.value for c in row] for row in wb[INSTRUCTIONS].iter_rows()]
    for t in COLLECTION_TABLES:
        ws = wb[t.name]
        assert [c.value for c in ws[1]] == t.column_names
        assert ws.freeze_panes == "A2"
        assert t.extra["lead_zh"] in ws.oddHeader.left.text
        assert t.extra["responsible_zh"] in ws.oddHeader.right.text
        assert "责任单位" in ws["A1"].comment.text
        row = next(r for r in inst if r[0] == t.name and r[1] == t.extra["lead_zh"]
                   and r[3] == t.extra["responsible_zh"])
        assert row[2] and row[4]  # English names of the bureaus beside
    assert [t.name for t in COLLECTION_TABLES] == ["core_indicators", "demo_projects",
                                                   "green_projects", "energy_audit"]
    core = [[c.value for c in r] for r in wb["core_indicators"].iter_rows(min_row=2)]
    assert [r[1] for r in core] == [c[1] for c in CORE_INDICATORS]
    fields = {r[0] for r in core}
    assert {"energy", "industry", "buildings", "transport", "agriculture", "sinks"} <= fields
    assert all(r[10] and r[11] for r in core)  # lead and responsible on every row
    assert all(r[6] is None for r in core)  # values are for the bureaus to fill
    audit = wb["energy_audit"]
    assert "市统计局" in audit.oddHeader.left.text
    for t in TABLES:  # the model's tables name their lead bureau too
        assert t.lead_zh in wb[t.name].oddHeader.left.text
    assert any(AUDIT_STATUS[0] in (dv.formula1 or "") for dv in
               audit.data_validations.dataValidation)


def _fill(book, sheet, rows):
    wb = load_workbook(book)
    ws = wb[sheet]
    for r, values in enumerate(rows, start=ws.max_row + 1):
        for j, v in enumerate(values, start=1):
            ws.cell(r, j, v)
    wb.save(book)


def _energy_key(book):
    ws = load_workbook(book)["energy"]
    return [ws.cell(2, c).value for c in (1, 2, 3)]


def test_filled_collection_sheets_are_read_back_and_written_beside_the_dataset(book, tmp_path):
    sector, fuel, year = _energy_key(book)
    _fill(book, "demo_projects", [["D1", "光谷屋顶光伏示范", "qingshan", sector, 1.5, 4.2,
                                   12000, 2023, "在建 under construction", "市发改委",
                                   "青山区人民政府", ""]])
    _fill(book, "energy_audit", [[sector, fuel, year, AUDIT_STATUS[0], "2024-03-31", "张三",
                                  ""]])
    out = tmp_path / "out"
    ingest(book, out)
    demo = pd.read_csv(out / COLLECTION_DIR / "demo_projects.csv")
    assert demo.loc[0, "co2_avoided"] == 4.2 and demo.loc[0, "status"] == "在建 under construction"
    audit = pd.read_csv(out / COLLECTION_DIR / "energy_audit.csv")
    assert audit.loc[0, "audit_date"] == "2024-03-31"
    assert not (out / "demo_projects.csv").exists()  # not a model table
    read_dataset(out)  # the subfolder does not disturb the dataset
    # a template made from the ingested dataset carries the filled collection sheets back
    again = load_workbook(io.BytesIO(template_bytes(dataset_rows(out))))
    assert [c.value for c in again["demo_projects"][2]][:2] == ["D1", "光谷屋顶光伏示范"]
    assert again["energy_audit"].cell(2, 4).value == AUDIT_STATUS[0]


def test_bad_values_on_collection_sheets_are_located(book, tmp_path):
    sector, fuel, year = _energy_key(book)
    _fill(book, "demo_projects", [["D1", "示范项目", "nowhere", sector, -1, 4.2, 12000, 2023,
                                   "在建 under construction", "市发改委", "", ""]])
    _fill(book, "energy_audit", [[sector, fuel, year, AUDIT_STATUS[0], "", "", ""],
                                 [sector, fuel, 1899, "maybe", "31/03/2024", "", ""]])
    _fill(book, "core_indicators", [["energy", "coal_share", "煤炭占比", "Coal share", "%",
                                     2020, "lots", None, None, None, "市发改委", "", ""]])
    probs = _problems(book, tmp_path)
    got = {(p.file.split(":")[-1], p.row, p.column, p.rule) for p in probs}
    demo = load_workbook(book)["demo_projects"].max_row
    assert ("demo_projects", demo, "district", "reference") in got
    assert ("demo_projects", demo, "energy_saved", "range") in got
    audit = load_workbook(book)["energy_audit"].max_row
    assert ("energy_audit", audit - 1, "audit_date", "required") in got
    assert ("energy_audit", audit, "audit", "allowed") in got
    assert ("energy_audit", audit, "audit_date", "date") in got
    assert ("energy_audit", audit, "year", "audit-row") in got  # no such energy figure
    core = load_workbook(book)["core_indicators"].max_row
    assert ("core_indicators", core, "base_value", "number") in got
    assert ("core_indicators", core, "indicator", "duplicate") in got  # coal_share twice
    msg = next(p for p in probs if p.column == "energy_saved").message
    assert msg.startswith("cell E")  # the Excel cell is named
