"""The district dimension: shipped shares, the split of city activity, results that add up to
the city, district caps, and located errors for bad district tables."""

from __future__ import annotations

import importlib.util
import shutil

import numpy as np
import pandas as pd
import pytest

from peakpath.core.baseline import derive
from peakpath.errors import InputError
from peakpath.io.inputs import read_dataset
from peakpath.solve.run import run_scenario
from tests.conftest import DATASET, make_scenario, shipped


def _derive_script():
    spec = importlib.util.spec_from_file_location("derive_districts",
                                                  DATASET / "derive_districts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shipped_district_tables_are_what_the_script_writes(tmp_path):
    _derive_script().write(tmp_path)
    for name in ("districts", "district_indicators", "district_shares", "measure_sites",
                 "enterprises"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (DATASET / f"{name}.csv").read_bytes()


def test_shares_add_up_and_plants_sit_where_they_are(wuhan):
    sh = wuhan["district_shares"]
    sums = sh.groupby("sector")["share"].sum()
    assert np.allclose(sums, 1.0, atol=1e-9)
    one = sh.set_index(["sector", "district"])["share"]
    assert one["steel", "qingshan"] == 1.0
    assert one["petrochem", "qingshan"] == 1.0
    # Yangluo: 115 of 191.5 亿kWh of coal power is in Xinzhou, plus Xinzhou's GDP part
    assert 115 / 191.5 < one["power_coal", "xinzhou"] < 115 / 191.5 + 0.02
    units = wuhan["districts"]
    assert (units["kind"] != "city").sum() == 15


def test_district_activity_adds_up_to_the_city(wuhan):
    city = derive(wuhan, shipped("wuhan-peak-2030"))
    dist = derive(wuhan, shipped("wuhan-peak-2030").with_settings({"districts": True}))
    assert len(dist.districts) == 15 and "wuhan" not in set(dist.districts["district"])
    for frame, by in ((lambda m: m.activity, ["sector", "year"]),
                      (lambda m: m.energy_base, ["sector", "fuel", "year"]),
                      (lambda m: m.potential, ["measure", "year"]),
                      (lambda m: m.group_potential, ["group", "year"])):
        a = frame(city).groupby(by)["value"].sum()
        b = frame(dist).groupby(by)["value"].sum().reindex(a.index)
        np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-9, atol=1e-9)
    assert set(dist.projects["district"]) <= set(dist.districts["district"])
    assert set(city.projects["district"]) == {"wuhan"}
    # whole units stay whole: every integer measure sits at one site
    ints = dist.measures.loc[dist.measures["kind"] == "integer", "measure"]
    sites = dist.potential[dist.potential["measure"].isin(ints) & (dist.potential["value"] > 0)]
    assert (sites.groupby("measure")["district"].nunique() == 1).all()


@pytest.fixture(scope="module")
def district_run(wuhan):
    return run_scenario(shipped("wuhan-peak-2030").with_settings({"districts": True}), wuhan,
                        isolate=False)


def test_district_results_add_up_to_the_city_exactly(district_run):
    ds = district_run.dataset
    assert district_run.status == "optimal"
    em = ds["emissions"].sel(gas="CO2").sum(["sector", "district"])
    sinks = ds["sector"].values[[g == "sinks" for g in ds["sector_group"].values]]
    scope1 = ds["emissions"].sel(gas="CO2").drop_sel(sector=sinks).sum(["sector", "district"])
    np.testing.assert_allclose(scope1.values, ds["co2_scope1"].values, rtol=1e-9)
    total = em + ds["scope2"].sum(["sector", "district"])
    np.testing.assert_allclose(total.values, ds["co2_total"].values, rtol=1e-9, atol=1e-6)


def test_district_run_costs_what_the_city_run_costs(shipped_run, district_run):
    """Splitting by shares is neutral: the same least cost within the MIP gap."""
    city = shipped_run("wuhan-peak-2030")
    gap = shipped("wuhan-peak-2030").solver["mip_rel_gap"]
    a, b = city.solution.objective, district_run.solution.objective
    assert abs(a - b) <= 2 * gap * abs(a)


def test_a_district_cap_binds_and_holds(wuhan, district_run):
    ds = district_run.dataset
    co2 = (ds["emissions"].sel(gas="CO2", district="qingshan").sum("sector")
           + ds["scope2"].sel(district="qingshan").sum("sector"))
    cap = float(co2.sel(year=2030)) * 0.97
    plan = shipped("wuhan-peak-2030")
    # the plan's own limits (the manufacturing coal phase-out) stay: a list setting replaces
    # the whole list, and without them the cap would be met by the coal the plan phases out
    limits = [*(plan.targets.get("limits") or []),
              {"id": "qingshan_co2", "quantity": "co2", "districts": ["qingshan"],
               "values": {2030: cap}}]
    sc = plan.with_settings({"districts": True, "targets.limits": limits})
    res = run_scenario(sc, wuhan, isolate=False)
    out = res.dataset
    got = float((out["emissions"].sel(gas="CO2", district="qingshan").sum("sector")
                 + out["scope2"].sel(district="qingshan").sum("sector")).sel(year=2030))
    assert got <= cap + 1e-4
    tt = res.summary["targets"]
    row = next(t for t in tt if t["id"] == "qingshan_co2")
    assert row["binding"] and row["shadow_price"] > 0
    assert (row["unit"], row["shadow_unit"]) == ("万t", "CNY/t CO2")  # beside a coal limit


def test_district_caps_need_districts(wuhan):
    sc = make_scenario({"targets": {"limits": [{"id": "x", "quantity": "co2",
                                                "districts": ["qingshan"],
                                                "values": {2030: 100.0}}]}})
    with pytest.raises(InputError) as e:
        run_scenario(sc, wuhan, isolate=False)
    assert "qingshan" in e.value.report()


def _copy(tmp_path):
    dst = tmp_path / "wuhan"
    shutil.copytree(DATASET, dst)
    return dst


def test_shares_that_do_not_add_up_are_located(tmp_path):
    d = _copy(tmp_path)
    f = d / "district_shares.csv"
    sh = pd.read_csv(f, dtype=str, keep_default_na=False)
    i = sh.index[sh["sector"] == "steel"][0]
    sh.loc[i, "share"] = "0.9"
    sh.to_csv(f, index=False)
    with pytest.raises(InputError) as e:
        read_dataset(d)
    p = e.value.problems[0]
    assert (p.file.endswith("district_shares.csv"), p.row, p.column, p.rule) == (
        True, i + 2, "share", "sum")
    assert "steel" in p.message and "0.900000" in p.message


def test_a_whole_unit_measure_needs_a_site(tmp_path):
    d = _copy(tmp_path)
    f = d / "measure_sites.csv"
    ms = pd.read_csv(f, dtype=str, keep_default_na=False)
    ms[ms["measure"] != "ccus_steel"].to_csv(f, index=False)
    data = read_dataset(d)
    derive(data, make_scenario())  # without districts nothing is split
    with pytest.raises(InputError) as e:
        derive(data, make_scenario({"districts": True}))
    assert any("ccus_steel" in p.message and p.file == "measure_sites.csv"
               for p in e.value.problems)


def test_a_project_in_the_city_row_is_an_error_with_districts(tmp_path):
    d = _copy(tmp_path)
    f = d / "projects.csv"
    pr = pd.read_csv(f, dtype=str, keep_default_na=False)
    pr.loc[1, "district"] = "wuhan"
    pr.to_csv(f, index=False)
    data = read_dataset(d)
    with pytest.raises(InputError) as e:
        derive(data, make_scenario({"districts": True}))
    p = e.value.problems[0]
    assert (p.file, p.row, p.column) == ("projects.csv", 3, "district")
