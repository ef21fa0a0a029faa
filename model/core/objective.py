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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from peakpath import pyomo_setup
from peakpath.core.baseline import COMBUSTIBLE
from peakpath.core.context import Context
from peakpath.core.frames import key_cols, merge, numbered, take_or_zero
from peakpath.core.ledger import discount_factors

UNDISCOUNTED = ("penalty",)


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    energy = led["energy"]
    pc = md.price_components
    k = ctx.b.memo("objective", ObjectiveInputs(
        energy.index, md.fuel_ids(COMBUSTIBLE), list(md.years),
        key_cols(md.prices, ["fuel", "year"]), key_cols(pc, ["fuel", "component", "year"])),
        objective_rows)
    add_taxed_cost(ctx, "fuel", energy.var, k["burned"],
                   md.prices["value"].to_numpy(float)[k["price_row"]])
    net = pc["value"].to_numpy(float)[k["network_row"]]
    nonzero = np.flatnonzero(net != 0)
    if len(nonzero):
        keys = k["network"].iloc[nonzero]
        ctx.b.add_cost_at("network", energy.var, energy.var.pos(keys),
                          keys["year"].to_numpy(int), net[nonzero])
    cp = md.carbon_price
    year, price = cp["year"].to_numpy(int), cp["value"].to_numpy(float)
    charged = np.flatnonzero(np.isin(year, md.years) & (price != 0))
    if len(charged):
        co2 = led["co2_total"].var
        ctx.b.add_cost_at("carbon", co2, co2.pos(cp.iloc[charged]), year[charged],
                          price[charged])
    ctx.cost = cost_vector(ctx)
    if ctx.b.pyomo:
        pyo = pyomo_setup.pyo()
        ctx.b.m.objective = pyo.Objective(expr=objective_expression(ctx), sense=pyo.minimize)


def add_taxed_cost(ctx: Context, component: str, var, keys: pd.DataFrame,
                   price: np.ndarray) -> None:
    """Register ``price`` (paid per unit of ``var`` at the entries ``keys``, with their fuel
    and year; tax included) as two components: the resource cost ``price − tax`` and the tax
    part of price_components (a transfer), which add up to the price. Zero parts are left
    out. Which tax row each entry reads is planned once per structure (`tax_rows`)."""
    pc = ctx.md.price_components
    k = ctx.b.memo(f"taxed_cost:{component}", TaxInputs(
        keys, key_cols(pc, ["fuel", "component", "year"])), tax_rows)
    keys = k["keys"]
    price = price[k["key_row"]]
    tax = take_or_zero(pc["value"].to_numpy(float), k["tax_row"])
    pos, year = var.pos(keys), keys["year"].to_numpy(int)
    for name, coef in ((component, price - tax), ("tax", tax)):
        at = np.flatnonzero(coef != 0)
        if len(at):
            ctx.b.add_cost_at(name, var, pos[at], year[at], coef[at])


@dataclass(frozen=True)
class TaxInputs:
    keys: pd.DataFrame  # the priced entries: the variable's dimensions with fuel and year
    components: pd.DataFrame  # fuel, component, year of md.price_components, in row order


def tax_rows(k: TaxInputs) -> dict[str, object]:
    """Each priced entry (``keys``; ``key_row``: its row of the given keys) beside the row of
    price_components holding its tax (``tax_row``; −1: untaxed)."""
    pc = numbered(k.components, "tax_row")
    tax = pc[pc["component"] == "tax"][["fuel", "year", "tax_row"]]
    f = merge(numbered(k.keys, "key_row"), tax, on=["fuel", "year"], how="left")
    return {"keys": f.drop(columns=["key_row", "tax_row"]), "key_row": f["key_row"].to_numpy(),
            "tax_row": f["tax_row"].fillna(-1).to_numpy().astype(np.int64)}


@dataclass(frozen=True)
class ObjectiveInputs:
    energy: pd.DataFrame  # sector, fuel, district, year: the energy account's index
    combustible: list[str]
    years: list[int]  # model years
    prices: pd.DataFrame  # fuel, year of md.prices, in row order
    components: pd.DataFrame  # fuel, component, year of md.price_components, in row order


def objective_rows(k: ObjectiveInputs) -> dict[str, object]:
    """The energy entries that buy fuel (``burned``: combustible fuels in the model years,
    with the row of their price, ``price_row``) and those that pay a network charge
    (``network``, with the row of price_components, ``network_row``)."""
    e = k.energy
    burned = e[e["fuel"].isin(k.combustible) & e["year"].isin(k.years)]
    burned = merge(burned, numbered(k.prices, "price_row"), on=["fuel", "year"])
    pc = numbered(k.components, "network_row")
    net = pc[(pc["component"] == "network") & pc["year"].isin(k.years)]
    network = merge(e[e["fuel"].isin(net["fuel"])], net[["fuel", "year", "network_row"]],
                    on=["fuel", "year"])
    return {"burned": burned.drop(columns="price_row"),
            "price_row": burned["price_row"].to_numpy(),
            "network": network.drop(columns="network_row"),
            "network_row": network["network_row"].to_numpy()}


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


def cost_vector(ctx: Context) -> np.ndarray:
    """Objective coefficient of every column of the builder (万元 present value per unit):
    c[j] = Σ_terms of j coef × weight, summed in the order the terms were registered."""
    c = np.zeros(ctx.b.n_cols)
    for t in ctx.b.costs:
        np.add.at(c, t.block.offset + t.var_pos, t.coef * cost_weights(ctx, t.component, t.year))
    return c


def objective_expression(ctx: Context) -> object:
    """The objective as a Pyomo ``LinearExpression`` over the columns with a cost."""
    c = ctx.cost
    cols = np.flatnonzero(c)
    data = np.concatenate([v.data for v in ctx.b.vars.values()])
    return pyomo_setup.linear_expression(c[cols].tolist(), data[cols].tolist())
