"""The additive LMDI-I decomposition (model/analysis/lmdi.py): a two-group case worked out by
hand and the exactness property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peakpath.analysis.lmdi import decompose, intensity_rates, logmean

# Two groups sharing one aggregate (GDP Q: 100 -> 150), years 0 -> 2:
#   a: E 100 -> 120, A 50 -> 60, S = A/Q 0.5 -> 0.4, I = E/A 2 -> 2
#   b: E  50 ->  80, A 50 -> 90, S 0.5 -> 0.6,       I 1 -> 8/9
# L_a = (120 − 100) / ln(120/100) = 20 / 0.1823216 = 109.6962990
# L_b = ( 80 −  50) / ln( 80/ 50) = 30 / 0.4700036 =  63.8292944
# activity  = (L_a + L_b) · ln 1.5 = 173.5255933 × 0.4054651 = 70.3585735
#             (a 44.4780217, b 25.8805517)
# structure = L_a · ln 0.8 + L_b · ln 1.2 = −24.4780217 + 11.6374563 = −12.8405654
# intensity = L_a · ln 1 + L_b · ln(8/9) = 0 + 63.8292944 × (−0.1177830) = −7.5180081
# sum = 70.3585735 − 12.8405654 − 7.5180081 = 50.0000000 = ΔE = 20 + 30
# annual intensity rate of b over 2 years: 100·((8/9)^(1/2) − 1) = −5.7190958 %/yr; a: 0
MICRO = pd.DataFrame(
    {"energy_0": [100.0, 50.0], "energy_1": [120.0, 80.0],
     "activity_0": [50.0, 50.0], "activity_1": [60.0, 90.0],
     "aggregate_0": [100.0, 100.0], "aggregate_1": [150.0, 150.0]},
    index=pd.Index(["a", "b"], name="group"))


def test_two_groups_by_hand():
    d = decompose(MICRO)
    assert d.loc["a", "weight"] == pytest.approx(109.6962990, abs=1e-6)
    assert d.loc["b", "weight"] == pytest.approx(63.8292944, abs=1e-6)
    assert d.loc["a", "activity"] == pytest.approx(44.4780217, abs=1e-6)
    assert d.loc["b", "activity"] == pytest.approx(25.8805517, abs=1e-6)
    assert d["activity"].sum() == pytest.approx(70.3585735, abs=1e-6)
    assert d.loc["a", "structure"] == pytest.approx(-24.4780217, abs=1e-6)
    assert d.loc["b", "structure"] == pytest.approx(11.6374563, abs=1e-6)
    assert d["structure"].sum() == pytest.approx(-12.8405654, abs=1e-6)
    assert d.loc["a", "intensity"] == pytest.approx(0.0, abs=1e-12)
    assert d.loc["b", "intensity"] == pytest.approx(-7.5180081, abs=1e-6)
    assert d["effects"].sum() == pytest.approx(50.0, rel=1e-12)
    r = intensity_rates(MICRO, 2)
    assert r.loc["a", "rate_pct_per_yr"] == pytest.approx(0.0, abs=1e-12)
    assert r.loc["b", "rate_pct_per_yr"] == pytest.approx(-5.7190958, abs=1e-6)
    assert r.loc["b", "intensity_effect"] == pytest.approx(-7.5180081, abs=1e-6)


def test_logmean_limits():
    assert logmean(3.0, 3.0) == pytest.approx(3.0)
    assert logmean(1.0, np.e) == pytest.approx((np.e - 1.0) / 1.0)
    assert logmean(0.0, 5.0) == 0.0
    assert logmean(5.0, 0.0) == 0.0


def test_effects_sum_exactly_to_the_change():
    rng = np.random.default_rng(9)
    n = 6
    frame = pd.DataFrame({
        "energy_0": rng.uniform(10, 1000, n), "energy_1": rng.uniform(10, 1000, n),
        "activity_0": rng.uniform(1, 100, n), "activity_1": rng.uniform(1, 100, n)})
    # groups 0–3 are parts of one aggregate (GDP), 4–5 their own (population-like)
    frame["aggregate_0"] = np.r_[np.full(4, frame["activity_0"][:4].sum()),
                                 frame["activity_0"][4:]]
    frame["aggregate_1"] = np.r_[np.full(4, frame["activity_1"][:4].sum()),
                                 frame["activity_1"][4:]]
    d = decompose(frame)
    assert d["effects"].to_numpy() == pytest.approx(d["delta_e"].to_numpy(), rel=1e-12)
    assert d["residual"].abs().max() < 1e-9
    assert d[["activity", "structure", "intensity"]].to_numpy().sum() == pytest.approx(
        (frame["energy_1"] - frame["energy_0"]).sum(), rel=1e-12)
    assert d.loc[[4, 5], "structure"].abs().max() == 0.0  # own aggregate: share stays 1
    # the rate compounds back to the intensity ratio
    r = intensity_rates(frame, 4)["rate_pct_per_yr"]
    ratio = (frame["energy_1"] / frame["activity_1"]) / (frame["energy_0"] / frame["activity_0"])
    assert ((1 + r / 100) ** 4).to_numpy() == pytest.approx(ratio.to_numpy(), rel=1e-12)


def test_a_group_without_energy_in_one_year_is_left_as_residual():
    frame = MICRO.copy()
    frame.loc["b", "energy_0"] = 0.0
    d = decompose(frame)
    assert d.loc["b", ["activity", "structure", "intensity"]].abs().max() == 0.0
    assert d.loc["b", "residual"] == pytest.approx(80.0)


def test_activity_must_be_positive():
    frame = MICRO.copy()
    frame.loc["a", "activity_1"] = 0.0
    with pytest.raises(ValueError, match="activity_1"):
        decompose(frame)
