"""Backcast of the shipped history (issue 9): scope-1 CO2 of the history, computed with the
inventory code, grows from 2015 to 2019 as CEADs' Wuhan city inventory does (within ±5
percentage points). It fails if the history goes back to following the Hubei trends alone
(+6 % instead of CEADs' +29 %)."""

from __future__ import annotations

import pytest

from peakpath.analysis.inventory import compute_inventory

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


#: published national energy-intensity changes 2021–23 (reference §2.1 [S]), a stand-in: no
#: Wuhan intensity series for these years was found (SOURCES.md, "Reference path against the
#: years already past")
PUBLISHED_INTENSITY = {2021: -0.027, 2022: -0.001, 2023: -0.005}
TOLERANCE_YEAR_PP = 2.0
#: Wuhan's own statistics for the years already past [S] (inputs/wuhan/SOURCES.md)
WUHAN_ELECTRICITY_YI_KWH = {2021: 684.42, 2025: 857.12}
WUHAN_ELECTRICITY_GROWTH_2025 = 0.0476   # 2025 over 2024 [S]
WUHAN_COAL_SHARE_CHANGE_2020_2023_PP = -4.63   # 30.5 % (2023) is 4.63 points below 2020 [S]
KWH_PER_TCE = 1.0 / 0.1229e-3   # calorific equivalent, 0.1229 kgce/kWh


@pytest.fixture(scope="module")
def current_policy(shipped_run):
    res = shipped_run("wuhan-current-policy")
    assert res.status == "optimal"
    return res.dataset


@pytest.fixture(scope="module")
def intensity_change(current_policy):
    i = (current_policy["energy_total"] / current_policy["gdp"]).to_series()
    return {y: i[y] / i[y - 1] - 1.0 for y in PUBLISHED_INTENSITY}


@pytest.fixture(scope="module")
def electricity_yi_kwh(current_policy):
    """All electricity used in the city, 亿kWh (万tce at 0.1229 kgce/kWh)."""
    e = current_policy["energy"].sel(fuel="electricity").sum(["sector", "district"])
    return e.to_series() / 1.229


@pytest.mark.parametrize("year", [2021, 2022])
def test_reference_reproduces_published_intensity_change(intensity_change, year):
    got, want = 100 * intensity_change[year], 100 * PUBLISHED_INTENSITY[year]
    assert abs(got - want) <= TOLERANCE_YEAR_PP, (year, got, want)


@pytest.mark.xfail(strict=True, reason="known miss: the reference's intensity falls 2.5 points "
                   "more than the national one in 2023, the year transport and aviation "
                   "rebounded after the 2022 lockdowns (a likely cause, not measured); the "
                   "model has no COVID years and no Wuhan series for 2023 was found")
def test_reference_reproduces_published_intensity_change_2023(intensity_change):
    got, want = 100 * intensity_change[2023], 100 * PUBLISHED_INTENSITY[2023]
    assert abs(got - want) <= TOLERANCE_YEAR_PP, (got, want)


def test_electricity_follows_wuhan_2021_to_2025(electricity_yi_kwh):
    """The end-use electricity trend (efficiency.csv) is calibrated to this growth: it fails
    if the trend, the drivers or the measures' electricity move the reference off Wuhan's
    statistics; the 2021 and 2025 levels hold within 3 %."""
    el = electricity_yi_kwh
    got = (el[2025] / el[2021]) ** 0.25 - 1.0
    want = (WUHAN_ELECTRICITY_YI_KWH[2025] / WUHAN_ELECTRICITY_YI_KWH[2021]) ** 0.25 - 1.0
    assert abs(100 * (got - want)) <= 0.2, (got, want)
    for y, v in WUHAN_ELECTRICITY_YI_KWH.items():
        assert el[y] == pytest.approx(v, rel=0.03), (y, el[y], v)


def test_electricity_growth_2025_within_tolerance(electricity_yi_kwh):
    """Not a calibration target: the single year 2025 over 2024."""
    got = electricity_yi_kwh[2025] / electricity_yi_kwh[2024] - 1.0
    assert abs(100 * (got - WUHAN_ELECTRICITY_GROWTH_2025)) <= TOLERANCE_YEAR_PP, got


def test_coal_share_falls_as_in_wuhan_2020_to_2023(current_policy):
    """Coal in the coal-cap account (coal and coke, as the statistics count coking coal) over
    total energy: Wuhan's share fell 4.63 points from 2020 to 2023."""
    coal = current_policy["fuel_use"].sel(fuel=["coal", "coke"]).sum("fuel").to_series()
    share = 100 * coal / current_policy["energy_total"].to_series()
    got = share[2023] - share[2020]
    assert abs(got - WUHAN_COAL_SHARE_CHANGE_2020_2023_PP) <= TOLERANCE_YEAR_PP, got
