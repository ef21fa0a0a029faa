"""`peakpath assess` writes one report per district and zone: every unit of the dataset gets a
.docx and an .html and a row in the index with its lead (区人民政府 / 管委会); the allocated
CO2 of the districts adds up to the city's in every year; a district whose allocation rises
after the city's peak is flagged with the reason; --rule changes the numbers and a bad rule
exits 2 naming the option.

The run is the mini dataset (tests/mini.py) split over three units — a core district, a
suburban district and a development zone — by district shares. The cheapest measure is sited
in the core district (measure_sites.csv), and a project sited in the zone comes online in
2026, after the city has peaked in the base year under a CO2 cap: the zone's least-cost CO2
rises, and its report must say so and name the project."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest

from peakpath.cli.main import main
from peakpath.results.dataset import load_results, write_results
from peakpath.solve.run import run_scenario
from tests.conftest import make_scenario
from tests.mini import BASE_TABLES, coal_saver, mini
from tests.report.test_assess import LIBREOFFICE, WRITER, docx_text, parse

UNITS = [("a", "甲区（含某园区）", "District A (incl. a park)", "core", 0.5, 60.0, 500.0),
         ("b", "乙区", "District B", "suburban", 0.3, 30.0, 300.0),
         ("z", "丙开发区", "Zone C", "zone", 0.2, 10.0, 200.0)]
LEADS = {"a": "甲区人民政府", "b": "乙区人民政府", "z": "丙开发区管委会"}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("assess-districts")
    t = {k: list(v) for k, v in BASE_TABLES.items()}
    t["districts"] = [*t["districts"], *({"district": d, "name_zh": zh, "name_en": en,
                                          "kind": k} for d, zh, en, k, *_ in UNITS)]
    t["district_shares"] = [{"sector": "plant", "district": d, "share": sh, "basis": "gdp",
                             "source": f"test share of {d}"} for d, _, _, _, sh, _, _ in UNITS]
    t["district_indicators"] = [
        row for d, *_, pop, gdp in UNITS for row in (
            {"district": d, "variable": "population", "year": 2020, "value": pop,
             "unit": "万人", "source": "test census"},
            {"district": d, "variable": "gdp", "year": 2020, "value": gdp, "unit": "亿元",
             "source": "test statistics"})]
    t["measure_sites"] = [{"measure": "cheap", "district": "a", "share": 1.0, "basis": "plant",
                           "source": "test site"}]
    t["projects"] = [{"project": "fab", "name_zh": "芯片厂", "name_en": "Chip fab",
                      "sector": "plant", "district": "z", "earliest_year": 2026,
                      "value_added": 50.0}]
    t["project_effects"] = [{"project": "fab", "kind": "energy", "item": "coal",
                             "value": 5.0, "unit": "万tce"}]
    measures = [coal_saver("cheap", 1100, capex=100.0, potential=20.0),
                coal_saver("middle", 1300, potential=20.0), coal_saver("dear", 1600)]
    data = mini(root / "data", measures, **{k: t[k] for k in (
        "districts", "district_shares", "district_indicators", "measure_sites", "projects",
        "project_effects")})
    sc = make_scenario({"years": {"base": 2020, "start": 2021, "end": 2030},
                        "targets": {"carbon_cap": {2021: 195, 2025: 190, 2030: 185}},
                        "projects": {"default": "in"}}, name="mini-districts",
                       dataset=root / "data")
    res = run_scenario(sc, data, isolate=False)
    assert res.status == "optimal"
    return write_results(res.dataset, root / "run", res.summary, res.built.md)


@pytest.fixture(scope="module")
def zh_set(run) -> Path:
    assert main(["assess", str(run)]) == 0
    return run / "assess"


def district_files(folder: Path) -> dict[str, Path]:
    """district id -> its HTML page."""
    return {re.sub(r"^2\d\d-district-", "", p.stem): p
            for p in folder.glob("2??-district-*.html")}


def allocated(page: Path) -> dict[int, tuple[float, float]]:
    """year -> (allocated CO2, least-cost CO2) from a district report's target table."""
    t = next(t for t in parse(page).tables if t["caption"].startswith("分配目标"))
    head = [c[0] for c in t["rows"][0]]
    i, j = head.index("二氧化碳 分配"), head.index("二氧化碳 最低成本")
    return {int(r[0][0]): (float(r[i][1]), float(r[j][1])) for r in t["rows"][1:]}


