"""Effects of one unit of each measure on the city's accounts, the one definition read by
results, MAC curves, wedges and measure accounts (`measure_unit_effects`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from peakpath.core import frames
from peakpath.core.algebra import LookupCache
from peakpath.core.baseline import COMBUSTIBLE, ModelData
from peakpath.io.units import WAN_TCE_PER_YI_KWH


def measure_unit_effects(md: ModelData, lookups: LookupCache | None = None) -> pd.DataFrame:
    """The effects per unit in use (`unit_effect_columns`) as one frame: measure, year,
    bill_per_unit, co2_per_unit, energy_per_unit."""
    keys, columns = unit_effect_columns(md, lookups)
    return keys.assign(**columns)


def unit_effect_columns(md: ModelData, lookups: LookupCache | None = None
                        ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per measure and model year, per unit in use: the keys (measure, year) and the columns
    bill_per_unit 万元, co2_per_unit 万t CO2 on the target boundary (negative abates) and
    energy_per_unit 万tce on the accounting rules. The one definition of a measure's effect
    per unit: results.nc carries it, and the MAC curve, wedges and measure accounts read it
    from there.

    Energy effects are burned fuel (the feedstock share applies to the baseline only) priced
    as delivered (network charge included); heat burns the heat sector's fuels; generation
    displaces purchased electricity at the grid factor and the energy price (the network
    charge is paid on consumption either way); process effects count per the target gases
    and the sinks switch. For effect row e of measure m in year y::

        co2[e]    = v·EF[f,y] (burned) | v·EF_grid[y] (electricity) | v·Σ_f h[f,y]·EF[f,y]
                    (heat) | −1.229·v·EF_grid[y] (generation) | v·GWP (counted process gas)
        energy[e] = v | v (feedstock, unless excluded) | v·k[y] | v·Σ_f h[f,y] (combustible)
                    | −1.229·v·k[y] (+ the same back for counted new renewables)
        bill[e]   = v·p[f,y] | v·Σ_f h[f,y]·p_f[f,y] (heat) | −1.229·v·p_elec[y]

    summed over the rows of (m, y); k = 1 or the coal-equivalent multiplier, 1.229 万tce per
    亿kWh. Which row reads which number depends on names only (`unit_effect_plan`); a batch
    reuses it through ``lookups``."""
    acc = md.scenario.accounting
    pc = md.price_components
    inputs = UnitEffectInputs(
        frames.key_cols(md.effects, ["measure", "kind", "item", "sector", "year"]), list(md.years),
        md.grid["year"].tolist(), frames.key_cols(md.emission_factor, ["fuel", "year"]),
        frames.key_cols(md.prices, ["fuel", "year"]),
        frames.key_cols(pc, ["fuel", "component", "year"]),
        frames.key_cols(md.heat_intensity, ["fuel", "year"]),
        md.fuel_ids(COMBUSTIBLE), md.fuel_ids(("electricity",)), md.fuel_ids(("heat",)),
        md.sector_ids(role="sink"),
        [bool(acc["exclude_new_renewables"]), bool(acc["count_sinks"]),
         *acc["target_gases"]],
        sorted(md.gwp.items()))
    plan = frames.planned(lookups, "unit_effect_plan", inputs, unit_effect_plan)
    v = md.effects["value"].to_numpy(float)[plan["row"]]
    grid_ef = md.grid["ef"].to_numpy(float)[plan["grid_row"]]
    grid_k = (np.ones(len(v)) if acc["electricity"] == "equivalent"
              else md.grid["kce"].to_numpy(float)[plan["grid_row"]])
    ef = md.emission_factor["value"].to_numpy(float)
    price = md.prices["value"].to_numpy(float)
    ef_v = frames.take_or_zero(ef, plan["ef_pos"])
    # delivered prices (`peakpath.core.baseline.delivered_prices`): price plus network charge
    delivered = price[plan["delivered_price"]] + frames.take_or_zero(
        pc["value"].to_numpy(float), plan["delivered_network"])
    price_v = frames.take_or_zero(delivered, plan["price_pos"])
    eprice = frames.take_or_zero(price, plan["eprice_pos"])
    hy = _heat_per_unit(md, plan)
    tce = v * WAN_TCE_PER_YI_KWH
    conds = [plan[c] for c in ("burned", "feedstock", "electricity", "heat", "generation",
                               "process")]
    co2 = np.select(conds, [v * ef_v, 0.0, v * grid_ef, v * hy["co2"], -tce * grid_ef,
                            np.where(plan["proc_counted"], v * plan["gwp"], 0.0)], 0.0)
    en = np.select(conds, [v, 0.0 if acc["exclude_feedstock"] else v, v * grid_k,
                           v * hy["en"], -tce * grid_k + np.where(
                               plan["ren_counted"], tce * grid_k, 0.0), 0.0], 0.0)
    bill = np.select(conds, [v * price_v, v * price_v, v * price_v, v * hy["bill"],
                             -tce * eprice, 0.0], 0.0)
    groups = plan["groups"]
    return plan["keys"], {"bill_per_unit": frames.group_sums(bill, groups, sort=True),
                          "co2_per_unit": frames.group_sums(co2, groups, sort=True),
                          "energy_per_unit": frames.group_sums(en, groups, sort=True)}


