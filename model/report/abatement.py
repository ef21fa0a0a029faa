r"""What each measure abates and at what cost: the marginal abatement cost (MAC) curve and the
abatement wedges, from the model data (`peakpath.core.baseline.derive`) and a solved pathway.

The accounting is the model's own (`peakpath.core.ledger`, `model.sectors`), so the wedges add up
exactly to the gap between the reference path and the solved CO2. Per unit of measure m in use
in year y, with its effects e[m,·] per unit (measure_effects.csv):

    ΔC[m,y] = Σ_{s,f} e_energy[m,s,f] · c[s,f,y]          energy use (万tce) × CO2 per 万tce
            − 1.229 · e_gen[m] · EF_grid[y]                local generation displaces purchases
            + Σ_{s,g} e_process[m,s,g] · w[s,g]            process CO2, capture, sinks, non-CO2

    c[s,f,y] = EF[f,y] · (1 − fs[s,f])     a burned fuel (fs: feedstock share, not burned)
             = EF_grid[y]                  electricity (the city buys what it does not make)
             = Σ_f' I_heat[f',y] · c[heat,f',y]   heat (made locally from the heat sector's fuels)
    w[s,g]   = 1 for CO2 (0 in a sink sector when sinks are not counted), GWP100 of g when the
               scenario's targets count g, 0 otherwise

    ΔB[m,y] = Σ_{s,f} e_energy[m,s,f] · p[f,y] − 1.229 · e_gen[m] · p_elec[y]     (万元/yr)

with 1.229 万tce per 亿kWh (calorific equivalent), EF in t CO2/tce, prices p in CNY/tce
(= 万元 per 万tce; heat costs its fuels). The abatement per unit is a[m,y] = −ΔC[m,y] in 万t CO2
per unit per year, counted on the scenario's target boundary (scope 1 + purchased electricity,
net of sinks when counted, plus the non-CO2 gases the scenario targets).

Levelised cost of abatement, CNY per t CO2 (= 万元 per 万t):

    LCOA[m,y] = (CRF(r, L_m) · capex[m,y] + om_m + ΔB[m,y]) / a[m,y]
    CRF(r, L) = r / (1 − (1 + r)^−L)

with r the scenario's discount rate, capex in 万元 per unit (of a build in year y) and O&M in
万元 per unit per year. The carbon price is left out: it is what the curve is read against.
A measure's width on the curve is its abatement at its potential in year y,
a[m,y] × potential[m,y] (万t CO2/yr); a[m,y] × adoption[m,y] of it is taken up in the pathway.

Wedges: W[m,y] = a[m,y] · adoption[m,y]. Major projects add P[p,y] = ΔC[p,y] · online[p,y]
(the same formula over the project's effects), so that

    co2_total[y] = co2_reference[y] + Σ_p P[p,y] − Σ_m W[m,y].
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from peakpath.core.baseline import COMBUSTIBLE, ModelData, delivered_prices
from peakpath.core.ledger import capital_recovery_factor
from peakpath.core.unit_effects import measure_unit_effects
from peakpath.io.units import WAN_TCE_PER_YI_KWH

GENERATION_KINDS = ("generation", "renewable_generation")


def _carrier_rows(md: ModelData, rows: pd.DataFrame) -> pd.DataFrame:
    """CO2 (万t) and bill (万元) of using ``rows.value`` 万tce of carrier ``fuel`` in
    ``sector`` and ``year``; heat is expanded into the heat sector's fuels first."""
    heat = md.fuel_ids(("heat",))
    heat_sectors = md.sector_ids(role="heat")
    is_heat = rows["fuel"].isin(heat)
    parts = [rows[~is_heat]]
    if is_heat.any() and heat_sectors:
        k = md.heat_intensity.rename(columns={"value": "k", "fuel": "heat_fuel"})
        h = rows[is_heat].merge(k, on="year")
        parts.append(h.assign(sector=heat_sectors[0], fuel=h["heat_fuel"],
                              value=h["value"] * h["k"])[rows.columns])
    f = pd.concat(parts, ignore_index=True)
    f = f.merge(md.emission_factor.rename(columns={"value": "ef"}), on=["fuel", "year"],
                how="left")
    f = f.merge(delivered_prices(md).rename(columns={"value": "price"}), on=["fuel", "year"],
                how="left")
    f = f.merge(md.grid[["year", "ef"]].rename(columns={"ef": "grid_ef"}), on="year")
    burned = f["fuel"].isin(md.fuel_ids(COMBUSTIBLE)).to_numpy()
    elec = f["fuel"].isin(md.fuel_ids(("electricity",))).to_numpy()
    v = f["value"].to_numpy(float)
    # energy effects are burned fuel (the feedstock share applies to the baseline only)
    co2 = np.where(burned, v * f["ef"].fillna(0.0),
                   np.where(elec, v * f["grid_ef"], 0.0))
    return f.assign(co2=co2, bill=v * f["price"].fillna(0.0).to_numpy())


