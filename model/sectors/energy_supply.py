r"""Energy supply (市发改委): heat supply, local generation and purchased grid electricity.

Heat (万tce of heat delivered) is produced locally, so the heat sector's fuel follows demand::

    energy[heat,f,d,y] += I_heat[f,y] * sum_{s} energy[s,heat,d,y]

Electricity is balanced for the city; what local plants and measures do not generate is bought
from the grid (万tce at 0.1229 kgce/kWh; 1 亿kWh = 1.229 万tce)::

    purchased[y] = sum_{s,d} energy[s,elec,d,y] - 1.229 * sum_{s,d} generation[s,d,y] >= 0

Purchased electricity brings its grid emissions into the target boundary (scope 2) and counts as
primary energy; local renewable power (solar, wind, new waste-to-energy: measures of kind
``renewable_generation``) counts as primary electricity. Every electricity term is on
the one basis of ``accounting.electricity``, in the energy total and in the non-fossil share
alike::

    co2_total[y]      += EF_grid[y] * purchased[y]
    energy_total[y]   += k[y] * (purchased[y] + 1.229 * (ren_base[y] + ren_new[y]))
    primary_energy[y] += k[y] * (purchased[y] + 1.229 * (ren_base[y] + ren_new[y]))
    non_fossil[y]     += k[y] * (nf_grid[y] * purchased[y] + 1.229 * (ren_base + ren_new))

with k = 1 (calorific equivalent) or k = grid coal rate / 122.9 (coal-equivalent method), and
ren_new dropped from energy_total when new renewables are excluded (the 2021 rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import key_cols, merge, numbered, sums_at
from peakpath.core.objective import add_taxed_cost
from peakpath.io.units import WAN_TCE_PER_YI_KWH


def add(ctx: Context) -> None:
    _heat_supply(ctx)
    _purchased_electricity(ctx)


def _heat_supply(ctx: Context) -> None:
    md, energy = ctx.md, ctx.ledger["energy"]
    heat_sectors = md.sector_ids(role="heat")
    heat_fuels = md.fuel_ids(("heat",))
    if not heat_sectors or md.heat_intensity.empty:
        return
    k = ctx.b.memo("heat_supply", HeatInputs(
        energy.index, heat_sectors, heat_fuels, key_cols(md.heat_intensity, ["fuel", "year"])),
        heat_terms)
    coef = md.heat_intensity["value"].to_numpy(float)[k["intensity_row"]]
    energy.add(energy.var.terms(k["terms"], coef, on={"sector": "user", "fuel": "heat_fuel"}))


def _purchased_electricity(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    acc = md.scenario.accounting
    energy, gen = led["energy"], led["generation"]
    k = ctx.b.memo("purchased_electricity", PurchaseInputs(
        md.all_years, md.grid["year"].tolist(), energy.index, md.fuel_ids(("electricity",)),
        key_cols(md.prices, ["fuel", "year"]), list(ctx.years),
        key_cols(md.activity, ["sector", "year"]),
        md.sector_ids(role="renewable_power"), led.stock.index,
        key_cols(md.effects, ["measure", "year", "kind"])), purchase_rows)
    years = k["years"]
    purchased = led.account("purchased_electricity", years, lb=0.0, unit="万tce",
                            doc="electricity bought from the grid (calorific equivalent)")
    purchased.add(energy.terms(k["electricity"]))
    purchased.add(gen.terms(gen.index, -WAN_TCE_PER_YI_KWH))
    rows, at_grid = k["grid_rows"], k["grid_years"]
    kk = np.ones(len(rows)) if acc["electricity"] == "equivalent" else \
        md.grid["kce"].to_numpy()[rows]
    led["co2_total"].add(purchased.terms(at_grid, md.grid["ef"].to_numpy(float)[rows]))
    led["energy_total"].add(purchased.terms(at_grid, kk))
    led["primary_energy"].add(purchased.terms(at_grid, kk))
    led["non_fossil"].add(purchased.terms(at_grid, kk * md.grid["nf_share"].to_numpy()[rows]))
    add_taxed_cost(ctx, "electricity", purchased.var, k["price"],
                   md.prices["value"].to_numpy(float)[k["price_rows"]])
    # local renewable power: existing solar and wind plants (a constant) and new renewable
    # generation of measures (solar, wind, waste-to-energy)
    ren = sums_at(md.activity["value"].to_numpy(float)[k["ren_rows"]], k["ren_groups"],
                  k["ren_at"])
    base = at_grid.assign(value=ren * WAN_TCE_PER_YI_KWH * kk)
    for name in ("energy_total", "primary_energy", "non_fossil"):
        led[name].add_constant(base)
    coef = md.effects["value"].to_numpy(float)[k["new_effect_rows"]] * WAN_TCE_PER_YI_KWH * \
        kk[k["new_grid_at"]]
    names = ["primary_energy", "non_fossil"]
    if not acc["exclude_new_renewables"]:
        names.append("energy_total")
    for name in names:
        led[name].add(led.stock.terms(k["new"], coef))


@dataclass(frozen=True)
class PurchaseInputs:
    years: list[int]  # all years
    grid_years: list[int]  # years of md.grid, in row order
    energy: pd.DataFrame  # sector, fuel, district, year: the energy account's index
    electricity: list[str]
    prices: pd.DataFrame  # fuel, year of md.prices, in row order
    model_years: list[int]
    activity: pd.DataFrame  # sector, year of md.activity, in row order
    renewable: list[str]  # sectors of existing renewable plants
    stock: pd.DataFrame  # measure, district, year: the stock block's index
    effects: pd.DataFrame  # measure, year, kind of md.effects, in row order


def purchase_rows(k: PurchaseInputs) -> dict[str, object]:
    """The entries of purchased electricity and where each reads its numbers: ``years``
    (the account's index), ``grid_rows`` and ``grid_years`` (the years the grid covers, its
    rows), ``electricity`` (energy entries of electricity), ``price``/``price_rows`` (the
    electricity prices of the model years), ``ren_*`` (existing renewable generation summed
    by year, read at the grid's years), ``new`` with ``new_effect_rows`` and
    ``new_grid_at`` (stock entries with a renewable-generation effect, its row in
    md.effects and the position of its year among ``grid_years``)."""
    years = pd.DataFrame({"year": k.years})
    grid = merge(years, numbered(pd.DataFrame({"year": k.grid_years}), "grid_row"),
                 on="year")
    at_grid = grid[["year"]]
    e = k.energy
    price = numbered(k.prices, "price_row")
    price = price[price["fuel"].isin(k.electricity) & price["year"].isin(k.model_years)]
    ren = np.flatnonzero(k.activity["sector"].isin(k.renewable).to_numpy())
    groups, uniques = pd.factorize(k.activity["year"].to_numpy()[ren], sort=True)
    rows = np.flatnonzero((k.effects["kind"] == "renewable_generation").to_numpy())
    eff = k.effects.iloc[rows][["measure", "year"]].assign(effect_row=rows)
    new = merge(k.stock, eff, on=["measure", "year"])
    new = merge(new, numbered(at_grid, "grid_at"), on="year")
    return {"years": years, "grid_rows": grid["grid_row"].to_numpy(), "grid_years": at_grid,
            "electricity": e[e["fuel"].isin(k.electricity)],
            "price": price[["fuel", "year"]], "price_rows": price["price_row"].to_numpy(),
            "ren_rows": ren, "ren_groups": groups,
            "ren_at": pd.Index(uniques).get_indexer(at_grid["year"]),
            "new": new[["measure", "district", "year"]],
            "new_effect_rows": new["effect_row"].to_numpy(),
            "new_grid_at": new["grid_at"].to_numpy()}


@dataclass(frozen=True)
class HeatInputs:
    energy: pd.DataFrame  # sector, fuel, district, year: the energy account's index
    heat_sectors: list[str]
    heat_fuels: list[str]  # the carriers of delivered heat
    intensity: pd.DataFrame  # fuel, year of md.heat_intensity, in its row order


def heat_terms(k: HeatInputs) -> dict[str, object]:
    """``terms``: each heat sector's fuel entry (sector, fuel, district, year) beside each
    user of heat in that district and year (user, heat_fuel); ``intensity_row``: the row of
    the heat intensity I_heat[f,y] that is its coefficient."""
    e = k.energy
    rows = e[e["sector"].isin(k.heat_sectors) & e["fuel"].isin(k.intensity["fuel"])]
    rows = merge(rows, numbered(k.intensity, "intensity_row"),
                 on=["fuel", "year"])
    users = e[e["fuel"].isin(k.heat_fuels) & ~e["sector"].isin(k.heat_sectors)]
    users = users.rename(columns={"sector": "user", "fuel": "heat_fuel"})
    f = merge(rows, users, on=["district", "year"])
    return {"terms": f.drop(columns="intensity_row"),
            "intensity_row": f["intensity_row"].to_numpy()}
