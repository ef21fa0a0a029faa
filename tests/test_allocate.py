"""Allocation: every rule's targets add up to the city; the rules do what they promise."""

from __future__ import annotations

import numpy as np
import pytest

from peakpath.analysis.allocate import allocate, gini, parse_rule, theil
from peakpath.errors import InputError
from peakpath.results.pathway import load_solved, measure_accounts, sector_accounts

RULES = ["least-cost", "equal-intensity", "per-capita", "ability-to-pay",
         "blend:least-cost=0.5,per-capita=0.3,ability-to-pay=0.2"]


@pytest.fixture(scope="module")
def solved(peak_dir):
    return load_solved(peak_dir)


@pytest.mark.parametrize("rule", RULES)
def test_targets_add_up_to_the_city(solved, rule):
    a = allocate(solved, parse_rule(rule))
    ds = solved.ds
    for t in (a.bureaus, a.districts):
        sums = t.groupby("year")[["co2", "energy"]].sum()
        np.testing.assert_allclose(sums["co2"].to_numpy(), ds["co2_total"].values, rtol=1e-9)
        np.testing.assert_allclose(sums["energy"].to_numpy(), ds["energy_total"].values,
                                   rtol=1e-9)
    assert a.check["difference"].abs().max() < 1e-6
    assert set(a.districts["unit"]) == set(solved.districts()["district"])
    assert len(set(a.bureaus["unit"])) == 7


def test_sector_accounts_of_a_city_run_add_up(solved):
    acc = sector_accounts(solved)
    by_year = acc.groupby("year")[["co2", "energy"]].sum()
    np.testing.assert_allclose(by_year["co2"], solved.ds["co2_total"].values, rtol=1e-9)
    # placed in districts: the measure schedule keeps the city totals
    m = measure_accounts(solved).groupby(["measure", "year"])["adoption"].sum()
    city = solved.ds["adoption"].sum("district").to_series().swaplevel().sort_index()
    np.testing.assert_allclose(m.to_numpy(), city.reindex(m.index).to_numpy(), atol=1e-9)


def test_equal_intensity_cuts_every_unit_by_the_same_percentage(solved):
    a = allocate(solved, parse_rule("equal-intensity"))
    base = solved.md.base_year
    for t in (a.bureaus, a.districts):
        p = t.pivot(index="unit", columns="year", values="co2")
        change = (p[2030] / p[base] - 1.0)[p[base] != 0]  # the CCUS bureau starts at 0
        assert np.ptp(change.to_numpy()) < 1e-12
        city = float(solved.ds["co2_total"].sel(year=2030) / solved.ds["co2_total"].sel(
            year=base)) - 1.0
        assert change.iloc[0] == pytest.approx(city, abs=1e-12)
    d = a.districts.pivot(index="unit", columns="year", values="carbon_intensity")
    cut = d[2035] / d[base] - 1.0
    assert np.ptp(cut.to_numpy()) < 1e-12


def test_per_capita_converges(solved):
    a = allocate(solved, parse_rule("per-capita", convergence_year=2030))
    pc = a.districts.pivot(index="unit", columns="year", values="co2_per_capita")
    spread = (pc.max() - pc.min())
    years = [y for y in pc.columns if y <= 2030]
    assert all(np.diff(spread[years].to_numpy()) <= 1e-9)
    assert spread[2030] < 1e-9 and spread[2035] < 1e-9
    g = a.fairness.query("index == 'gini' and quantity == 'co2_per_capita'").set_index("year")
    assert g.loc[2020, "value"] > 0.3 and g.loc[2030, "value"] < 1e-9


def test_ability_to_pay_asks_more_of_richer_districts(solved):
    a = allocate(solved, parse_rule("ability-to-pay"))
    d = a.districts.pivot(index="unit", columns="year", values="co2")
    change = d[2035] / d[2020] - 1.0
    city = float(solved.ds["co2_total"].sel(year=2035) / solved.ds["co2_total"].sel(year=2020)
                 - 1.0)
    # East Lake High-Tech has the highest GDP per capita of the sourced units: it is asked for
    # more than Jiang'an and than the city as a whole
    assert change["donghu_hitech"] < change["jiangan"]
    assert change["donghu_hitech"] < city


def test_fairness_indices_by_hand():
    assert gini(np.array([1.0, 1.0]), np.array([1.0, 3.0])) == 0.0
    assert gini(np.array([0.0, 2.0]), np.array([1.0, 1.0])) == pytest.approx(0.5)
    assert theil(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == pytest.approx(
        0.5 * (0.5 * np.log(0.5) + 1.5 * np.log(1.5)))
    assert np.isnan(gini(np.array([-1.0, 2.0]), np.array([1.0, 1.0])))


@pytest.mark.parametrize("text", ["cheapest", "blend:least-cost=0.5", "blend:nope=1",
                                  "blend:least-cost=x"])
def test_bad_rules_are_input_errors(text):
    with pytest.raises(InputError):
        parse_rule(text)


@pytest.mark.parametrize(("text", "year", "said"), [
    ("blend:per-capita=0.5,per-capita=0.5", None, "listed twice"),
    ("least-cost", 2030, "applies to the per-capita rule"),
    ("blend:least-cost=0.5,equal-intensity=0.5", 2030, "applies to the per-capita rule")])
def test_a_rule_setting_that_would_be_ignored_is_an_input_error(text, year, said):
    with pytest.raises(InputError) as e:
        parse_rule(text, convergence_year=year)
    assert said in e.value.report()
    parse_rule("blend:per-capita=0.5,least-cost=0.5", convergence_year=2030)  # read: accepted


def test_a_convergence_year_not_after_the_base_year_is_an_input_error(solved):
    with pytest.raises(InputError) as e:
        allocate(solved, parse_rule("per-capita", convergence_year=solved.md.base_year))
    assert "must come after the base year" in e.value.report()


def test_enterprises_roll_up(solved):
    a = allocate(solved, parse_rule("least-cost"))
    e = a.enterprises.set_index(["enterprise", "year"])
    # WISCO holds all of the steel sector in Qingshan
    acc = sector_accounts(solved)
    st = acc[acc["sector"] == "steel"].groupby("year")["co2"].sum()
    np.testing.assert_allclose(e.loc["wisco"]["co2"].to_numpy(), st.to_numpy(), rtol=1e-9)
    wisco = set(a.enterprise_measures.loc[a.enterprise_measures["enterprise"] == "wisco",
                                          "measure"])
    adopted = solved.ds["adoption"].sum(["year", "district"]).to_series()
    steel = {m for m in solved.md.measures.query("sector == 'steel'")["measure"]
             if adopted[m] > 0} | {m for m in ("ccus_steel",) if adopted[m] > 0}
    assert wisco and wisco <= steel | {"ccus_steel"}  # only the works' own measures
    assert set(e.loc["wisco"]["district"]) == {"qingshan"}