def test_every_district_gets_a_docx_an_html_and_an_index_row(zh_set):
    pages = district_files(zh_set)
    assert set(pages) == {d for d, *_ in UNITS}  # never the whole-city row
    index = next(t for t in parse(zh_set / "index.html").tables if t["id"] == "documents")
    rows = {r[1][0]: r for r in index["rows"][1:]}
    for d, zh, *_ in UNITS:
        page = pages[d]
        assert page.with_suffix(".docx").is_file()
        title = parse(page).headings[0]
        assert title == f"{zh.split('（')[0]}碳达峰评估报告"
        r = rows[title]
        assert r[2][0] == LEADS[d]  # the lead: district government or zone committee
        assert r[3][0] == "市经信局"  # the city bureau of the district's sectors
        assert page.name in r[5][0] and page.with_suffix(".docx").name in r[5][0]
        text = docx_text(page.with_suffix(".docx"))
        assert LEADS[d] in text and "分配目标" in text
        heads = parse(page).headings
        for h in ("数据来源与归属规则", "历史排放与能源消费", "分配目标", "本区措施",
                  "本区重大项目", "峰后排放上升提示"):
            assert h in heads, (d, h)
        html = page.read_text(encoding="utf-8")
        # shares only: the report says so and names the shares it uses, with their source
        assert "本区没有本区自身的统计数据" in html and f"test share of {d}" in html
        assert "万t CO2" in html and "万tce" in html and "万元" in html


def test_allocated_co2_adds_up_to_the_city_every_year(zh_set, run):
    ds = load_results(run)
    city = ds["co2_total"].to_series()
    pages = district_files(zh_set)
    got = {d: allocated(p) for d, p in pages.items()}
    for y in [int(v) for v in ds["year"].values]:
        total = sum(got[d][y][0] for d in got)
        assert total == pytest.approx(float(city[y]), rel=1e-9, abs=1e-9), y
    # the base-year history of each district is its share of the city's sector accounts
    for d, _, _, _, share, *_ in UNITS:
        base = got[d][2020][1]
        assert base == pytest.approx(share * float(city[2020]), rel=1e-9)


def test_a_district_rising_after_the_city_peak_is_flagged_with_its_reason(zh_set, run):
    ds = load_results(run)
    city = ds["co2_total"].to_series()
    peak = int(city.idxmax())
    assert peak < 2026  # the city has peaked before the zone's project comes online
    pages = district_files(zh_set)
    z = allocated(pages["z"])
    assert max(v[0] for y, v in z.items() if y > peak) > z[peak][0] + 1e-6  # it does rise
    html = pages["z"].read_text(encoding="utf-8")
    assert f"提示：全市于{peak}年达峰" in html
    # the years above the peak-year level are marked in the target table
    marked = re.findall(r'<tr class="flag"><td class="num" data-value="(\d+)"', html)
    assert [int(y) for y in marked] == [y for y, v in z.items()
                                        if y > peak and v[0] > z[peak][0] + 1e-6]
    assert "原因：新项目：芯片厂于2026年在本区投产" in html
    # the districts that do not rise are not flagged
    for d in ("a", "b"):
        text = pages[d].read_text(encoding="utf-8")
        assert "未上升" in text and "提示：" not in text
    index = (zh_set / "index.html").read_text(encoding="utf-8")
    assert "分配排放上升的区：丙开发区" in index
    # the cheapest measure is sited in A: listed there as sited, with its abatement
    t = next(t for t in parse(pages["a"]).tables if t["caption"].startswith("本区措施"))
    cheap = next(r for r in t["rows"][1:] if r[0][0] == "cheap")
    assert cheap[1][0] == "选址"
    head = [c[0] for c in t["rows"][0]]
    assert float(ds["adoption"].sel(measure="cheap", year=2030).sum()) > 0
    assert float(cheap[head.index("减排 2030")][1]) > 0
    # the project is listed in the zone's report, and only there
    assert "芯片厂" in pages["z"].read_text(encoding="utf-8").split("本区重大项目")[-1]
    assert "数据中没有选址在本区的重大项目" in pages["b"].read_text(encoding="utf-8")


def test_the_rule_changes_the_numbers(run, zh_set, tmp_path):
    out = tmp_path / "equal"
    assert main(["assess", str(run), "--rule", "equal-intensity", "--out", str(out)]) == 0
    lc, eq = district_files(zh_set), district_files(out)
    ds = load_results(run)
    city = ds["co2_total"].to_series()
    a_lc, a_eq = allocated(lc["a"]), allocated(eq["a"])
    assert a_lc[2030][0] != pytest.approx(a_eq[2030][0], rel=1e-6)
    # equal intensity: each unit keeps its base-year share of the city in every year
    for y, (v, _) in a_eq.items():
        assert v == pytest.approx(0.5 * float(city[y]), rel=1e-9)
    assert "强度等比例下降（equal-intensity）" in eq["a"].read_text(encoding="utf-8")
    # under equal intensity nobody rises after the city's peak
    assert "提示：" not in eq["z"].read_text(encoding="utf-8")
    # English beside Chinese on request
    en = tmp_path / "en"
    assert main(["assess", str(run), "--lang", "zh+en", "--out", str(en)]) == 0
    heads = parse(district_files(en)["z"]).headings
    assert "分配目标 Allocated targets" in heads
    d = docx.Document(str(district_files(en)["z"].with_suffix(".docx")))
    assert any("Management Committee" in p.text for p in d.paragraphs) or \
        "Management Committee" in docx_text(district_files(en)["z"].with_suffix(".docx"))


