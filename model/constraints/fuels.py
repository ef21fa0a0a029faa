r"""Fuel targets (ids ``coal_cap``, ``oil_peak``, ``non_fossil_share``).

With fuel_use[f,y] (万tce, feedstock included) summed over the coal fuels of
``accounting.coal_fuels`` (default: raw coal; coke from the steel works is its own carrier) and
over the oil fuels::

    sum_{f in coal} fuel_use[f,y] <= cap[y]                           (coal_cap)
    sum_{f in oil} fuel_use[f,y] <= sum_{f in oil} fuel_use[f,P]      for y > P  (oil_peak)
    non_fossil[y] - share[y] * primary_energy_ce[y] >= 0              (non_fossil_share)

The non-fossil share uses the coal-equivalent method (national statistical convention) and
counts the grid's non-fossil share of purchased electricity. Shadow prices: CNY per tce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.context import Context
from model.errors import InputError, Problem


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
    f = frame.merge(pd.DataFrame({"fuel": fuels}), how="cross")
    return use.terms(f, coef, on=on)


def _fuel_values(v: dict, fuels: list[str], years) -> np.ndarray:
    s = v["fuel_use"]
    idx = pd.MultiIndex.from_product([fuels, list(years)])
    return s.reindex(idx).to_numpy().reshape(len(fuels), -1).sum(axis=0)


def _coal_cap(ctx: Context, caps: dict) -> None:
    fuels = list(ctx.md.scenario.accounting["coal_fuels"])
    known = set(ctx.ledger["fuel_use"].index["fuel"])
    unknown = [f for f in fuels if f not in known]
    if unknown:
        raise InputError([Problem(str(ctx.md.scenario.path), None, "accounting.coal_fuels",
                                  "reference", f"coal fuels {unknown} are not burned fuels of "
                                  "the dataset", "煤炭品种代码无效")])
    f = pd.DataFrame({"target": "coal_cap", "year": [int(y) for y in caps]})
    cap = np.array([float(v) for v in caps.values()])
    ctx.targets.add("coal_cap", "coal_cap", f, [_fuel_sum_terms(ctx, fuels, f)], sense="le",
                    rhs=cap, unit="万tce", shadow_unit="CNY/tce",
                    report=lambda v: (cap, _fuel_values(v, fuels, f["year"])))


def _oil_peak(ctx: Context, peak: int) -> None:
    fuels = ctx.md.fuel_ids(("oil",))
    f = pd.DataFrame({"target": "oil_peak", "year": [y for y in ctx.years if y > peak]})
    if f.empty:
        return
    f["ref"] = peak
    ctx.targets.add("oil_peak", "oil_peak", f[["target", "year"]],
                    [_fuel_sum_terms(ctx, fuels, f),
                     _fuel_sum_terms(ctx, fuels, f, -1.0, on={"year": "ref"})],
                    sense="le", rhs=0.0, unit="万tce", shadow_unit="CNY/tce",
                    report=lambda v: (np.full(len(f), _fuel_values(v, fuels, [peak])[0]),
                                      _fuel_values(v, fuels, f["year"])))


def _non_fossil(ctx: Context, shares: dict) -> None:
    led = ctx.ledger
    f = pd.DataFrame({"target": "non_fossil_share", "year": [int(y) for y in shares]})
    share = np.array([float(v) for v in shares.values()])
    ctx.targets.add(
        "non_fossil_share", "non_fossil_share", f,
        [led["non_fossil"].terms(f), led["primary_energy_ce"].terms(f, -share)],
        sense="ge", rhs=0.0, unit="万tce", shadow_unit="CNY/tce",
        report=lambda v: (share, v["non_fossil"].reindex(f["year"]).to_numpy()
                          / v["primary_energy_ce"].reindex(f["year"]).to_numpy()),
        report_unit="1 (share)")