def effects_per_unit(md: ModelData, effects: pd.DataFrame, key: str) -> pd.DataFrame:
    """ΔC (``co2``, 万t CO2 on the target boundary) and ΔB (``bill``, 万元) per unit of each
    item (column ``key``: measure or project) and model year. ``effects`` has columns key,
    kind, item, sector (filled), value in canonical units per unit."""
    years = pd.DataFrame({"year": md.years})
    # measure effects are per year already (technology stocks); project effects are not
    e = (effects[effects["year"].isin(md.years)] if "year" in effects
         else effects.merge(years, how="cross"))
    out = []
    en = e[e["kind"] == "energy"]
    if len(en):
        rows = en[[key, "sector", "item", "year", "value"]].rename(columns={"item": "fuel"})
        out.append(_carrier_rows(md, rows)[[key, "year", "co2", "bill"]])
    gen = e[e["kind"].isin(GENERATION_KINDS)]
    if len(gen):
        # generation of 1 亿kWh saves 1.229 万tce of purchased electricity
        rows = gen[[key, "sector", "year"]].assign(
            fuel=md.fuel_ids(("electricity",))[0],
            value=-WAN_TCE_PER_YI_KWH * gen["value"].to_numpy(float))
        out.append(_carrier_rows(md, rows)[[key, "year", "co2", "bill"]])
    pr = e[e["kind"] == "process"]
    if len(pr):
        out.append(pr[[key, "year"]].assign(co2=pr["value"].to_numpy(float)
                                            * _gas_weights(md, pr), bill=0.0))
    if not out:
        return pd.DataFrame(columns=[key, "year", "co2", "bill"])
    return pd.concat(out, ignore_index=True).groupby([key, "year"], as_index=False)[
        ["co2", "bill"]].sum()


def _gas_weights(md: ModelData, process: pd.DataFrame) -> np.ndarray:
    """w[s,g]: how much a 万t of gas g in sector s counts on the target boundary."""
    acc = md.scenario.accounting
    sinks = set(md.sector_ids(role="sink"))
    gas = process["item"].to_numpy()
    in_sink = process["sector"].isin(sinks).to_numpy()
    w = np.array([md.gwp.get(g, 0.0) if g in acc["target_gases"] else 0.0 for g in gas])
    w = np.where(gas == "CO2", 1.0, w)
    return np.where((gas == "CO2") & in_sink & (not acc["count_sinks"]), 0.0, w)


def measure_effects_per_unit(md: ModelData, ds: xr.Dataset | None = None) -> pd.DataFrame:
    """Abatement per unit a[m,y] (万t CO2 per unit per yr, positive abates) and ΔB[m,y] (万元
    per unit per yr) of every measure and model year: read from the results (the model's one
    definition, `peakpath.core.unit_effects`), computed from the model data only for results written
    before they carried it."""
    if ds is not None and "measure_co2_per_unit" in ds:
        co2 = ds["measure_co2_per_unit"].to_series().rename("co2")
        bill = ds["measure_bill_per_unit"].to_series().rename("bill")
        f = pd.concat([co2, bill], axis=1).reset_index()
    else:
        f = measure_unit_effects(md).rename(columns={"co2_per_unit": "co2",
                                                     "bill_per_unit": "bill"})
    full = md.measures[["measure"]].merge(pd.DataFrame({"year": md.years}), how="cross")
    f = full.merge(f[["measure", "year", "co2", "bill"]], on=["measure", "year"],
                   how="left").fillna({"co2": 0.0, "bill": 0.0})
    return f.assign(abatement=-f["co2"])[["measure", "year", "abatement", "bill"]]


