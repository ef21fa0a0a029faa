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
from peakpath.core.frames import merge, numbered
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
    k = ctx.b.memo("heat_supply", HeatInputs(energy.index, heat_sectors, heat_fuels,
                                             md.heat_intensity[["fuel", "year"]]), heat_terms)
    coef = md.heat_intensity["value"].to_numpy(float)[k["intensity_row"]]
    energy.add(energy.var.terms(k["terms"], coef, on={"sector": "user", "fuel": "heat_fuel"}))


def _purchased_electricity(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    acc = md.scenario.accounting
    years = pd.DataFrame({"year": md.all_years})
    grid = merge(years, md.grid, on="year")
    purchased = led.account("purchased_electricity", years, lb=0.0, unit="万tce",
                            doc="electricity bought from the grid (calorific equivalent)")
    energy, gen = led["energy"], led["generation"]
    elec = md.fuel_ids(("electricity",))
    purchased.add(energy.terms(energy.index[energy.index["fuel"].isin(elec)]))
    purchased.add(gen.terms(gen.index, -WAN_TCE_PER_YI_KWH))
    led["co2_total"].add(purchased.terms(grid, "ef"))
    grid = grid.assign(k=np.ones(len(grid)) if acc["electricity"] == "equivalent"
                       else grid["kce"].to_numpy())
    led["energy_total"].add(purchased.terms(grid, "k"))
    led["primary_energy"].add(purchased.terms(grid, "k"))
    led["non_fossil"].add(purchased.terms(grid, (grid["k"] * grid["nf_share"]).to_numpy()))
    price = md.prices[md.prices["fuel"].isin(elec) & md.prices["year"].isin(ctx.years)]
    add_taxed_cost(ctx, "electricity", purchased.var, price.rename(columns={"value": "coef"}))
    # local renewable power: existing solar and wind plants (a constant) and new renewable
    # generation of measures (solar, wind, waste-to-energy)
    ren_base = md.activity[md.activity["sector"].isin(md.sector_ids(role="renewable_power"))]
    ren_base = ren_base.groupby("year", as_index=False)["value"].sum()
    ren_base = merge(years, ren_base, on="year", how="left").fillna({"value": 0.0})
    ren_base = merge(ren_base, grid[["year", "k"]], on="year")
    base = ren_base.assign(value=ren_base["value"] * WAN_TCE_PER_YI_KWH * ren_base["k"])
    for name in ("energy_total", "primary_energy", "non_fossil"):
        led[name].add_constant(base)
    eff = md.effects[md.effects["kind"] == "renewable_generation"]
    new = merge(led.stock.index, eff[["measure", "year", "value"]], on=["measure", "year"])
    new = merge(new, grid[["year", "k"]], on="year")
    coef = (new["value"] * WAN_TCE_PER_YI_KWH * new["k"]).to_numpy()
    names = ["primary_energy", "non_fossil"]
    if not acc["exclude_new_renewables"]:
        names.append("energy_total")
    for name in names:
        led[name].add(led.stock.terms(new, coef))


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
