"""Results: summary keys, netCDF round trip, IAMC table, atomic writes."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from peakpath.results.dataset import iamc_table, load_results, write_results

SUMMARY_KEYS = {"scenario", "status", "objective_wan_cny", "peak_year", "peak_co2_wan_t",
                "co2_wan_t", "co2_scope1_wan_t", "energy_wan_tce", "gdp_yi_cny",
                "non_fossil_share", "targets", "timings_s", "input_hash", "solver"}


def test_summary_has_the_stable_keys(baseline_run):
    assert set(baseline_run.summary) >= SUMMARY_KEYS
    assert "2020" in baseline_run.summary["co2_wan_t"]
    assert set(baseline_run.summary["timings_s"]) >= {"load", "build", "solve"}


def test_netcdf_round_trip(baseline_run, tmp_path):
    out = write_results(baseline_run.dataset, tmp_path / "r", dict(baseline_run.summary))
    back = load_results(out)
    for name in ("emissions", "energy", "adoption", "cost", "co2_total", "target_limit"):
        assert np.allclose(back[name].values, baseline_run.dataset[name].values, equal_nan=True)
    assert back.attrs["input_hash"] == baseline_run.summary["input_hash"]
    summ = json.loads((out / "summary.json").read_text())
    assert summ["timings_s"]["write"] > 0


def test_iamc_table_shape_and_units(baseline_run):
    t = iamc_table(baseline_run.dataset)
    assert list(t.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    row = t.set_index("variable").loc["Emissions|CO2"]
    assert row["unit"] == "Mt CO2/yr"
    assert row[2020] == pytest.approx(float(baseline_run.dataset["co2_total"].sel(year=2020))
                                      / 100)
    assert not t["variable"].duplicated().any()


def test_iamc_columns_are_the_iamc_table_without_the_frame(baseline_run):
    """A batch keeps a scenario's IAMC rows as `iamc_columns`; they are the table's own
    columns and values (the batch's iamc.csv is made from them), with and without the
    model data that names the sector groups."""
    from peakpath.analysis.batch_store import iamc_of, part_of
    from peakpath.results.dataset import iamc_columns

    ds = baseline_run.dataset
    for md in (None, baseline_run.built.md):
        table = iamc_table(ds, md)
        columns, arrays = iamc_columns(ds, md)
        assert columns == list(table.columns)
        for c, a in zip(columns, arrays, strict=True):
            want = table[c].to_numpy()
            assert a.dtype == want.dtype and np.array_equal(a, want), c
        pd.testing.assert_frame_equal(iamc_of(part_of(ds, (columns, arrays))),
                                      iamc_of(part_of(ds, table)), check_exact=True)


def test_the_results_dataset_is_the_one_xarrays_constructor_makes(baseline_run):
    """to_dataset makes its Dataset straight from the variables (`_dataset`): the same
    variables in the same order, dimensions, coordinates and indexes as xr.Dataset()."""
    from peakpath.results.dataset import _dataset

    ds = baseline_run.dataset
    data_vars = {k: ds.variables[k] for k in ds.data_vars}
    # plain variables, without the indexes of the Dataset under test: xarray makes its own
    coords = xr.Coordinates({k: ds.variables[k].to_base_variable() for k in ds.coords})
    want = xr.Dataset(data_vars, coords=coords)
    assert set(want.xindexes) == {d for d in want.dims if d in want.coords} != set()
    made = ds.copy()
    made.attrs = {}  # to_dataset adds the run's attributes after
    for got in (made, _dataset(data_vars, coords)):
        assert got.identical(want)
        assert list(got.variables) == list(want.variables)
        assert list(got.sizes.items()) == list(want.sizes.items())
        assert set(got.coords) == set(want.coords) and list(got.xindexes) == list(
            want.xindexes)
        assert all(got.xindexes[k].equals(want.xindexes[k]) for k in want.xindexes)


def test_variables_that_conflict_go_through_xarrays_checks():
    from peakpath.results.dataset import _dataset

    coords = xr.Coordinates({"year": [2020, 2025]})
    with pytest.raises(ValueError):  # a size that disagrees with the coordinate's
        _dataset({"co2": xr.Variable(("year",), np.zeros(3))}, coords)
    # a data variable named as a dimension becomes that dimension's index, as in xarray
    got = _dataset({"sector": xr.Variable(("sector",), np.array(["a", "b"]))}, coords)
    assert got.identical(xr.Dataset({"sector": ("sector", ["a", "b"])}, coords=coords))


def test_a_failed_write_leaves_the_previous_results(baseline_run, tmp_path):
    out = write_results(baseline_run.dataset, tmp_path / "r", dict(baseline_run.summary))
    before = (out / "summary.json").read_text()
    broken = baseline_run.dataset.copy()
    broken.attrs["scenario"] = object()  # not serialisable: the write fails midway
    with pytest.raises((TypeError, ValueError)):
        write_results(broken, tmp_path / "r", dict(baseline_run.summary))
    assert (out / "summary.json").read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_csv_tables_are_long_and_unit_labelled(baseline_run, tmp_path):
    out = write_results(baseline_run.dataset, tmp_path / "r", dict(baseline_run.summary))
    em = pd.read_csv(out / "emissions.csv")
    assert list(em.columns) == ["year", "sector", "gas", "district", "value", "unit"]
    assert em["unit"].iloc[0].startswith("万t")


def test_cost_pv_is_the_objective_by_component(baseline_run):
    """results.nc holds the present value of each cost component once (the objective's own
    weights); it adds up to the objective, and the undiscounted cost discounted by hand at
    the scenario's rate gives the same numbers."""
    from peakpath.results.dataset import present_value

    ds = baseline_run.dataset
    assert float(ds["cost_pv"].sum()) == pytest.approx(baseline_run.solution.objective,
                                                       rel=1e-9)
    r, base = float(ds.attrs["discount_rate"]), int(ds.attrs["base_year"])
    years = ds["year"].values
    by_hand = (ds["cost"] * (1 + r) ** -(years - base)[:, None]).sum("year")
    assert np.allclose(ds["cost_pv"].values, by_hand.values, rtol=1e-9)  # nothing undiscounted
    assert np.allclose(present_value(ds.drop_vars("cost_pv")).values, ds["cost_pv"].values)
