"""`peakpath assess` writes one carbon-reduction action plan per enterprise of
soe_enterprises.csv (issue 10 §5): the 市属 ones led by 市国资委, the central SOEs labelled
央企; the numbers are the sector accounts of results.nc times the sourced share (recomputed
here), an enterprise without a share shows the sector as its envelope and no number of its
own; the shares of one sector add up to at most 1; an enterprise below 1 万tce in the 13th FYP
is refused at ingest with file, row and column (exit 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from peakpath.cli.main import main
from peakpath.errors import InputError
from peakpath.io.inputs import read_dataset
from peakpath.results.pathway import load_solved, sector_accounts
from tests.conftest import DATASET
from tests.report.test_assess import docx_text, parse

SOE = DATASET / "soe_enterprises.csv"


@pytest.fixture(scope="module")
def wuhan_set(peak_dir, tmp_path_factory) -> Path:
    """The assessment set of the shipped peak scenario (city run), written once."""
    out = tmp_path_factory.mktemp("assess-enterprises") / "set"
    assert main(["assess", str(peak_dir), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def sector_co2(peak_dir) -> pd.DataFrame:
    """CO2 (万t) and energy (万tce) by sector and year, summed over districts, recomputed
    from results.nc."""
    acc = sector_accounts(load_solved(peak_dir))
    return acc.groupby(["sector", "year"])[["co2", "energy"]].sum()


def plan(folder: Path, e: str) -> Path:
    found = list(folder.glob(f"3??-enterprise-{e}.html"))
    assert len(found) == 1, (e, found)
    return found[0]


def row_values(tables: list[dict], caption: str, label: str) -> dict[str, float]:
    """{year: data-value} of the row starting with ``label`` in the table whose caption
    starts with ``caption``."""
    t = next(t for t in tables if t["caption"].startswith(caption))
    head = [c[0] for c in t["rows"][0]]
    row = next(r for r in t["rows"][1:] if r[0][0].startswith(label))
    return {h: float(v) for h, (_, v) in zip(head, row, strict=True) if h.isdigit()}


def test_every_enterprise_gets_a_plan_in_docx_and_html_and_the_index(wuhan_set):
    table = pd.read_csv(SOE)
    ids = list(dict.fromkeys(table["enterprise"]))
    assert len(ids) >= 6
    index = (wuhan_set / "index.html").read_text(encoding="utf-8")
    for e in ids:
        html = plan(wuhan_set, e)
        assert html.with_suffix(".docx").is_file()
        assert f'data-id="enterprise-{e}"' in index
    # the 市属 ones come first and are led by 市国资委; the central SOEs are labelled 央企
    order = sorted(ids, key=lambda e: plan(wuhan_set, e).name)
    owners = table.drop_duplicates("enterprise").set_index("enterprise")["ownership"]
    assert [owners[e] for e in order] == sorted(owners[order], key=["municipal",
                                                                     "central"].index)
    for e in ids:
        text = docx_text(plan(wuhan_set, e).with_suffix(".docx"))
        if owners[e] == "municipal":
            assert "牵头单位\n市国资委" in text or "市国资委" in text.split("责任单位")[0]
            assert "央企" not in text.split("企业概况")[0]
        else:
            assert "央企" in text.split("\n")[0] or "（央企）" in text


def test_the_plan_follows_the_outline_headings(wuhan_set):
    from peakpath.report.assess import load_outline

    heads = [h["zh"] for h in load_outline()["enterprises"]["headings"].values()]
    p = parse(plan(wuhan_set, "wisco"))
    assert [h for h in p.headings if h in heads] == heads


def test_enterprise_numbers_are_the_share_times_the_sector(wuhan_set, sector_co2, peak_dir):
    table = pd.read_csv(SOE)
    shared = table[table["share"].notna()]
    assert len(shared) >= 3  # WISCO, Sinopec, Yangluo
    for r in shared.itertuples(index=False):
        tables = parse(plan(wuhan_set, r.enterprise)).tables
        name = str(pd.read_csv(DATASET / "sectors.csv").set_index("sector").loc[
            r.sector, "name_zh"])
        sec = sector_co2.loc[r.sector]
        got_s = row_values(tables, name, "行业二氧化碳")
        got_e = row_values(tables, name, "企业二氧化碳")
        got_en = row_values(tables, name, "企业能源消费")
        assert got_s, r.enterprise
        for y, v in got_s.items():
            assert v == pytest.approx(float(sec.loc[int(y), "co2"]), rel=1e-9, abs=1e-9)
            assert got_e[y] == pytest.approx(r.share * float(sec.loc[int(y), "co2"]),
                                             rel=1e-9, abs=1e-9)
            assert got_en[y] == pytest.approx(r.share * float(sec.loc[int(y), "energy"]),
                                              rel=1e-9, abs=1e-9)
            assert got_e[y] <= v + 1e-9  # never more than its sector
    # WISCO holds all steel: its CO2 is the sector's
    wisco = row_values(parse(plan(wuhan_set, "wisco")).tables, "钢铁", "企业二氧化碳")
    assert wisco["2020"] == pytest.approx(float(sector_co2.loc[("steel", 2020), "co2"]))
    assert wisco["2020"] > 100  # 万t: a real number, not an empty row


def test_without_a_share_the_sector_is_the_envelope_and_no_own_number(wuhan_set, sector_co2):
    tables = parse(plan(wuhan_set, "wuhan_metro")).tables
    t = next(t for t in tables if t["caption"].startswith("铁路与城市轨道交通"))
    labels = [r[0][0] for r in t["rows"][1:]]
    assert not any(x.startswith("企业") for x in labels)
    s = row_values(tables, "铁路与城市轨道交通", "行业二氧化碳")
    assert s["2030"] == pytest.approx(float(sector_co2.loc[("rail_metro", 2030), "co2"]))
    text = docx_text(plan(wuhan_set, "wuhan_metro").with_suffix(".docx"))
    assert "数据未给出企业占全市铁路与城市轨道交通的比例" in text
    assert "energy_13fyp" in text  # the data-list entry for 市国资委


def test_measure_rows_are_the_share_of_the_sector_measures(wuhan_set, peak_dir):
    from peakpath.results.pathway import measure_accounts

    s = load_solved(peak_dir)
    m = measure_accounts(s).groupby(["measure", "year"])[["investment", "co2"]].sum()
    info = s.md.measures.set_index("measure")
    tables = parse(plan(wuhan_set, "yangluo")).tables
    t = next(t for t in tables if t["caption"].startswith("本地燃煤发电与热电联产：措施"))
    share = float(pd.read_csv(SOE).set_index("enterprise").loc["yangluo", "share"])
    head = [c[0] for c in t["rows"][0]]
    assert len(t["rows"]) > 1
    for row in t["rows"][1:]:
        mid = info.index[info["name_zh"] == row[0][0]][0]
        cells = dict(zip(head, row, strict=True))
        assert float(cells["累计投资"][1]) == pytest.approx(
            share * float(m.loc[mid, "investment"].sum()), rel=1e-9, abs=1e-6)
        assert float(cells["减排 2030"][1]) == pytest.approx(
            -share * float(m.loc[(mid, 2030), "co2"]), rel=1e-9, abs=1e-9)


def test_shares_of_one_sector_add_up_to_at_most_one(wuhan):
    t = wuhan["soe_enterprises"]
    assert (t.groupby("sector")["share"].sum() <= 1 + 1e-9).all()


def copy_dataset(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(DATASET, d, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    return d


def test_an_enterprise_below_1_wtce_is_refused_with_file_row_and_column(tmp_path, capsys):
    d = copy_dataset(tmp_path)
    t = pd.read_csv(d / "soe_enterprises.csv", dtype=str, keep_default_na=False)
    i = int((t["enterprise"] == "wuhan_bus").to_numpy().nonzero()[0][0])
    t.loc[i, "energy_13fyp"] = "0.6"
    t.to_csv(d / "soe_enterprises.csv", index=False)
    with pytest.raises(InputError) as e:
        read_dataset(d)
    p = [p for p in e.value.problems if p.rule == "threshold"]
    assert len(p) == 1
    assert p[0].file.endswith("soe_enterprises.csv")
    assert p[0].row == i + 2  # the header is line 1
    assert p[0].column == "energy_13fyp"
    assert main(["validate", str(d)]) == 2
    assert "energy_13fyp" in capsys.readouterr().err
    # at the threshold it is accepted
    t.loc[i, "energy_13fyp"] = "1"
    t.to_csv(d / "soe_enterprises.csv", index=False)
    assert len(read_dataset(d)["soe_enterprises"]) == len(t)


def test_shares_above_one_in_a_sector_are_refused(tmp_path):
    d = copy_dataset(tmp_path)
    t = pd.read_csv(d / "soe_enterprises.csv", dtype=str, keep_default_na=False)
    i = int((t["enterprise"] == "wuhan_metro").to_numpy().nonzero()[0][0])
    extra = t.iloc[[i]].assign(enterprise="second_metro", share="0.7")
    t.loc[i, "share"] = "0.5"
    pd.concat([t, extra]).to_csv(d / "soe_enterprises.csv", index=False)
    with pytest.raises(InputError) as e:
        read_dataset(d)
    p = [p for p in e.value.problems if p.rule == "sum"]
    assert p and p[0].column == "share" and p[0].file.endswith("soe_enterprises.csv")


def test_a_bad_enterprises_block_of_the_outline_exits_2(peak_dir, tmp_path, capsys):
    from peakpath.report.documents import TEMPLATES

    text = (TEMPLATES / "assess.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "outline.yaml"
    bad.write_text(text.replace('file: "3{n:02d}-enterprise-{enterprise}"',
                                'file: "3{n:02d}-enterprise"'), encoding="utf-8")
    assert main(["assess", str(peak_dir), "--outline", str(bad), "--out",
                 str(tmp_path / "x")]) == 2
    assert "enterprises.file" in capsys.readouterr().err
