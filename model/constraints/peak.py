r"""Peak (id ``peak``): CO2 on the target boundary peaks no later than the peak year P.

With co2[y] the account ``co2_total`` (万t CO2), model years y and the fixed peak level L
(万t CO2: ``targets.peak.level``, by default the least-cost reference's CO2 in P, found by
`peakpath.core.levels` in a solve without any target)::

    co2[y] <= L                               for P < y <= P + plateau   (peak)
    co2[y] <= L * (1 - decline)^(y - P - plateau)   for y > P + plateau  (peak_decline)
    co2[y] <= L                               for y > P, if no decline rate is set (peak)
    co2[y] <= cap                             for every model year       (peak_cap)

and, only with ``form: true_max``::

    co2[y] - k[y] * co2[P] <= 0               for y > P                  (peak_max)

with k[y] = 1 up to P + plateau and (1 - decline)^(y - P - plateau) after.

The default form (``level``) is an exogenous cap path, as TIMES and MESSAGE bound emissions:
the fixed level comes from the least-cost reference (`peakpath.core.levels`), which nothing the
optimiser controls can move, and the pathway's own maximum is reported after the solve (the
run says so when the pathway is highest after P, below L). The ``true_max`` form also holds
every later year to the pathway's own CO2 in P; since co2[P] is a decision, the optimiser can
loosen later years by deferring abatement out of P (the second cold review found the 2017 plan
holding back public LED lighting and waste-to-energy in 2021–24 for it), so it is for testing
a pathway's shape, not for pricing a target. The cap holds in every year (the 2017 plan's
17,300 万t is a level the city's emissions never exceed).

Research mode (``year: free``, ``latest: L``) lets the model choose the peak year with binaries
p[y], y <= L, sum_y p[y] = 1, and a big-M of twice the largest reference emission::

    co2[y'] - co2[y] + M * p[y] <= M          for y < y'                 (peak)

Shadow prices are CNY per t CO2 in money of the constrained year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import merge
from peakpath.errors import InputError, Problem


def add(ctx: Context) -> None:
    p = ctx.settings["targets"].get("peak")
    if not p:
        return
    if p.get("year") == "free":
        _free_peak(ctx, p)
    else:
        _fixed_peak(ctx, p)


def _co2(ctx: Context):
    return ctx.ledger["co2_total"]


def _fixed_peak(ctx: Context, p: dict) -> None:
    co2 = _co2(ctx)
    P, years = int(p["year"]), ctx.years
    if p.get("level") is None:
        raise InputError([Problem(str(ctx.md.scenario.path), None, "targets.peak.level",
                                  "level", "the peak target needs its level: solve through "
                                  "peakpath.core.build / run, which finds it (model.levels), or "
                                  "state targets.peak.level (万t CO2)", "缺少峰值水平")])
    level = float(p["level"])
    decline = p.get("decline_rate")
    plateau = int(p.get("plateau_years") or 0)
    after = [y for y in years if y > P]
    flat = after if decline is None else [y for y in after if y <= P + plateau]
    falling = [] if decline is None else [y for y in after if y > P + plateau]
    for family, ys, k in (("peak", flat, lambda y: 1.0),
                          ("peak_decline", falling,
                           lambda y: (1.0 - float(decline)) ** (y - P - plateau))):
        if not ys:
            continue
        f = pd.DataFrame({"target": family, "year": ys})
        lim = level * np.array([k(y) for y in ys])
        ctx.targets.add(family, family, f, [co2.terms(f)], sense="le", rhs=lim, unit="万t",
                        shadow_unit="CNY/t CO2",
                        report=lambda v, f=f, lim=lim: (lim, _pick(v, "co2_total", f["year"])))
    if p.get("form", "level") == "true_max":
        _peak_max(ctx, P, after, lambda y: 1.0 if y <= P + plateau or decline is None
                  else (1.0 - float(decline)) ** (y - P - plateau))
    if p.get("cap") is not None:
        _peak_cap(ctx, float(p["cap"]), years[-1])


def _peak_max(ctx: Context, P: int, after: list[int], k) -> None:
    """co2[y] - k[y] co2[P] <= 0 for y > P: the pathway's CO2 from P on is highest in P."""
    if not after:
        return
    co2 = _co2(ctx)
    f = pd.DataFrame({"target": "peak_max", "year": after, "peak_year": P})
    kk = np.array([k(y) for y in after])
    keys = f[["target", "year"]]
    ctx.targets.add("peak", "peak_max", keys,
                    [co2.terms(f), co2.terms(f, -kk, on={"year": "peak_year"})],
                    sense="le", rhs=0.0, unit="万t", shadow_unit="CNY/t CO2",
                    report=lambda v: (kk * _pick(v, "co2_total", f["peak_year"]),
                                      _pick(v, "co2_total", f["year"])))


def _free_peak(ctx: Context, p: dict) -> None:
    co2, years = _co2(ctx), ctx.years
    latest = int(p["latest"])
    cand = pd.DataFrame({"peak_year": [y for y in years if y <= latest]})
    choose = ctx.b.add_var("peak_choice", cand, lb=0.0, ub=1.0, domain="binary",
                           doc="1 for the year the model chooses as the peak year")
    ctx.b.add_rows("res_peak_choice", pd.DataFrame({"one": [1]}),
                   [choose.terms(cand.assign(one=1))], lb=1.0, ub=1.0,
                   doc="exactly one peak year")
    # co2 differences never exceed the largest reference emission; 3x leaves room for
    # measures that add emissions (electrification on a coal-heavy grid)
    big_m = 3.0 * ctx.md.reference_co2_max()
    pairs = merge(cand, pd.DataFrame({"year": years}), how="cross")
    pairs = pairs[pairs["year"] > pairs["peak_year"]].reset_index(drop=True)
    pairs["target"] = "peak@" + pairs["peak_year"].astype(str)
    keys = pairs[["target", "year"]]
    ctx.targets.add("peak", "peak", keys,
                    [co2.terms(pairs), co2.terms(pairs, -1.0, on={"year": "peak_year"}),
                     choose.terms(pairs, big_m)],
                    sense="le", rhs=big_m, unit="万t", shadow_unit="CNY/t CO2",
                    report=lambda v, pr=pairs: (
                        _pick(v, "co2_total", pr["peak_year"]) + big_m * (
                            1 - _pick(v, "peak_choice", pr["peak_year"])),
                        _pick(v, "co2_total", pr["year"])))
    if p.get("cap") is not None:
        _peak_cap(ctx, float(p["cap"]), latest)


def _peak_cap(ctx: Context, cap: float, last: int) -> None:
    """No year up to ``last`` above the cap: the peak level, wherever it falls, stays under it."""
    co2 = _co2(ctx)
    f = pd.DataFrame({"target": "peak_cap", "year": [y for y in ctx.years if y <= last]})
    ctx.targets.add("peak_cap", "peak_cap", f, [co2.terms(f)], sense="le", rhs=cap,
                    unit="万t", shadow_unit="CNY/t CO2",
                    report=lambda v: (np.full(len(f), cap), _pick(v, "co2_total", f["year"])))


def _pick(values: dict, name: str, years) -> np.ndarray:
    s = values[name]
    return s.reindex(np.asarray(years)).to_numpy(float)