def project_co2_per_unit(md: ModelData) -> pd.DataFrame:
    """ΔC[p,y]: CO2 a major project adds to the target boundary when online (万t/yr)."""
    pe = md.project_effects.merge(md.projects[["project", "sector"]], on="project")
    if pe.empty:
        return pd.DataFrame(columns=["project", "year", "co2"])
    return effects_per_unit(md, pe, "project")[["project", "year", "co2"]]


def mac_curve(md: ModelData, ds: xr.Dataset, year: int) -> pd.DataFrame:
    """The MAC curve of ``year``: one row per measure available then whose abatement per unit
    is positive, sorted by levelised cost. Columns: measure, group, name_zh, name_en, unit,
    abatement_per_unit (万t CO2/unit/yr), annuity, om, bill (万元/unit/yr), lcoa (CNY/t CO2),
    potential and adoption (measure units), potential_abatement and adopted_abatement
    (万t CO2/yr), and the cumulative width at the bar's right edge."""
    if year not in md.years:
        raise ValueError(f"year {year} is outside the model years {md.years[0]}–{md.years[-1]}")
    meas = md.measures.set_index("measure")
    unit = measure_effects_per_unit(md, ds)
    unit = unit[unit["year"] == year].set_index("measure")
    cap = md.capex[md.capex["year"] == year].set_index("measure")["value"]
    pot = md.potential[md.potential["year"] == year].groupby("measure")["value"].sum()
    adopted = ds["adoption"].sel(year=year).sum("district").to_series()
    ids = [m for m in meas.index if meas.loc[m, "first_year"] <= year and pot.get(m, 0.0) > 0
           and unit.loc[m, "abatement"] > 1e-12]
    f = pd.DataFrame({"measure": ids})
    f["group"] = meas.loc[ids, "group"].to_numpy()
    for col in ("name_zh", "name_en", "unit"):
        f[col] = meas.loc[ids, col].to_numpy()
    f["abatement_per_unit"] = unit.loc[ids, "abatement"].to_numpy()
    life = meas.loc[ids, "lifetime"].to_numpy(int)
    f["annuity"] = capital_recovery_factor(md.scenario.discount_rate, life) * cap.loc[
        ids].to_numpy()
    f["om"] = meas.loc[ids, "om"].to_numpy(float)
    f["bill"] = unit.loc[ids, "bill"].to_numpy()
    f["lcoa"] = (f["annuity"] + f["om"] + f["bill"]) / f["abatement_per_unit"]
    f["potential"] = pot.loc[ids].to_numpy()
    f["adoption"] = np.clip(adopted.reindex(ids).fillna(0.0).to_numpy(), 0.0, None)
    f["potential_abatement"] = f["potential"] * f["abatement_per_unit"]
    f["adopted_abatement"] = f["adoption"] * f["abatement_per_unit"]
    f = f.sort_values(["lcoa", "measure"]).reset_index(drop=True)
    f["cumulative"] = f["potential_abatement"].cumsum()
    return f


def wedges(md: ModelData, ds: xr.Dataset) -> xr.Dataset:
    """Abatement wedges W[year, measure] (万t CO2/yr, positive abates) and the CO2 that major
    projects add, P[year, project], on the model years."""
    unit = measure_effects_per_unit(md, ds)
    a = unit.pivot(index="year", columns="measure", values="abatement")
    years = md.years
    measures = ds["measure"].values.tolist()
    a = xr.DataArray(a.reindex(index=years, columns=measures).fillna(0.0).to_numpy(),
                     dims=["year", "measure"], coords={"year": years, "measure": measures})
    adoption = ds["adoption"].sum("district").sel(year=years)
    out = xr.Dataset({"wedge": a * adoption})
    out["wedge"].attrs = {"units": "万t CO2/yr", "long_name": "CO2 abated by each measure"}
    pc = project_co2_per_unit(md)
    if "project_online" in ds and len(pc):
        p = pc.pivot(index="year", columns="project", values="co2")
        projects = ds["project"].values.tolist()
        p = xr.DataArray(p.reindex(index=years, columns=projects).fillna(0.0).to_numpy(),
                         dims=["year", "project"], coords={"year": years, "project": projects})
        out["project_co2"] = p * ds["project_online"].sel(year=years)
        out["project_co2"].attrs = {"units": "万t CO2/yr", "long_name": "CO2 added by "
                                    "major projects online"}
    return out
