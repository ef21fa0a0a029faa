"""Backcast of the shipped history (issue 9): scope-1 CO2 of the history, computed with the
inventory code, grows from 2015 to 2019 as CEADs' Wuhan city inventory does (within ±5
percentage points). It fails if the history goes back to following the Hubei trends alone
(+6 % instead of CEADs' +29 %)."""

from __future__ import annotations

import pytest

from model.inventory import compute_inventory

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
