"""Effects of one unit of each measure on the city's accounts, the one definition read by
results, MAC curves, wedges and measure accounts (`measure_unit_effects`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from peakpath.core.baseline import COMBUSTIBLE, ModelData, delivered_prices
from peakpath.core.frames import merge
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
    eff = merge(md.effects[md.effects["year"].isin(md.years)], grid, on="year")
    combustible = set(md.fuel_ids(COMBUSTIBLE))
    elec = set(md.fuel_ids(("electricity",)))
    heat = set(md.fuel_ids(("heat",)))
    ef = md.emission_factor.set_index(["fuel", "year"])["value"]
    price = delivered_prices(md).set_index(["fuel", "year"])["value"]
    energy_price = md.prices.set_index(["fuel", "year"])["value"]
    # a unit of heat burns the heat sector's fuels
    hi = merge(md.heat_intensity, md.emission_factor.rename(columns={"value": "ef"}),
               on=["fuel", "year"], how="left").fillna({"ef": 0.0})
    hi = merge(hi, md.prices.rename(columns={"value": "p"}), on=["fuel", "year"], how="left")
    hi["co2"] = hi["value"] * hi["ef"]
    hi["bill"] = hi["value"] * hi["p"].fillna(0.0)
    hi["en"] = hi["value"].where(hi["fuel"].isin(combustible), 0.0)
    heat_y = hi.groupby("year")[["co2", "bill", "en"]].sum()
    y = eff["year"].astype(int).to_numpy()
    v = eff["value"].to_numpy(float)
    item, kind = eff["item"], eff["kind"]
    at = pd.MultiIndex.from_arrays([item, y])
    ef_v = ef.reindex(at).fillna(0.0).to_numpy(float)
    price_v = price.reindex(at).fillna(0.0).to_numpy(float)
    hy = heat_y.reindex(y).fillna(0.0)
    grid_ef, grid_k = eff["ef"].to_numpy(float), eff["k"].to_numpy(float)
    elec_fuel = md.fuel_ids(("electricity",))[:1]
    eprice = (energy_price.reindex(pd.MultiIndex.from_arrays([elec_fuel * len(y), y]))
              .fillna(0.0).to_numpy(float) if elec_fuel else np.zeros(len(y)))
    tce = v * WAN_TCE_PER_YI_KWH
    energy = (kind == "energy").to_numpy()
    case = {  # which account rule applies to each effect row (first match wins)
        "burned": energy & item.isin(combustible).to_numpy(),
        "feedstock": (kind == "feedstock").to_numpy(),
        "electricity": energy & item.isin(elec).to_numpy(),
        "heat": energy & item.isin(heat).to_numpy(),
        "generation": kind.isin(["generation", "renewable_generation"]).to_numpy(),
        "process": (kind == "process").to_numpy(),
    }
    # new local renewables count in the energy total only when they are not excluded
    ren_counted = ((kind == "renewable_generation").to_numpy()
                   & (not acc["exclude_new_renewables"]))
    proc_counted = ((item == "CO2") | item.isin(acc["target_gases"])).to_numpy() & (
        acc["count_sinks"] | ~eff["sector"].isin(md.sector_ids(role="sink")).to_numpy())
    gwp = item.map(md.gwp).astype(float).fillna(0.0).to_numpy()
    conds = list(case.values())
    co2 = np.select(conds, [v * ef_v, 0.0, v * grid_ef, v * hy["co2"].to_numpy(),
                            -tce * grid_ef, np.where(proc_counted, v * gwp, 0.0)], 0.0)
    en = np.select(conds, [v, 0.0 if acc["exclude_feedstock"] else v, v * grid_k,
                           v * hy["en"].to_numpy(), -tce * grid_k + np.where(
                               ren_counted, tce * grid_k, 0.0), 0.0], 0.0)
    bill = np.select(conds, [v * price_v, v * price_v, v * price_v, v * hy["bill"].to_numpy(),
                             -tce * eprice, 0.0], 0.0)
    f = pd.DataFrame({"measure": eff["measure"].to_numpy(), "year": y, "bill_per_unit": bill,
                      "co2_per_unit": co2, "energy_per_unit": en})
    return f.groupby(["measure", "year"], as_index=False).sum()