def test_a_bad_rule_exits_2_naming_the_option(run, tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["assess", str(run), "--rule", "lowest-cost", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--rule" in err and "lowest-cost" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["assess", str(run), "--rule", "blend:least-cost=0.5", "--out",
                 str(out)]) == 2
    assert "--rule" in capsys.readouterr().err


@pytest.mark.system
@pytest.mark.skipif(LIBREOFFICE is None or not WRITER, reason="LibreOffice Writer is not "
                    "installed: `make install` installs it (libreoffice-writer-nogui)")
def test_district_reports_convert_with_libreoffice(zh_set, tmp_path):
    files = sorted(zh_set.glob("2??-district-*.docx"))
    txt = tmp_path / "txt"
    subprocess.run([LIBREOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir",
                    str(txt), *map(str, files)], check=True, capture_output=True, timeout=300)
    for f in files:
        text = (txt / f"{f.stem}.txt").read_text(encoding="utf-8-sig")
        assert "分配目标" in text and "峰后排放上升提示" in text, f.name


@pytest.mark.system
def test_district_reports_render_in_headless_chromium(zh_set):
    from tests.report.chromium import Chromium

    with Chromium() as c:
        c.call("Page.enable")
        for f in sorted(zh_set.glob("2??-district-*.html")):
            c.events.clear()
            c.call("Page.navigate", url=f.as_uri())
            c.wait_for("Page.loadEventFired")
            page = c.evaluate("({ready: document.readyState, "
                              "tables: document.querySelectorAll('table').length})")
            assert page["ready"] == "complete" and page["tables"] >= 3, f.name


def test_a_rule_that_raises_a_share_is_the_first_reason(run, tmp_path):
    # per-capita convergence moves district A (1.7 t per resident against the city's 2.0 in
    # the base year) towards equal CO2 per resident: its allocation rises although the
    # city's falls, and the report says the rule is why
    out = tmp_path / "pc"
    assert main(["assess", str(run), "--rule", "per-capita", "--out", str(out)]) == 0
    pages = district_files(out)
    a = allocated(pages["a"])
    assert a[2030][0] > a[2020][0]
    reasons = re.findall(r"<p>(原因：[^<]*)</p>", pages["a"].read_text(encoding="utf-8"))
    assert reasons and reasons[0].startswith("原因：分配规则使本区占全市排放的比重由")
    assert "人均趋同（per-capita）" in reasons[0]
    assert "提示：" not in pages["z"].read_text(encoding="utf-8")  # Z converges downwards


