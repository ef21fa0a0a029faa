"""The data-list workbook opens in LibreOffice: every sheet converts to CSV and the converted
tables validate to exactly the dataset the workbook was made from. The Makefile installs
LibreOffice (Debian's libreoffice-calc-nogui); the test skips only when the binary is absent."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from peakpath.io.datalist import (
    COLLECTION_TABLES,
    CORE_INDICATORS,
    dataset_rows,
    template_bytes,
)
from peakpath.io.inputs import digest_tables, read_dataset
from peakpath.io.schema import TABLES
from tests.conftest import DATASET

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
#: CSV filter: comma, double quote, UTF-8, from line 1, full precision (not "as shown"),
#: every sheet to its own file (-1, LibreOffice >= 7.2)
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"

pytestmark = pytest.mark.skipif(
    LIBREOFFICE is None, reason="LibreOffice is not installed: `make install` installs it "
    "(apt-get install libreoffice-calc-nogui)")


def _convert(xlsx, tmp_path):
    out = tmp_path / "lo"
    profile = tmp_path / "profile"  # a private profile: no lock shared with other runs
    subprocess.run([LIBREOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", CSV_FILTER, "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    return out


def test_libreoffice_reads_the_filled_workbook_back_to_the_same_dataset(tmp_path, wuhan):
    rows = dataset_rows(DATASET)
    # text that a spreadsheet would take for a formula must survive as text
    rows["fuels"][0][2] = "=SUM(1,2)"
    rows["fuels"][1][2] = "+86 coke"
    rows["fuels"][2][2] = "@oil"
    xlsx = tmp_path / "wuhan.xlsx"
    xlsx.write_bytes(template_bytes(rows))
    out = _convert(xlsx, tmp_path)
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    for t in TABLES:
        src = out / f"wuhan-{t.name}.csv"
        assert src.exists(), f"LibreOffice wrote no sheet {t.name}"
        (dataset / t.file).write_bytes(src.read_bytes())
    back = read_dataset(dataset)
    names = back["fuels"]["name_en"].tolist()
    assert names[:3] == ["=SUM(1,2)", "+86 coke", "@oil"]
    expected = {k: v.copy() for k, v in wuhan.tables.items()}
    expected["fuels"].loc[:2, "name_en"] = ["=SUM(1,2)", "+86 coke", "@oil"]
    assert digest_tables(back.tables) == digest_tables(expected)


def test_libreoffice_opens_the_blank_template(tmp_path):
    xlsx = tmp_path / "blank.xlsx"
    xlsx.write_bytes(template_bytes())
    out = _convert(xlsx, tmp_path)
    for t in TABLES:
        header = (out / f"blank-{t.name}.csv").read_text(encoding="utf-8").strip()
        assert header == ",".join(t.column_names)
    for t in COLLECTION_TABLES:  # issue 10 §6: the collection sheets open too
        lines = (out / f"blank-{t.name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(t.column_names)
    core = (out / "blank-core_indicators.csv").read_text(encoding="utf-8").splitlines()
    assert len(core) == 1 + len(CORE_INDICATORS) and "单位GDP能耗" in core[3]


def test_libreoffice_opens_an_allocation_workbook(tmp_path, peak_dir):
    """A district's allocation workbook (issue 10 §8) converts sheet by sheet, and the
    targets read back as the allocation wrote them: what is new, CO2 and the share format."""
    import csv

    from peakpath.analysis.allocate import allocate, parse_rule, write_allocation
    from peakpath.results.pathway import load_solved

    s = load_solved(peak_dir)
    a = allocate(s, parse_rule("per-capita"))
    write_allocation(a, tmp_path / "alloc", s)
    out = _convert(tmp_path / "alloc" / "workbooks" / "district_qingshan.xlsx", tmp_path)
    sheets = {p.name for p in out.glob("*.csv")}
    assert {f"district_qingshan-{n}.csv" for n in ("说明 Notes", "目标 Targets", "措施 Measures",
                                                    "成本 Costs")} == sheets
    with (out / "district_qingshan-目标 Targets.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["年份", "新增/已有", "二氧化碳目标", "占全市二氧化碳比重"]
    want = a.districts[a.districts["unit"] == "qingshan"].set_index("year")
    body = [r for r in rows[2:] if r and r[0].isdigit()]
    assert len(body) == len(want)
    for r in body:
        y = int(r[0])
        assert r[1] == want.loc[y, "new"]
        assert abs(float(r[2]) - want.loc[y, "co2"]) < 1e-5
        assert r[3].endswith("%")  # the share keeps its percentage format
