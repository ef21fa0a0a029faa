r"""The shared accounts of the model (``def_*`` rows) and the stock of measures.

Every account is a variable with one defining row per index entry::

    account[i] - sum(contributions to i) = constant[i]

Modules add contributions (`Account.add`) and constants; `Ledger.finalize` writes the rows once
every module has spoken, so a module never needs to know who else contributes.

Measure stock with vintages (units of the measure; years y, vintages v)::

    stock[m,d,y] = sum_{v <= y < v + L_m} build[m,d,v]                   (def_stock)
    0 <= stock[m,d,y] <= potential[m,d,y]                                 (bounds)
    0 <= build[m,d,y] <= max_build_share_m * potential[m,d,y]            (diffusion, bounds)
    sum_{m in group} stock[m,d,y] <= group_potential[group,d,y]           (res_exclusive_group)
    min_build_m * on[m,d,y] <= build[m,d,y] <= ub * on[m,d,y]            (semicontinuous)
    stock[m,d,y] <= (1 + g_m) * stock[m,d,y-1] + seed[m,d,y]             (res_diffusion)

with g_m the measure's max_growth and seed = growth_seed_m * potential[m,d,y] (a start-up
amount, as MESSAGE's dynamic growth constraints). Costs per vintage, undiscounted 万元::

    capex:  capex[m,v] * CRF(r, L_m)             in each year v..v+L-1 inside the horizon
    hurdle: capex[m,v] * (CRF(h_a, L_m) - CRF(r, L_m))      same years (the efficiency gap)
    om:     om[m] * stock;   hidden: hidden_cost[m] * stock

r is the social discount rate, h_a the hurdle rate of the measure's actor (actors.csv): the
investor decides at h_a (as TIMES' technology discount rates), the objective discounts at r,
and the hurdle and hidden parts are reported apart from the resource cost.

Accounts (units):

    energy[s,f,d,y]      万tce    = baseline A*I + sum_m effect[m,f] * stock[m,d,y] + ...   >= 0
    feedstock[s,f,d,y]   万tce    = fs[s,f] * baseline A*I + feedstock effects of measures and
                                    projects (the part of energy that is not burned)
    emissions[s,g,d,y]   万t gas  = sum_f EF[f,y] * energy + process[s,g,d,y] + effects
    generation[s,d,y]    亿kWh    = base generation + sum_m gen[m] * stock                >= 0
    fuel_use[f,y]        万tce    = sum_{s,d} energy[s,f,d,y]  (combustible fuels)
    co2_scope1[y]        万t      = sum_{s not a sink, d} emissions[s,CO2,d,y]
    co2_total[y]         万t      = co2_scope1 + scope 2 + sinks + targeted non-CO2 (CO2e)
    energy_total[y]      万tce    = primary energy under the scenario's accounting rules
    primary_energy[y]    万tce    = all primary energy, electricity on the accounting basis
    non_fossil[y]        万tce    = non-fossil primary energy, on the same basis
    investment[grp,y]    万元     = sum_{m in grp} capex[m,y] * build[m,d,y]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from peakpath.core.algebra import Builder, Terms, VarBlock
from peakpath.core.baseline import COMBUSTIBLE, POWER_ROLES, ModelData
from peakpath.core.frames import group_sums, key_cols, merge, numbered


@dataclass
class Account:
    """A defined quantity: variable, constant part and pending contributions."""

    name: str
    var: VarBlock
    constant: np.ndarray
    contributions: list[Terms] = field(default_factory=list)
    doc: str = ""

    @property
    def index(self) -> pd.DataFrame:
        return self.var.index

    def add(self, terms: Terms) -> None:
        """Add ``terms`` (keys hold this account's dimensions) to the account."""
        self.contributions.append(terms)

    def add_constant(self, frame: pd.DataFrame, value: str = "value") -> None:
        """Add ``frame[value]`` at the rows named by ``frame``'s key columns."""
        if frame.empty:
            return
        pos = self.var.pos(frame)
        np.add.at(self.constant, pos, frame[value].to_numpy(float))

    def terms(self, frame: pd.DataFrame, coef: str | float | np.ndarray = 1.0,
              on: dict[str, str] | None = None) -> Terms:
        return self.var.terms(frame, coef, on)


class Ledger:
    """Creates the measure stock and every shared account for one model."""

    def __init__(self, b: Builder, md: ModelData, *, elastic: bool = False):
        self.b, self.md, self.elastic = b, md, elastic
        self.accounts: dict[str, Account] = {}
        self.years = md.all_years  # accounts include the base year (history, no measures)
        self.districts = md.districts["district"].tolist()
        self._measures()
        self._accounts()
        self._generic_contributions()

    # -- helpers ------------------------------------------------------------------------------
    def account(self, name: str, index: pd.DataFrame, *, lb: float | None = None,
                unit: str = "", doc: str = "") -> Account:
        var = self.b.add_var(name, index, lb=lb, unit=unit, doc=doc)
        acc = Account(name, var, np.zeros(len(var)), doc=doc)
        self.accounts[name] = acc
        return acc

    def __getitem__(self, name: str) -> Account:
        return self.accounts[name]

    def _must_run(self, gen: Account, act: pd.DataFrame) -> None:
        """generation[s,d,y] >= must_run[s] * activity[s,d,y] (亿kWh, res_must_run): a plant
        with heat duties keeps that share of its output, however many measures (imports,
        unit retirements) would each take a part of it."""
        if "must_run" not in self.md.sectors:
            return
        s = self.md.sectors
        k = self.b.memo("must_run", MustRunInputs(
            key_cols(act, ["sector", "district", "year"]), key_cols(s, ["sector", "must_run"])),
            must_run_rows)
        if not len(k["rows"]):
            return
        lb = k["share"] * act["value"].to_numpy(float)[k["rows"]]
        self.b.add_rows("res_must_run", k["index"], [gen.var.terms(k["index"])], lb=lb,
                        unit="亿kWh", doc="local generation keeps its must-run share")

    def year_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"year": self.years})

    def finalize(self) -> None:
        """Write every account's defining rows (``def_<name>``)."""
        for acc in self.accounts.values():
            self.b.add_rows(f"def_{acc.name}", acc.index,
                            [acc.var.terms(acc.index, 1.0), *[t.scaled(-1.0)
                                                                for t in acc.contributions]],
                            lb=acc.constant, ub=acc.constant, unit=acc.var.unit,
                            doc=f"definition of {acc.name}")

    # -- measures ----------------------------------------------------------------------------
    def _measures(self) -> None:
        """The build and stock blocks, their stock-by-vintage rows and the rows and costs
        of `_semicontinuous`, `_diffusion`, `_technology_shares`, `_exclusive_groups` and
        `_capital_and_om_costs`. Which entries exist depends on names and the measures' data
        only (`measure_rows`); a variant reads its potentials and costs through it."""
        md, b = self.md, self.b
        m = md.measures
        k = b.memo("measures", MeasureInputs(
            key_cols(md.potential, ["measure", "district", "year"]),
            key_cols(m, ["measure", "first_year", "kind", "lifetime", "exclusive_group"]),
            m["max_growth"].notna().to_numpy(),
            key_cols(md.group_potential, ["group", "district", "year"]), list(md.years),
            key_cols(md.capex, ["measure", "year"]), md.hurdle_rate.index.tolist()), measure_rows)
        self.measure_plan = k
        pot = md.potential["value"].to_numpy(float)[k["avail_rows"]]
        build_ub = _measure_values(m, "max_build_share", k["meas_row"]) * pot
        integer = k["integer"]
        build_ub = np.where(integer, np.floor(build_ub + 1e-9), build_ub)
        idx = k["idx"]
        self.build = b.add_var("build", idx, lb=0.0, ub=build_ub, domain=k["domain"],
                               unit="measure unit/yr", doc="new builds of a measure")
        stock_ub = np.where(integer, np.floor(pot + 1e-9), pot)
        self.stock = b.add_var("stock", idx, lb=0.0, ub=stock_ub, unit="measure unit",
                               doc="measure units in use (adoption level)")
        self.measure_index = idx.assign(value=pot, kind=k["kind"])
        pairs = self.b.memo("vintages", VintageInputs(
            idx, key_cols(md.measures, ["measure", "lifetime"])), vintage_pairs)["pairs"]
        self.b.add_rows("def_stock", idx,
                        [self.stock.terms(idx, 1.0),
                         self.build.terms(pairs, -1.0, on={"year": "vintage"})],
                        lb=0.0, ub=0.0, unit="measure unit", doc="stock by vintage")
        self._semicontinuous(build_ub)
        self._diffusion(pot)
        self._technology_shares(m)
        self._exclusive_groups()
        self._capital_and_om_costs()

    def _semicontinuous(self, build_ub: np.ndarray) -> None:
        k = self.measure_plan
        semi = k["semi"]
        if not semi.any():
            return
        idx = k["semi_idx"]
        on = self.b.add_var("build_on", idx, lb=0.0, ub=1.0, domain="binary",
                            doc="1 if a semicontinuous measure is built that year")
        ub = build_ub[semi]
        mn = _measure_values(self.md.measures, "min_build", k["meas_row"][semi])
        # a year whose diffusion limit is below the minimum build cannot build at all
        self.b.add_rows("res_build_max", idx, [self.build.terms(idx), on.terms(idx, -ub)],
                        ub=0.0, unit="measure unit/yr", doc="build only when switched on")
        self.b.add_rows("res_build_min", idx, [self.build.terms(idx), on.terms(idx, -mn)],
                        lb=0.0, unit="measure unit/yr", doc="a build is at least min_build")

    def _technology_shares(self, meas: pd.DataFrame) -> None:  # md.measures
        """Technology stocks: the technologies a sector's ``switch`` measures bring in share
        its activity with the incumbent, and an ``improve`` measure acts only on what the
        incumbent still serves (activity units; `baseline.measure_effects`)::

            sum_{m switch in s} stock[m,d,y] <= A[s,d,y]                 (res_route_share)
            stock[i,d,y] + sum_{m switch in s} stock[m,d,y] <= A[s,d,y]  (res_improve_incumbent)
        """
        if "mode" not in meas:  # without switch or improve measures the plan finds no rows
            return
        md = self.md
        k = self.b.memo("technologies", TechnologyInputs(
            self.stock.index, key_cols(md.measures, ["measure", "sector", "mode"]),
            key_cols(md.activity, ["sector", "district", "year"])), technology_keys)
        act = md.activity["value"].to_numpy(float)
        if "route_rows" in k:
            self.b.add_rows("res_route_share", k["route_rows"], [self.stock.terms(k["switch"])],
                            ub=act[k["route_act"]], unit="activity unit",
                            doc="new technologies share the sector's activity with the "
                                "incumbent")
        if "improve_rows" in k:
            keys = k["improve_rows"]
            terms = [self.stock.terms(keys)]
            if len(k["improve_pairs"]):
                terms.append(self.stock.terms(k["improve_pairs"], 1.0, on={"measure": "switch"}))
            self.b.add_rows("res_improve_incumbent", keys, terms,
                            ub=act[k["improve_act"]], unit="activity unit",
                            doc="an improvement acts only on the incumbent's activity")

    def _diffusion(self, pot: np.ndarray) -> None:
        """stock[y] - (1 + g) * stock[y-1] <= seed[y] for measures with a growth limit; in a
        measure's first available year the previous stock is zero."""
        k, m = self.measure_plan, self.md.measures
        rows = k["diffusion_rows"]
        if not len(rows):
            return
        share = _measure_values(m, "growth_seed", k["meas_row"][rows])
        seed = np.where(np.isnan(share), 0.0, share) * pot[rows]
        growth = _measure_values(m, "max_growth", k["prev_meas_row"])
        keys = k["diffusion_keys"]
        self.b.add_rows("res_diffusion", keys,
                        [self.stock.terms(keys, 1.0),
                         self.stock.terms(k["prev"], -(1.0 + growth), on={"year": "prev"})],
                        ub=seed, unit="measure unit", doc="diffusion: the stock grows at most "
                        "max_growth a year beyond a start-up amount")

    def _exclusive_groups(self) -> None:
        k = self.measure_plan
        if "group_idx" not in k:
            return
        ub = self.md.group_potential["value"].to_numpy(float)[k["group_rows"]]
        self.b.add_rows("res_exclusive_group", k["group_idx"],
                        [self.stock.terms(k["group_members"])], ub=ub,
                        unit="measure unit", doc="mutually exclusive measures share a potential")

    def _capital_and_om_costs(self) -> None:
        """Capex is annualised over the build's lifetime and counted only for years inside
        the horizon (no end effect): at the social rate (resource cost, ``capex``) plus the
        difference to the actor's hurdle rate (``hurdle``); O&M and hidden costs per unit in
        use."""
        md, k = self.md, self.measure_plan
        life = k["life"]
        rates = md.hurdle_rate.to_numpy(float)
        hurdle = np.where(k["hurdle_row"] >= 0, rates[k["hurdle_row"]], np.nan) if len(
            rates) else np.full(len(life), np.nan)
        crf = capital_recovery_factor(md.scenario.discount_rate, life)
        crf_h = capital_recovery_factor_each(hurdle, life)
        capex = np.where(k["capex_row"] >= 0, md.capex["value"].to_numpy(float)[
            k["capex_row"]], np.nan) if len(md.capex) else np.full(len(life), np.nan)
        # build i of year v pays in years v + j, j < its lifetime, inside the horizon
        # (`measure_rows`: ordered by j, then by build)
        i, cost_year = k["cost_build"], k["cost_year"]
        self.b.add_cost_at("capex", self.build, i, cost_year, (capex * crf)[i])
        gap = (capex * (crf_h - crf))[i]
        nonzero = gap != 0
        self.b.add_cost_at("hurdle", self.build, i[nonzero], cost_year[nonzero], gap[nonzero])
        year = self.stock.index["year"].to_numpy(int)
        for component, column in (("om", "om"), ("hidden", "hidden_cost")):
            coef = _measure_values(md.measures, column, k["meas_row"])
            if component == "hidden":
                coef = np.where(np.isnan(coef), 0.0, coef)
            at = np.flatnonzero(coef != 0)
            if len(at):
                self.b.add_cost_at(component, self.stock, at, year[at], coef[at])

    # -- accounts ----------------------------------------------------------------------------
    def _accounts(self) -> None:
        md = self.md
        years = self.years
        yr = pd.DataFrame({"year": years})
        keys = self._account_keys()
        eb = _rows_where(md.energy_base, md.energy_base["year"].isin(years))
        energy = self.account("energy", keys["energy"], lb=0.0, unit="万tce",
                              doc="energy use by sector, carrier, district and year")
        energy.add_constant(eb)
        feedstock = self.account("feedstock", keys["feedstock"], lb=0.0, unit="万tce",
                                 doc="feedstock (原料用能): energy use that is not burned")
        # the share applies to the baseline (A*I) only, so a measure's or project's change of
        # burned fuel is never scaled by it
        fk = self.b.memo("feedstock_rows", FeedstockInputs(
            key_cols(eb, ["sector", "fuel", "district", "year"]),
            key_cols(md.feedstock, ["sector", "fuel"])), feedstock_rows)
        feedstock.add_constant(fk["keys"].assign(
            value=eb["value"].to_numpy(float)[fk["energy_row"]]
            * md.feedstock["share"].to_numpy(float)[fk["share_row"]]))
        em = self.account("emissions", keys["emissions"], unit="万t",
                          doc="direct (scope-1) emissions by sector and gas, mass of the gas")
        em.add_constant(_rows_where(md.process_base, md.process_base["year"].isin(years)))
        gen = self.account("generation", keys["generation"], lb=0.0, unit="亿kWh",
                           doc="local electricity generation")
        power = md.sector_ids(role=POWER_ROLES)
        act = _rows_where(md.activity, md.activity["sector"].isin(power)
                          & md.activity["year"].isin(years))
        gen.add_constant(act)
        self._must_run(gen, act)
        self.account("fuel_use", keys["fuel_use"], unit="万tce", doc="city use of each fuel")
        for name, unit, doc in (
                ("co2_scope1", "万t", "direct CO2 of the city (sinks excluded)"),
                ("co2_total", "万t", "CO2 on the target boundary (scope 1 + scope 2, net of "
                                    "sinks; non-CO2 as CO2e if targeted)"),
                ("energy_total", "万tce", "energy consumption under the accounting rules"),
                ("primary_energy", "万tce", "primary energy (feedstock and new renewables "
                                            "included), electricity on the accounting basis"),
                ("non_fossil", "万tce", "non-fossil primary energy, electricity on the "
                                        "accounting basis")):
            self.account(name, yr, unit=unit, doc=doc)
        self.account("investment", keys["investment"], unit="万元",
                     doc="capital spending by bureau group")

    def _account_keys(self) -> dict[str, pd.DataFrame]:
        """The index of each multi-dimensional account (`account_keys`), made once for a
        structure: a batch's variants change numbers, not names, so the next build reuses
        them when the names they are made of are unchanged (`LookupCache.memo`)."""
        md = self.md
        inputs = AccountKeyInputs(
            years=list(self.years), districts=list(self.districts),
            combustible=md.fuel_ids(COMBUSTIBLE), heat_sectors=md.sector_ids(role="heat"),
            power_sectors=md.sector_ids(role=POWER_ROLES),
            groups=md.groups["group"].tolist(),
            energy_base=key_cols(md.energy_base, ["sector", "fuel", "district", "year"]),
            effects=key_cols(md.effects, ["kind", "measure", "sector", "item"]),
            measure_districts=key_cols(self.measure_index, ["measure", "district"]),
            project_effects=key_cols(
                md.project_effects, ["kind", "project", "item"]),
            projects=key_cols(md.projects, ["project", "sector", "district"]),
            heat_fuels=key_cols(md.heat_intensity, ["fuel"]),
            process_base=key_cols(md.process_base, ["sector", "district", "gas", "year"]),
            activity=key_cols(md.activity, ["sector", "district", "year"]),
            feedstock=key_cols(md.feedstock, ["sector", "fuel"]))
        return self.b.memo("account_keys", inputs, account_keys)

    def _generic_contributions(self) -> None:
        md = self.md
        energy, em = self["energy"], self["emissions"]
        stock_idx = self.stock.index
        # measure effects on energy, process emissions and generation, per unit in use
        eff = md.effects
        joins = self.b.memo("effects", EffectInputs(
            stock_idx, key_cols(eff, ["kind", "measure", "year", "sector", "item"])), effect_joins)
        value = eff["value"].to_numpy(float)
        for name, acc in (("energy", energy), ("feedstock", self["feedstock"]),
                          ("process", em), ("generation", self["generation"])):
            acc.add(self.stock.terms(joins[name], group_sums(value[joins[f"{name}_rows"]],
                                                             joins[f"{name}_groups"])))
        k = self.b.memo("totals", TotalInputs(
            energy.index, em.index, key_cols(md.emission_factor, ["fuel", "year"]),
            md.sector_ids(role="sink"), md.fuel_ids(COMBUSTIBLE), md.fuel_ids(("biomass",)),
            self.build.index, key_cols(md.capex, ["measure", "year"]),
            key_cols(md.measures, ["measure", "group"])),
            total_terms)
        # combustion CO2 of every burned fuel
        ef = md.emission_factor["value"].to_numpy(float)[k["burned_ef_row"]]
        em.add(energy.terms(k["burned"], ef))
        # city totals
        self["fuel_use"].add(energy.terms(k["fuel_use"]))
        self["co2_scope1"].add(em.terms(k["co2_scope1"]))
        self["co2_total"].add(self["co2_scope1"].terms(self.year_frame()))
        self["energy_total"].add(energy.terms(k["combustible"]))
        self["primary_energy"].add(energy.terms(k["combustible"]))
        self["non_fossil"].add(energy.terms(k["biomass"]))
        # investment by bureau group
        capex = md.capex["value"].to_numpy(float)[k["investment_capex_row"]]
        self["investment"].add(self.build.terms(k["investment"], capex))

