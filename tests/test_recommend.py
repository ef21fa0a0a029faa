"""Recommendations name exactly the binding targets of the solution."""

from __future__ import annotations

import re

import numpy as np

from peakpath.analysis.recommend import recommend
from peakpath.results.pathway import load_solved


def test_recommendations_name_exactly_the_binding_targets(peak_dir):
    s = load_solved(peak_dir)
    r = recommend(s)
    ds = s.ds
    want = {(str(t), int(y)) for t, y, b in zip(ds["target_target"].values,
                                                ds["target_year"].values,
                                                ds["target_binding"].values, strict=True) if b}
    assert want  # peak-2030 has binding targets
    assert {(t.id, t.year) for t in r.binding} == want
    md = r.to_markdown()
    section = md.split("## 1.")[1].split("## 2.")[0]
    named = set(re.findall(r"（([a-z_]+)）在(\d{4})年起约束作用", section))
    assert {(t, int(y)) for t, y in named} == want
    assert section.count("\n- ") == len(want)
    for t in r.binding:
        sp = float(ds["target_shadow_price"].values[
            (ds["target_target"].values == t.id) & (ds["target_year"].values == t.year)][0])
        assert f"{sp:,.1f}" in section


def test_recommendations_list_measures_with_their_numbers(peak_dir):
    s = load_solved(peak_dir)
    r = recommend(s)
    adopted = s.ds["adoption"].sum("district").max("year")
    listed = {m.measure for b in r.bureaus for m in b.measures}
    assert listed == {str(m) for m, v in zip(adopted["measure"].values, adopted.values,
                                             strict=True) if v > 1e-3}
    inv = s.ds["investment"].sum("group").sel(year=s.md.years).values
    np.testing.assert_allclose([r.total_investment[y] for y in s.md.years], inv, rtol=1e-6)
    html = r.to_html()
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html and "市发改委" in html
    assert "<script" not in html


def test_a_run_folder_given_as_the_batch_is_refused(peak_dir):
    """One run made every measure it used 'no-regret in 100 % of the scenarios'."""
    import pytest

    from peakpath.errors import InputError

    with pytest.raises(InputError) as e:
        recommend(load_solved(peak_dir), peak_dir)
    assert "at least two solved scenarios; found 1" in e.value.report()


def test_no_regret_across_a_batch(peak_dir, tmp_path):
    import shutil

    for name in ("a", "b"):
        shutil.copytree(peak_dir, tmp_path / name)
    s = load_solved(peak_dir)
    r = recommend(s, tmp_path)
    assert r.batch_size == 2
    end = s.ds["adoption"].sum("district").isel(year=-1)
    used = {str(m) for m, v in zip(end["measure"].values, end.values, strict=True) if v > 1e-3}
    assert {m for m, *_ in r.no_regret} == used
    assert "无悔措施" in r.to_markdown()