def _heat_per_unit(md: ModelData, plan: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per effect row, what one 万tce of heat burns in its year: CO2 (万t), bill (万元) and
    combustible energy (万tce), Σ_f h[f,y]·(EF, price, 1) over the heat sector's fuels."""
    h = md.heat_intensity["value"].to_numpy(float)[plan["heat_row"]]
    ef = md.emission_factor["value"].to_numpy(float)
    sums = {
        "co2": h * frames.take_or_zero(ef, plan["heat_ef"]),
        "bill": h * frames.take_or_zero(md.prices["value"].to_numpy(float), plan["heat_price"]),
        "en": np.where(plan["heat_combustible"], h, 0.0)}
    return {k: frames.sums_at(s, plan["heat_groups"], plan["heat_of_row"]) for k, s in sums.items()}


@dataclass(frozen=True)
class UnitEffectInputs:
    effects: pd.DataFrame  # measure, kind, item, sector, year of the effects, in row order
    years: list[int]  # model years
    grid_years: list[int]  # years of the grid table, in row order
    emission: pd.DataFrame  # fuel, year of the emission factors, in row order
    prices: pd.DataFrame  # fuel, year of the prices, in row order
    components: pd.DataFrame  # fuel, component, year of the price components, in row order
    heat: pd.DataFrame  # fuel, year of the heat sector's fuel intensity, in row order
    combustible: list[str]
    electricity: list[str]
    heat_fuels: list[str]
    sinks: list[str]  # sink sectors
    accounting: list  # exclude_new_renewables, count_sinks, then the target gases
    gwp: list  # (gas, GWP) pairs


def unit_effect_plan(k: UnitEffectInputs) -> dict[str, object]:
    """Which numbers each effect row of `measure_unit_effects` reads (``row`` of the effects,
    ``grid_row``; positions of its fuel and year in the emission factors, prices and the
    electricity price, −1 when absent), which account rule applies to it (first match wins),
    and how the rows add up: ``groups`` numbered by measure and year, sorted, and their
    ``keys`` (`frames.sorted_groups`)."""
    exclude_new_renewables, count_sinks, *gases = k.accounting
    eff = frames.numbered(k.effects, "row")
    eff = frames.merge(eff[eff["year"].isin(k.years)],
                       frames.numbered(pd.DataFrame({"year": k.grid_years}), "grid_row"),
                       on="year")
    y = eff["year"].astype(int).to_numpy()
    item, kind = eff["item"], eff["kind"]
    at = pd.MultiIndex.from_arrays([item, y])
    energy = (kind == "energy").to_numpy()
    delivered = _delivered_plan(k)
    delivered_keys = delivered.pop("delivered_keys")
    out: dict[str, object] = {
        "row": eff["row"].to_numpy(), "grid_row": eff["grid_row"].to_numpy(),
        **delivered, "price_pos": _positions(delivered_keys, at),
        "ef_pos": _positions(k.emission, at),
        "eprice_pos": _positions(k.prices, pd.MultiIndex.from_arrays(
            [k.electricity[:1] * len(y), y])) if k.electricity else np.full(len(y), -1),
        "burned": energy & item.isin(k.combustible).to_numpy(),
        "feedstock": (kind == "feedstock").to_numpy(),
        "electricity": energy & item.isin(k.electricity).to_numpy(),
        "heat": energy & item.isin(k.heat_fuels).to_numpy(),
        "generation": kind.isin(["generation", "renewable_generation"]).to_numpy(),
        "process": (kind == "process").to_numpy(),
        # new local renewables count in the energy total only when they are not excluded
        "ren_counted": (kind == "renewable_generation").to_numpy() & (
            not exclude_new_renewables),
        "proc_counted": ((item == "CO2") | item.isin(gases)).to_numpy() & (
            count_sinks | ~eff["sector"].isin(k.sinks).to_numpy()),
        "gwp": item.map(dict(k.gwp)).astype(float).fillna(0.0).to_numpy()}
    out.update(_heat_plan(k, y))
    keys = pd.DataFrame({"measure": eff["measure"].to_numpy(), "year": y})
    groups, keys = frames.sorted_groups(keys, ["measure", "year"])
    return out | {"groups": groups, "keys": keys}


def _delivered_plan(k: UnitEffectInputs) -> dict[str, np.ndarray]:
    """The delivered prices' rows, as `peakpath.core.baseline.delivered_prices` joins them:
    each price row (``delivered_price``) with its network charge (``delivered_network``, −1:
    none)."""
    pc = frames.numbered(k.components, "network_row")
    net = pc[pc["component"] == "network"][["fuel", "year", "network_row"]]
    d = frames.merge(frames.numbered(k.prices, "price_row"), net, on=["fuel", "year"], how="left")
    return {"delivered_price": d["price_row"].to_numpy(),
            "delivered_network": d["network_row"].fillna(-1).to_numpy().astype(np.int64),
            "delivered_keys": d[["fuel", "year"]]}


def _heat_plan(k: UnitEffectInputs, y: np.ndarray) -> dict[str, np.ndarray]:
    """Rows of the heat sector's fuel intensity with the positions of their emission factor
    and price (−1: none), their years numbered in sorted order and the number of each effect
    row's year (the sorted groupby by year they replace)."""
    hi = frames.merge(frames.numbered(k.heat, "heat_row"),
                      frames.numbered(k.emission, "ef_row"), on=["fuel", "year"], how="left")
    hi = frames.merge(hi, frames.numbered(k.prices, "price_row"), on=["fuel", "year"], how="left")
    groups, years = pd.factorize(hi["year"].to_numpy(), sort=True)
    years = pd.Index(years)
    return {"heat_row": hi["heat_row"].to_numpy(),
            "heat_ef": hi["ef_row"].fillna(-1).to_numpy().astype(np.int64),
            "heat_price": hi["price_row"].fillna(-1).to_numpy().astype(np.int64),
            "heat_combustible": hi["fuel"].isin(k.combustible).to_numpy(),
            "heat_groups": groups, "heat_of_row": years.get_indexer(y)}


def _positions(keys: pd.DataFrame, at: pd.MultiIndex) -> np.ndarray:
    """Row of ``keys`` (fuel, year; unique) at each of ``at``, −1 where there is none."""
    rows = pd.Series(np.arange(len(keys)), index=pd.MultiIndex.from_frame(keys))
    return rows.reindex(at).fillna(-1).to_numpy().astype(np.int64)
