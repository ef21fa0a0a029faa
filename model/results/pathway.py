r"""A solved pathway read back for decisions: its accounts by sector, district and measure.

`load_solved` reopens a run's results and re-derives the model data from the inputs it was
solved with (the input hash must match, so a changed dataset is an error, not a silent
mismatch). From there:

* `district_frames` gives energy, emissions, generation and measure adoption by district. A
  run with ``districts: true`` has them already. A city run is placed in districts: each
  measure's effects go where its potential is (its site, or its sector's district shares),
  each project's to its district, and the rest of each sector by its activity shares::

      X[s,d,y] = (X[s,y] - sum_m eff_m[s,y] - sum_p eff_p[s,y]) * share[s,d]
                 + sum_m eff_m[s,y] * share[m,d] + sum_{p in d} eff_p[s,y]

  Combustion CO2 is recomputed from the placed energy, so everything adds up to the city.
* `sector_accounts` attributes the two target quantities to sectors and districts so that they
  add up exactly to the city's accounts::

      co2[s,d,y]    = CO2[s,d,y] (+ GWP * non-CO2 if targeted) + EF_grid[y] * (elec[s,d,y]
                      - 1.229 * gen[s,d,y])                                            (万t)
      energy[s,d,y] = sum_{f burned} (E[s,f,d,y] - feedstock[s,f,d,y] if feedstock excluded)
                      + k[y] * (elec - 1.229 * gen) + k[y] * 1.229 * existing renewables  (万tce)

  (k = 1 for the calorific method, the grid coal rate / 122.9 for the coal-equivalent one.)
* `measure_accounts` prices and weighs each measure in each district and year: investment,
  annualised cost (capex annuity of the vintages in use plus O&M, 万元), the change in energy
  bills (万元), in CO2 on the target boundary (万t; negative = abatement) and in energy on the
  accounting rules (万tce).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from peakpath.core.baseline import (
    COMBUSTIBLE,
    ModelData,
    is_split,
    measure_district_shares,
)
from peakpath.core.ledger import capital_recovery_factor
from peakpath.core.unit_effects import measure_unit_effects
from peakpath.errors import InputError, PeakpathError, Problem
from peakpath.io.inputs import InputData
from peakpath.io.scenario import Scenario
from peakpath.io.units import WAN_TCE_PER_YI_KWH
from peakpath.results.dataset import load_results
from peakpath.solve.rebuild import inputs_of

#: relative tolerance of "adds up to the city" checks
SUM_RTOL = 1e-7


@dataclass
class Solved:
    """A run's results with the model data they were solved from."""

    ds: xr.Dataset
    scenario: Scenario
    data: InputData
    md: ModelData
    path: Path | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.ds["year"].values]

    @property
    def model_years(self) -> list[int]:
        return self.md.years

    @property
    def has_districts(self) -> bool:
        return is_split(self.md.districts)


    def districts(self) -> pd.DataFrame:
        """The real districts (never the city row)."""
        d = self.data["districts"]
        parts = d[d["kind"] != "city"]
        return (parts if len(parts) else d)[["district", "name_zh", "name_en", "kind"]
                                             ].reset_index(drop=True)


def load_solved(path: str | Path) -> Solved:
    """Open a run folder (or results.nc) and re-derive its model data."""

    p = Path(path)
    nc = p / "results.nc" if p.is_dir() else p
    if not nc.exists():
        raise InputError([Problem(str(nc), None, None, "results",
                                  "no results here: give a run folder with results.nc",
                                  "找不到结果文件results.nc")])
    ds = load_results(nc)
    if ds.attrs.get("status") not in ("optimal", "elastic", "infeasible"):
        raise InputError([Problem(str(nc), None, None, "results",
                                  f"the run ended '{ds.attrs.get('status')}'; there is no "
                                  "pathway to use: give a solved run", "该情景未求解成功")])
    return from_dataset(ds, nc.parent)


def from_dataset(ds: xr.Dataset, path: Path) -> Solved:
    """A Solved from results in memory, its inputs rebuilt and checked against their hash."""
    scenario, data, md = inputs_of(ds, path)
    return Solved(ds, scenario, data, md, path)


