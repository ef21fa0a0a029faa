"""`peakpath assess`: the 1+N set written from a small solved run — complete (every report as
.docx and .html, an index naming each lead and responsible bureau), its numbers equal to the
results it quotes, English beside Chinese on request, opened by LibreOffice and headless
Chromium, and bad input refused with exit 2 and the file named.

The run is the mini dataset (tests/mini.py) with a coal power plant added under the energy
group, so that the industry report's 火电 part (selected by sector role) and the energy report
have something to say, and two districts so that the accounts can be placed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest

from peakpath.cli.main import main
from peakpath.errors import InputError
from peakpath.report.assess import load_outline
from peakpath.results.dataset import load_results, write_results
from peakpath.solve.run import run_scenario
from tests.conftest import make_scenario
from tests.mini import BASE_TABLES, coal_saver, mini

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
#: Writer, which converts Word files (Calc alone, enough for the data list, cannot)
WRITER = any(Path(p).exists() for p in ("/usr/lib/libreoffice/program/libswlo.so",
                                        "/usr/lib/libreoffice/share/registry/writer.xcd"))
SPECIAL_HEADINGS = ("历史排放与能源消费", "参照路径与优化路径", "目标与核心指标", "措施",
                    "重大项目", "政策建议", "不确定性")


def _tables() -> dict[str, list[dict]]:
    t = {k: list(v) for k, v in BASE_TABLES.items()}
    t["sector_groups"] = [*t["sector_groups"], {
        "group": "energy", "name_zh": "能源供应", "name_en": "Energy supply",
        "bureau_zh": "市发改委", "bureau_en": "DRC"}]
    t["sectors"] = [*t["sectors"], {
        "sector": "power_coal", "group": "energy", "name_zh": "燃煤发电", "name_en": "Coal power",
        "role": "power", "activity_unit": "亿kWh", "driver": "constant", "elasticity": 0.0}]
    t["activity"] = [*t["activity"], {"sector": "power_coal", "district": "city", "year": 2020,
                                      "value": 10, "unit": "亿kWh"}]
    t["energy"] = [*t["energy"],
                   {"sector": "power_coal", "fuel": "coal", "year": 2020, "value": 30,
                    "unit": "万tce"},
                   {"sector": "plant", "fuel": "electricity", "year": 2020, "value": 24.58,
                    "unit": "万tce"}]
    t["efficiency"] = [*t["efficiency"], {"sector": "power_coal", "rate": 0.0, "unit": "1/yr"}]
    t["districts"] = [*t["districts"], {"district": "a", "name_zh": "甲区",
                                        "name_en": "District A", "kind": "core"}]
    t["district_shares"] = [{"sector": s, "district": "a", "share": 1.0, "basis": "plant",
                             "source": "test"} for s in ("plant", "power_coal")]
    return t


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A solved run (2021–2030, CO2 caps that bind) written like `peakpath run` does."""
    root = tmp_path_factory.mktemp("assess")
    t = _tables()
    measures = [coal_saver("cheap", 1100, capex=100.0), coal_saver("middle", 1300),
                coal_saver("dear", 1600)]
    data = mini(root / "data", measures, **{k: t[k] for k in (
        "sector_groups", "sectors", "activity", "energy", "efficiency", "districts",
        "district_shares")})
    sc = make_scenario({"years": {"base": 2020, "start": 2021, "end": 2030},
                        "targets": {"carbon_cap": {2025: 290, 2030: 280}},
                        "projects": {"default": "out"}}, name="mini-assess",
                       dataset=root / "data")
    res = run_scenario(sc, data, isolate=False)
    assert res.status == "optimal"
    return write_results(res.dataset, root / "run", res.summary, res.built.md)


@pytest.fixture(scope="module")
def zh_set(run) -> Path:
    assert main(["assess", str(run)]) == 0
    return run / "assess"


