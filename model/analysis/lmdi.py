r"""Additive LMDI-I decomposition of a change in energy use (Ang 2004, *Energy Policy* 32:1131;
Ang 2005, *Energy Policy* 33:867).

Each group g (e.g. industry) uses energy E_g (万tce) and has an activity A_g in the unit of its
group (e.g. secondary value added, 亿元; or population, 万人). Groups whose activities are parts
of one aggregate Q (value added of the three sectors within GDP) share that aggregate; a group
that is its own aggregate (households, activity = population) has share 1. Then::

    E_g = Q_g · S_g · I_g          Q_g = aggregate of g's basis   S_g = A_g / Q_g   I_g = E_g / A_g

and the change from year 0 to year T splits exactly into three effects (万tce)::

    ΔE_act = Σ_g L(E_g^T, E_g^0) · ln(Q_g^T / Q_g^0)      activity  (GDP, population)
    ΔE_str = Σ_g L(E_g^T, E_g^0) · ln(S_g^T / S_g^0)      structure (shares of the aggregate)
    ΔE_int = Σ_g L(E_g^T, E_g^0) · ln(I_g^T / I_g^0)      intensity (energy per unit activity)
    ΔE_act + ΔE_str + ΔE_int = Σ_g (E_g^T − E_g^0) = ΔE

with the logarithmic mean L(a, b) = (a − b) / (ln a − ln b), L(a, a) = a. The sum is exact
because L(E^T, E^0) · ln(E^T / E^0) = E^T − E^0 and ln E = ln Q + ln S + ln I.

The group's annual intensity rate over n = T − 0 years (%/yr) is the rate that compounds to the
intensity ratio, recovered from its effect::

    r_g = 100 · (exp(ΔE_int,g / (L_g · n)) − 1) = 100 · ((I_g^T / I_g^0)^(1/n) − 1)

Zero energy in one of the years: L(a, 0) = 0 (Ang 2005's limit with a small value ε → 0), so a
group that appears or vanishes contributes nothing to the effects; its whole ΔE then falls
outside the decomposition, which the result reports (``residual``). Activities and aggregates
must be positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EFFECTS = ["activity", "structure", "intensity"]


def logmean(a: np.ndarray | pd.Series | float,
            b: np.ndarray | pd.Series | float) -> np.ndarray:
    """Logarithmic mean L(a, b) = (a − b)/(ln a − ln b), elementwise; L(a, a) = a and
    L(a, 0) = L(0, b) = 0 (a, b ≥ 0)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (a - b) / (np.log(a) - np.log(b))
    out = np.where(np.isclose(a, b, rtol=1e-12, atol=0.0), a, out)
    return np.where((a <= 0) | (b <= 0), 0.0, out)


def decompose(frame: pd.DataFrame) -> pd.DataFrame:
    """Additive LMDI-I effects per group.

    ``frame`` is indexed by group with columns ``energy_0``, ``energy_1`` (万tce),
    ``activity_0``, ``activity_1`` (the group's activity A_g) and ``aggregate_0``,
    ``aggregate_1`` (the aggregate Q_g its activity is a share of; equal to the activity for a
    group that is its own aggregate). Returns, per group, ``weight`` L(E^T, E^0), the effects
    ``activity``, ``structure``, ``intensity``, their sum ``effects``, ``delta_e`` = E^T − E^0
    and ``residual`` = delta_e − effects (0 unless a group's energy is 0 in one year)."""
    f = frame.astype(float)
    for col in ("activity_0", "activity_1", "aggregate_0", "aggregate_1"):
        if (f[col] <= 0).any():
            raise ValueError(f"LMDI needs positive {col}: {f.index[f[col] <= 0].tolist()}")
    w = logmean(f["energy_1"], f["energy_0"])
    share_0 = f["activity_0"] / f["aggregate_0"]
    share_1 = f["activity_1"] / f["aggregate_1"]
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.log((f["energy_1"] / f["activity_1"]) / (f["energy_0"] / f["activity_0"]))
    out = pd.DataFrame(index=f.index)
    out["weight"] = w
    out["activity"] = w * np.log(f["aggregate_1"] / f["aggregate_0"])
    out["structure"] = w * np.log(share_1 / share_0)
    out["intensity"] = np.where(w > 0, w * intensity, 0.0)
    out["effects"] = out[EFFECTS].sum(axis=1)
    out["delta_e"] = f["energy_1"] - f["energy_0"]
    out["residual"] = out["delta_e"] - out["effects"]
    return out


def intensity_rates(frame: pd.DataFrame, years: float) -> pd.DataFrame:
    """Each group's intensity effect (万tce) and its annual rate (%/yr) over ``years`` years
    (``frame`` as for `decompose`): rate = 100·(exp(effect / (L·years)) − 1)."""
    if years <= 0:
        raise ValueError("years must be positive")
    d = decompose(frame)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where(d["weight"] > 0, d["intensity"] / d["weight"], np.nan)
    return pd.DataFrame({"intensity_effect": d["intensity"],
                         "rate_pct_per_yr": 100.0 * np.expm1(log_ratio / years)},
                        index=d.index)