# --------------------------------------------------------------------------------------------
# long frames from the Dataset


def _long(da: xr.DataArray, dims: list[str]) -> pd.DataFrame:
    f = da.to_dataframe(name="value").reset_index()
    return f[[*dims, "value"]]


def _city_sum(da: xr.DataArray, dims: list[str]) -> pd.DataFrame:
    return _long(da.sum("district"), dims)


# --------------------------------------------------------------------------------------------
# district placement


def measure_shares(s: Solved) -> pd.DataFrame:
    """share[measure, district] of each measure (columns measure, district, share)."""
    if "measure_shares" not in s._cache:
        s._cache["measure_shares"] = measure_district_shares(s.data, s.md.measures,
                                                             s.districts())
    return s._cache["measure_shares"]


def sector_shares(s: Solved) -> pd.DataFrame:
    sh = s.data["district_shares"][["sector", "district", "share"]]
    known = set(s.districts()["district"])
    return sh[sh["district"].isin(known)].reset_index(drop=True)


def district_frames(s: Solved) -> dict[str, pd.DataFrame]:
    """energy (year, sector, fuel, district), emissions (year, sector, gas, district),
    generation (year, sector, district), adoption and new_builds (year, measure, district):
    long frames with a ``value`` column, at district level."""
    if "frames" in s._cache:
        return s._cache["frames"]
    ds = s.ds
    if s.has_districts:
        out = {"energy": _long(ds["energy"], ["year", "sector", "fuel", "district"]),
               "emissions": _long(ds["emissions"], ["year", "sector", "gas", "district"]),
               "generation": _long(ds["generation"], ["year", "sector", "district"]),
               "adoption": _long(ds["adoption"], ["year", "measure", "district"]),
               "new_builds": _long(ds["new_builds"], ["year", "measure", "district"])}
    else:
        out = _place_city_run(s)
    s._cache["frames"] = out
    return out