@pytest.fixture(scope="module")
def en_set(run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("en") / "set"
    assert main(["assess", str(run), "--lang", "zh+en", "--out", str(out)]) == 0
    return out


class _Tables(HTMLParser):
    """Every table of an HTML page: caption and rows of (text, data-value) cells; and the
    headings."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.headings: list[str] = []
        self._cell: list | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "id": a.get("id")})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = [a.get("data-value")]
            self._text = []
        elif tag in ("caption", "h1", "h2", "h3", "h4"):
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(("".join(self._text).strip(), self._cell[0]))
            self._cell = self._text = None
        elif tag == "caption":
            self.tables[-1]["caption"] = "".join(self._text).strip()
            self._text = None
        elif tag in ("h1", "h2", "h3", "h4") and self._text is not None:
            self.headings.append("".join(self._text).strip())
            self._text = None


def parse(path: Path) -> _Tables:
    p = _Tables()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def row_of(tables: list[dict], caption: str, label: str) -> dict[str, tuple[str, str]]:
    """The row whose first cell starts with ``label`` in the table captioned ``caption``, as
    {column heading: (text, data-value)}."""
    t = next(t for t in tables if t["caption"].startswith(caption))
    head = [c[0] for c in t["rows"][0]]
    row = next(r for r in t["rows"][1:] if r[0][0].startswith(label))
    return dict(zip(head, row, strict=True))


# --------------------------------------------------------------------------------------------


def test_the_set_is_complete_and_the_index_names_the_bureaus(zh_set, run):
    outline = load_outline()
    docs = outline["documents"]
    for d in docs:
        assert (zh_set / f"{d['file']}.docx").is_file(), d["file"]
        assert (zh_set / f"{d['file']}.html").is_file(), d["file"]
    assert (zh_set / "index.html").is_file() and (zh_set / "index.docx").is_file()
    ds = load_results(run)
    bureau = dict(zip(ds["group"].values, ds["group_bureau_zh"].values, strict=True))
    index = next(t for t in parse(zh_set / "index.html").tables if t["id"] == "documents")
    rows = {r[1][0]: r for r in index["rows"][1:]}
    # the outline's documents and one district report for the run's one district (甲区);
    # tests/report/test_assess_districts.py checks the district reports
    assert len(rows) == len(docs) + 1
    assert rows["甲区碳达峰评估报告"][2][0] == "甲区人民政府"
    assert (zh_set / "201-district-a.docx").is_file()
    by_id = {d["id"]: d for d in docs}
    for spec in docs:
        r = rows[spec["title"]["zh"]]
        lead, resp, files = r[2][0], r[3][0], r[5][0]
        assert f"{spec['file']}.html" in files and f"{spec['file']}.docx" in files
        if spec["id"] == "city":
            assert lead == "市生态环境局、市发改委"
            assert set(resp.split("、")) == set(bureau.values())
    # the leads come from the data where it has the group; 火电 (a power sector, filed under
    # energy in the data) makes 市发改委 responsible for the industry report beside 经信局
    ind = rows[by_id["industry"]["title"]["zh"]]
    assert ind[2][0] == bureau["industry"]
    assert ind[3][0].split("、") == [bureau["industry"], bureau["energy"]]
    assert rows[by_id["energy"]["title"]["zh"]][2][0] == bureau["energy"]
    # a field the dataset does not have still gets its report, led by the outline's bureau
    assert rows[by_id["transport"]["title"]["zh"]][2][0] == "市交通运输局"
    text = docx_text(zh_set / "index.docx")
    for spec in docs:
        assert spec["title"]["zh"] in text
    assert "市生态环境局" in text


def test_special_reports_follow_the_headings(zh_set):
    for name in ("02-energy", "03-industry", "04-buildings"):
        heads = parse(zh_set / f"{name}.html").headings
        at = [heads.index(h) for h in SPECIAL_HEADINGS]
        assert at == sorted(at), (name, heads)
        text = docx_text(zh_set / f"{name}.docx")
        assert all(h in text for h in SPECIAL_HEADINGS)
    heads = parse(zh_set / "03-industry.html").headings
    assert {"钢铁", "火电", "石化", "建材", "化工"} <= set(heads)
    heads = parse(zh_set / "02-energy.html").headings
    assert {"煤炭消费减量与石油消费达峰", "能耗双控", "非化石能源电力", "电气化率"} <= set(heads)
    assert "未提供批量计算结果" in (zh_set / "02-energy.html").read_text(encoding="utf-8")


def test_energy_report_numbers_equal_the_results(zh_set, run):
    ds = load_results(run)
    tables = parse(zh_set / "02-energy.html").tables
    coal = row_of(tables, "煤炭与石油消费", "煤炭消费量")
    want = float(ds["fuel_use"].sel(fuel=["coal"], year=2025).sum())
    assert want > 0
    assert float(coal["2025"][1]) == pytest.approx(want, rel=1e-12)
    co2 = row_of(tables, "参照路径与优化路径", "全市二氧化碳")
    assert float(co2["2025"][1]) == pytest.approx(float(ds["co2_total"].sel(year=2025)),
                                                  rel=1e-12)
    nf = row_of(tables, "非化石能源与电力", "非化石能源占比")
    assert float(nf["2030"][1]) == pytest.approx(
        100 * float(ds["non_fossil_share"].sel(year=2030)), rel=1e-12)
    # the Word twin shows the same numbers as the page
    text = docx_text(zh_set / "02-energy.docx")
    assert coal["2025"][0] in text and co2["2025"][0] in text
    # the field's CO2 in the industry report adds its sectors' accounts: here the whole city
    ind = parse(zh_set / "03-industry.html").tables
    field = row_of(ind, "参照路径与优化路径", "本领域排放（优化路径）")
    assert float(field["2030"][1]) == pytest.approx(float(ds["co2_total"].sel(year=2030)),
                                                    rel=1e-9)
    # every table says its unit and its source
    html = (zh_set / "02-energy.html").read_text(encoding="utf-8")
    assert html.count("<table>") == html.count('<p class="source">单位：')
    assert html.count('<p class="source">') == html.count("来源：")


def test_each_field_quotes_its_own_co2_recomputed_from_the_dataset(zh_set, run):
    """A field's CO2 on the pathway is its sectors' direct CO2 plus their purchased
    electricity (scope 2, local generation credited), summed here from results.nc alone."""
    ds = load_results(run)
    outline = {d["id"]: d for d in load_outline()["documents"]}
    role = {"plant": "end_use", "power_coal": "power"}
    for rid, name in (("energy", "02-energy"), ("industry", "03-industry")):
        sel = outline[rid]["select"]
        sectors = [s for s, g in zip(ds["sector"].values, ds["sector_group"].values,
                                     strict=True)
                   if g in sel.get("groups", []) or role[s] in sel.get("roles", [])]
        co2 = (ds["emissions"].sel(gas="CO2", sector=sectors).sum(["sector", "district"])
               + ds["scope2"].sel(sector=sectors).sum(["sector", "district"]))
        row = row_of(parse(zh_set / f"{name}.html").tables, "参照路径与优化路径",
                     "本领域排放（优化路径）")
        for y in (2020, 2025, 2030):
            assert float(row[str(y)][1]) == pytest.approx(float(co2.sel(year=y)), abs=1e-9)
        city = row_of(parse(zh_set / f"{name}.html").tables, "参照路径与优化路径",
                      "全市二氧化碳")
        assert [float(city[str(y)][1]) for y in (2020, 2025, 2030)] == [
            float(ds["co2_total"].sel(year=y)) for y in (2020, 2025, 2030)]
    assert float(co2.sel(year=2030)) != float(ds["emissions"].sel(gas="CO2").sum(
        ["sector", "district"]).sel(year=2030))  # scope 2 matters here


def test_measures_and_policy_come_from_the_solution(zh_set, run):
    ds = load_results(run)
    tables = parse(zh_set / "03-industry.html").tables
    used = ds["adoption"].sum("district").sel(year=2030).to_series()
    t = next(t for t in tables if t["caption"] == "措施的时间、成本与减排")
    listed = {r[0][0] for r in t["rows"][1:]}
    assert listed == {m for m, v in used.items() if v > 1e-3} == {"cheap", "middle"}
    left = next(t for t in tables if t["caption"].startswith("2030年未采用的措施"))
    assert [r[0][0] for r in left["rows"][1:]] == ["dear"]
    html = (zh_set / "03-industry.html").read_text(encoding="utf-8")
    sp = float(ds["target_shadow_price"].values[(ds["target_year"].values == 2030)][0])
    assert "（carbon_cap）在2030年起约束作用" in html and f"{sp:,.1f} CNY/t CO2" in html


def test_key_area_papers_quote_the_investment_and_the_projects(zh_set, run):
    ds = load_results(run)
    tables = parse(zh_set / "14-green-finance.html").tables
    t = next(t for t in tables if t["caption"] == "分年度、分部门投资需求")
    head = [c[0] for c in t["rows"][0]]
    total = ds["investment"].sum("group").to_series()
    assert total.sum() > 0
    for row in t["rows"][1:-1]:
        y = int(row[0][0])
        assert float(row[head.index("合计")][1]) == pytest.approx(float(total[y]), abs=1e-6)
    assert float(t["rows"][-1][head.index("合计")][1]) == pytest.approx(
        float(total.sum()), rel=1e-9)
    by_m = next(t for t in tables if t["caption"] == "分措施投资需求")
    assert [r[0][0] for r in by_m["rows"][1:]] == ["cheap"]  # the only measure with capex
    html = (zh_set / "11-two-high.html").read_text(encoding="utf-8")
    assert "数据中没有列出重大项目" in html  # the mini dataset has none


def test_zh_en_adds_english_beside_chinese(zh_set, en_set):
    zh = parse(zh_set / "02-energy.html").headings
    en = parse(en_set / "02-energy.html").headings
    assert "历史排放与能源消费" in zh and not any("History" in h for h in zh)
    assert "历史排放与能源消费 History" in en
    assert "电气化率 Electrification rate" in en
    d = docx.Document(str(en_set / "02-energy.docx"))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert "不确定性 Uncertainty" in heads
    index = (en_set / "index.html").read_text(encoding="utf-8")
    assert "Lead" in index and "牵头单位" in index


@pytest.mark.system
@pytest.mark.skipif(LIBREOFFICE is None or not WRITER, reason="LibreOffice Writer is not "
                    "installed: `make install` installs it (libreoffice-writer-nogui)")
def test_every_docx_converts_with_libreoffice(zh_set, tmp_path):
    files = sorted(zh_set.glob("*.docx"))
    out = tmp_path / "pdf"
    subprocess.run([LIBREOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    *map(str, files)], check=True, capture_output=True, timeout=300)
    for f in files:
        pdf = (out / f"{f.stem}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF"), f.name
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 1, f.name
        assert b"NotoSansCJK" in pdf, f.name  # the Chinese is set in a CJK font, not boxes
    # LibreOffice reads the required headings back out of the Word files
    txt = tmp_path / "txt"
    special = [f for f in files if f.stem[:2] in {"02", "03", "04", "05", "06"}]
    subprocess.run([LIBREOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                    "--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir",
                    str(txt), *map(str, special)], check=True, capture_output=True, timeout=300)
    for f in special:
        text = (txt / f"{f.stem}.txt").read_text(encoding="utf-8-sig")
        assert all(h in text for h in SPECIAL_HEADINGS), f.name
    assert "能耗双控" in (txt / "02-energy.txt").read_text(encoding="utf-8-sig")


@pytest.mark.system
def test_every_html_renders_in_headless_chromium(zh_set):
    from tests.report.chromium import Chromium

    pages = []
    with Chromium() as c:
        c.call("Page.enable")
        c.call("Network.enable")
        for f in sorted(zh_set.glob("*.html")):
            c.events.clear()
            c.call("Page.navigate", url=f.as_uri())
            c.wait_for("Page.loadEventFired")
            page = c.evaluate("""({title: document.title, ready: document.readyState,
                h: document.body.scrollHeight,
                tables: document.querySelectorAll('table').length,
                h2: document.querySelectorAll('h2').length,
                images: Array.from(document.images).map(i => ({w: i.naturalWidth,
                                                               done: i.complete}))})""")
            requests = [e["params"]["request"]["url"] for e in c.events
                        if e.get("method") == "Network.requestWillBeSent"]
            pages.append((f.name, page, requests))
    assert len(pages) == len(load_outline()["documents"]) + 2  # the index, district 甲区
    for name, page, requests in pages:
        assert page["ready"] == "complete" and page["title"], name
        assert page["h"] > 150 and page["h2"] >= (0 if name == "index.html" else 1), name
        # every page has a table, but the key-area papers the mini dataset has no data for:
        # two-high (no projects), services (no commercial buildings or road freight) and
        # low-carbon living (no household sector, no behaviour.csv)
        assert page["tables"] >= (0 if name.startswith(("11-", "16-", "17-")) else 1), name
        assert all(i["done"] and i["w"] > 0 for i in page["images"]), (name, page["images"])
        assert all(u.startswith(("file:", "data:")) for u in requests), (name, requests)
    city = next(p for n, p, _ in pages if n == "01-city.html")
    assert len(city["images"]) >= 2


def test_a_batch_adds_the_fan_and_the_odds(run, tmp_path):
    batch = tmp_path / "batch"
    for sid in ("s1", "s2"):
        shutil.copytree(run, batch / sid, ignore=shutil.ignore_patterns("assess"))
    summ = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    pd.DataFrame({"id": ["s1", "s2"], "status": ["optimal", "optimal"],
                  "peak_year": summ["peak_year"], "peak_co2_wan_t": summ["peak_co2_wan_t"]}
                 ).to_csv(batch / "summary.csv", index=False)
    out = tmp_path / "set"
    assert main(["assess", str(run), "--batch", str(batch), "--out", str(out)]) == 0
    html = (out / "02-energy.html").read_text(encoding="utf-8")
    assert "未提供批量计算结果" not in html and 'id="fig-fan_chart"' in html
    odds = row_of(parse(out / "02-energy.html").tables, "目标实现概率", "碳排放总量（carbon_cap）")
    assert float(odds["实现概率 %"][1]) == pytest.approx(100.0)
    assert "无悔措施" in (out / "03-industry.html").read_text(encoding="utf-8")
    by = row_of(parse(out / "01-city.html").tables, "达峰时间概率", "2030")
    peak = int(load_results(run)["co2_total"].idxmax())  # both copies peak here
    assert float(by["概率 %"][1]) == (100.0 if peak <= 2030 else 0.0)


def test_bad_input_exits_2_with_the_file_named(run, tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["assess", str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "results" in err
    bad = tmp_path / "corrupt"
    bad.mkdir()
    (bad / "results.nc").write_bytes(b"CDF\x01 truncated")
    assert main(["assess", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad / "results.nc") in err and "Traceback" not in err
    unsolved = tmp_path / "unsolved"
    unsolved.mkdir()
    ds = load_results(run)
    ds.attrs["status"] = "time_limit"
    ds.to_netcdf(unsolved / "results.nc")
    assert main(["assess", str(unsolved)]) == 2
    err = capsys.readouterr().err
    assert str(unsolved / "results.nc") in err and "time_limit" in err
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["assess", str(run), "--out", str(blocker)]) == 2
    assert str(blocker) in capsys.readouterr().err
    assert main(["assess", str(run), "--batch", str(tmp_path / "no-batch")]) == 2
    assert "no-batch" in capsys.readouterr().err


def test_an_outline_the_writer_cannot_follow_is_refused_at_its_line(run, tmp_path, capsys):
    from peakpath.report.documents import TEMPLATES

    text = (TEMPLATES / "assess.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "outline.yaml"
    bad.write_text(text.replace("  measures: {zh: 措施,", "  measurse: {zh: 措施,", 1),
                   encoding="utf-8")
    line = next(i for i, x in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1)
                if x.startswith("  measurse:"))
    assert main(["assess", str(run), "--outline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, row {line}, key 'headings.measurse'" in err
    # an edited outline is followed: a new title reaches the documents and the index
    good = tmp_path / "good.yaml"
    good.write_text(text.replace("能源领域碳达峰专题报告", "能源领域碳达峰专题评估"),
                    encoding="utf-8")
    out = tmp_path / "set"
    assert main(["assess", str(run), "--outline", str(good), "--out", str(out)]) == 0
    assert "能源领域碳达峰专题评估" in (out / "index.html").read_text(encoding="utf-8")
    assert "能源领域碳达峰专题评估" in docx_text(out / "02-energy.docx")


def _outline_with(change) -> dict:
    import copy

    import yaml

    from peakpath.report.documents import TEMPLATES

    data = copy.deepcopy(yaml.safe_load((TEMPLATES / "assess.yaml").read_text(encoding="utf-8")))
    change(data)
    return data


@pytest.mark.parametrize(("change", "column", "said"), [
    (lambda d: d["documents"][2].update(parts=-1), "documents.2.parts", "list"),
    (lambda d: d["documents"][6].update(topic=[]), "documents.6.topic", "text"),
    (lambda d: d["documents"][5].update(lead_group=[1, 2]), "documents.5.lead_group", "text"),
    (lambda d: d["documents"][4].update(lead=None), "documents.4.lead", "list"),
    (lambda d: d["documents"][4].update(select=[1, 2]), "documents.4.select", "'all' or"),
    (lambda d: d["headings"]["targets"].update(en=-1), "headings.targets.en", "text"),
    (lambda d: d["energy_topics"].pop("coal_oil"), "energy_topics", "'coal_oil'"),
    (lambda d: d.update(index={"file": {}}), "index.file", "text"),
    (lambda d: d["documents"][1].update(file="index"), "documents.1.file", "used twice"),
    (lambda d: d["documents"][1].update(file="../x"), "documents.1.file", "no '/'")])
def test_an_outline_of_the_wrong_shape_is_refused_by_key(tmp_path, change, column, said):
    """Each of these had passed the outline check and then failed inside the writer (an
    internal error), or named an index file '{}'."""
    import yaml

    from peakpath.report.assess import load_outline

    f = tmp_path / "outline.yaml"
    f.write_text(yaml.safe_dump(_outline_with(change), allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_outline(f)
    assert any(p.column == column and said in p.message for p in e.value.problems), \
        e.value.report()


def test_a_title_without_english_shows_no_none():
    from types import SimpleNamespace

    from peakpath.report.assess import Assessment

    fake = SimpleNamespace(t=lambda zh, en: f"{zh}|{en}")
    assert Assessment.h(fake, {"zh": "标题", "en": None}) == "标题|"


def test_an_interrupted_assess_leaves_the_old_set(run, tmp_path, monkeypatch):
    out = tmp_path / "set"
    assert main(["assess", str(run), "--out", str(out)]) == 0
    (out / "notes-by-the-bureau.txt").write_text("kept")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from peakpath.report import assess

    calls = []

    def broken(doc, *_template):
        calls.append(doc.id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return b"new"

    monkeypatch.setattr(assess, "render_docx", broken)
    with pytest.raises(KeyboardInterrupt):
        assess.write_assess(run, out=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["set"]  # no temporary folder left
    monkeypatch.undo()
    assert main(["assess", str(run), "--out", str(out)]) == 0
    assert (out / "notes-by-the-bureau.txt").read_text() == "kept"  # not ours: carried over


def test_assess_is_listed_and_help_stays_light():
    code = ("import sys; from peakpath.cli.main import _parser; p = _parser(['--help']); "
            "print('assess' in p.format_help(), 'peakpath.report.assess' in sys.modules, "
            "'docx' in sys.modules, 'jinja2' in sys.modules)")
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False", "False", "False"]


def test_the_outline_and_templates_are_package_data():
    import tomllib

    from peakpath.report.documents import TEMPLATES

    for name in ("assess.yaml", "assess_report.html.j2", "assess_index.html.j2",
                 "assess_style.css.j2"):
        assert (TEMPLATES / name).is_file()
    root = Path(__file__).resolve().parents[2]
    cfg = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "report/templates/*" in cfg["tool"]["setuptools"]["package-data"]["peakpath"]
    assert np.all([d["file"] for d in load_outline()["documents"]])