def test_a_districts_block_the_writer_cannot_follow_is_refused_at_its_line(run, tmp_path,
                                                                           capsys):
    from peakpath.report.documents import TEMPLATES

    text = (TEMPLATES / "assess.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "outline.yaml"
    bad.write_text(text.replace('file: "2{n:02d}-district-{district}"', 'file: "districts"'),
                   encoding="utf-8")
    assert main(["assess", str(run), "--outline", str(bad), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "districts.file" in err


# --------------------------------------------------------------------------------------------
# the shipped dataset: the partition units and the overlay units (issue 10 §4)

OVERLAYS = Path(__file__).resolve().parents[2] / "inputs" / "wuhan" / "district_overlays.csv"


@pytest.fixture(scope="module")
def wuhan_set(peak_dir, tmp_path_factory) -> Path:
    """The assessment set of the shipped peak scenario (its district reports included)."""
    out = tmp_path_factory.mktemp("assess-wuhan-units") / "set"
    assert main(["assess", str(peak_dir), "--out", str(out)]) == 0
    return out


def total_row(page: Path, caption: str = "2020年本区各部门能源消费与排放") -> list[float]:
    """The data-values of the total rows of the base-year history tables of a page."""
    out = []
    for t in parse(page).tables:
        if t["caption"].startswith(caption):
            r = next(r for r in t["rows"][1:] if r[0][0] == "合计")
            out.append([float(c[1]) for c in r[1:3]])
    return out


def test_each_overlay_unit_gets_a_report_led_by_its_committee(wuhan_set):
    import pandas as pd

    from peakpath.report.assess import load_outline

    ov = pd.read_csv(OVERLAYS)
    units = list(dict.fromkeys(ov["unit"]))
    assert {"airport_zone", "hannan", "changjiang_new_area"} <= set(units)
    pages = district_files(wuhan_set)
    index = next(t for t in parse(wuhan_set / "index.html").tables if t["id"] == "documents")
    rows = {r[1][0]: r for r in index["rows"][1:]}
    heads = [h["zh"] for h in load_outline()["district_headings"].values()]
    for u in units:
        page = pages[u]
        assert page.with_suffix(".docx").is_file()
        p = parse(page)
        r = rows[p.headings[0]]
        assert r[2][0] == ov.loc[ov["unit"] == u, "lead_zh"].iloc[0]
        assert "叠加单元" in r[4][0]  # marked as an overlay in the index
        assert [h for h in p.headings if h in heads] == heads
        for host in ov.loc[ov["unit"] == u, "host"]:
            assert host in pages  # every host is a partition unit with its own report


def test_co_administered_units_carry_the_host_numbers_with_the_reason(wuhan_set):
    pages = district_files(wuhan_set)
    for unit, host in (("hannan", "wedz"), ("airport_zone", "dongxihu")):
        got, want = total_row(pages[unit]), total_row(pages[host])
        assert len(got) == 1 and got == want
        assert allocated(pages[unit]) == allocated(pages[host])
        text = docx_text(pages[unit].with_suffix(".docx"))
        assert "同一套统计数据" in text and "汇总时只计一次" in text


def test_changjiang_new_area_names_its_hosts_and_invents_no_share(wuhan_set):
    pages = district_files(wuhan_set)
    page = pages["changjiang_new_area"]
    p = parse(page)
    for host in ("江岸区", "黄陂区", "新洲区"):
        assert p.headings.count(host) >= 5  # a sub-section per host in every section
    # the host units' whole numbers, one table per host, equal to their own reports
    assert total_row(page) == [total_row(pages[h])[0] for h in ("jiangan", "huangpi",
                                                                 "xinzhou")]
    text = docx_text(page.with_suffix(".docx"))
    assert "自身的能源与排放核算不在数据中" in text and "市统计局" in text
    assert "谌家矶" in text and "武湖" in text
    t = next(t for t in p.tables if t["caption"] == "所在分区单元与关系")
    assert [r[2][0] for r in t["rows"][1:]] == ["无来源"] * 3


def test_the_partition_adds_up_to_the_city_and_overlays_are_not_in_it(wuhan_set, peak_dir):
    import pandas as pd

    ds = load_results(peak_dir)
    units = pd.read_csv(OVERLAYS.parent / "districts.csv")
    part = units.loc[units["kind"] != "city", "district"].tolist()
    pages = district_files(wuhan_set)
    assert set(pages) == set(part) | set(pd.read_csv(OVERLAYS)["unit"])
    co2 = sum(total_row(pages[d])[0][1] for d in part)
    city = float(ds["co2_total"].sel(year=2020))
    assert co2 == pytest.approx(city, rel=1e-9)
    years = allocated(pages[part[0]]).keys()
    for y in years:
        assert sum(allocated(pages[d])[y][0] for d in part) == pytest.approx(
            float(ds["co2_total"].sel(year=y)), rel=1e-9)
    notes = (wuhan_set / "index.html").read_text(encoding="utf-8")
    assert f"之和等于全市：2020年各单元二氧化碳合计{co2:,.2f}万t，全市{city:,.2f}万t" in notes
    assert "叠加单元（district_overlays.csv）" in notes


def test_an_overlay_that_would_count_twice_is_refused(tmp_path):
    import shutil

    import pandas as pd

    from peakpath.errors import InputError
    from peakpath.io.inputs import read_dataset

    d = tmp_path / "data"
    shutil.copytree(OVERLAYS.parent, d, ignore=shutil.ignore_patterns("*.py", "*.md"))
    t = pd.read_csv(OVERLAYS, dtype=str, keep_default_na=False)
    t.loc[0, "unit"] = "dongxihu"  # a partition id: would be counted twice
    t.loc[1, "share"] = "0.5"  # co-administered: same numbers, no share
    t.to_csv(d / "district_overlays.csv", index=False)
    with pytest.raises(InputError) as e:
        read_dataset(d)
    got = {(p.row, p.column, p.rule) for p in e.value.problems
           if p.file.endswith("district_overlays.csv")}
    assert got == {(2, "unit", "overlay"), (3, "share", "overlay")}
