"""`peakpath assess`: the three key-area papers built from the shipped peak run — 城市空间布局
(district densities, where the measures sit), 服务业 (commercial buildings and logistics) and
绿色低碳生活 (behaviour wedges beside the pathway) — written as .docx and .html with their
headings, their lead and responsible bureaus, and numbers equal to values recomputed here from
results.nc and the input tables; and behaviour.csv refused with located errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pandas as pd
import pytest

from peakpath.cli.main import main
from peakpath.errors import InputError
from peakpath.io.inputs import read_dataset
from peakpath.report.assess import load_outline
from peakpath.results.pathway import load_solved, sector_accounts
from tests.report.test_assess import parse

PAPERS = {"spatial": "15-spatial", "services": "16-services", "living": "17-living"}
WUHAN = Path(__file__).resolve().parents[2] / "inputs" / "wuhan"


@pytest.fixture(scope="module")
def keyarea_set(peak_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("keyareas") / "set"
    assert main(["assess", str(peak_dir), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def accounts(peak_dir):
    """CO2 (万t) by district, sector and year, from results.nc (the sector accounts)."""
    return sector_accounts(load_solved(peak_dir))


def table(path: Path, caption: str) -> list[list[tuple[str, str | None]]]:
    """Rows of the table whose caption starts with ``caption``."""
    found = [t for t in parse(path).tables if t["caption"].startswith(caption)]
    assert found, f"no table '{caption}' in {path.name}"
    return found[0]["rows"]


def value(row: list[tuple[str, str | None]], i: int) -> float:
    assert row[i][1] is not None, row
    return float(row[i][1])


def test_three_papers_written_with_their_headings(keyarea_set):
    heads = load_outline()["keyarea_headings"]
    for topic, stem in PAPERS.items():
        html, word = keyarea_set / f"{stem}.html", keyarea_set / f"{stem}.docx"
        assert html.is_file() and word.is_file(), stem
        want = [h["zh"] for h in heads[topic].values()]
        got = parse(html).headings
        assert all(h in got for h in want), (stem, got)
        d = docx.Document(str(word))
        wheads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
        assert all(h in wheads for h in want), (stem, wheads)


def test_papers_name_their_lead_and_responsible_bureaus(keyarea_set):
    index = parse(keyarea_set / "index.html").tables[0]["rows"]
    lead = {r[1][0]: (r[2][0], r[3][0]) for r in index[1:]}
    assert lead["城市空间布局专题"][0] == "市自然资源和规划局"
    assert lead["服务业碳达峰专题"][0] == "市发改委、市商务局"
    # the services' sectors: commercial buildings (城建局) and road freight (交通运输局)
    assert lead["服务业碳达峰专题"][1] == "市城建局、市交通运输局"
    assert lead["绿色低碳生活专题"][0] == "市生态环境局"
    resp = lead["绿色低碳生活专题"][1]
    assert "市城建局" in resp and "市交通运输局" in resp
    text = "\n".join(p.text for p in docx.Document(
        str(keyarea_set / "16-services.docx")).paragraphs)
    assert "牵头单位：市发改委、市商务局" in text


def test_spatial_densities_equal_results_over_sourced_areas(keyarea_set, accounts, wuhan):
    rows = table(keyarea_set / "15-spatial.html", "2020年各区密度与用地指标")
    by = {r[0][0]: r for r in rows[1:]}
    area = wuhan["district_area"].set_index("district")["area"]
    pop = wuhan["district_indicators"]
    pop = pop[pop["variable"] == "population"].set_index("district")["value"]
    co2 = accounts[accounts["year"] == 2020].groupby("district")["co2"].sum()
    for d, name in (("jiangan", "江岸区"), ("xinzhou", "新洲区")):
        r = by[name]
        assert value(r, 1) == pytest.approx(area[d])
        assert value(r, 3) == pytest.approx(pop[d] * 1e4 / area[d], rel=1e-9)
        assert value(r, 6) == pytest.approx(co2[d], rel=1e-9)
        assert value(r, 7) == pytest.approx(co2[d] / area[d], rel=1e-9)
        assert value(r, 8) == pytest.approx(co2[d] / pop[d], rel=1e-9)
    # an unsourced area stays empty: no density is made up
    assert area.isna()["caidian"]
    assert by["蔡甸区"][1][1] is None and by["蔡甸区"][7][1] is None
    said = (keyarea_set / "15-spatial.html").read_text(encoding="utf-8").split(
        "未作估算）：")[1].split("补充其面积")[0]
    assert "蔡甸区" in said and "江岸区" not in said  # the paper says which are empty
    # the note says how much of the CO2 is placed by population shares
    sh = wuhan["district_shares"].groupby("sector")["basis"].agg(lambda b: b.mode().iloc[0])
    by_sector = accounts[accounts["year"] == 2020].groupby("sector")["co2"].sum()
    pop_part = 100 * by_sector.reindex(sh.index[sh == "population"]).fillna(0).sum() \
        / by_sector.sum()
    assert f"2020年全市排放中{pop_part:.1f}%按人口比例" in (
        keyarea_set / "15-spatial.html").read_text(encoding="utf-8")
    later = table(keyarea_set / "15-spatial.html", "各区地均排放与人均排放")
    c30 = accounts[accounts["year"] == 2030].groupby("district")["co2"].sum()
    r = {x[0][0]: x for x in later[1:]}["江汉区"]
    assert value(r, 3) == pytest.approx(c30["jianghan"] / area["jianghan"], rel=1e-9)


def test_measure_abatement_by_district_equals_measure_accounts(keyarea_set, peak_dir):
    from peakpath.results.pathway import measure_accounts

    m = measure_accounts(load_solved(peak_dir))
    ab = -m[m["year"] == 2030].groupby("district")["co2"].sum()
    rows = table(keyarea_set / "15-spatial.html", "各区措施减排量与投资")
    r = {x[0][0]: x for x in rows[1:]}["黄陂区"]
    assert value(r, 2) == pytest.approx(ab["huangpi"], rel=1e-9)
    # the waste-to-energy plant sited in Huangpi (measure_sites.csv) is the sited part
    w = m[(m["year"] == 2030) & (m["measure"] == "wte_expansion")
          & (m["district"] == "huangpi")]
    assert value(r, 5) == pytest.approx(-float(w["co2"].sum()), abs=1e-9)


def test_services_numbers_equal_results(keyarea_set, accounts):
    rows = table(keyarea_set / "16-services.html", "服务业与物流：排放、能源与措施减排")
    head = [c[0] for c in rows[0]]
    j = head.index("2030")
    by = {r[0][0]: r for r in rows[1:]}
    for s, name in (("public_commercial", "公共与商业建筑"), ("road_freight", "道路货运")):
        co2 = accounts[(accounts["year"] == 2030) & (accounts["sector"] == s)]["co2"].sum()
        assert value(by[f"{name}：二氧化碳"], j) == pytest.approx(co2, rel=1e-9)
    ms = table(keyarea_set / "16-services.html", "措施的时间、成本与减排")
    names = {r[0][0] for r in ms[1:]}
    assert {"货车电动化", "公转铁、公转水"} <= names


def test_behaviour_wedge_is_share_times_sector_co2(keyarea_set, accounts, wuhan):
    b = wuhan["behaviour"].set_index("measure").loc["low_carbon_travel"]
    rows = table(keyarea_set / "17-living.html", "行为减排楔形")
    r = next(x for x in rows[1:] if x[0][0].startswith("绿色出行") and x[2][0] == "2030")
    co2 = accounts[(accounts["year"] == 2030)
                   & (accounts["sector"] == b["sector"])]["co2"].sum()
    assert value(r, 3) == pytest.approx(co2, rel=1e-9)
    assert value(r, 4) == pytest.approx(b["low"] * co2, rel=1e-9)
    assert value(r, 5) == pytest.approx(b["central"] * co2, rel=1e-9)
    assert value(r, 6) == pytest.approx(b["high"] * co2, rel=1e-9)
    text = (keyarea_set / "17-living.html").read_text(encoding="utf-8")
    assert "不计入路径" in text
    # the unquantified measures are listed with the data that would quantify them
    gaps = table(keyarea_set / "17-living.html", "尚未量化的行为措施")
    assert {r[0][0] for r in gaps[1:]} == {"绿色包装（快递包装减量与循环）", "近零碳排放区示范"}
    # efficient appliances are reported from the results, as a costed measure
    ap = table(keyarea_set / "17-living.html", "措施的时间、成本与减排")
    assert [r[0][0] for r in ap[1:]] == ["高效家电推广"]


@pytest.mark.unit
def test_bad_behaviour_rows_are_located(tmp_path):
    data = tmp_path / "wuhan"
    shutil.copytree(WUHAN, data)
    f = data / "behaviour.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    head = lines[0]
    bad = [head,
           'a,甲,A,road_passenger,0.1,0.05,0.2,2021,src,',  # low > central
           'b,乙,B,road_passenger,0.1,0.2,1.5,2021,src,',  # share above 1
           'c,丙,C,no_such_sector,0.1,0.2,0.3,2021,src,',  # unknown sector
           'd,丁,D,road_passenger,0.1,,,2021,src,']  # partial
    f.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_dataset(data)
    got = {(Path(p.file).name, p.row, p.column, p.rule) for p in e.value.problems}
    assert ("behaviour.csv", 2, "low", "range") in got
    assert ("behaviour.csv", 3, "high", "range") in got
    assert ("behaviour.csv", 4, "sector", "reference") in got
    assert ("behaviour.csv", 5, "low", "range") in got
    assert all(Path(p.file).name == "behaviour.csv" for p in e.value.problems)


def test_a_batch_sets_the_wedge_against_the_sector_percentiles(peak_dir, accounts, wuhan,
                                                               tmp_path):
    """Two copies of the run as a batch: every percentile is the run's own sector CO2, and the
    wedge at each is the central share times it."""
    batch = tmp_path / "batch"
    for sid in ("s1", "s2"):
        shutil.copytree(peak_dir, batch / sid, ignore=shutil.ignore_patterns("assess"))
    summ = json.loads((peak_dir / "summary.json").read_text(encoding="utf-8"))
    pd.DataFrame({"id": ["s1", "s2"], "status": ["optimal", "optimal"],
                  "peak_year": summ["peak_year"], "peak_co2_wan_t": summ["peak_co2_wan_t"]}
                 ).to_csv(batch / "summary.csv", index=False)
    out = tmp_path / "set"
    assert main(["assess", str(peak_dir), "--batch", str(batch), "--out", str(out)]) == 0
    b = wuhan["behaviour"].set_index("measure").loc["low_carbon_travel"]
    rows = table(out / "17-living.html", "行为减排楔形与行业排放的批量分位数")
    r = next(x for x in rows[1:] if x[1][0] == "2030")
    co2 = accounts[(accounts["year"] == 2030)
                   & (accounts["sector"] == b["sector"])]["co2"].sum()
    for i in (2, 3, 4):
        assert value(r, i) == pytest.approx(co2, rel=1e-9)
    for i in (5, 6, 7):
        assert value(r, i) == pytest.approx(b["central"] * co2, rel=1e-9)
    # the same from one combined batch.nc (what `peakpath batch` writes), folders gone
    import xarray as xr

    from peakpath.results.dataset import load_results

    ds = load_results(peak_dir)
    keep = [n for n, v in ds.data_vars.items() if "target_row" not in v.dims]
    one = ds[keep].drop_dims("target_row", errors="ignore")
    xr.concat([one.expand_dims(scenario=[s]) for s in ("s1", "s2")], dim="scenario").to_netcdf(
        batch / "batch.nc")
    for sid in ("s1", "s2"):
        shutil.rmtree(batch / sid)
    out2 = tmp_path / "set2"
    assert main(["assess", str(peak_dir), "--batch", str(batch), "--out", str(out2)]) == 0
    rows = table(out2 / "17-living.html", "行为减排楔形与行业排放的批量分位数")
    r = next(x for x in rows[1:] if x[1][0] == "2030")
    assert value(r, 3) == pytest.approx(co2, rel=1e-9)
    assert value(r, 6) == pytest.approx(b["central"] * co2, rel=1e-9)


@pytest.mark.unit
def test_an_unknown_key_area_heading_is_refused_at_its_line(tmp_path):
    from peakpath.report.documents import TEMPLATES

    text = (TEMPLATES / "assess.yaml").read_text(encoding="utf-8")
    old = "    siting: {zh: 措施的空间分布, en: Where the measures sit}\n"
    assert old in text
    bad = tmp_path / "outline.yaml"
    bad.write_text(text.replace(old, old + "    bogus: {zh: 无, en: none}\n"), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_outline(bad)
    p = e.value.problems[0]
    assert p.column == "keyarea_headings.spatial.bogus" and p.row is not None
    assert "density" in p.message
