"""Target rows: one mechanism shared by every target family.

A constraint module describes its rows (index frame with ``target`` id and ``year``, linear
terms, one-sided limits) and calls `TargetRegistry.add`. The registry

* creates the rows, and in elastic mode one priced slack per row (the shortfall), so an
  infeasible scenario still solves and says which target misses and by how much;
* remembers, per row, the family, the natural-unit limit and how to compute the achieved
  value, so results, summaries and recommendations all read the same table;
* turns duals into shadow prices: the extra discounted cost of tightening the target by one
  unit, expressed in money of the target's year (CNY per t CO2, per tce, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from peakpath.core.algebra import Builder, RowBlock, Terms, VarBlock

FAMILY_LABELS = {
    "peak": ("碳排放达峰", "CO2 peak"),
    "peak_cap": ("峰值上限", "Peak level cap"),
    "peak_decline": ("峰后下降", "Post-peak decline"),
    "energy_cap": ("能源消费总量", "Energy consumption cap"),
    "energy_intensity": ("能耗强度下降", "Energy-intensity reduction"),
    "carbon_intensity": ("碳排放强度下降", "Carbon-intensity reduction"),
    "carbon_cap": ("碳排放总量", "CO2 cap"),
    "coal_cap": ("煤炭消费总量", "Coal consumption cap"),
    "oil_peak": ("石油消费达峰", "Oil consumption peak"),
    "non_fossil_share": ("非化石能源占比", "Non-fossil share"),
    "limit": ("行业/区域限额", "Sector or district limit"),
}


@dataclass
class TargetRows:
    """One family's block of target rows."""

    family: str
    rows: RowBlock
    frame: pd.DataFrame  # target, year, family, sense, unit, shadow_unit
    #: solution values (block name -> Series on the block's index) -> (limit, achieved) in
    #: the target's natural unit; the limit may depend on the solution (a peak level)
    report: Callable[[dict[str, pd.Series]], tuple[np.ndarray, np.ndarray]]
    slack: VarBlock | None = None
    #: multiply a row dual (万元 PV per row unit) by this to get CNY per shadow_unit, before
    #: undiscounting to the target's year (e.g. 1e4 for a share row written in 万tce).
    dual_scale: float = 1.0


@dataclass
class TargetRegistry:
    b: Builder
    elastic: bool
    penalty: float
    blocks: list[TargetRows] = field(default_factory=list)

    def add(self, family: str, name: str, frame: pd.DataFrame, terms: list[Terms], *,
            sense: str, rhs: np.ndarray | float, unit: str, shadow_unit: str,
            report: Callable[[dict[str, pd.Series]], tuple[np.ndarray, np.ndarray]],
            report_unit: str | None = None, dual_scale: float = 1.0) -> TargetRows:
        """Rows ``sum(terms) <= rhs`` (sense "le") or ``>= rhs`` ("ge"), one per line of
        ``frame`` (columns ``target`` and ``year``: the row keys). ``report`` gives limit and
        achieved value in ``report_unit`` (default: the row unit) from a solution."""
        frame = frame.reset_index(drop=True)
        n = len(frame)
        rhs = np.broadcast_to(np.asarray(rhs, float), (n,)).copy()
        keys = frame[["target", "year"]]
        slack = None
        terms = list(terms)
        if self.elastic and n:
            slack = self.b.add_var(f"{name}_shortfall", keys, lb=0.0, unit=unit,
                                   doc=f"elastic-mode shortfall of {family} targets")
            terms.append(slack.terms(keys, -1.0 if sense == "le" else 1.0))
            self.b.add_cost("penalty", slack, keys.assign(coef=self.penalty))
        rows = self.b.add_rows(name, keys, terms, lb=rhs if sense == "ge" else None,
                               ub=rhs if sense == "le" else None, unit=unit,
                               doc=f"{family} target")
        out = frame.copy()
        out["family"] = family
        out["sense"] = sense
        out["unit"] = report_unit or unit
        out["row_unit"] = unit
        out["shadow_unit"] = shadow_unit
        block = TargetRows(family, rows, out, report, slack, dual_scale)
        self.blocks.append(block)
        return block

    # -- shapes shared by several families ----------------------------------------------------
    def add_cap(self, family: str, account, caps: dict, shadow_unit: str,
                years: list[int]) -> TargetRows:
        """``account[y] <= cap[y]`` for every model year ``y`` from the first year listed on:
        a cap "by year Y" holds from Y until a later listed year replaces it
        (`persistent_caps`); years named in ``caps["only"]`` bind in that year alone."""
        f = persistent_caps(caps, years).assign(target=family)[["target", "year", "cap"]]
        cap = f["cap"].to_numpy(float)
        f = f[["target", "year"]]
        return self.add(family, family, f, [account.terms(f)], sense="le", rhs=cap,
                        unit=account.var.unit, shadow_unit=shadow_unit,
                        report=lambda v: (cap, v[account.name].reindex(f["year"]).to_numpy()))

    def add_intensity(self, family: str, account, changes: dict, gdp: pd.Series,
                      base_year: int, shadow_unit: str, yearly: bool = False) -> TargetRows:
        """Intensity (account / GDP) of each plan-period end year T at most the *required*
        intensity, chained from the base year's statistics (`chained_intensity`)::

            account[T] - K_T * GDP[T] / GDP[base] * account[base] <= 0,
            K_T = prod over the plan periods up to T of (1 + r_period)

        The base year carries no decisions (its accounts are statistics), so no model year that
        the optimiser could inflate ever serves as a reference (GDP is data: the row is
        linear). With ``yearly`` every year y of a period S+1..T has a row, on the geometric
        path to the period's target (annual assessment, as the annual targets of the
        government work reports decompose a five-year one)::

            K_y = K_S * (1 + r_T) ^ ((y - S) / 5),   S = T - 5

        so that a target cannot be met by a step in its end year alone."""
        f = chained_intensity(changes, base_year)
        if yearly:
            f = yearly_intensity(f)
        f["target"] = family
        g_now = gdp.reindex(f["year"]).to_numpy()
        g_base = float(gdp[base_year])
        k = f["factor"].to_numpy() * g_now / g_base
        rate = f["rate"].to_numpy()  # the change due by the row's year since the period start
        start_factor = f["start_factor"].to_numpy()
        f["base"] = base_year

        def report(v):
            x = v[account.name]
            now = x.reindex(f["year"]).to_numpy() / g_now
            required_start = (x[base_year] / g_base) * start_factor
            return rate, now / required_start - 1.0

        return self.add(family, family, f[["target", "year"]],
                        [account.terms(f), account.terms(f, -k, on={"year": "base"})],
                        sense="le", rhs=0.0, unit=account.var.unit, shadow_unit=shadow_unit,
                        report=report, report_unit=(
                            "1 (change since the plan period's start, due by the year on the "
                            "geometric path to the period's target)" if yearly else
                            "1 (change over the plan period, from the required value of the "
                            "period before)"))