def _effects(s: Solved, kind: tuple[str, ...], item: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure and project contributions of effects of ``kind`` (year, sector, item, value):
    measures per measure, projects per project with their district."""
    md = s.md
    stock = _city_sum(s.ds["adoption"], ["year", "measure"]).rename(columns={"value": "stock"})
    eff = md.effects[md.effects["kind"].isin(kind)].rename(columns={"item": item})
    m = stock.merge(eff[["measure", "year", "sector", item, "value"]], on=["measure", "year"])
    m["value"] = m["value"] * m["stock"]
    if "project_online" in s.ds and not md.project_effects.empty:
        on = _long(s.ds["project_online"], ["year", "project"]).rename(
            columns={"value": "online"})
        pe = md.project_effects[md.project_effects["kind"].isin(kind)].rename(
            columns={"item": item})
        places = s.data["projects"][["project", "sector", "district"]]
        p = on.merge(pe[["project", item, "value"]], on="project").merge(places, on="project")
        p["value"] = p["value"] * p["online"]
    else:
        p = pd.DataFrame(columns=["year", "project", "sector", "district", item, "value"])
    return m, p


def _place(city: pd.DataFrame, keys: list[str], m: pd.DataFrame, p: pd.DataFrame,
           sshare: pd.DataFrame, mshare: pd.DataFrame) -> pd.DataFrame:
    """Place a city frame (year, sector, *keys, value) in districts (see module doc)."""
    cols = ["year", "sector", *keys]
    mc = m.groupby(cols, as_index=False)["value"].sum()
    pc = p.groupby(cols, as_index=False)["value"].sum() if len(p) else mc.iloc[:0]
    rest = city.merge(mc.rename(columns={"value": "m"}), on=cols, how="left").merge(
        pc.rename(columns={"value": "p"}), on=cols, how="left").fillna({"m": 0.0, "p": 0.0})
    rest["value"] = rest["value"] - rest["m"] - rest["p"]
    # what measures and projects do not explain is placed by sector shares; a sector without
    # shares (CCUS: measures only) must have nothing left over
    unplaced = rest[~rest["sector"].isin(sshare["sector"]) & (rest["value"].abs() > 1e-6)]
    if len(unplaced):
        raise InputError([Problem("district_shares.csv", None, "sector", "coverage",
                                  f"sectors {sorted(set(unplaced['sector']))} have no district "
                                  "shares; the city pathway cannot be placed in districts",
                                  "缺少行业分区比例")])
    parts = [rest[[*cols, "value"]].merge(sshare, on="sector").assign(
        value=lambda f: f["value"] * f["share"])]
    mm = m.merge(mshare, on="measure")
    parts.append(mm.assign(value=mm["value"] * mm["share"]))
    if len(p):
        parts.append(p)
    out = pd.concat([f[[*cols, "district", "value"]] for f in parts], ignore_index=True)
    return out.groupby([*cols, "district"], as_index=False, sort=False)["value"].sum()


def _place_city_run(s: Solved) -> dict[str, pd.DataFrame]:
    md, ds = s.md, s.ds
    sshare, mshare = sector_shares(s), measure_shares(s)
    city_e = _city_sum(ds["energy"], ["year", "sector", "fuel"])
    m, p = _effects(s, ("energy", "feedstock"), "fuel")
    energy = _place(city_e, ["fuel"], m, p, sshare, mshare)
    # combustion CO2 follows the placed energy; the rest of each gas is placed like energy
    comb = _combustion_co2(md, energy, _feedstock_shares(ds))
    city_em = _city_sum(ds["emissions"], ["year", "sector", "gas"])
    comb_city = comb.groupby(["year", "sector"], as_index=False)["value"].sum().assign(gas="CO2")
    proc = city_em.merge(comb_city.rename(columns={"value": "c"}), on=["year", "sector", "gas"],
                         how="left").fillna({"c": 0.0})
    proc["value"] = proc["value"] - proc["c"]
    m, p = _effects(s, ("process",), "gas")
    em = _place(proc[["year", "sector", "gas", "value"]], ["gas"], m, p, sshare, mshare)
    em = pd.concat([em, comb.assign(gas="CO2")[["year", "sector", "gas", "district", "value"]]])
    em = em.groupby(["year", "sector", "gas", "district"], as_index=False)["value"].sum()
    m, _ = _effects(s, ("generation", "renewable_generation"), "fuel")
    gen_city = _city_sum(ds["generation"], ["year", "sector"]).assign(fuel="electricity")
    gen = _place(gen_city, ["fuel"], m, m.iloc[:0], sshare, mshare).drop(columns="fuel")
    out = {"energy": energy, "emissions": em, "generation": gen}
    for name in ("adoption", "new_builds"):
        c = _city_sum(ds[name], ["year", "measure"]).merge(mshare, on="measure")
        c["value"] = c["value"] * c["share"]
        out[name] = c[["year", "measure", "district", "value"]]
    return out


def _feedstock_shares(ds: xr.Dataset) -> pd.DataFrame:
    """share[year, sector, fuel] of the city's energy that the model counts as feedstock."""
    e = ds["energy"].sum("district")
    fs = (ds["feedstock"].sum("district") / e.where(e > 0)).fillna(0.0)
    return _long(fs, ["year", "sector", "fuel"]).rename(columns={"value": "share"})


def _combustion_co2(md: ModelData, energy: pd.DataFrame, shares: pd.DataFrame
                    ) -> pd.DataFrame:
    """CO2 of burned fuel net of feedstock (year, sector, district, value 万t), with the
    feedstock shares of the model's own feedstock account."""
    ef = md.emission_factor.rename(columns={"value": "ef"})
    e = energy.merge(ef, on=["fuel", "year"]).merge(shares, on=["year", "sector", "fuel"],
                                                    how="left")
    e["value"] = e["value"] * e["ef"] * (1.0 - e["share"].fillna(0.0))
    return e.groupby(["year", "sector", "district"], as_index=False)["value"].sum()


# --------------------------------------------------------------------------------------------
# sector accounts


def _grid(md: ModelData) -> pd.DataFrame:
    g = md.grid[["year", "ef", "kce"]].copy()
    g["k"] = 1.0 if md.scenario.accounting["electricity"] == "equivalent" else g["kce"]
    return g


def sector_accounts(s: Solved) -> pd.DataFrame:
    """co2 (万t, target boundary) and energy (万tce, accounting rules) by year, sector and
    district; they add up to the city's co2_total and energy_total (checked)."""
    if "sector_accounts" in s._cache:
        return s._cache["sector_accounts"]
    md, fr = s.md, district_frames(s)
    acc = md.scenario.accounting
    keys = ["year", "sector", "district"]
    grid = _grid(md)
    em = fr["emissions"].copy()
    sinks = set(md.sector_ids(role="sink"))
    gases = {"CO2", *acc["target_gases"]}
    keep = em["gas"].isin(gases) & (acc["count_sinks"] | ~em["sector"].isin(sinks))
    em = em[keep].assign(value=lambda f: f["value"] * f["gas"].map(md.gwp))
    elec = fr["energy"][fr["energy"]["fuel"].isin(md.fuel_ids(("electricity",)))]
    net = pd.concat([elec[[*keys, "value"]],
                     fr["generation"].assign(value=-WAN_TCE_PER_YI_KWH
                                             * fr["generation"]["value"])[[*keys, "value"]]])
    net = net.groupby(keys, as_index=False)["value"].sum().merge(grid, on="year")
    co2 = pd.concat([em[[*keys, "value"]], net.assign(value=net["value"] * net["ef"])[
        [*keys, "value"]]]).groupby(keys, as_index=False)["value"].sum()
    burned = fr["energy"][fr["energy"]["fuel"].isin(md.fuel_ids(COMBUSTIBLE))]
    if acc["exclude_feedstock"]:
        burned = pd.concat([burned, _feedstock_frame(s).assign(value=lambda f: -f["value"])])
    ren = md.activity[md.activity["sector"].isin(md.sector_ids(role="renewable_power"))]
    ren = _renewables_in_districts(s, ren)
    parts = [burned[[*keys, "value"]],
             net.assign(value=net["value"] * net["k"])[[*keys, "value"]], ren]
    if not acc["exclude_new_renewables"]:
        parts.append(_new_renewables(s, grid))
    energy = pd.concat(parts).groupby(keys, as_index=False)["value"].sum()
    out = co2.rename(columns={"value": "co2"}).merge(
        energy.rename(columns={"value": "energy"}), on=keys, how="outer").fillna(0.0)
    out = out[out["year"].isin(s.years)].reset_index(drop=True)
    _check_sum(out, "co2", s.ds["co2_total"], "CO2")
    _check_sum(out, "energy", s.ds["energy_total"], "energy")
    s._cache["sector_accounts"] = out
    return out


def _feedstock_frame(s: Solved) -> pd.DataFrame:
    """The model's feedstock account (year, sector, district, value 万tce); a city run's is
    placed in districts by sector shares."""
    f = _long(s.ds["feedstock"].sum("fuel"), ["year", "sector", "district"])
    if s.has_districts:
        return f
    f = f.drop(columns="district").merge(sector_shares(s), on="sector")
    return f.assign(value=f["value"] * f["share"])[["year", "sector", "district", "value"]]


def _renewables_in_districts(s: Solved, ren: pd.DataFrame) -> pd.DataFrame:
    """Existing local solar and wind count as primary energy (万tce, per district)."""
    grid = _grid(s.md)
    r = ren.copy()
    if not s.has_districts:
        r = r.drop(columns="district").merge(sector_shares(s), on="sector")
        r["value"] = r["value"] * r["share"]
    r = r.merge(grid, on="year")
    r["value"] = r["value"] * WAN_TCE_PER_YI_KWH * r["k"]
    return r[["year", "sector", "district", "value"]]


def _new_renewables(s: Solved, grid: pd.DataFrame) -> pd.DataFrame:
    md = s.md
    eff = md.effects[md.effects["kind"] == "renewable_generation"]
    a = district_frames(s)["adoption"].merge(eff[["measure", "year", "sector", "value"]],
                                             on=["measure", "year"], suffixes=("", "_e"))
    a = a.merge(grid, on="year")
    a["value"] = a["value"] * a["value_e"] * WAN_TCE_PER_YI_KWH * a["k"]
    return a[["year", "sector", "district", "value"]]


def _check_sum(f: pd.DataFrame, col: str, city: xr.DataArray, what: str) -> None:
    got = f.groupby("year")[col].sum().reindex([int(y) for y in city["year"].values])
    want = city.to_pandas().to_numpy(float)
    err = np.abs(got.to_numpy(float) - want)
    if (err > SUM_RTOL * np.maximum(np.abs(want), 1.0)).any():
        y = int(city["year"].values[int(np.argmax(err))])
        raise PeakpathError(f"internal: {what} of the sectors does not add up to the city in "
                            f"{y} (off by {err.max():.6g}); please report it")


# --------------------------------------------------------------------------------------------
# measure accounts


def measure_accounts(s: Solved) -> pd.DataFrame:
    """Per measure, district and model year: adoption (measure units), new_builds, investment
    (万元), annual_cost (capex annuities of vintages in use + O&M, 万元), energy_bill (change in
    energy purchases, 万元), net_cost (万元), co2 (change on the target boundary, 万t; negative
    abates), energy (change on the accounting rules, 万tce)."""
    if "measure_accounts" in s._cache:
        return s._cache["measure_accounts"]
    md, fr = s.md, district_frames(s)
    keys = ["measure", "district", "year"]
    years = md.years
    a = fr["adoption"][fr["adoption"]["year"].isin(years)].rename(columns={"value": "adoption"})
    b = fr["new_builds"][fr["new_builds"]["year"].isin(years)].rename(
        columns={"value": "new_builds"})
    out = a.merge(b, on=["year", "measure", "district"], how="outer").fillna(0.0)
    out = out.merge(md.capex.rename(columns={"value": "capex"}), on=["measure", "year"])
    out["investment"] = out["new_builds"] * out["capex"]
    out["annual_cost"] = _annuities(md, out) + out["adoption"] * out["measure"].map(
        md.measures.set_index("measure")["om"])
    unit = _unit_effects(s)
    out = out.merge(unit, on=["measure", "year"], how="left").fillna(
        {"bill_per_unit": 0.0, "co2_per_unit": 0.0, "energy_per_unit": 0.0})
    out["energy_bill"] = out["adoption"] * out["bill_per_unit"]
    out["co2"] = out["adoption"] * out["co2_per_unit"]
    out["energy"] = out["adoption"] * out["energy_per_unit"]
    out["net_cost"] = out["annual_cost"] + out["energy_bill"]
    cols = [*keys, "adoption", "new_builds", "investment", "annual_cost", "energy_bill",
            "net_cost", "co2", "energy"]
    out = out[cols].sort_values(keys).reset_index(drop=True)
    s._cache["measure_accounts"] = out
    return out


def _unit_effects(s: Solved) -> pd.DataFrame:
    """Each measure's effect per unit (measure, year, bill/co2/energy_per_unit) as the run's
    results carry it; computed from the model data for results written before they did."""
    ds = s.ds
    if "measure_co2_per_unit" not in ds:
        return measure_unit_effects(s.md)
    parts = [ds[f"measure_{k}_per_unit"].to_series().rename(f"{k}_per_unit")
             for k in ("bill", "co2", "energy")]
    f = pd.concat(parts, axis=1).reset_index()
    return f[f["year"].isin(s.md.years)]


def _annuities(md: ModelData, f: pd.DataFrame) -> np.ndarray:
    """Capex annuities falling in each row's year from the vintages still in use (万元)."""
    meas = md.measures.set_index("measure")
    life = f["measure"].map(meas["lifetime"]).to_numpy(int)
    crf = capital_recovery_factor(md.scenario.discount_rate, life)
    inv = (f["investment"].to_numpy() * crf)
    v = f[["measure", "district", "year"]].assign(a=inv, life=life)
    out = np.zeros(len(f))
    idx = pd.MultiIndex.from_frame(f[["measure", "district", "year"]])
    for k in range(int(life.max()) if len(life) else 0):
        shifted = v[k < v["life"]].assign(year=lambda x, k=k: x["year"] + k)
        s = shifted.set_index(["measure", "district", "year"])["a"]
        out += s.reindex(idx).fillna(0.0).to_numpy()
    return out