@dataclass(frozen=True)
class FeedstockInputs:
    energy: pd.DataFrame  # sector, fuel, district, year of the base energy in model years
    feedstock: pd.DataFrame  # sector, fuel of md.feedstock, in row order


def feedstock_rows(k: FeedstockInputs) -> dict[str, object]:
    """The base-energy rows with a feedstock share, as ``merge(energy, feedstock, on=[sector,
    fuel])`` orders them: their keys (``keys``), energy row (``energy_row``) and share row
    (``share_row``)."""
    m = merge(numbered(k.energy, "energy_row"), numbered(k.feedstock, "share_row"),
              on=["sector", "fuel"])
    return {"keys": m[["sector", "fuel", "district", "year"]],
            "energy_row": m["energy_row"].to_numpy(), "share_row": m["share_row"].to_numpy()}


@dataclass(frozen=True)
class MustRunInputs:
    activity: pd.DataFrame  # sector, district, year of the power sectors' activity rows
    shares: pd.DataFrame  # sector, must_run (share of output, missing: none)


def must_run_rows(k: MustRunInputs) -> dict[str, object]:
    """The activity rows of sectors with a must-run share above 0 (``rows``), their keys
    (``index``) and shares (``share``)."""
    share = k.activity["sector"].map(k.shares.set_index("sector")["must_run"]).astype(float)
    share = share.to_numpy(float)
    rows = np.flatnonzero(np.where(np.isnan(share), 0.0, share) > 0)
    return {"rows": rows, "share": share[rows],
            "index": k.activity.iloc[rows].reset_index(drop=True)}


