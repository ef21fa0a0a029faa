r"""Objective: the discounted cost of the pathway (万元, present value in base-year money).

    min  sum_y DF[y] * ( sum_{m,d,v: v <= y < v+L_m} CRF(h_m, L_m) * capex[m,v] * build[m,d,v]
                       + sum_{m,d} (om[m] + hidden[m]) * stock[m,d,y]
                       + sum_{s,f,d} price[f,y] * energy[s,f,d,y]        (fuels bought)
                       + price[elec,y] * purchased_electricity[y]
                       + network[elec,y] * sum_{s,d} energy[s,elec,d,y]   (grid charges)
                       + carbon_price[y] * co2_total[y]
                       - project value[p,y] * online[p,y] )
         + penalty * sum(shortfall)                                       (elastic mode only)

Every carrier is priced on one basis: the price its user pays (taxes included) plus, for
electricity, the transmission and distribution charge on every kWh used, local or imported.
The cost is reported by component: resource costs (capex at the social rate, om, fuel and
electricity net of tax, network), the efficiency gap (hurdle, hidden), transfers (tax, carbon)
and project value; the components add up to the objective.

    DF[y] = (1 + r)^-(y - base),   CRF(r, L) = r / (1 - (1 + r)^-L)

Capex is annualised over each build's lifetime and only the annuities of years inside the
horizon are counted, so a late build is not charged for years the model does not see. The
penalty on shortfalls is not discounted: a missed target costs the same in every year.
Each module registers its costs with `Builder.add_cost`; this module adds fuel and carbon
costs and assembles the single objective.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from peakpath.core.baseline import COMBUSTIBLE
from peakpath.core.context import Context
from peakpath.core.frames import merge
from peakpath.core.ledger import discount_factors

UNDISCOUNTED = ("penalty",)


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    energy = led["energy"]
    burned = energy.index[energy.index["fuel"].isin(md.fuel_ids(COMBUSTIBLE))
                          & energy.index["year"].isin(md.years)]
    burned = merge(burned, md.prices.rename(columns={"value": "coef"}), on=["fuel", "year"])
    add_taxed_cost(ctx, "fuel", energy.var, burned)
    pc = md.price_components
    net = pc[(pc["component"] == "network") & pc["year"].isin(md.years)]
    elec = merge(energy.index[energy.index["fuel"].isin(net["fuel"])],
                 net.rename(columns={"value": "coef"})[["fuel", "year", "coef"]],
                 on=["fuel", "year"])
    ctx.b.add_cost("network", energy.var, elec[elec["coef"] != 0])
    cp = md.carbon_price[md.carbon_price["year"].isin(md.years)]
    cp = cp[cp["value"] != 0].rename(columns={"value": "coef"})
    ctx.b.add_cost("carbon", led["co2_total"].var, cp)
    ctx.cost = cost_vector(ctx)
    if ctx.b.pyomo:
        ctx.b.m.objective = pyo.Objective(expr=objective_expression(ctx), sense=pyo.minimize)


def add_taxed_cost(ctx: Context, component: str, var, frame: pd.DataFrame) -> None:
    """Register ``frame.coef`` (a price paid, tax included) as two components: the resource
    cost and the tax part of price_components (a transfer), which add up to the price."""
    pc = ctx.md.price_components
    tax = pc[pc["component"] == "tax"][["fuel", "year", "value"]].rename(
        columns={"value": "tax"})
    f = merge(frame, tax, on=["fuel", "year"], how="left").fillna({"tax": 0.0})
    resource = f.assign(coef=f["coef"] - f["tax"])
    ctx.b.add_cost(component, var, resource[resource["coef"] != 0])
    ctx.b.add_cost("tax", var, f.assign(coef=f["tax"])[f["tax"] != 0])


def cost_weights(ctx: Context, component: str, year: np.ndarray) -> np.ndarray:
    """Weight in the objective of a cost in each ``year``: the discount factor
    (1 + r)^-(y - base) of a model year, 1 for an undiscounted component."""
    if component in UNDISCOUNTED:
        return np.ones(len(year))
    md = ctx.md
    years = np.asarray(md.years)
    factor = discount_factors(md.scenario.discount_rate, md.years, md.base_year)
    at = np.searchsorted(years, year)
    if len(year) and (at.max() >= len(years) or (years[np.minimum(at, len(years) - 1)]
                                                 != year).any()):
        raise KeyError(f"{component}: a cost falls outside the model years")
    return factor[at]


def cost_frame(ctx: Context) -> pd.DataFrame:
    """All registered cost terms: component, block, pos, year, coef (undiscounted 万元),
    and df (the weight in the objective)."""
    parts = [pd.DataFrame({"component": c.component, "block": c.block.name, "pos": c.var_pos,
                           "year": c.year, "coef": c.coef,
                           "weight": cost_weights(ctx, c.component, c.year)})
             for c in ctx.b.costs]
    return pd.concat(parts, ignore_index=True)


def cost_vector(ctx: Context) -> np.ndarray:
    """Objective coefficient of every column of the builder (万元 present value per unit):
    c[j] = Σ_terms of j coef × weight, summed in the order the terms were registered."""
    c = np.zeros(ctx.b.n_cols)
    for t in ctx.b.costs:
        np.add.at(c, t.block.offset + t.var_pos, t.coef * cost_weights(ctx, t.component, t.year))
    return c


def objective_expression(ctx: Context) -> LinearExpression:
    c = ctx.cost
    cols = np.flatnonzero(c)
    data = np.concatenate([v.data for v in ctx.b.vars.values()])
    return LinearExpression(constant=0.0, linear_coefs=c[cols].tolist(),
                            linear_vars=data[cols].tolist())
