"""The two-high paper prices every major project itself (as `peakpath projects` does) when the
run has no prices for its own results, keeps them beside the run, and quotes them."""

from __future__ import annotations

import shutil

import docx
import pandas as pd
import pytest

from peakpath.cli.main import main
from peakpath.results.dataset import load_results


def priced_table(path) -> pd.DataFrame:
    d = docx.Document(str(path))
    for t in d.tables:
        head = [c.text for c in t.rows[0].cells]
        if head[:2] == ["项目", "吸纳价格"]:
            return pd.DataFrame([[c.text for c in r.cells] for r in t.rows[1:]], columns=head)
    raise AssertionError("no price table in the two-high paper")


def number(s: str) -> float:
    return float(s.replace(",", ""))


def test_projects_are_priced_for_these_results_and_quoted(runs_dir, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(runs_dir / "wuhan-peak-2030", run, ignore=shutil.ignore_patterns(
        "assess", "projects"))
    assert main(["assess", str(run), "--out", str(tmp_path / "a")]) == 0
    prices = pd.read_csv(run / "projects" / "projects.csv", encoding="utf-8-sig",
                         dtype={"input_hash": str})
    assert set(prices["input_hash"]) == {load_results(run).attrs["input_hash"]}
    table = priced_table(tmp_path / "a" / "11-two-high.docx")
    assert len(table) == len(prices) >= 1
    by_name = prices.set_index("name_zh")
    for r in table.itertuples(index=False):
        q = by_name.loc[r[0]]
        assert number(r[1]) == pytest.approx(q["price_wan_cny"], abs=0.5)
        assert number(r[2]) == pytest.approx(q["net_value_wan_cny"], abs=0.5)
        assert r[-1] == ("通过" if q["absorbable"] else "不通过")
    # prices written for other results are not quoted: they are priced again
    stale = prices.assign(input_hash="0" * 16, price_wan_cny=1.0)
    stale.to_csv(run / "projects" / "projects.csv", index=False)
    assert main(["assess", str(run), "--out", str(tmp_path / "b")]) == 0
    again = priced_table(tmp_path / "b" / "11-two-high.docx")
    assert [number(x) for x in again.iloc[:, 1]] == [number(x) for x in table.iloc[:, 1]]