@dataclass(frozen=True)
class AccountKeyInputs:
    """The names the account indices are made of (never numbers): frames of key columns and
    lists of ids."""

    years: list[int]
    districts: list[str]
    combustible: list[str]  # fuels that are burned
    heat_sectors: list[str]
    power_sectors: list[str]  # local generation (roles `POWER_ROLES`)
    groups: list[str]  # bureau groups
    energy_base: pd.DataFrame  # sector, fuel, district, year
    effects: pd.DataFrame  # kind, measure, sector, item
    measure_districts: pd.DataFrame  # measure, district: where a measure is available
    project_effects: pd.DataFrame  # kind, project, item
    projects: pd.DataFrame  # project, sector, district
    heat_fuels: pd.DataFrame  # fuel: the fuels heat supply burns
    process_base: pd.DataFrame  # sector, district, gas, year
    activity: pd.DataFrame  # sector, district, year
    feedstock: pd.DataFrame  # sector, fuel: pairs with a feedstock share


def account_keys(k: AccountKeyInputs) -> dict[str, pd.DataFrame]:
    """The index of each account with dimensions: ``energy`` (sector, fuel, district, year:
    the baseline's entries, the measures' and projects' energy and feedstock effects, the
    fuels of heat supply in every district), ``feedstock`` (energy keys with a feedstock share
    or a feedstock effect), ``emissions`` (sector, gas, district, year: CO2 wherever a fuel is
    burned, process emissions, process effects), ``generation`` (power sectors and measures
    that generate), ``fuel_use`` and ``investment``; each sorted by its dimensions."""
    yr = pd.DataFrame({"year": k.years})
    measure_d = k.measure_districts.drop_duplicates()
    energy_kinds = k.effects["kind"].isin(["energy", "feedstock"])
    eb = k.energy_base[k.energy_base["year"].isin(k.years)]
    parts = [eb[["sector", "fuel", "district"]],
             _effect_keys(k.effects[energy_kinds], measure_d, "fuel")]
    project_parts = {}
    if not k.project_effects.empty:
        pe = merge(k.project_effects, k.projects, on="project")
        for name, kinds in (("energy", ["energy", "feedstock"]), ("feedstock", ["feedstock"]),
                            ("process", ["process"])):
            project_parts[name] = pe[pe["kind"].isin(kinds)].rename(
                columns={"item": "gas" if name == "process" else "fuel"})
        parts.append(project_parts["energy"][["sector", "fuel", "district"]])
    if k.heat_sectors:
        hk = merge(k.heat_fuels.drop_duplicates(), pd.DataFrame({"sector": k.heat_sectors}),
                   how="cross")
        hk = merge(hk, pd.DataFrame({"district": k.districts}), how="cross")
        parts.append(hk[["sector", "fuel", "district"]])
    energy = _by_year(pd.concat(parts).drop_duplicates(), yr, ["sector", "fuel", "district"])
    # feedstock: energy keys with a share, and every key of a feedstock effect
    fparts = [merge(energy, k.feedstock, on=["sector", "fuel"]),
              merge(_effect_keys(k.effects[k.effects["kind"] == "feedstock"], measure_d,
                                 "fuel"), yr, how="cross")]
    if project_parts:
        fparts.append(merge(project_parts["feedstock"][["sector", "fuel", "district"]], yr,
                            how="cross"))
    feedstock = pd.concat(fparts)[["sector", "fuel", "district", "year"]].drop_duplicates()
    feedstock = feedstock.sort_values(["sector", "fuel", "district", "year"])
    # emissions: CO2 wherever fuel is burned or CO2 is emitted, captured or removed
    co2 = energy[energy["fuel"].isin(k.combustible)][["sector", "district"]]
    pb = k.process_base[k.process_base["year"].isin(k.years)]
    gparts = [co2.assign(gas="CO2"), pb[["sector", "district", "gas"]],
              _effect_keys(k.effects[k.effects["kind"] == "process"], measure_d, "gas")]
    if project_parts:
        gparts.append(project_parts["process"][["sector", "district", "gas"]])
    emissions = _by_year(pd.concat(gparts).drop_duplicates(), yr, ["sector", "gas", "district"])
    act = k.activity[k.activity["sector"].isin(k.power_sectors)
                     & k.activity["year"].isin(k.years)]
    gen_effects = k.effects[k.effects["kind"].isin(["generation", "renewable_generation"])]
    gen = pd.concat([act[["sector", "district"]].drop_duplicates(),
                     merge(gen_effects, measure_d, on="measure")[["sector", "district"]]])
    generation = _by_year(gen.drop_duplicates(), yr, ["sector", "district"])
    return {"energy": energy, "feedstock": feedstock.reset_index(drop=True),
            "emissions": emissions, "generation": generation,
            "fuel_use": merge(pd.DataFrame({"fuel": k.combustible}), yr, how="cross"),
            "investment": merge(pd.DataFrame({"group": k.groups}), yr, how="cross")}