def persistent_caps(caps: dict, years: list[int]) -> pd.DataFrame:
    """Expand a cap mapping ``{Y: value, ..., "only": [years]}`` to one row per binding
    model year (columns year, cap): each listed year's value holds in every later model year
    until the next listed year, except the years in ``only``, which bind alone."""
    only = {int(y) for y in (caps.get("only") or [])}
    listed = sorted((int(y), float(v)) for y, v in caps.items() if y != "only")
    rows = []
    for i, (y, v) in enumerate(listed):
        if y in only:
            rows.append((y, v))
            continue
        later = [z for z, _ in listed[i + 1:] if z not in only]
        end = later[0] if later else max(years) + 1
        rows += [(z, v) for z in years if y <= z < end]
    out = pd.DataFrame(rows, columns=["year", "cap"])
    # a persistent cap and an `only` cap in the same year: the tighter one binds
    return out.groupby("year", as_index=False)["cap"].min()


def chained_intensity(changes: dict, base_year: int) -> pd.DataFrame:
    """The required intensity of each plan-period end year as a factor of the base year's
    (columns year, rate, factor): periods run five years back from each end year, a period
    without a target requires no change, and each target chains from the required value of
    the period before, e.g. {2025: -0.135, 2030: -0.135} gives factors 0.865 and 0.748."""
    listed = {int(y): float(v) for y, v in changes.items()}
    rows = []
    for y in sorted(listed):
        factor = 1.0
        t = y
        while t > base_year:
            factor *= 1.0 + listed.get(t, 0.0)
            t -= 5
        rows.append((y, listed[y], factor, factor / (1.0 + listed[y])))
    return pd.DataFrame(rows, columns=["year", "rate", "factor", "start_factor"])


def yearly_intensity(periods: pd.DataFrame) -> pd.DataFrame:
    """`chained_intensity`'s period-end rows spread over every year of their periods: year
    S + j (j = 1..5, S = T - 5) requires factor K_S * (1 + r_T)^(j/5), a change of
    (1 + r_T)^(j/5) - 1 since the period start (columns as `chained_intensity`'s)."""
    j = np.arange(1, 6)
    t = np.repeat(periods["year"].to_numpy(int), 5)
    r = np.repeat(periods["rate"].to_numpy(float), 5)
    k_start = np.repeat(periods["start_factor"].to_numpy(float), 5)
    step = np.tile(j, len(periods))
    due = (1.0 + r) ** (step / 5.0)
    return pd.DataFrame({"year": t - 5 + step, "rate": due - 1.0, "factor": k_start * due,
                         "start_factor": k_start})
