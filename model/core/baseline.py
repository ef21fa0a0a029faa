"""Derived data for one scenario: the projected economy, each sector's activity and baseline
energy and emissions, and every time series the model reads, interpolated to the model years.

This is data, not math: frames in, frames out, in canonical units (`peakpath.io.units`). Projection
rules (stated once here, cited in README):

* GDP and population grow from their last history value at the rates in ``growth.csv``;
  value added of industry and services is GDP times the secondary and tertiary shares
  (linear between the years given in ``macro.csv``).
* activity[s,d,y] = activity[s,d,base] × (driver[y] / driver[base]) ** elasticity[s];
  sectors with driver ``constant`` stay at the base level; ``heat_demand`` is endogenous.
* energy intensity[s,f,y] = energy[s,f,base] / activity[s,base] × (1 + rate[s,f]) **
  (min(y, end[s,f]) − base), with rate[s,f] the sector's row for fuel f in efficiency.csv, else
  its row for every fuel, and end[s,f] the row's last year (empty: every year);
  the heat sector's intensity is fuel per unit of heat delivered (constant).
* Time series given for some years (prices, emission factors, the grid, potentials) are linear
  between the years given and flat before the first and after the last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from peakpath.core.frames import (
    column_values,
    group_sums,
    key_cols,
    lookup_join,
    merge,
    numbered,
    planned,
    selected,
    sorted_groups,
    sums_at,
    take_or_zero,
)
from peakpath.errors import InputError, Problem
from peakpath.io.inputs import InputData
from peakpath.io.scenario import DEFAULTS, Scenario
from peakpath.io.units import (
    WAN_TCE_PER_YI_KWH,
    coal_equivalent_multiplier,
    electricity_price_to_energy_price,
    grid_factor_to_energy_factor,
)

if TYPE_CHECKING:  # not at run time: the algebra module imports Pyomo
    from peakpath.core.algebra import LookupCache

COMBUSTIBLE = ("coal", "oil", "gas", "biomass")  # fuel categories counted as primary energy
POWER_ROLES = ("power", "renewable_power")  # sector roles with local generation


@dataclass
class ModelData:
    """Everything `build.py` needs, derived for one scenario. Frames are long (tidy)."""

    scenario: Scenario
    base_year: int
    years: list[int]
    sectors: pd.DataFrame
    groups: pd.DataFrame
    fuels: pd.DataFrame
    districts: pd.DataFrame
    macro: pd.DataFrame  # year, gdp (亿元), population (万人), industry_va, services_va
    activity: pd.DataFrame  # sector, district, year, value (base year included)
    energy_base: pd.DataFrame  # sector, fuel, district, year, value (万tce), non-heat sectors
    heat_intensity: pd.DataFrame  # fuel, year, value (万tce fuel per 万tce heat)
    process_base: pd.DataFrame  # sector, gas, district, year, value (万t of gas)
    feedstock: pd.DataFrame  # sector, fuel, share
    emission_factor: pd.DataFrame  # fuel, year, value (tCO2/tce), combustible fuels
    grid: pd.DataFrame  # year, ef (tCO2/tce-calorific), nf_share, kce (coal-equiv multiplier)
    prices: pd.DataFrame  # fuel, year, value (CNY/tce; electricity per tce-calorific)
    carbon_price: pd.DataFrame  # year, value (CNY/t CO2)
    measures: pd.DataFrame  # measures table + bureau group
    potential: pd.DataFrame  # measure, district, year, value (measure units)
    potential_input: pd.DataFrame  # measure, year, value as given (a share if share-based)
    capex: pd.DataFrame  # measure, year, value (万元/unit)
    effects: pd.DataFrame  # measure, kind, item, sector, value (canonical units)
    group_potential: pd.DataFrame  # group, district, year, value
    projects: pd.DataFrame
    project_effects: pd.DataFrame
    #: fuel, component (tax | network), year, value (CNY/tce; electricity per tce-calorific)
    price_components: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: measure -> hurdle rate of its actor (the social discount rate when it has none)
    hurdle_rate: pd.Series = field(default_factory=pd.Series)
    gwp: dict[str, float] = field(default_factory=dict)
    #: the fuels coal caps, coal limits and the coal accounts count (`coal_fuels`)
    coal_fuels: list[str] = field(default_factory=list)
    digest: str = ""
    #: answers of sector_ids / fuel_ids (called thousands of times per build) and
    #: activity_added: the tables they read are fixed once the data are derived
    _ids: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def all_years(self) -> list[int]:
        return [self.base_year, *self.years]

    def activity_added(self, lookups: LookupCache | None = None) -> np.ndarray:
        """max(A[s,d,y] - A[s,d,y'], 0) for each row of ``activity``, y' the sector and
        district's previous year (NaN in its first year): the activity added over the
        previous year, as new floor area or new vehicles (activity units). Which row is the
        previous one is planned once per structure (`previous_rows`; ``lookups``: a batch's
        cache)."""
        if "activity_added" not in self._ids:
            prev = planned(lookups, "previous_activity", PreviousInputs(
                key_cols(self.activity, ["sector", "district", "year"])), previous_rows)["rows"]
            value = self.activity["value"].to_numpy(float)
            diff = np.where(prev >= 0, value - value[np.maximum(prev, 0)], np.nan)
            # Series.clip(lower=0): a missing value stays missing, −0.0 stays −0.0
            with np.errstate(invalid="ignore"):
                added = np.where(np.isnan(diff) | (diff >= 0.0), diff, 0.0)
            added.flags.writeable = False  # kept for every caller
            self._ids["activity_added"] = added
        return self._ids["activity_added"]

    def sector_ids(self, role: str | tuple[str, ...] | None = None,
                   group: str | None = None) -> list[str]:
        """The sectors (in table order) with ``role`` (one, or any of a tuple) and
        ``group``."""
        key = ("sector", role, group)
        if key not in self._ids:  # plain lists: a frame filter costs ≈ 0.3 ms a call
            s = self.sectors
            roles = role if isinstance(role, tuple) else (role,)
            self._ids[key] = [
                x for x, r, g in zip(s["sector"].tolist(), s["role"].tolist(),
                                     s["group"].tolist(), strict=True)
                if (role is None or r in roles) and (group is None or g == group)]
        return list(self._ids[key])

    def reference_co2_max(self) -> float:
        """Largest CO2 of the reference path (万t), a scale for big-M rows."""
        return float(reference_co2(self)["co2_total"].abs().max())

    def fuel_ids(self, categories: tuple[str, ...]) -> list[str]:
        key = ("fuel", tuple(categories))
        if key not in self._ids:
            wanted = set(categories)
            self._ids[key] = [f for f, c in zip(self.fuels["fuel"].tolist(),
                                                self.fuels["category"].tolist(), strict=True)
                              if c in wanted]
        return list(self._ids[key])


# --------------------------------------------------------------------------------------------


def interpolate(df: pd.DataFrame, by: list[str], years: list[int],
                value: str = "value", lookups: LookupCache | None = None,
                site: str | None = None) -> pd.DataFrame:
    """Values of ``df`` (columns ``by`` + year + value) at ``years``: linear between given
    years, flat outside them. Which rows make up each series, and the result's keys, depend
    on names only: with ``lookups`` (a batch's cache) they are planned once per structure at
    ``site``."""
    cols = [*by, "year", value]
    if df.empty:
        return pd.DataFrame(columns=cols)
    inputs = InterpolationInputs(key_cols(df, [*by, "year"]), list(by), list(years))
    plan = (planned(lookups, site, inputs, interpolation_plan) if site is not None
            else interpolation_plan(selected(inputs)))
    ys = np.asarray(years, dtype=float)
    x, y = plan["x"], df[value].to_numpy(float)[plan["order"]]
    vals = np.concatenate([np.interp(ys, x[a:b], y[a:b]) for a, b in zip(
        plan["starts"], plan["ends"], strict=True)])
    return plan["keys"].assign(**{value: vals})


@dataclass(frozen=True)
class InterpolationInputs:
    keys: pd.DataFrame  # the ``by`` columns and year of the given rows, in order
    by: list[str]
    years: list[int]


def interpolation_plan(k: InterpolationInputs) -> dict[str, object]:
    """The given rows in the order of sort_values([*by, "year"]) (``order``, each key column
    coded in sorted order), where each series starts and ends in it, their years (``x``)
    and the keys of `interpolate`'s result (each series in every year)."""
    df = k.keys
    codes = [pd.factorize(df[c], sort=True)[0] for c in k.by]
    x_all = df["year"].to_numpy(float)
    order = np.lexsort([x_all, *codes[::-1]])  # the last key sorts first
    group = np.zeros(len(df), dtype=np.int64)
    for c in codes:
        group = group * (int(c.max()) + 1) + c
    group = group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    n = len(k.years)
    keys = {col: np.repeat(df[col].to_numpy()[order][starts], n) for col in k.by}
    keys["year"] = np.tile(np.asarray(k.years), len(starts))
    return {"order": order, "starts": starts, "ends": ends, "x": x_all[order],
            "keys": pd.DataFrame(keys)}


def series_at(given: pd.DataFrame, mask: np.ndarray, years: list[int]) -> np.ndarray:
    """The values of the rows ``mask`` of ``given`` (year, value) at ``years``: linear between
    given years, flat outside them; what `interpolate` gives for them without keys."""
    x = given["year"].to_numpy(float)[mask]
    order = np.lexsort([x])
    return np.interp(np.asarray(years, dtype=float), x[order],
                     given["value"].to_numpy(float)[mask][order])


def derive(data: InputData, scenario: Scenario, lookups: LookupCache | None = None
           ) -> ModelData:
    """Derive the model data of ``scenario`` from a validated dataset (``lookups``: a batch's
    cache of what depends on names only, `peakpath.core.algebra.LookupCache`)."""
    base, years = scenario.base_year, scenario.years
    all_years = [base, *years]
    t = data.tables.get
    _unchanged(lookups, "check_base_year", (t("activity"), t("energy")), (base,),
               lambda: check_base_year(data, scenario) or {})
    problems: list[Problem] = []
    coal = _unchanged(lookups, "coal_fuels", (t("fuels"),),
                      (tuple(scenario.accounting["coal_fuels"]), str(scenario.path)),
                      lambda: _found(_coal_fuel_array, data, scenario))
    problems.extend(coal["problems"])
    coal = list(coal["value"])
    sectors = lookup_join(lookups, "sector_groups", data["sectors"], data["sector_groups"],
                          ["group"], ["bureau_zh", "bureau_en"])
    districts = _unchanged(lookups, "districts", (t("districts"),),
                           (bool(scenario.settings["districts"]),),
                           lambda: {"districts": _districts(data, scenario)})["districts"]
    macro = project_macro(data, all_years, problems)
    shares = sector_shares(data, districts)
    activity = project_activity(data, scenario, districts, macro, problems, shares, lookups)
    energy_base, heat_int = baseline_energy(data, base, years, activity, problems, lookups)
    process = baseline_process(data, all_years, activity, lookups)
    ef = _unchanged(lookups, "emission_factors", (t("fuels"), t("emission_factors")),
                    tuple(all_years), lambda: _found(_emission_factors, data, all_years))
    problems.extend(ef["problems"])
    ef = ef["value"]
    grid = _grid(data, all_years, problems)
    prices = _prices(data, all_years, problems, lookups)
    components = _unchanged(lookups, "price_components", (t("price_components"),),
                            tuple(all_years),
                            lambda: {"value": _price_components(data, all_years)})["value"]
    cp = scenario.settings.get("carbon_price") or {}
    carbon = interpolate(pd.DataFrame({"year": list(cp), "value": list(cp.values())}), [],
                         all_years) if cp else pd.DataFrame({"year": all_years,
                                                             "value": 0.0})
    measures = lookup_join(lookups, "measure_groups", data["measures"], sectors, ["sector"],
                           ["group"])
    potential, group_pot = measure_potentials(data, measures, activity, districts, all_years,
                                              shares, problems, lookups)
    projects = _place_projects(data, districts, problems)
    potential_input = _unchanged(
        lookups, "potential_input", (t("measure_potential"),), tuple(all_years),
        lambda: {"value": interpolate(data["measure_potential"][["measure", "year", "value"]],
                                      ["measure"], all_years)})["value"]
    capex = _capex(measures, years, base)
    effects = measure_effects(data, measures, activity, energy_base, all_years, lookups)
    if problems:
        raise InputError(problems)
    return ModelData(
        scenario=scenario, base_year=base, years=years, sectors=sectors,
        groups=data["sector_groups"], fuels=data["fuels"], districts=districts, macro=macro,
        activity=activity, energy_base=energy_base, heat_intensity=heat_int,
        process_base=process, feedstock=data["feedstock"], emission_factor=ef, grid=grid,
        prices=prices, carbon_price=carbon, measures=measures, potential=potential,
        potential_input=potential_input, capex=capex, effects=effects, group_potential=group_pot,
        projects=projects, project_effects=data["project_effects"],
        price_components=components, hurdle_rate=_hurdle_rates(data, measures, scenario, lookups),
        gwp={"CO2": 1.0, **{k: float(v) for k, v in scenario.settings["gwp"].items()}},
        coal_fuels=coal, digest=data.digest,
    )


@dataclass(frozen=True)
class PreviousInputs:
    activity: pd.DataFrame  # sector, district, year of the activity rows, in order


def previous_rows(k: PreviousInputs) -> dict[str, np.ndarray]:
    """For each activity row, the row of the same sector and district in the latest earlier
    year (−1: none, or a missing key), what ``groupby([sector, district]).diff()`` over the
    rows sorted by year subtracts."""
    a = k.activity
    codes = [pd.factorize(a[c])[0] for c in ("sector", "district")]
    group = codes[0].astype(np.int64) * (int(codes[1].max(initial=0)) + 1) + codes[1]
    group[(codes[0] < 0) | (codes[1] < 0)] = -1
    order = np.lexsort([a["year"].to_numpy(), group])  # by group, then year
    same = np.r_[False, group[order][1:] == group[order][:-1]] & (group[order] >= 0)
    prev = np.full(len(a), -1, dtype=np.int64)
    prev[order[same]] = order[np.flatnonzero(same) - 1]
    return {"rows": prev}


def _unchanged(lookups: LookupCache | None, site: str, tables: tuple, settings: tuple,
               compute) -> dict:
    """``compute()``, reused by a batch while it reads the same table objects with the same
    settings (`LookupCache.memo_tables`): what derives from tables no draw changes."""
    return compute() if lookups is None else lookups.memo_tables(site, tables, settings,
                                                                 compute)


def _found(derive_part, *args) -> dict:
    """``derive_part(*args, problems)`` as an answer: its value and the problems it found."""
    problems: list[Problem] = []
    value = derive_part(*args, problems)
    return {"value": value, "problems": _problem_array(problems)}


def _problem_array(problems: list[Problem]) -> np.ndarray:
    """``problems`` as a one-dimensional object array, the form a memo's answer keeps."""
    found = np.empty(len(problems), dtype=object)
    found[:] = problems
    return found


def table_file(data: InputData, table: str) -> str:
    """How messages name a table of ``data``: the CSV file, or the workbook's sheet."""
    src = Path(data.source)
    return f"{src}:{table}" if src.suffix.lower() == ".xlsx" else str(src / f"{table}.csv")


#: tables whose base-year rows the model starts from (the later years are projected)
BASE_YEAR_TABLES = ("activity", "energy")


def _coal_fuel_array(data: InputData, scenario: Scenario, problems: list[Problem]
                     ) -> np.ndarray:
    """`coal_fuels` as an array, the form a memo's answer keeps."""
    return np.array(coal_fuels(data, scenario, problems), dtype=object)


def coal_fuels(data: InputData, scenario: Scenario, problems: list[Problem]) -> list[str]:
    """The fuels counted as coal: ``accounting.coal_fuels``, each a burned fuel of the dataset
    (a coal cap over a fuel the model does not burn would sum nothing). The default list
    (raw coal and coke) keeps the fuels the dataset has: a dataset may have no coke."""
    fuels = data["fuels"]
    burned = set(fuels.loc[fuels["category"].isin(COMBUSTIBLE), "fuel"])
    listed = list(scenario.accounting["coal_fuels"])
    if listed == DEFAULTS["accounting"]["coal_fuels"]:
        return [f for f in listed if f in burned]
    unknown = [f for f in listed if f not in burned]
    if unknown:
        file, line = scenario.where(("accounting", "coal_fuels")) \
            if hasattr(scenario, "where") else (str(scenario.path), None)
        problems.append(Problem(file, line, "accounting.coal_fuels", "reference",
                                f"coal fuels {unknown} are not burned fuels of the dataset; "
                                f"expected some of: {', '.join(sorted(burned))}",
                                "煤炭品种代码无效"))
    return listed


def check_base_year(data: InputData, scenario: Scenario) -> None:
    """The dataset must hold the scenario's base year: without it every sector would start
    from nothing. When no table has it, the scenario's ``years.base`` is blamed (at its line);
    otherwise each sector whose energy series skips the base year is named, at its first
    row."""
    base = scenario.base_year
    have = {t: sorted(set(data[t]["year"])) for t in BASE_YEAR_TABLES}
    if not any(base in y for y in have.values()):
        file, line = scenario.where(("years", "base")) if hasattr(scenario, "where") else (
            str(scenario.path), None)
        span = "; ".join(f"{t}: {y[0]}–{y[-1]}" if y else f"{t}: no rows"
                         for t, y in have.items())
        raise InputError([Problem(file, line, "years.base", "base-year",
                                  f"the dataset {data.source} has no data for the base year "
                                  f"{base} ({span}); choose a base year it covers",
                                  "数据集中没有基准年的数据")])
    problems = []
    for t in BASE_YEAR_TABLES:
        df = data[t]
        lines = data.lines.get(t)
        missing = sorted(set(df["sector"]) - set(df.loc[df["year"] == base, "sector"]))
        for sector in missing:
            i = int(np.flatnonzero((df["sector"] == sector).to_numpy())[0])
            problems.append(Problem(
                table_file(data, t), int(lines[i]) if lines is not None else None, "year",
                "base-year", f"sector '{sector}' has rows in {t} but none for the base year "
                f"{base}; add its {base} row", f"该行业缺少基准年（{base}年）数据"))
    if problems:
        raise InputError(problems)


def _districts(data: InputData, scenario: Scenario) -> pd.DataFrame:
    """The model's districts: every district but the city row when the scenario sets
    ``districts: true`` (and the dataset has districts), else the one city row."""
    d = data["districts"]
    cols = ["district", "name_zh", "name_en", "kind"]
    parts = d[d["kind"] != "city"]
    if scenario.settings["districts"] and len(parts):
        return parts[cols].reset_index(drop=True)
    if len(d) == 1:
        return d[cols].reset_index(drop=True)
    city = d[d["kind"] == "city"]
    if len(city):
        return city.iloc[:1][cols].reset_index(drop=True)
    return pd.DataFrame({"district": ["city"], "name_zh": ["全市"], "name_en": ["Whole city"],
                         "kind": ["city"]})


def is_split(districts: pd.DataFrame) -> bool:
    """True when the model has several districts (city activity is split by shares)."""
    return len(districts) > 1


def sector_shares(data: InputData, districts: pd.DataFrame) -> pd.DataFrame:
    """share[sector, district] of the city's activity (columns sector, district, share): the
    one district takes everything when the model has no districts."""
    if not is_split(districts):
        return pd.DataFrame({"sector": data["sectors"]["sector"],
                             "district": districts["district"].iloc[0], "share": 1.0})
    sh = data["district_shares"]
    return sh[sh["district"].isin(districts["district"])][
        ["sector", "district", "share"]].reset_index(drop=True)


def _place_projects(data: InputData, districts: pd.DataFrame, problems: list[Problem]
                    ) -> pd.DataFrame:
    """Projects sit in their district when the model has districts, in the city otherwise."""
    pr = data["projects"].copy()
    if pr.empty:
        return pr
    if not is_split(districts):
        pr["district"] = districts["district"].iloc[0]
        return pr
    lines = data.lines.get("projects")
    for i in np.flatnonzero(~pr["district"].isin(districts["district"]).to_numpy()):
        problems.append(Problem("projects.csv", int(lines[i]) if lines is not None else None,
                                "district", "district",
                                f"project '{pr['project'].iloc[i]}' is placed in "
                                f"'{pr['district'].iloc[i]}', which is not one of the model's "
                                "districts (name the district of its site)",
                                "分区计算时项目须位于具体的区"))
    return pr


def project_macro(data: InputData, years: list[int], problems: list[Problem]) -> pd.DataFrame:
    """GDP (亿元, 2020 prices), population (万人) and value added of industry and services."""
    m = data["macro"]
    out: dict[str, object] = {"year": years}  # made a frame once, at the end
    growth = data["growth"]
    variable, grows = m["variable"].to_numpy(), growth["variable"].to_numpy()
    for var in ("gdp", "population"):
        rows = variable == var
        hist = dict(zip(m["year"].to_numpy()[rows].astype(int).tolist(),
                        m["value"].to_numpy()[rows].astype(float).tolist(), strict=True))
        series = {y: hist[y] for y in years if y in hist}
        last = max((y for y in hist if y <= years[0]), default=None)
        if last is None:
            problems.append(Problem("macro.csv", None, "year", "history",
                                    f"no {var} value in or before the base year {years[0]}",
                                    "缺少基准年宏观数据"))
            continue
        level = hist[last]
        g = grows == var
        start, end = growth["start_year"].to_numpy()[g], growth["end_year"].to_numpy()[g]
        rate = growth["rate"].to_numpy(float)[g]
        for y in range(last + 1, years[-1] + 1):
            covering = np.flatnonzero((start <= y) & (end >= y))  # the first row given wins
            if y in hist:
                level = hist[y]
            elif not covering.size:
                problems.append(Problem("growth.csv", None, "start_year", "coverage",
                                        f"no {var} growth rate covers {y}",
                                        "缺少该年份的增速"))
                break
            else:
                level *= 1.0 + float(rate[covering[0]])
            series[y] = level
        out[var] = np.array([series.get(y, np.nan) for y in years], dtype=float)
    for share, col in (("secondary_share", "industry_va"), ("tertiary_share", "services_va")):
        sh = variable == share
        if not sh.any():
            problems.append(Problem("macro.csv", None, "variable", "required",
                                    f"no {share} rows", "缺少产业结构数据"))
            continue
        if "gdp" in out:  # without GDP its problem is reported already
            out[col] = out["gdp"] * series_at(m, sh, years)
    return pd.DataFrame(out)


def project_activity(data: InputData, scenario: Scenario, districts: pd.DataFrame,
                     macro: pd.DataFrame, problems: list[Problem],
                     shares: pd.DataFrame | None = None,
                     lookups: LookupCache | None = None) -> pd.DataFrame:
    """activity[sector, district, year] for every sector with a base-year activity. With
    districts, rows given for the whole city are split by ``shares`` (district_shares.csv)::

        A[s,d,y] = A[s,d,base] · (driver[y] / driver[base])^elasticity[s]

    The base-year rows come from tables no draw changes: a batch reuses them
    (`LookupCache.memo_tables`)."""
    base = scenario.base_year
    t = data.tables.get
    a = _unchanged(lookups, "base_activity",
                   (t("activity"), t("districts"), t("district_shares")),
                   (base, bool(scenario.settings["districts"])),
                   lambda: _found(_base_activity, data, base, districts, shares))
    problems.extend(a["problems"])
    a = a["value"]
    plan = planned(lookups, "activity", ActivityInputs(
        key_cols(a, ["sector", "district"]), key_cols(data["sectors"], ["sector", "role",
                                                                         "driver"]),
        macro["year"].tolist(), base), activity_plan)
    problems.extend(plan["problems"])
    # each driver's growth since the base year (a frame divided by its base-year row, as
    # columns), then one sector's series at a time to its elasticity (1 without a driver):
    # the exponent a scalar, as NumPy computes it for one sector's series
    growth = []
    for d in DRIVERS:
        # a driver macro could not make has its problem reported already: no growth then
        x = np.ones(len(macro)) if d == "constant" else macro[d].to_numpy(float) \
            if d in macro else np.full(len(macro), np.nan)
        growth.append(x / x[plan["base_row"]])
    elasticity = data["sectors"]["elasticity"].to_numpy(float)[plan["sector_row"]]
    factor = np.ones((len(elasticity), len(macro)))
    for k, c in enumerate(plan["driver"]):
        if c >= 0:
            factor[k] = growth[c] ** elasticity[k]
    value = a["value"].to_numpy(float)[plan["order"]]
    return plan["keys"].assign(value=(value[:, None] * factor[plan["code"]]).ravel())


#: what a sector's activity may follow (sectors.csv ``driver``), the columns of macro
DRIVERS = ("gdp", "population", "industry_va", "services_va", "constant")


@dataclass(frozen=True)
class ActivityInputs:
    base: pd.DataFrame  # sector, district of the base-year activity rows, in order
    sectors: pd.DataFrame  # sector, role, driver of sectors.csv
    years: list[int]  # the years of macro (the model's, the base year first)
    base_year: int


def activity_plan(k: ActivityInputs) -> dict[str, object]:
    """How the base-year rows grow into ``activity``: the rows sorted by sector (stable,
    ``order``), each one's sector number (``code``) and, per sector, its row in sectors.csv
    and its driver (position in `DRIVERS`, −1: none); the keys of the result (sector,
    district, year: each row in every year) and the sectors without base-year activity."""
    sec = k.sectors.set_index("sector")
    need = sec.index[~sec["role"].isin(["heat", "ccus"])]
    problems = [Problem("activity.csv", None, "sector", "base-year",
                        f"sector '{s}' has no activity in the base year {k.base_year}",
                        "缺少基准年活动水平")
                for s in need.difference(k.base["sector"].unique())]
    a = numbered(k.base, "row").sort_values("sector", kind="stable")
    code, sectors = pd.factorize(a["sector"])
    n = len(k.years)
    keys = pd.DataFrame({"sector": np.repeat(a["sector"].to_numpy(), n),
                         "district": np.repeat(a["district"].to_numpy(), n),
                         "year": np.tile(np.asarray(k.years), len(a))})
    return {"order": a["row"].to_numpy(), "code": code,
            "sector_row": pd.Index(k.sectors["sector"]).get_indexer(sectors),
            "driver": pd.Index(DRIVERS).get_indexer(sec.loc[sectors, "driver"]),
            "base_row": k.years.index(k.base_year), "keys": keys,
            "problems": _problem_array(problems)}


def _base_activity(data: InputData, base: int, districts: pd.DataFrame,
                   shares: pd.DataFrame | None, problems: list[Problem]) -> pd.DataFrame:
    """The base year's activity by sector and district (sector, value, district): the
    districts summed for the whole city, or the city's rows split by ``shares``."""
    a = data["activity"]
    a = a[a["year"] == base]
    if not is_split(districts):  # whole city: sum the districts
        a = a.groupby("sector", as_index=False)["value"].sum()
        a["district"] = districts["district"].iloc[0]
        return a
    return _split_city_rows(data, a, districts, shares, problems)


def _split_city_rows(data: InputData, a: pd.DataFrame, districts: pd.DataFrame,
                     shares: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Activity given for the city row, split over the districts by the sector's shares;
    rows already given per district are kept as they are."""
    d = data["districts"]
    city_ids = set(d.loc[d["kind"] == "city", "district"])
    city = a[a["district"].isin(city_ids)]
    own = a[a["district"].isin(districts["district"])]
    for s in sorted(set(city["sector"]) - set(shares["sector"])):
        problems.append(Problem("district_shares.csv", None, "sector", "coverage",
                                f"sector '{s}' has city activity but no district shares; "
                                "add its rows (or run without districts)",
                                "缺少该行业的分区比例"))
    split = merge(city[["sector", "value"]], shares, on="sector")
    split["value"] = split["value"] * split["share"]
    out = pd.concat([own[["sector", "district", "value"]],
                     split[["sector", "district", "value"]]], ignore_index=True)
    return out.groupby(["sector", "district"], as_index=False, sort=False)["value"].sum()


def intensity_rates(efficiency: pd.DataFrame, rows: dict[str, np.ndarray]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Autonomous intensity change (1/yr) of each (sector, fuel) key and the last year it
    applies: the row of efficiency.csv for that sector and fuel, else the sector's row
    without a fuel, else 0 (a sector without a row has no autonomous trend; its intensity
    moves through measures). An empty ``end_year`` applies the rate in every year. ``rows``:
    each key's two candidate rows (`trend_rows`)."""
    n = len(efficiency)
    end = efficiency["end_year"].to_numpy(float) if "end_year" in efficiency else np.full(
        n, -1.0)
    out = []
    for values, empty in ((efficiency["rate"].to_numpy(float), 0.0),
                          (np.where(end > 0, end, 9999.0), 9999.0)):
        own, every = (np.where(rows[k] >= 0, values[rows[k]] if n else 0.0, np.nan)
                      for k in ("own", "every"))
        out.append(np.where(np.isnan(own), np.where(np.isnan(every), empty, every), own))
    return out[0], out[1]


def trend_rows(efficiency: pd.DataFrame, keys: pd.DataFrame) -> dict[str, np.ndarray]:
    """For each (sector, fuel) of ``keys``, the row of ``efficiency`` (sector, fuel; fuel
    empty or missing: every fuel) with its own trend (``own``) and its sector's trend
    (``every``); −1: none, the last row where a key is given twice."""
    sector = efficiency["sector"].to_numpy()
    fuel = efficiency["fuel"].fillna("").to_numpy() if "fuel" in efficiency else np.full(
        len(efficiency), "", dtype=object)
    rows = np.arange(len(efficiency))
    has = fuel != ""
    own = dict(zip(zip(sector[has], fuel[has], strict=True), rows[has], strict=True))
    every = dict(zip(sector[~has], rows[~has], strict=True))
    wanted = zip(keys["sector"], keys["fuel"], strict=True)
    return {"own": np.array([own.get(k, -1) for k in wanted], dtype=np.int64),
            "every": np.array([every.get(k, -1) for k in keys["sector"]], dtype=np.int64)}


def baseline_energy(data: InputData, base: int, years: list[int], activity: pd.DataFrame,
                    problems: list[Problem], lookups: LookupCache | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseline energy of non-heat sectors, and the heat sector's fuel per unit heat::

        E[s,f,d,y] = A[s,d,y] · E[s,f,base] / A[s,base] · (1 + r[s,f])^(min(y, last) − base)

    with r the autonomous trend (`intensity_rates`); the heat sector's fuels are the base
    year's per unit of heat used, in every year. What depends on names and the base year's
    data only is planned once (`baseline_energy_plan`); a batch reuses it through
    ``lookups``."""
    # the base year's activity by sector (sorted), as groupby("sector").sum() of its rows
    at_base = planned(lookups, "base_year_sectors", BaseYearInputs(
        key_cols(activity, ["sector", "year"]), base), base_year_sectors)
    ab = group_sums(activity["value"].to_numpy(float)[at_base["rows"]], at_base["groups"],
                    sort=True)
    sectors, fuels = data["sectors"], data["fuels"]
    e = _unchanged(lookups, "base_year_energy", (data.tables.get("energy"),), (base,),
                   lambda: {"value": data["energy"][data["energy"]["year"] == base]})["value"]
    inputs = BaselineEnergyInputs(
        key_cols(e, ["sector", "fuel", "value"]),
        column_values(sectors, "sector")[column_values(sectors, "role") == "heat"].tolist(),
        column_values(fuels, "fuel")[column_values(fuels, "category") == "heat"].tolist(),
        [s for s, v in zip(at_base["sectors"], ab, strict=True) if v > 0],
        key_cols(data["efficiency"], ["sector", "fuel"]),
        key_cols(activity, ["sector", "district", "year"]), base, [base, *years])
    plan = planned(lookups, "baseline_energy", inputs, baseline_energy_plan)
    problems.extend(plan["problems"])
    intensity = plan["plain_value"] / ab[plan["plain_ab"]]
    rate, last = intensity_rates(data["efficiency"], plan)
    p, year = plan["plain_row"], plan["year"]
    value = activity["value"].to_numpy(float)[plan["act_row"]] * intensity[p] * (
        1.0 + rate[p]) ** (np.minimum(year, last[p]) - base)
    return plan["energy"].assign(value=value), plan["heat"]


@dataclass(frozen=True)
class BaseYearInputs:
    activity: pd.DataFrame  # sector, year of the activity rows, in order
    base: int


def base_year_sectors(k: BaseYearInputs) -> dict[str, object]:
    """The base year's activity rows (``rows``), each one's sector numbered in sorted order
    (``groups``, as a groupby by sector numbers them) and those sectors (``sectors``)."""
    rows = np.flatnonzero(k.activity["year"].to_numpy() == k.base)
    groups, sectors = pd.factorize(k.activity["sector"].to_numpy()[rows], sort=True)
    return {"rows": rows, "groups": groups, "sectors": np.asarray(sectors, dtype=object)}


@dataclass(frozen=True)
class BaselineEnergyInputs:
    energy: pd.DataFrame  # sector, fuel, value of energy.csv in the base year
    heat_sectors: list[str]
    heat_fuels: list[str]
    active: list[str]  # sectors with activity in the base year
    efficiency: pd.DataFrame  # sector, fuel of efficiency.csv, in row order
    activity: pd.DataFrame  # sector, district, year of the activity, in row order
    base: int
    years: list[int]  # all years, the base year first


def baseline_energy_plan(k: BaselineEnergyInputs) -> dict[str, object]:
    """The rows of `baseline_energy`: each (sector, fuel) of the base year with activity
    (``plain_value``, its sector's place among the base-year sectors ``plain_ab``, its trend
    rows ``own``/``every``), each result row's activity row, (sector, fuel) row and year, the
    result's keys; the heat sector's fuel per unit of heat (whole: base-year data); the
    problems found."""
    e = k.energy
    problems = []
    plain = e[~e["sector"].isin(k.heat_sectors)]
    for s in plain.loc[~plain["sector"].isin(k.active), "sector"].unique():
        problems.append(Problem("energy.csv", None, "sector", "activity",
                                f"sector '{s}' uses energy in {k.base} but has no activity",
                                "有能耗但无活动水平"))
    plain = numbered(plain[plain["sector"].isin(k.active)].reset_index(drop=True), "plain_row")
    base_sectors = pd.Index(sorted(set(k.activity.loc[k.activity["year"] == k.base,
                                                      "sector"])))
    act = merge(numbered(k.activity, "act_row"),
                plain[["sector", "fuel", "plain_row"]], on="sector")
    heat_use = e.loc[e["fuel"].isin(k.heat_fuels), "value"].sum()
    hi = e[e["sector"].isin(k.heat_sectors)].copy()
    if len(hi) and heat_use <= 0:
        problems.append(Problem("energy.csv", None, "fuel", "heat",
                                "the heat sector uses fuel but no sector uses heat",
                                "有供热燃料但无热力消费"))
    hi["value"] = hi["value"] / heat_use if heat_use > 0 else 0.0
    heat = pd.DataFrame({  # the base-year mix in every year, year by year
        "fuel": np.tile(hi["fuel"].to_numpy(), len(k.years)),
        "year": np.repeat(np.asarray(k.years, dtype=np.int64), len(hi)),
        "value": np.tile(hi["value"].to_numpy(float), len(k.years)),
    }) if len(hi) else pd.DataFrame(columns=["fuel", "year", "value"])
    return {"plain_value": plain["value"].to_numpy(float),
            "plain_ab": base_sectors.get_indexer(plain["sector"]),
            **trend_rows(k.efficiency, plain), "plain_row": act["plain_row"].to_numpy(),
            "act_row": act["act_row"].to_numpy(), "year": act["year"].to_numpy(),
            "energy": act[["sector", "fuel", "district", "year"]], "heat": heat,
            "problems": _problem_array(problems)}


def baseline_process(data: InputData, years: list[int], activity: pd.DataFrame,
                     lookups: LookupCache | None = None) -> pd.DataFrame:
    """P[s,g,d,y] = A[s,d,y] · p[s,g,y] (万t of gas): process emissions per unit of activity
    (process.csv, interpolated over the years) times activity. The interpolated factors are
    reused while the table is (no draw changes it), and which rows pair up is planned once
    per structure (`process_rows`)."""
    p = _unchanged(lookups, "process_factors", (data.tables.get("process"),), tuple(years),
                   lambda: {"value": interpolate(data["process"], ["sector", "gas"], years)}
                   )["value"]
    plan = planned(lookups, "process_rows", ProcessInputs(
        key_cols(activity, ["sector", "district", "year"]), key_cols(p, ["sector", "gas",
                                                                         "year"])),
        process_rows)
    value = activity["value"].to_numpy(float)[plan["act_row"]] * \
        p["value"].to_numpy(float)[plan["factor_row"]]
    return plan["keys"].assign(value=value)


@dataclass(frozen=True)
class ProcessInputs:
    activity: pd.DataFrame  # sector, district, year of the activity rows, in order
    factors: pd.DataFrame  # sector, gas, year of the interpolated process factors, in order


def process_rows(k: ProcessInputs) -> dict[str, object]:
    """Each process-emission row's activity row and factor row, in the order of the join of
    the two on sector and year, and its keys (sector, gas, district, year)."""
    out = merge(numbered(k.activity, "act_row"), numbered(k.factors, "factor_row"),
                on=["sector", "year"])
    return {"act_row": out["act_row"].to_numpy(), "factor_row": out["factor_row"].to_numpy(),
            "keys": out[["sector", "gas", "district", "year"]].reset_index(drop=True)}


def _emission_factors(data: InputData, years: list[int], problems: list[Problem]
                      ) -> pd.DataFrame:
    combustible = data["fuels"].loc[data["fuels"]["category"].isin(COMBUSTIBLE), "fuel"]
    ef = data["emission_factors"]
    for f in combustible[~combustible.isin(ef["fuel"])]:
        problems.append(Problem("emission_factors.csv", None, "fuel", "required",
                                f"fuel '{f}' is burned but has no emission factor",
                                "缺少排放因子"))
    return interpolate(ef[ef["fuel"].isin(combustible)][["fuel", "year", "value"]], ["fuel"],
                       years)


def _grid(data: InputData, years: list[int], problems: list[Problem]) -> pd.DataFrame:
    g = data["grid"]
    given = {}
    variable = g["variable"].to_numpy()
    for var in ("emission_factor", "non_fossil_share", "coal_rate"):
        rows = variable == var
        if not rows.any():
            problems.append(Problem("grid.csv", None, "variable", "required",
                                    f"no rows for '{var}'", "缺少电网数据"))
            given[var] = np.full(len(years), np.nan)
            continue
        given[var] = series_at(g, rows, years)
    # one frame at the end: each column set on a frame costs pandas ≈ 0.1 ms
    return pd.DataFrame({"year": years,
                         "ef": grid_factor_to_energy_factor(given["emission_factor"]),
                         "nf_share": given["non_fossil_share"],
                         "kce": coal_equivalent_multiplier(given["coal_rate"]),
                         "emission_factor": given["emission_factor"],
                         "coal_rate": given["coal_rate"]})


def _prices(data: InputData, years: list[int], problems: list[Problem],
            lookups: LookupCache | None = None) -> pd.DataFrame:
    p = data["prices"]
    value = p["value"].to_numpy(float).copy()
    elec = (p["unit"] == "CNY/kWh").to_numpy(bool)
    value[elec] = electricity_price_to_energy_price(value[elec])
    p = p.assign(value=value)  # a new column, not a copy of the table set through .loc
    priced = data["fuels"].loc[data["fuels"]["category"].isin((*COMBUSTIBLE, "electricity")),
                               "fuel"]
    for f in priced[~priced.isin(p["fuel"])]:
        problems.append(Problem("prices.csv", None, "fuel", "required",
                                f"fuel '{f}' is bought but has no price", "缺少价格"))
    return interpolate(p, ["fuel"], years, lookups=lookups, site="prices")


def incumbent_intensity(activity: pd.DataFrame, energy_base: pd.DataFrame,
                        lookups: LookupCache | None = None) -> pd.DataFrame:
    """I[s,f,y]: energy of the incumbent technology per unit of activity (万tce per unit; the
    base year's mix with the autonomous trend), from the city totals::

        I[s,f,y] = Σ_d E[s,f,d,y] / Σ_d A[s,d,y]        where Σ_d A[s,d,y] > 0

    Which rows add up is planned once per structure (`incumbent_plan`)."""
    k = IncumbentInputs(key_cols(activity, ["sector", "year"]),
                        key_cols(energy_base, ["sector", "fuel", "year"]))
    plan = planned(lookups, "incumbent", k, incumbent_plan)
    act = group_sums(activity["value"].to_numpy(float), plan["act_groups"], sort=True)[
        plan["act_of"]]
    energy = group_sums(energy_base["value"].to_numpy(float), plan["energy_groups"],
                        sort=True)[plan["energy_of"]]
    used = act > 0
    if used.all():  # the keys as they are: what the filter keeps, index and all
        return plan["keys"].assign(value=energy / act)
    return plan["keys"][used].assign(value=energy[used] / act[used])


@dataclass(frozen=True)
class IncumbentInputs:
    activity: pd.DataFrame  # sector, year of the activity, in row order
    energy: pd.DataFrame  # sector, fuel, year of the baseline energy, in row order


def incumbent_plan(k: IncumbentInputs) -> dict[str, object]:
    """The city sums of `incumbent_intensity`: activity by sector and year and energy by
    sector, fuel and year (``*_groups``, numbered by sorted key: `frames.sorted_groups`), and
    for each (sector, fuel, year) of energy with activity its two sums (``*_of``)."""
    out: dict[str, object] = {}
    sums = {}
    for name, frame, cols in (("act", k.activity, ["sector", "year"]),
                              ("energy", k.energy, ["sector", "fuel", "year"])):
        groups, keys = sorted_groups(frame, cols)
        out[f"{name}_groups"] = groups
        sums[name] = numbered(keys, f"{name}_of")
    f = merge(sums["energy"], sums["act"], on=["sector", "year"])
    return out | {"keys": f[["sector", "fuel", "year"]], "act_of": f["act_of"].to_numpy(),
                  "energy_of": f["energy_of"].to_numpy()}


def measure_effects(data: InputData, measures: pd.DataFrame, activity: pd.DataFrame,
                    energy_base: pd.DataFrame, years: list[int],
                    lookups: LookupCache | None = None) -> pd.DataFrame:
    """Effects per unit in use of every measure and year (measure, kind, item, sector, year,
    value; canonical units). ``add`` measures keep their effects in every year. A ``switch``
    unit moves one unit of its sector's activity to the new technology::

        effect[m,f,y] = own[m,f] - I[s,f,y]        (own = its energy effects)

    and an ``improve`` unit lowers the incumbent's intensity on one unit of activity::

        effect[m,f,y] = share[m,f] * I[s,f,y]      (its energy_share effects)

    so no fuel of a sector can fall below what its remaining incumbent stock needs (with the
    share rows of `peakpath.core.ledger`). Which rows add up to which effect depends on names
    only (`effect_plan`); a batch reuses it through ``lookups``."""
    eff = data["measure_effects"]
    inc = incumbent_intensity(activity, energy_base, lookups)
    ms = key_cols(measures, ["measure", "sector", "mode"]) if "mode" in measures else \
        measures[["measure", "sector"]].assign(mode="")
    inputs = EffectPlanInputs(key_cols(eff, ["measure", "kind", "item", "sector"]), ms,
                              list(years), key_cols(inc, ["sector", "fuel", "year"]))
    plan = planned(lookups, "effect_plan", inputs, effect_plan)
    v_eff = eff["value"].to_numpy(float)
    v_inc = inc["value"].to_numpy(float)
    # the contributions in the plan's order: effects as given, incumbent intensity taken by
    # a switch, shares of the incumbent intensity
    value = np.concatenate([v_eff[plan["given"]], -v_inc[plan["taken"]],
                            v_eff[plan["share"]] * v_inc[plan["share_inc"]]])
    return plan["kept_keys"].assign(value=group_sums(value, plan["groups"])[plan["kept"]])


@dataclass(frozen=True)
class EffectPlanInputs:
    effects: pd.DataFrame  # measure, kind, item, sector of measure_effects.csv, in row order
    measures: pd.DataFrame  # measure, sector, mode
    years: list[int]
    incumbent: pd.DataFrame  # sector, fuel, year of `incumbent_intensity`, in row order


def effect_plan(k: EffectPlanInputs) -> dict[str, object]:
    """How `measure_effects` is summed: the contributions (``given``: rows of the effects
    table, each in every year; ``taken``: rows of the incumbent intensity a switch unit takes
    off; ``share`` and ``share_inc``: effect rows times incumbent rows), the effect each adds
    to (``groups``, numbered in order of first appearance), which effects fall in the model
    years (``kept``) and their keys (``kept_keys``)."""
    eff = numbered(k.effects, "row")
    sector = k.measures.set_index("measure")["sector"]
    mode = k.measures.set_index("measure")["mode"].replace("", "add")
    eff["sector"] = eff["sector"].where(eff["sector"] != "", eff["measure"].map(sector))
    eff["mode"] = eff["measure"].map(mode)
    yf = pd.DataFrame({"year": k.years})
    cols = ["measure", "kind", "item", "sector", "year"]
    inc = numbered(k.incumbent, "inc_row")
    relative = (eff["mode"] == "switch") & (eff["kind"] == "energy") | (
        eff["kind"] == "energy_share")
    given = [merge(eff[~relative], yf, how="cross")]
    taken = []
    switch = mode.index[mode == "switch"]
    if len(switch):
        given.append(merge(eff[relative & (eff["kind"] == "energy")], yf, how="cross"))
        t = merge(pd.DataFrame({"measure": switch, "sector": sector[switch].to_numpy()}), inc,
                  on="sector")
        taken.append(t.assign(kind="energy", item=t["fuel"]))
    share = merge(eff[eff["kind"] == "energy_share"], inc.rename(columns={"fuel": "item"}),
                  on=["sector", "item"]).assign(kind="energy")
    parts = [*given, *taken, *([share] if len(share) else [])]
    keys = pd.concat([p[cols] for p in parts], ignore_index=True)
    groups = keys.groupby(cols, sort=False).ngroup().to_numpy()
    first = keys.drop_duplicates(cols).reset_index(drop=True)
    kept = first["year"].isin(k.years).to_numpy()
    return {"given": np.concatenate([p["row"].to_numpy() for p in given]),
            "taken": np.concatenate([np.asarray(p["inc_row"], dtype=np.int64)
                                     for p in taken]) if taken else np.zeros(0, np.int64),
            "share": share["row"].to_numpy(), "share_inc": share["inc_row"].to_numpy(),
            "groups": groups, "kept": kept, "kept_keys": first[kept].reset_index(drop=True)}


def delivered_prices(md: ModelData) -> pd.DataFrame:
    """What a user pays per unit of a carrier (fuel, year, value; CNY/tce, electricity per
    tce-calorific): the price plus the network charge, as the objective charges it."""
    pc = md.price_components
    net = pc[pc["component"] == "network"][["fuel", "year", "value"]].rename(
        columns={"value": "network"}) if len(pc) else pd.DataFrame(
        columns=["fuel", "year", "network"])
    f = merge(md.prices, net, on=["fuel", "year"], how="left").fillna({"network": 0.0})
    return f.assign(value=f["value"] + f["network"])[["fuel", "year", "value"]]


def _price_components(data: InputData, years: list[int]) -> pd.DataFrame:
    """Tax and network parts of prices, interpolated like prices (electricity per tce)."""
    cols = ["fuel", "component", "year", "value"]
    if "price_components" not in data.tables or data["price_components"].empty:
        return pd.DataFrame(columns=cols)
    p = data["price_components"].copy()
    elec = p["unit"] == "CNY/kWh"
    p.loc[elec, "value"] = electricity_price_to_energy_price(p.loc[elec, "value"])
    return interpolate(p[cols], ["fuel", "component"], years)[cols]


def _hurdle_rates(data: InputData, measures: pd.DataFrame, scenario: Scenario,
                  lookups: LookupCache | None = None) -> pd.Series:
    """measure -> the hurdle rate its investor applies (actors.csv); measures without an
    actor annualise at the scenario's social discount rate. Which actor's row each measure
    reads is planned once per structure (``lookups``)."""
    if "actors" in data.tables and not data["actors"].empty and "actor" in measures:
        actors = data["actors"]
        plan = planned(lookups, "hurdle_rates", HurdleInputs(
            key_cols(measures, ["measure", "actor"]), key_cols(actors, ["actor"])), hurdle_rows)
        if plan["row"].size == len(measures):
            row = plan["row"]
            rate = np.where(row >= 0, actors["hurdle_rate"].to_numpy(float)[
                np.maximum(row, 0)], np.nan)
            rate = np.where(np.isnan(rate), scenario.discount_rate, rate)
            return pd.Series(rate, index=plan["index"], name="actor")
    rates = (data["actors"].set_index("actor")["hurdle_rate"]
             if "actors" in data.tables and not data["actors"].empty else pd.Series(dtype=float))
    actor = measures.set_index("measure")["actor"] if "actor" in measures else pd.Series(
        "", index=measures["measure"])
    return actor.map(rates).fillna(scenario.discount_rate).astype(float)


@dataclass(frozen=True)
class HurdleInputs:
    measures: pd.DataFrame  # measure, actor of the measures, in order
    actors: pd.DataFrame  # actor of actors.csv, in order


def hurdle_rows(k: HurdleInputs) -> dict[str, object]:
    """Each measure's row of actors.csv (−1: no actor, or one not listed) and the index of
    the hurdle rates (the measures). No rows when an actor is listed twice: the lookup is
    then pandas' (which refuses it)."""
    actors = pd.Index(k.actors["actor"])
    if not actors.is_unique:
        return {"row": np.zeros(0, dtype=np.int64), "index": k.measures.set_index(
            "measure").index}
    return {"row": actors.get_indexer(k.measures["actor"]),
            "index": k.measures.set_index("measure").index}


def measure_potentials(data: InputData, measures: pd.DataFrame, activity: pd.DataFrame,
                       districts: pd.DataFrame, years: list[int],
                       shares: pd.DataFrame | None = None,
                       problems: list[Problem] | None = None,
                       lookups: LookupCache | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Potential[measure, district, year] in measure units, and exclusive-group potentials.

    Fixed potentials are split over districts by the measure's site shares
    (measure_sites.csv) or else by its sector's district shares (a capture measure by its host
    sector's); share-based ones follow district activity A[s,d,y]::

        activity_share        potential = share[m,y] * A[s,d,y]
        activity_growth       potential = share[m,y] * max(A[s,d,y] - A[s,d,base], 0)
        base_activity_share   potential = share[m,y] * min(A[s,d,base], A[s,d,y])
                              (the existing stock, as far as it still stands)

    A group's shared potential is split like its first member's potential. All but the
    activity's numbers is planned once (`potential_plan`); a batch reuses it through
    ``lookups``.
    """
    problems = [] if problems is None else problems
    shares = sector_shares(data, districts) if shares is None else shares
    inputs = PotentialInputs(
        key_cols(data["measure_potential"], ["measure", "year", "value"]),
        key_cols(measures, [c for c in _POTENTIAL_MEASURE_COLUMNS if c in measures]),
        key_cols(activity, ["sector", "district", "year"]), key_cols(districts, ["district"]),
        shares,
        key_cols(data["measure_sites"], ["measure", "district", "share"]),
        key_cols(data["measure_groups"], ["group", "year", "value"]), list(years))
    plan = planned(lookups, "potentials", inputs, potential_plan)
    problems.extend(plan["problems"])
    a = activity["value"].to_numpy(float)
    act = a[plan["act_rows"]]
    base = np.where(plan["base_rows"] >= 0, a[plan["base_rows"]], np.nan) if len(a) \
        else np.full(len(act), np.nan)
    basis = plan["basis"]
    of = np.select([basis == "activity_share", basis == "base_activity_share"],
                   [act, np.minimum(base, act)], np.maximum(act - base, 0.0))
    shared = plan["shared"].assign(value=plan["shared_value"] * of)
    return pd.concat([plan["fixed"], shared], ignore_index=True), plan["groups"]


_POTENTIAL_MEASURE_COLUMNS = ("measure", "sector", "potential_basis", "host_sector", "kind",
                              "exclusive_group")


@dataclass(frozen=True)
class PotentialInputs:
    potential: pd.DataFrame  # measure_potential.csv: measure, year, value
    measures: pd.DataFrame  # measure, sector, potential_basis, host_sector, kind, group
    activity: pd.DataFrame  # sector, district, year of the activity, in row order
    districts: pd.DataFrame  # the model's districts
    shares: pd.DataFrame  # sector, district, share of the city's activity
    sites: pd.DataFrame  # measure_sites.csv: measure, district, share
    groups: pd.DataFrame  # measure_groups.csv: group, year, value
    years: list[int]  # all years, the base year first


def potential_plan(k: PotentialInputs) -> dict[str, object]:
    """What `measure_potentials` computes from the data no draw of the activity changes: the
    fixed potentials and the group potentials (whole), and for the share-based rows their
    keys, share (``shared_value``), basis and the activity rows of their year and of the
    base year (``act_rows``, ``base_rows``; −1: none); the problems found on the way."""
    problems: list[Problem] = []
    pot = interpolate(k.potential, ["measure"], k.years)
    pot = merge(pot, k.measures[["measure", "sector", "potential_basis", "host_sector"]],
                on="measure")
    mshare = _measure_shares(k.sites, k.measures, k.districts, k.shares, problems)
    fixed = merge(pot[pot["potential_basis"] == "fixed"], mshare, on="measure")
    fixed["value"] = fixed["value"] * fixed["share"]
    act = numbered(k.activity, "act_row")
    shared = merge(pot[pot["potential_basis"] != "fixed"], act, on=["sector", "year"])
    base_rows = act[act["year"] == k.years[0]].set_index(["sector", "district"])["act_row"]
    at = pd.MultiIndex.from_arrays([shared["sector"], shared["district"]])
    cols = ["measure", "district", "year", "value"]
    if k.groups.empty:
        gp = pd.DataFrame(columns=["group", "district", "year", "value"])
    else:
        gp = interpolate(k.groups, ["group"], k.years)
        m = k.measures
        first = m[m["exclusive_group"] != ""].groupby("exclusive_group")["measure"].first()
        gp["measure"] = gp["group"].map(first)
        gp = merge(gp, mshare, on="measure")
        gp["value"] = gp["value"] * gp["share"]
        gp = gp[["group", "district", "year", "value"]]
    return {"fixed": fixed[cols], "shared": shared[["measure", "district", "year"]],
            "shared_value": shared["value"].to_numpy(float),
            "act_rows": shared["act_row"].to_numpy(),
            "base_rows": base_rows.reindex(at).fillna(-1).to_numpy().astype(np.int64),
            "basis": shared["potential_basis"].to_numpy(), "groups": gp,
            "problems": _problem_array(problems)}


def measure_district_shares(data: InputData, measures: pd.DataFrame,
                            districts: pd.DataFrame) -> pd.DataFrame:
    """share[measure, district] of every measure's potential (columns measure, district,
    share; year-invariant): fixed potentials by their sites or sector, share-based ones by
    their sector's activity shares. Used to place a city pathway's measures in districts."""
    problems: list[Problem] = []
    shares = sector_shares(data, districts)
    fixed = _measure_shares(data["measure_sites"], measures, districts, shares, problems)
    if problems:
        raise InputError(problems)
    rest = measures.loc[measures["potential_basis"] != "fixed", ["measure", "sector"]]
    rest = merge(rest, shares, on="sector")[["measure", "district", "share"]]
    return pd.concat([fixed, rest], ignore_index=True)


def _measure_shares(sites: pd.DataFrame, measures: pd.DataFrame, districts: pd.DataFrame,
                    shares: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """share[measure, district] of each fixed-potential measure (columns measure, district,
    share): its sites (measure_sites.csv), else its sector's (a capture measure's host
    sector's) shares."""
    fixed = measures.loc[measures["potential_basis"] == "fixed",
                         ["measure", "sector", "host_sector", "kind"]]
    fixed = fixed.assign(share_sector=fixed["host_sector"].where(fixed["host_sector"] != "",
                                                                 fixed["sector"]))
    if not is_split(districts):
        return fixed[["measure"]].assign(district=districts["district"].iloc[0], share=1.0)
    sites = sites[sites["measure"].isin(fixed["measure"])][["measure", "district", "share"]]
    rest = fixed[~fixed["measure"].isin(sites["measure"])]
    lumpy = rest[rest["kind"] != "continuous"]
    for m, k in zip(lumpy["measure"], lumpy["kind"], strict=True):
        problems.append(Problem("measure_sites.csv", None, "measure", "site",
                                f"{k} measure '{m}' is built in whole units: give its site(s) "
                                "in measure_sites.csv when districts are on",
                                "整数或半连续措施分区计算时须指定厂址"))
    missing = sorted(set(rest["share_sector"]) - set(shares["sector"]))
    for s in missing:
        problems.append(Problem("district_shares.csv", None, "sector", "coverage",
                                f"sector '{s}' has measures with a fixed potential but no "
                                "district shares", "缺少该行业的分区比例"))
    by_sector = merge(rest[["measure", "share_sector"]],
                      shares.rename(columns={"sector": "share_sector"}), on="share_sector")
    return pd.concat([sites, by_sector[["measure", "district", "share"]]], ignore_index=True)


def _capex(measures: pd.DataFrame, years: list[int], base: int) -> pd.DataFrame:
    """capex[m,y] = capex[m] * (1 + capex_change[m])^(y - base) (万元 per unit), one row per
    measure and year (measure-major, as a cross join of the two gives them)."""
    n, k = len(measures), len(years)
    rows = np.repeat(np.arange(n), k)
    year = np.tile(np.asarray(years, dtype=np.int64), n)
    capex = column_values(measures, "capex")[rows]
    change = column_values(measures, "capex_change")[rows]
    return pd.DataFrame({"measure": measures["measure"].array.take(rows), "year": year,
                         "value": capex * (1.0 + change) ** (year - base)})



def reference_co2(md: ModelData, lookups: LookupCache | None = None) -> pd.DataFrame:
    """CO2 of the reference path: baseline activity and intensity, no measures, no major
    projects (万t; columns year, co2_scope1, scope2, sinks, non_co2, co2_total). The same
    accounting as the model's accounts, from data alone::

        heat[d,f,y]  = Σ_heat fuels E[s,h,d,y] · h[f,y]       (the heat sector burns it)
        scope1[y]    = Σ (E + heat)[s,f,d,y] · EF[f,y] · (1 − feedstock[s,f]) + P_CO2[y]
        scope2[y]    = max(Σ elec (E + heat) − 1.229 · G[y], 0) · EF_grid[y]
        sinks[y]     = P_CO2 of sink sectors (when counted);  non_co2[y] = Σ_g P_g · GWP_g

    with G the local generation (亿kWh) and P the process emissions (万t of gas). Which row
    adds to which year depends on names only (`reference_plan`); a batch reuses it through
    ``lookups``."""
    acc = md.scenario.accounting
    heat_sector = md.sector_ids(role="heat")[:1] or ["heat"]
    inputs = ReferenceInputs(
        key_cols(md.energy_base, ["sector", "fuel", "district", "year"]),
        key_cols(md.heat_intensity, ["fuel", "year"]),
        key_cols(md.emission_factor, ["fuel", "year"]), key_cols(md.feedstock, ["sector", "fuel"]),
        key_cols(md.process_base, ["sector", "gas", "year"]),
        key_cols(md.activity, ["sector", "year"]), md.grid["year"].tolist(), md.all_years,
        md.fuel_ids(("heat",)), md.fuel_ids(("electricity",)), heat_sector,
        md.sector_ids(role="sink"),
        column_values(md.sectors, "sector")[
            np.isin(column_values(md.sectors, "role"), POWER_ROLES)].tolist(),
        list(acc["target_gases"]), sorted(md.gwp.items()))
    plan = planned(lookups, "reference_plan", inputs, reference_plan)
    e = md.energy_base["value"].to_numpy(float)
    heat_use = group_sums(e[plan["heat_use_rows"]], plan["heat_use_groups"], sort=True)
    k = md.heat_intensity["value"].to_numpy(float)
    e = np.concatenate([e, heat_use[plan["heat_use_of"]] * k[plan["heat_k_of"]]])
    share = take_or_zero(md.feedstock["share"].to_numpy(float), plan["burn_feedstock"])
    co2 = e[plan["burn_energy"]] * md.emission_factor["value"].to_numpy(float)[
        plan["burn_ef"]] * (1.0 - share)
    p = md.process_base["value"].to_numpy(float)

    def by_year(value: np.ndarray, part: str) -> np.ndarray:
        return sums_at(value[plan[f"{part}_rows"]], plan[f"{part}_groups"],
                       plan[f"{part}_at"])

    # the columns first, the frame once (each column set on a frame cost ≈ 0.1 ms)
    n = len(md.all_years)
    scope1 = by_year(co2, "burn") + by_year(p, "process_co2")
    elec = by_year(e, "electricity")
    gen = by_year(md.activity["value"].to_numpy(float), "generation")
    grid_ef = md.grid["ef"].to_numpy(float)[plan["grid_rows"]]
    scope2 = np.maximum(elec - WAN_TCE_PER_YI_KWH * gen, 0.0) * grid_ef
    sinks = by_year(p, "sink") if acc["count_sinks"] else np.zeros(n)
    non_co2 = by_year(p * plan["gwp"], "non_co2") if plan["non_co2_rows"].size \
        else np.zeros(n)
    return pd.DataFrame({"year": md.all_years, "co2_scope1": scope1, "scope2": scope2,
                         "sinks": sinks, "non_co2": non_co2,
                         "co2_total": scope1 + scope2 + sinks + non_co2})


@dataclass(frozen=True)
class ReferenceInputs:
    energy: pd.DataFrame  # sector, fuel, district, year of energy_base, in row order
    heat: pd.DataFrame  # fuel, year of heat_intensity, in row order
    emission: pd.DataFrame  # fuel, year of the emission factors, in row order
    feedstock: pd.DataFrame  # sector, fuel of the feedstock shares, in row order
    process: pd.DataFrame  # sector, gas, year of process_base, in row order
    activity: pd.DataFrame  # sector, year of activity, in row order
    grid_years: list[int]
    years: list[int]  # all years, the base year first
    heat_fuels: list[str]
    electricity: list[str]
    heat_sector: list[str]  # the sector that burns the heat sector's fuels (one name)
    sinks: list[str]
    power: list[str]  # sectors with local generation
    target_gases: list[str]
    gwp: list  # (gas, GWP) pairs


def reference_plan(k: ReferenceInputs) -> dict[str, np.ndarray]:
    """The rows `reference_co2` reads and how they add up. Energy rows are those of
    energy_base, then one per heat use (district, year, sorted) and heat-sector fuel
    (``heat_use_of``, ``heat_k_of``); ``burn_*`` pair each with its emission factor and
    feedstock share (−1: none); ``<part>_rows`` select the rows of a yearly sum, numbered by
    sorted year (``<part>_groups``, as the groupby by year they replace) and read at the
    model's years (``<part>_at``, −1: none)."""
    e = k.energy
    heat_rows = np.flatnonzero(e["fuel"].isin(k.heat_fuels).to_numpy())
    use = e.iloc[heat_rows][["district", "year"]].reset_index(drop=True)
    heat_groups, sorted_use = sorted_groups(use, ["district", "year"])
    sorted_use = numbered(sorted_use, "use_row")
    heat = merge(sorted_use, numbered(k.heat, "k_row"), on="year")
    heat = heat.assign(sector=k.heat_sector[0])
    energy = numbered(pd.concat([e, heat[["sector", "fuel", "district", "year"]]],
                                ignore_index=True), "e_row")
    burn = merge(energy, numbered(k.emission, "ef_row"), on=["fuel", "year"])
    burn = merge(burn, numbered(k.feedstock, "fs_row"), on=["sector", "fuel"], how="left")
    p = k.process
    co2 = (p["gas"] == "CO2").to_numpy()
    sink = p["sector"].isin(k.sinks).to_numpy()
    non_co2 = np.flatnonzero(p["gas"].isin([g for g in k.target_gases if g != "CO2"]).to_numpy())
    out = {"heat_use_rows": heat_rows, "heat_use_groups": heat_groups,
           "heat_use_of": heat["use_row"].to_numpy(), "heat_k_of": heat["k_row"].to_numpy(),
           "burn_energy": burn["e_row"].to_numpy(), "burn_ef": burn["ef_row"].to_numpy(),
           "burn_feedstock": burn["fs_row"].fillna(-1).to_numpy().astype(np.int64),
           "grid_rows": merge(pd.DataFrame({"year": k.years}),
                              numbered(pd.DataFrame({"year": k.grid_years}), "g"),
                              on="year")["g"].to_numpy(),
           "gwp": p["gas"].map(dict(k.gwp)).astype(float).to_numpy()}
    parts = {"burn": (np.arange(len(burn)), burn["year"]),
             "process_co2": (np.flatnonzero(co2 & ~sink), p["year"]),
             "electricity": (np.flatnonzero(energy["fuel"].isin(k.electricity).to_numpy()),
                             energy["year"]),
             "generation": (np.flatnonzero(k.activity["sector"].isin(k.power).to_numpy()),
                            k.activity["year"]),
             "sink": (np.flatnonzero(co2 & sink), p["year"]),
             "non_co2": (non_co2, p["year"])}
    for part, (rows, year) in parts.items():
        groups, uniques = pd.factorize(year.to_numpy()[rows], sort=True)
        out |= {f"{part}_rows": rows, f"{part}_groups": groups,
                f"{part}_at": pd.Index(uniques).get_indexer(k.years)}
    return out