def _effect_keys(effects: pd.DataFrame, measure_d: pd.DataFrame, item: str) -> pd.DataFrame:
    """(sector, item, district) of measure effects, in every district the measure is in."""
    return merge(effects, measure_d, on="measure").rename(columns={"item": item})[
        ["sector", item, "district"]]


def _by_year(keys: pd.DataFrame, yr: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """``keys`` in every year, sorted by its dimensions and then the year."""
    out = merge(keys, yr, how="cross")[[*dims, "year"]]
    return out.sort_values([*dims, "year"]).reset_index(drop=True)


def _rows_where(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """``frame[mask]``; ``frame`` itself when every row is kept (the filter would copy it,
    ≈ 0.3 ms, for the same rows and index)."""
    return frame if bool(mask.all()) else frame[mask]


def _measure_values(measures: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """``measures[column]`` (float) at ``rows`` (−1: missing)."""
    values = measures[column].to_numpy(float)
    return np.where(rows >= 0, values[rows], np.nan) if len(values) else np.full(
        len(rows), np.nan)


@dataclass(frozen=True)
class MeasureInputs:
    potential: pd.DataFrame  # measure, district, year of md.potential, in row order
    measures: pd.DataFrame  # measure, first_year, kind, lifetime, exclusive_group
    limited: np.ndarray  # per measure: whether it has a growth limit (max_growth given)
    group_potential: pd.DataFrame  # group, district, year of md.group_potential
    years: list[int]  # model years
    capex: pd.DataFrame  # measure, year of md.capex, in row order
    hurdle: list[str]  # the measures of md.hurdle_rate, in order


def measure_rows(k: MeasureInputs) -> dict[str, Any]:
    """The entries of the measure blocks and where each reads its numbers (−1: nowhere):

    - ``avail_rows``: the potential's rows in the model years from the measure's first year,
      with ``idx`` (measure, district, year; the build and stock index), ``meas_row`` (the
      measure's row), ``kind``, ``integer`` and ``domain``;
    - ``semi``/``semi_idx``: semicontinuous entries;
    - ``diffusion_rows``/``diffusion_keys``: entries with a growth limit, and ``prev``
      (with ``prev_meas_row``) those whose previous year is an entry too;
    - ``group_idx``, ``group_members``, ``group_rows``: exclusive groups, their members and
      the group potential's row of each group entry (absent without group potentials);
    - ``life``, ``hurdle_row``, ``capex_row`` per build, and ``cost_build``, ``cost_year``:
      each build's annuity years inside the horizon, ordered by year of life, then build."""
    meas = numbered(k.measures.assign(limited=k.limited), "meas_row").set_index("measure")
    pot = numbered(k.potential, "avail_rows")
    pot = pot[pot["year"].isin(k.years)]
    first = pot["measure"].map(meas["first_year"])
    avail = pot[pot["year"] >= first].reset_index(drop=True)
    idx = avail[["measure", "district", "year"]]
    kind = avail["measure"].map(meas["kind"]).to_numpy()
    integer = kind == "integer"
    meas_row = avail["measure"].map(meas["meas_row"]).fillna(-1).to_numpy().astype(np.int64)
    semi = kind == "semicontinuous"
    out: dict[str, Any] = {
        "avail_rows": avail["avail_rows"].to_numpy(), "idx": idx, "meas_row": meas_row,
        "kind": kind, "integer": integer,
        "domain": np.where(integer, "integer", "continuous"),
        "semi": semi, "semi_idx": idx[semi].reset_index(drop=True)}
    limited = avail["measure"].map(meas["limited"]).fillna(False).to_numpy(bool)
    rows = np.flatnonzero(limited)
    keys = idx.iloc[rows].reset_index(drop=True)
    prev = merge(numbered(keys.assign(prev=keys["year"] - 1), "row"),
                 idx.rename(columns={"year": "prev"}), on=["measure", "district", "prev"])
    out |= {"diffusion_rows": rows, "diffusion_keys": keys, "prev": prev.drop(columns="row"),
            "prev_meas_row": meas_row[rows][prev["row"].to_numpy()]}
    if len(k.group_potential):
        members = idx.assign(group=idx["measure"].map(meas["exclusive_group"]))
        members = members[members["group"] != ""]
        gp = numbered(k.group_potential, "gp_row")
        gp = gp[gp["year"].isin(k.years)]
        gidx = gp[["group", "district", "year"]].drop_duplicates().reset_index(drop=True)
        out |= {"group_idx": gidx,
                "group_members": merge(members, gidx, on=["group", "district", "year"]),
                "group_rows": merge(gidx, gp, on=["group", "district", "year"])[
                    "gp_row"].to_numpy()}
    life = idx["measure"].map(meas["lifetime"]).to_numpy(int)
    n, horizon = len(idx), int(life.max()) if len(life) else 0
    j = np.repeat(np.arange(horizon), n)
    i = np.tile(np.arange(n), horizon)
    cost_year = idx["year"].to_numpy(int)[i] + j
    keep = (j < life[i]) & (cost_year <= k.years[-1])
    capex = merge(idx, numbered(k.capex, "capex_row"), on=["measure", "year"], how="left")
    return out | {"life": life, "hurdle_row": pd.Index(k.hurdle).get_indexer(idx["measure"]),
                  "capex_row": capex["capex_row"].fillna(-1).to_numpy().astype(np.int64),
                  "cost_build": i[keep], "cost_year": cost_year[keep]}


@dataclass(frozen=True)
class VintageInputs:
    index: pd.DataFrame  # measure, district, year of the build and stock blocks
    lifetime: pd.DataFrame  # measure, lifetime (years)


def vintage_pairs(k: VintageInputs) -> dict[str, pd.DataFrame]:
    """``pairs``: (measure, district, year, vintage) for each build of year v still in use
    in year y: v <= y < v + L_m."""
    idx = k.index
    life = k.lifetime.set_index("measure")["lifetime"]
    pairs = merge(idx, idx.rename(columns={"year": "vintage"}), on=["measure", "district"])
    pairs = pairs[(pairs["vintage"] <= pairs["year"])
                  & (pairs["year"] < pairs["vintage"] + pairs["measure"].map(life))]
    return {"pairs": pairs}


@dataclass(frozen=True)
class EffectInputs:
    stock: pd.DataFrame  # measure, district, year of the stock block
    effects: pd.DataFrame  # kind, measure, year, sector, item: the keys of md.effects


#: the accounts measure effects act on: account -> (effect kinds, name of the item column)
EFFECT_ACCOUNTS = {"energy": (("energy", "feedstock"), "fuel"),
                   "feedstock": (("feedstock",), "fuel"),
                   "process": (("process",), "gas"),
                   "generation": (("generation", "renewable_generation"), None)}


def effect_joins(k: EffectInputs) -> dict[str, Any]:
    """Where each stock entry's effects go, for each account of `EFFECT_ACCOUNTS`: ``<name>``
    the term keys (stock keys, sector and item; effect rows on one key are one term, summed
    as pandas' groupby sums), ``<name>_rows`` the effect rows feeding them, in order, and
    ``<name>_groups`` the term each row adds to (`group_sums`)."""
    out: dict[str, Any] = {}
    effects = numbered(k.effects, "row")
    for name, (kinds, item) in EFFECT_ACCOUNTS.items():
        e = effects[effects["kind"].isin(kinds)]
        cols = ["measure", "year", "sector", "row"]
        if item is not None:
            e = e.rename(columns={"item": item})
            cols.insert(3, item)
        f = merge(k.stock, e[cols], on=["measure", "year"])
        keys = [*k.stock.columns, "sector", *([item] if item else [])]
        if item is None:  # generation: one term per effect row, summed in the matrix
            out[name] = f[keys]
            groups = np.arange(len(f))
        else:
            groups = f.groupby(keys, sort=False).ngroup().to_numpy()
            out[name] = f.drop_duplicates(keys)[keys].reset_index(drop=True)
        out[f"{name}_rows"] = f["row"].to_numpy()
        out[f"{name}_groups"] = groups
    return out


@dataclass(frozen=True)
class TechnologyInputs:
    stock: pd.DataFrame  # measure, district, year of the stock block
    measures: pd.DataFrame  # measure, sector, mode
    activity: pd.DataFrame  # sector, district, year of md.activity, in its row order


def technology_keys(k: TechnologyInputs) -> dict[str, Any]:
    """The rows of `Ledger._technology_shares`: ``route_rows`` (sector, district, year with a
    switch measure) and ``switch`` (their stock terms); ``improve_rows`` (each improve
    measure's stock entry) and ``improve_pairs`` (the switch measures of its sector, district
    and year); ``*_act``: the activity row that bounds each row."""
    meas = k.measures.set_index("measure")
    act = numbered(k.activity, "act")
    si = k.stock.assign(sector=lambda f: f["measure"].map(meas["sector"]),
                        mode=lambda f: f["measure"].map(meas["mode"].replace("", "add")))
    sw = si[si["mode"] == "switch"]
    out: dict[str, Any] = {}
    if len(sw):
        keys = merge(sw[["sector", "district", "year"]].drop_duplicates(), act,
                     on=["sector", "district", "year"])
        out.update(route_rows=keys[["sector", "district", "year"]],
                   switch=sw[["measure", "district", "year", "sector"]],
                   route_act=keys["act"].to_numpy())
    imp = merge(si[si["mode"] == "improve"], act, on=["sector", "district", "year"])
    if len(imp):
        keys = imp[["measure", "district", "year"]]
        pairs = merge(keys.assign(sector=imp["sector"].to_numpy()),
                      sw[["measure", "sector", "district", "year"]].rename(
                          columns={"measure": "switch"}), on=["sector", "district", "year"])
        out.update(improve_rows=keys, improve_pairs=pairs, improve_act=imp["act"].to_numpy())
    return out


@dataclass(frozen=True)
class TotalInputs:
    energy: pd.DataFrame  # sector, fuel, district, year: the energy account's index
    emissions: pd.DataFrame  # sector, gas, district, year: the emissions account's index
    emission_factor: pd.DataFrame  # fuel, year of md.emission_factor, in its row order
    sinks: list[str]  # sink sectors
    combustible: list[str]
    biomass: list[str]
    build: pd.DataFrame  # measure, district, year of the build block
    capex: pd.DataFrame  # measure, year of md.capex, in its row order
    groups: pd.DataFrame  # measure, group (bureau)


def total_terms(k: TotalInputs) -> dict[str, Any]:
    """The terms of the city totals: ``burned`` (energy entries with an emission factor, as
    CO2) and ``burned_ef_row`` (the factor's row), ``fuel_use``, ``co2_scope1`` (CO2 of
    sectors other than sinks), ``combustible``, ``biomass``, and ``investment`` (builds by
    bureau group) with ``investment_capex_row``."""
    ef = numbered(k.emission_factor, "ef_row")
    burned = merge(k.energy, ef, on=["fuel", "year"])
    em = k.emissions
    bi = merge(k.build, numbered(k.capex, "capex_row"),
               on=["measure", "year"])
    bi["group"] = bi["measure"].map(k.groups.set_index("measure")["group"])
    return {"burned": burned.drop(columns="ef_row").assign(gas="CO2"),
            "burned_ef_row": burned["ef_row"].to_numpy(),
            "fuel_use": merge(k.energy, k.emission_factor[["fuel"]].drop_duplicates(),
                              on="fuel"),
            "co2_scope1": em[(em["gas"] == "CO2") & ~em["sector"].isin(k.sinks)],
            "combustible": k.energy[k.energy["fuel"].isin(k.combustible)],
            "biomass": k.energy[k.energy["fuel"].isin(k.biomass)],
            "investment": bi.drop(columns="capex_row"),
            "investment_capex_row": bi["capex_row"].to_numpy()}


def capital_recovery_factor(rate: float, life: np.ndarray | int) -> np.ndarray:
    """Annuity per unit of capital: r / (1 - (1 + r)^-L); 1/L when r = 0."""
    life = np.asarray(life, dtype=float)
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** (-life))


def capital_recovery_factor_each(rates: np.ndarray, life: np.ndarray) -> np.ndarray:
    """CRF per element: rates[i] / (1 - (1 + rates[i])^-life[i]); 1/life where the rate is 0."""
    rates = np.asarray(rates, dtype=float)
    life = np.asarray(life, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = rates / (1.0 - (1.0 + rates) ** (-life))
    return np.where(rates == 0, 1.0 / life, crf)


def discount_factors(rate: float, years: list[int], base: int) -> np.ndarray:
    """Present-value factor of each year: (1 + r)^-(y - base)."""
    return (1.0 + rate) ** (-(np.asarray(years, dtype=float) - base))
