"""Backcast of the shipped history (issue 9): scope-1 CO2 of the history, computed with the
inventory code, grows from 2015 to 2019 as CEADs' Wuhan city inventory does (within ±5
percentage points). It fails if the history goes back to following the Hubei trends alone
(+6 % instead of CEADs' +29 %)."""

from __future__ import annotations

import pytest

from peakpath.inventory import compute_inventory

TOLERANCE_PP = 5.0


@pytest.fixture(scope="module")
def scope1(wuhan):
    return compute_inventory(wuhan).totals.set_index("year")["co2_scope1"]


@pytest.fixture(scope="module")
def ceads(wuhan):
    ref = wuhan["inventory_reference"]
    ref = ref[ref["scope"] == "scope1"]
    assert ref["source"].str.contains("CEADs").all()
    return ref.set_index("year")["value"]


def test_scope1_growth_2015_2019_matches_ceads(scope1, ceads):
    ours = 100 * (scope1[2019] / scope1[2015] - 1)
    theirs = 100 * (ceads[2019] / ceads[2015] - 1)
    assert theirs == pytest.approx(29.15, abs=0.01)  # 98.8 -> 127.6 Mt
    assert abs(ours - theirs) <= TOLERANCE_PP, (ours, theirs)


def test_every_history_year_follows_the_city_series(scope1, ceads):
    """Relative to 2019, each history year's scope 1 is CEADs' (the level factor of
    derive.py); the base year 2020 carries the 2019 level."""
    assert scope1[2020] == pytest.approx(scope1[2019], rel=1e-5)
    for y in ceads.index.intersection(scope1.index):
        assert scope1[y] / scope1[2019] == pytest.approx(ceads[y] / ceads[2019], rel=1e-4), y


#: published national energy-intensity changes 2021–23 (reference §2.1 [S]); no Wuhan series
#: for these years was found (SOURCES.md, "Reference path against the years already past")
PUBLISHED_INTENSITY = {2021: -0.027, 2022: -0.001, 2023: -0.005}
TOLERANCE_YEAR_PP = 2.0


@pytest.fixture(scope="module")
def current_policy(wuhan):
    from peakpath.run import run_scenario
    from tests.conftest import shipped

    res = run_scenario(shipped("wuhan-current-policy"), wuhan, isolate=False)
    assert res.status == "optimal"
    ds = res.dataset
    i = (ds["energy_total"] / ds["gdp"]).to_series()
    return {y: i[y] / i[y - 1] - 1.0 for y in PUBLISHED_INTENSITY}


def test_reference_reproduces_published_intensity_change_2021(current_policy):
    got, want = 100 * current_policy[2021], 100 * PUBLISHED_INTENSITY[2021]
    assert abs(got - want) <= TOLERANCE_YEAR_PP, (got, want)


@pytest.mark.xfail(strict=True, reason="known miss: heavy industry is held at capacity, so the "
                   "reference's intensity falls 2.1 (2022) and 3.0 (2023) points more than the "
                   "national one")
@pytest.mark.parametrize("year", [2022, 2023])
def test_reference_reproduces_published_intensity_change_later(current_policy, year):
    got, want = 100 * current_policy[year], 100 * PUBLISHED_INTENSITY[year]
    assert abs(got - want) <= TOLERANCE_YEAR_PP, (year, got, want)
