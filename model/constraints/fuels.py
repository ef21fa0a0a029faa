r"""Fuel targets (ids ``coal_cap``, ``oil_peak``, ``non_fossil_share``).

With fuel_use[f,y] (万tce, feedstock included) summed over the coal fuels of
``accounting.coal_fuels`` (default: raw coal and coke, as Chinese statistics count coking coal
in coal consumption) and over the oil fuels::

    sum_{f in coal} fuel_use[f,y] <= cap[Y]    for y >= Y until the next listed year  (coal_cap)
    sum_{f in oil} fuel_use[f,y] <= L_oil      for y > P                              (oil_peak)
    non_fossil[y] - share[Y] * primary_energy[y] >= 0     for y >= Y (persists) (non_fossil_share)

A coal cap "by Y" holds in every later year (``only: [Y]`` binds it in Y alone). The oil peak
compares against the fixed level L_oil (万tce; `peakpath.core.levels`), never against the
model's own year P. The non-fossil share counts every carrier on the one electricity basis of
``accounting.electricity`` (local renewable power, and the grid's non-fossil share of purchased
electricity). Shadow prices: CNY per tce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import merge
from peakpath.errors import InputError, Problem


def add(ctx: Context) -> None:
    t = ctx.settings["targets"]
    if t.get("coal_cap"):
        _coal_cap(ctx, t["coal_cap"])
    if t.get("oil_peak_year"):
        _oil_peak(ctx, int(t["oil_peak_year"]))
    if t.get("non_fossil_share"):
        _non_fossil(ctx, t["non_fossil_share"])


def _fuel_sum_terms(ctx: Context, fuels: list[str], frame: pd.DataFrame, coef: float = 1.0,
                    on: dict | None = None):
    use = ctx.ledger["fuel_use"]
    f = merge(frame, pd.DataFrame({"fuel": fuels}), how="cross")
    return use.terms(f, coef, on=on)


def _fuel_values(v: dict, fuels: list[str], years) -> np.ndarray:
    s = v["fuel_use"]
    idx = pd.MultiIndex.from_product([fuels, list(years)])
    return s.reindex(idx).to_numpy().reshape(len(fuels), -1).sum(axis=0)


def _coal_cap(ctx: Context, caps: dict) -> None:
    fuels = ctx.md.coal_fuels
    from peakpath.core.targets import persistent_caps

    f = persistent_caps(caps, ctx.years).assign(target="coal_cap")
    cap = f["cap"].to_numpy(float)
    f = f[["target", "year"]]
    ctx.targets.add("coal_cap", "coal_cap", f, [_fuel_sum_terms(ctx, fuels, f)], sense="le",
                    rhs=cap, unit="万tce", shadow_unit="CNY/tce",
                    report=lambda v: (cap, _fuel_values(v, fuels, f["year"])))


def _oil_peak(ctx: Context, peak: int) -> None:
    level = ctx.settings["targets"].get("oil_peak_level")
    if level is None:
        raise InputError([Problem(str(ctx.md.scenario.path), None, "targets.oil_peak_level",
                                  "level", "the oil peak needs its level: solve through "
                                  "peakpath.core.build / run, which finds it (model.levels), or "
                                  "state targets.oil_peak_level (万tce)", "缺少石油消费峰值水平")])
    fuels = ctx.md.fuel_ids(("oil",))
    f = pd.DataFrame({"target": "oil_peak", "year": [y for y in ctx.years if y > peak]})
    if f.empty:
        return
    lim = np.full(len(f), float(level))
    ctx.targets.add("oil_peak", "oil_peak", f, [_fuel_sum_terms(ctx, fuels, f)],
                    sense="le", rhs=lim, unit="万tce", shadow_unit="CNY/tce",
                    report=lambda v: (lim, _fuel_values(v, fuels, f["year"])))


def _non_fossil(ctx: Context, shares: dict) -> None:
    """A share "by Y" is a floor in Y and every later model year until the next listed year
    (``only: [Y]`` binds it in Y alone), like the caps."""
    from peakpath.core.targets import persistent_caps

    led = ctx.ledger
    f = persistent_caps(shares, ctx.years).assign(target="non_fossil_share")
    share = f["cap"].to_numpy(float)
    f = f[["target", "year"]]
    ctx.targets.add(
        "non_fossil_share", "non_fossil_share", f,
        [led["non_fossil"].terms(f), led["primary_energy"].terms(f, -share)],
        sense="ge", rhs=0.0, unit="万tce", shadow_unit="CNY/tce",
        report=lambda v: (share, v["non_fossil"].reindex(f["year"]).to_numpy()
                          / v["primary_energy"].reindex(f["year"]).to_numpy()),
        report_unit="1 (share)")
