"""`peakpath assess`: the green-finance paper (绿色金融专题, issue 10 §3) — the share of the
investment need that qualifies for green bonds (绿色债券支持项目目录, 2021) and for the PBoC
carbon emission reduction facility, by catalogue category, and the financing gap of green
instruments by bureau and five-year band — equal to values recomputed here from results.nc
and measure_finance.csv; measure_finance.csv covers every measure and is refused with located
errors when a row is bad; without it the paper says the mapping is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from peakpath.cli.main import main
from peakpath.errors import InputError
from peakpath.io.inputs import read_dataset
from peakpath.report.documents import Section
from peakpath.results.pathway import load_solved, measure_accounts
from tests.report.test_assess import parse

WUHAN = Path(__file__).resolve().parents[2] / "inputs" / "wuhan"
PAPER = "14-green-finance.html"


@pytest.fixture(scope="module")
def finance_set(peak_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finance") / "set"
    assert main(["assess", str(peak_dir), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def invest(peak_dir, wuhan) -> pd.DataFrame:
    """Investment (万元) by measure and year from results.nc, with the measure's bureau and its
    measure_finance.csv row."""
    m = measure_accounts(load_solved(peak_dir))
    m = m.groupby(["measure", "year"], as_index=False)["investment"].sum()
    meas = wuhan["measures"].set_index("measure")
    sec = wuhan["sectors"].set_index("sector")
    grp = wuhan["sector_groups"].set_index("group")
    m["bureau"] = grp["bureau_zh"].reindex(
        sec["group"].reindex(meas["sector"].reindex(m["measure"])).to_numpy()).to_numpy()
    fin = wuhan["measure_finance"].set_index("measure")
    m["bond"] = fin["catalogue_code"].reindex(m["measure"]).fillna("").ne("").to_numpy()
    m["facility"] = fin["carbon_facility"].reindex(m["measure"]).eq("true").to_numpy()
    return m


def rows_of(path: Path, caption: str) -> list[list[tuple[str, str | None]]]:
    found = [t for t in parse(path).tables if t["caption"].startswith(caption)]
    assert found, f"no table '{caption}' in {path.name}"
    return found[0]["rows"]


def value(cell: tuple[str, str | None]) -> float:
    assert cell[1] is not None, cell
    return float(cell[1])


def test_every_measure_has_a_finance_row(wuhan):
    fin = wuhan["measure_finance"]
    assert set(fin["measure"]) == set(wuhan["measures"]["measure"])
    assert fin["basis"].str.len().gt(0).all()
    # output cuts and purchases that are no investment are excluded, with a reason
    out = fin.set_index("measure").loc[["steel_output_control", "coal_gen_to_imports",
                                        "aviation_saf", "rice_awd"]]
    assert out["catalogue_code"].eq("").all() and out["carbon_facility"].eq("false").all()
    assert out["basis"].str.startswith("excluded").all()


def test_qualifying_shares_equal_results_and_mapping(finance_set, invest):
    html = finance_set / PAPER
    total = invest["investment"].sum()
    bond = invest.loc[invest["bond"], "investment"].sum()
    fac = invest.loc[invest["facility"], "investment"].sum()
    assert 0 < bond < total and 0 < fac < total
    text = html.read_text(encoding="utf-8")
    assert (f"其中{100 * bond / total:.1f}%属于《绿色债券支持项目目录（2021年版）》" in text)
    assert f"{100 * fac / total:.1f}%属于人民银行碳减排支持工具" in text
    rows = rows_of(html, "按绿色债券目录一级分类的投资需求")
    by = {r[0][0]: r for r in rows[1:]}
    assert value(by["合计"][1]) == pytest.approx(total, rel=1e-9)
    assert value(by["合计"][3]) == pytest.approx(fac, rel=1e-9)
    assert value(by["不属于目录"][1]) == pytest.approx(total - bond, rel=1e-9, abs=1e-6)
    cats = ["节能环保产业", "清洁生产产业", "清洁能源产业", "生态环境产业", "基础设施绿色升级",
            "绿色服务"]
    assert sum(value(by[c][1]) for c in cats) == pytest.approx(bond, rel=1e-9)
    # a category recomputed: clean energy is the catalogue codes starting with 3
    fin = read_dataset(WUHAN)["measure_finance"].set_index("measure")
    three = fin.index[fin["catalogue_code"].str.startswith("3")]
    clean = invest.loc[invest["measure"].isin(three), "investment"].sum()
    assert value(by["清洁能源产业"][1]) == pytest.approx(clean, rel=1e-9)
    assert value(by["清洁能源产业"][2]) == pytest.approx(100 * clean / total, rel=1e-9)


def test_gap_is_total_less_either_by_bureau_and_band(finance_set, invest):
    rows = rows_of(finance_set / PAPER, "绿色金融工具的融资缺口")
    head = [c[0] for c in rows[0]]
    assert head[1:4] == ["2021–25", "2026–30", "2031–35"]
    by = {r[0][0]: r for r in rows[1:]}
    either = invest["bond"] | invest["facility"]
    tot = invest.groupby("bureau")["investment"].sum()
    qual = invest[either].groupby("bureau")["investment"].sum().reindex(tot.index).fillna(0)
    gap = tot - qual
    for b, g in gap.items():
        if g > 1e-6:
            assert value(by[b][-1]) == pytest.approx(g, rel=1e-9), b
        else:
            assert b not in by, b
    assert value(by["合计"][-1]) == pytest.approx(gap.sum(), rel=1e-9)
    # one band recomputed for the largest bureau
    big = gap.idxmax()
    band = invest[~either & (invest["bureau"] == big) & invest["year"].between(2026, 2030)]
    assert value(by[big][head.index("2026–30")]) == pytest.approx(
        band["investment"].sum(), rel=1e-9)
    # no funding figure is made up: the note asks the 地方金融局 for them
    text = (finance_set / PAPER).read_text(encoding="utf-8")
    assert "请市地方金融局会同有关部门提供" in text


def test_without_the_table_the_paper_says_the_mapping_is_missing(peak_dir):
    from peakpath.report.assess import Assessment

    s = load_solved(peak_dir)
    del s.data.tables["measure_finance"]
    a = Assessment(s)
    for key in ("qualifying", "gap"):
        sec = Section(key, key)
        a.green_finance(key, sec, [])
        assert len(sec.blocks) == 1 and "尚未将措施归入" in sec.blocks[0].text


@pytest.mark.unit
def test_bad_finance_rows_are_located(tmp_path):
    data = tmp_path / "wuhan"
    shutil.copytree(WUHAN, data)
    f = data / "measure_finance.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("pv_rooftop,", "no_such_measure,", 1)
    lines[2] = lines[2].replace(",true,", ",yes,", 1)
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_dataset(data)
    got = {(Path(p.file).name, p.row, p.column, p.rule) for p in e.value.problems}
    assert ("measure_finance.csv", 2, "measure", "reference") in got
    assert ("measure_finance.csv", 3, "carbon_facility", "allowed") in got
    assert all(Path(p.file).name == "measure_finance.csv" for p in e.value.problems)


def test_a_bad_catalogue_code_is_located(peak_dir):
    from peakpath.errors import Problem
    from peakpath.report.assess import Assessment

    s = load_solved(peak_dir)
    fin = s.data.tables["measure_finance"]
    i = int(fin.index[fin["measure"] == "wind_onshore"][0])
    fin.loc[i, "catalogue_code"] = "7.1"
    with pytest.raises(InputError) as e:
        Assessment(s).measure_finance()
    p: Problem = e.value.problems[0]
    assert (Path(p.file).name, p.column) == ("measure_finance.csv", "catalogue_code")
    assert p.row == int(s.data.lines["measure_finance"][i])


def test_a_bad_catalogue_code_is_refused_at_ingest(tmp_path):
    """The dataset reader refuses a malformed code at its line, before any run or paper."""
    import shutil

    from peakpath.io.inputs import read_dataset
    from tests.conftest import ROOT

    d = tmp_path / "data"
    shutil.copytree(ROOT / "inputs" / "wuhan", d)
    f = d / "measure_finance.csv"
    t = pd.read_csv(f, dtype=str, keep_default_na=False)
    i = int(t.index[t["measure"] == "pv_rooftop"][0])
    t.loc[i, "catalogue_code"] = "9.1"
    t.to_csv(f, index=False)
    with pytest.raises(InputError) as e:
        read_dataset(d)
    [p] = [q for q in e.value.problems if q.column == "catalogue_code"]
    assert (Path(p.file).name, p.row, p.rule) == ("measure_finance.csv", i + 2, "allowed")
