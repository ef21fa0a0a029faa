"""Bad input gets a located error: file, row, column, rule — all problems at once."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peakpath.errors import InputError
from peakpath.io.inputs import read_dataset
from tests.conftest import DATASET


@pytest.fixture
def copy(tmp_path):
    dst = tmp_path / "ds"
    shutil.copytree(DATASET, dst)
    return dst


def problems(path):
    with pytest.raises(InputError) as e:
        read_dataset(path)
    return e.value.problems


def edit(path, table, fn):
    f = path / f"{table}.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(f, index=False)


def test_shipped_dataset_is_valid(wuhan):
    # every row of measures.csv is read, in order, none dropped or duplicated
    raw = pd.read_csv(DATASET / "measures.csv", dtype=str, keep_default_na=False)
    assert list(wuhan["measures"]["measure"]) == list(raw["measure"])
    assert wuhan["measures"]["measure"].is_unique and len(raw) == 47


def test_text_in_a_number_cell_names_file_row_and_column(copy):
    edit(copy, "prices", lambda d: d.assign(value=d["value"].where(d.index != 2, "cheap")))
    (p,) = problems(copy)
    assert p.file.endswith("prices.csv") and p.row == 4 and p.column == "value"
    assert p.rule == "number" and "cheap" in p.message


def test_every_problem_is_reported_at_once(copy):
    edit(copy, "measures", lambda d: d.assign(lifetime=d["lifetime"].where(d.index != 0, "-3")))
    edit(copy, "fuels", lambda d: d.assign(category=d["category"].where(d.index != 1, "peat")))
    edit(copy, "activity", lambda d: d.assign(sector=d["sector"].where(d.index != 5, "mines")))
    ps = problems(copy)
    rules = {(p.file.split("/")[-1], p.rule, p.column) for p in ps}
    assert ("measures.csv", "range", "lifetime") in rules
    assert ("fuels.csv", "allowed", "category") in rules
    assert ("activity.csv", "reference", "sector") in rules
    ref = next(p for p in ps if p.rule == "reference")
    assert ref.row == 7 and "mines" in ref.message


def test_missing_and_unknown_columns(copy):
    edit(copy, "grid", lambda d: d.rename(columns={"value": "amount"}))
    ps = problems(copy)
    assert {(p.rule, p.column) for p in ps} == {("missing-column", "value"),
                                               ("unknown-column", "amount")}


def test_duplicate_key_names_the_first_row(copy):
    edit(copy, "prices", lambda d: pd.concat([d, d.iloc[[0]]]))
    (p,) = problems(copy)
    assert p.rule == "duplicate" and "first on row 2" in p.message


def test_unit_of_the_wrong_dimension(copy):
    edit(copy, "energy", lambda d: d.assign(unit=d["unit"].where(d.index != 0, "万t")))
    (p,) = problems(copy)
    assert p.rule == "unit" and p.row == 2 and "万tce" in p.message


def test_units_are_converted_to_canonical(copy):
    # agri_energy coal 2005 is 9.94118 万tce: entered as 99,411.8 tce; GDP 2020 is 16,954 亿元:
    # entered as 169,540,000 万元
    def coal(d):
        return ((d["sector"] == "agri_energy") & (d["fuel"] == "coal")
                & (d["year"] == "2005"))
    edit(copy, "energy", lambda d: d.assign(value=d["value"].where(~coal(d), "99411.8"),
                                            unit=d["unit"].where(~coal(d), "tce")))
    def gdp(d):
        return ((d["variable"] == "gdp") & (d["year"] == "2020"))
    edit(copy, "macro", lambda d: d.assign(value=d["value"].where(~gdp(d), "169540000"),
                                           unit=d["unit"].where(~gdp(d), "万元")))
    data = read_dataset(copy)
    e = data["energy"].set_index(["sector", "fuel", "year"]).loc[("agri_energy", "coal", 2005)]
    assert e["value"] == pytest.approx(9.94118, rel=1e-12) and e["unit"] == "万tce"
    m = data["macro"].set_index(["variable", "year"]).loc[("gdp", 2020)]
    assert m["value"] == pytest.approx(16954, rel=1e-12) and m["unit"] == "亿元"
    g = read_dataset(DATASET)["growth"]
    assert g.loc[0, "rate"] == pytest.approx(0.0334) and g.loc[0, "unit"] == "1/yr"


def test_missing_required_table(copy):
    (copy / "prices.csv").unlink()
    (p,) = problems(copy)
    assert p.rule == "missing-table" and p.file.endswith("prices.csv")


def test_measure_without_potential_and_bad_semicontinuous(copy):
    edit(copy, "measure_potential", lambda d: d[d["measure"] != "pv_utility"])
    edit(copy, "measures", lambda d: d.assign(
        min_build=d["min_build"].where(d["measure"] != "wte_expansion", "")))
    rules = {(p.rule, p.column) for p in problems(copy)}
    assert ("potential", "measure") in rules and ("semicontinuous", "min_build") in rules


def test_not_utf8(copy):
    """A table saved as GBK (Excel's plain "CSV" on Chinese Windows) is refused at the line of
    its first non-UTF-8 byte, with the way to save it; other bytes get the plain request."""
    (copy / "fuels.csv").write_bytes("fuel,name_zh\nelectricity,电力".encode("gb18030"))
    (copy / "prices.csv").write_bytes(b"fuel,year,value\ncoal,2020,1\noil,2020,\xff\n")
    found = {Path(p.file).name: p for p in problems(copy) if p.rule == "encoding"}
    assert found["fuels.csv"].row == 2 and "CSV UTF-8" in found["fuels.csv"].message
    assert found["prices.csv"].row == 3 and "GBK" not in found["prices.csv"].message


def test_an_override_rehashes_only_its_column_and_leaves_the_base_alone(wuhan):
    """The variant's digest (kept per column) equals a digest of its tables from scratch, and
    the base dataset's tables and digest are untouched. A change of one value, of another
    column of the same table, or of which column holds the values changes the digest."""
    from peakpath.io.inputs import apply_overrides, digest_tables
    from tests.conftest import shipped

    before = {k: v.copy() for k, v in wuhan.tables.items()}
    digest = wuhan.digest
    sc = shipped("wuhan-baseline").with_settings(
        {"overrides": [{"table": "prices", "where": {"fuel": "coal"}, "scale": 1.5},
                       {"table": "growth", "column": "rate", "scale": 0.5}]})
    out = apply_overrides(wuhan, sc)
    assert out.digest == digest_tables(out.tables) != wuhan.digest
    assert wuhan.digest == digest
    for k, v in before.items():
        pd.testing.assert_frame_equal(wuhan.tables[k], v)
    assert out.tables["prices"] is not wuhan.tables["prices"]
    measures = {"table": "measures", "where": {"measure": "pv_rooftop"}}
    seen = {out.digest, wuhan.digest}
    for changes in ([{**measures, "column": "capex", "scale": 1.1}],
                    [{**measures, "column": "capex", "scale": 1.1},
                     {**measures, "column": "om", "scale": 1.1}],
                    [{**measures, "column": "om", "scale": 1.1}]):
        again = apply_overrides(wuhan, sc.with_settings({"overrides": changes}))
        assert again.digest == digest_tables(again.tables) not in seen
        seen.add(again.digest)
    swapped = {**wuhan.tables, "prices": wuhan.tables["prices"].rename(
        columns={"fuel": "year", "year": "fuel"})}
    assert digest_tables(swapped) != wuhan.digest
    assert out.tables["fuels"] is wuhan.tables["fuels"]  # unchanged tables are shared
    # the shared tables stay untouched through the variant's derivation and build
    from peakpath.core.build import build

    build(out, sc, pyomo=False)
    for k, v in before.items():
        pd.testing.assert_frame_equal(wuhan.tables[k], v)


def test_overrides_apply_in_order_and_a_where_sees_earlier_overrides(wuhan):
    """Overrides of one scenario apply in their order: a ``where`` on a column an earlier
    override set selects by the new values, one on an unchanged column by the base values, and
    the same overrides give the same tables on every call (masks are kept between calls)."""
    from peakpath.io.inputs import apply_overrides
    from tests.conftest import shipped

    eff = wuhan["efficiency"]
    elec = eff["fuel"] == "electricity"
    sc = shipped("wuhan-baseline").with_settings({"overrides": [
        {"table": "efficiency", "where": {"fuel": "electricity"}, "column": "end_year",
         "set": 2031},
        {"table": "efficiency", "where": {"end_year": 2031}, "column": "rate", "scale": 2},
        {"table": "efficiency", "where": {"fuel": "electricity"}, "column": "rate", "add": 0.001},
    ]})
    for _ in range(2):
        out = apply_overrides(wuhan, sc)["efficiency"]
        assert (out.loc[elec, "end_year"] == 2031).all()
        assert (out.loc[~elec, "end_year"] == eff.loc[~elec, "end_year"]).all()
        expected = eff["rate"].where(~elec, eff["rate"] * 2 + 0.001)
        np.testing.assert_array_equal(out["rate"].to_numpy(), expected.to_numpy())
        assert out["end_year"].dtype == eff["end_year"].dtype
    assert (wuhan["efficiency"]["end_year"] != 2031).all()


def test_overrides_are_checked_against_the_tables(wuhan):
    from peakpath.io.inputs import apply_overrides
    from tests.conftest import shipped

    sc = shipped("wuhan-baseline").with_settings(
        {"overrides": [{"table": "prices", "where": {"fuel": "uranium"}, "scale": 2}]})
    with pytest.raises(InputError) as e:
        apply_overrides(wuhan, sc)
    assert "matches no row" in e.value.report()
    sc = shipped("wuhan-baseline").with_settings(
        {"overrides": [{"table": "prices", "where": {"fuel": "coal"}, "scale": 1.5}]})
    out = apply_overrides(wuhan, sc)
    assert float(out["prices"].set_index("fuel").loc["coal", "value"]) == pytest.approx(1395)
    assert out.digest != wuhan.digest
    sc = shipped("wuhan-baseline").with_settings(
        {"overrides": [{"table": "measures", "where": {"measure": "pv_rooftop"},
                        "column": "max_build_share", "scale": 10}]})
    with pytest.raises(InputError) as e:
        apply_overrides(wuhan, sc)
    assert "max_build_share" in e.value.report()
