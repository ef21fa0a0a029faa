"""Effects of one unit of each measure on the city's accounts, the one definition read by
results, MAC curves, wedges and measure accounts (`measure_unit_effects`)."""

from __future__ import annotations

import pandas as pd

from peakpath.core.baseline import COMBUSTIBLE, ModelData, delivered_prices
from peakpath.io.units import WAN_TCE_PER_YI_KWH


def measure_unit_effects(md: ModelData) -> pd.DataFrame:
    """Per measure and model year, per unit in use (columns measure, year, bill_per_unit 万元,
    co2_per_unit 万t CO2 on the target boundary, negative abates; energy_per_unit 万tce on
    the accounting rules). The one definition of a measure's effect per unit: results.nc
    carries it, and the MAC curve, wedges and measure accounts read it from there.

    Energy effects are burned fuel (the feedstock share applies to the baseline only) priced
    as delivered (network charge included); heat burns the heat sector's fuels; generation
    displaces purchased electricity at the grid factor and the energy price (the network
    charge is paid on consumption either way); process effects count per the target gases
    and the sinks switch."""
    acc = md.scenario.accounting
    grid = md.grid[["year", "ef", "kce"]].copy()
    grid["k"] = 1.0 if acc["electricity"] == "equivalent" else grid["kce"]
    eff = md.effects[md.effects["year"].isin(md.years)].merge(grid, on="year")
    combustible = set(md.fuel_ids(COMBUSTIBLE))
    elec = set(md.fuel_ids(("electricity",)))
    heat = set(md.fuel_ids(("heat",)))
    ef = md.emission_factor.set_index(["fuel", "year"])["value"]
    price = delivered_prices(md).set_index(["fuel", "year"])["value"]
    energy_price = md.prices.set_index(["fuel", "year"])["value"]
    # a unit of heat burns the heat sector's fuels
    hi = md.heat_intensity.merge(md.emission_factor.rename(columns={"value": "ef"}),
                                 on=["fuel", "year"], how="left").fillna({"ef": 0.0})
    hi = hi.merge(md.prices.rename(columns={"value": "p"}), on=["fuel", "year"], how="left")
    hi["co2"] = hi["value"] * hi["ef"]
    hi["bill"] = hi["value"] * hi["p"].fillna(0.0)
    hi["en"] = hi["value"].where(hi["fuel"].isin(combustible), 0.0)
    heat_y = hi.groupby("year")[["co2", "bill", "en"]].sum()
    rows = []
    for r in eff.itertuples(index=False):
        y, v = int(r.year), float(r.value)
        if r.kind == "energy" and r.item in combustible:
            # an energy effect is burned fuel: the feedstock share applies to the baseline
            # only (feedstock a measure adds is its own effect kind)
            co2 = v * float(ef.get((r.item, y), 0.0))
            en = v
            bill = v * float(price.get((r.item, y), 0.0))
        elif r.kind == "feedstock":
            co2 = 0.0
            en = 0.0 if acc["exclude_feedstock"] else v
            bill = v * float(price.get((r.item, y), 0.0))
        elif r.kind == "energy" and r.item in elec:
            co2, en, bill = v * r.ef, v * r.k, v * float(price.get((r.item, y), 0.0))
        elif r.kind == "energy" and r.item in heat:
            h = heat_y.loc[y] if y in heat_y.index else pd.Series({"co2": 0, "bill": 0, "en": 0})
            co2, en, bill = v * h["co2"], v * h["en"], v * h["bill"]
        elif r.kind in ("generation", "renewable_generation"):
            tce = v * WAN_TCE_PER_YI_KWH
            eprice = float(energy_price.get((next(iter(elec)), y), 0.0)) if elec else 0.0
            co2, bill = -tce * r.ef, -tce * eprice
            counted = r.kind == "generation" or not acc["exclude_new_renewables"]
            en = -tce * r.k + (tce * r.k if r.kind == "renewable_generation" and counted
                               else 0.0)
        elif r.kind == "process":
            counted = r.item == "CO2" or r.item in acc["target_gases"]
            sink = r.sector in set(md.sector_ids(role="sink"))
            co2 = v * md.gwp[r.item] if counted and (acc["count_sinks"] or not sink) else 0.0
            en = bill = 0.0
        else:
            co2 = en = bill = 0.0
        rows.append((r.measure, y, bill, co2, en))
    f = pd.DataFrame(rows, columns=["measure", "year", "bill_per_unit", "co2_per_unit",
                                    "energy_per_unit"])
    return f.groupby(["measure", "year"], as_index=False).sum()
