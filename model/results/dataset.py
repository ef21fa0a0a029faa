"""Solution -> one xarray Dataset; netCDF, CSV, summary.json and IAMC exports; load back.

Every file is written under a temporary name and moved into place, and a run's folder is
assembled beside the old one and swapped in (`peakpath.io.atomic`), so a crash never leaves a
half-written result. The folder is shared: a rerun replaces only the files of `RUN_OUTPUTS` and
keeps what other commands wrote there (allocation/, figures/, report.html, recommendations.*,
projects/, ...).
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import peakpath
from peakpath.core.algebra import LookupCache
from peakpath.core.baseline import ModelData, reference_co2
from peakpath.core.build import BuiltModel
from peakpath.core.frames import (
    column_values,
    group_sums,
    key_cols,
    merge,
    numbered,
    planned,
    sorted_groups,
    sums_at,
)
from peakpath.core.objective import cost_weights
from peakpath.core.unit_effects import unit_effect_columns
from peakpath.errors import InputError, Problem
from peakpath.io.atomic import (
    replace_dir,
    sweep_stale,
    temp_dir,
)
from peakpath.io.units import GJ_PER_TCE, WAN_TCE_PER_YI_KWH
from peakpath.solve.highs import Solution
from peakpath.solve.workers import interrupts_held

#: |shadow price| above which a target counts as binding (CNY per unit)
BINDING_TOL = 1e-6

#: the long CSV tables of a run (`tidy_tables`), one ``<name>.csv`` each
RUN_TABLES = ("emissions", "scope2", "energy", "generation", "adoption", "new_builds", "cost",
              "investment", "totals", "targets")
#: everything `write_results` writes into a run's folder, and all that a rerun replaces: the
#: rest of the folder belongs to other commands and is kept
RUN_OUTPUTS = frozenset({"results.nc", "summary.json", "iamc.csv",
                         *(f"{t}.csv" for t in RUN_TABLES)})


# --------------------------------------------------------------------------------------------
# targets


def target_table(built: BuiltModel, sol: Solution) -> pd.DataFrame:
    """One row per target row: id, family, year, limit, achieved, units, shadow price (CNY
    per unit in money of the target's year), binding, shortfall (row units, elastic mode)."""
    md = built.md
    df_year = dict(zip(md.years, (1.0 + md.scenario.discount_rate) ** (
        -(np.asarray(md.years, dtype=float) - md.base_year)), strict=True))
    parts = []
    for tb in built.ctx.targets.blocks:
        f = tb.frame.copy()
        name = tb.rows.name
        dual = sol.duals.get(name, np.full(len(f), np.nan))
        act = sol.activity.get(name, np.full(len(f), np.nan))
        shortfall = np.zeros(len(f))
        if tb.slack is not None and tb.slack.name in sol.values:
            shortfall = sol.values[tb.slack.name].to_numpy()
        sign = -1.0 if (f["sense"].iloc[0] if len(f) else "le") == "le" else 1.0
        w = np.array([df_year.get(int(y), 1.0) for y in f["year"]])
        f["shadow_price"] = sign * dual * tb.dual_scale / w
        if tb.report is None:
            rhs = tb.rows.ub if f["sense"].iloc[0] == "le" else tb.rows.lb
            # the row holds -shortfall (le) or +shortfall (ge): report the quantity itself
            f["limit"] = rhs
            f["achieved"] = act + (shortfall if f["sense"].iloc[0] == "le" else -shortfall)
        elif sol.values:
            lim, ach = tb.report(sol.values)
            f["limit"], f["achieved"] = lim, ach
        else:
            f["limit"], f["achieved"] = np.nan, np.nan
        f["shortfall"] = shortfall
        f["binding"] = np.abs(f["shadow_price"].fillna(0.0)) > BINDING_TOL
        parts.append(f)
    cols = ["target", "family", "year", "sense", "limit", "achieved", "unit", "shadow_price",
            "shadow_unit", "binding", "shortfall", "row_unit"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


# --------------------------------------------------------------------------------------------
# dataset


#: one results variable before the Dataset is made: (dimensions, values, attributes)
Var = tuple[tuple[str, ...], np.ndarray, dict]


def _var(arr: np.ndarray, dims: list[str], unit: str | None = None,
         long: str | None = None) -> Var:
    attrs = {} if unit is None else {"units": unit}
    if long is not None:
        attrs["long_name"] = long
    return tuple(dims), arr, attrs


def _variable(var: Var) -> xr.Variable:
    """``var`` as an xarray Variable, its array taken as it is (``fastpath``). xarray would
    otherwise check each array against the array types of other libraries, importing Dask's
    array module to do so when Dask is installed (≈ 0.2 s of each batch worker's start,
    which makes nothing else with xarray). What those checks would
    change is done here: an array of objects (labels) is copied, as xarray copies it while
    looking for dates among the objects (results hold none); a NumPy number array is kept
    as the very array, as xarray keeps it."""
    dims, data, attrs = var
    data = np.asarray(data)
    if data.dtype.kind == "O":
        data = data.copy()
    return xr.Variable(dims, data, attrs, fastpath=True)


def _dataset(data_vars: dict[str, xr.Variable], coords: xr.Coordinates) -> xr.Dataset:
    """``xr.Dataset(data_vars, coords=coords)``, made directly from the variables when they
    cannot conflict: data variables without indexes, none named as a coordinate or a
    dimension, the sizes of every dimension agreeing (`calculate_dimensions` raises
    otherwise). xarray's constructor would merge and align them to find that out: 0.52 ms a
    Monte Carlo variant against 0.05 ms. The same Dataset (tests/test_results.py); made by
    the constructor whenever a condition fails, or xarray's internals differ."""
    variables = {**data_vars, **coords.variables}
    try:
        from xarray.core.variable import calculate_dimensions

        dims = calculate_dimensions(variables)
        if len(variables) == len(data_vars) + len(coords.variables) and not (
                set(data_vars) & set(dims)):
            return xr.Dataset._construct_direct(variables, set(coords.variables), dims,
                                                None, dict(coords.xindexes))
    except (ImportError, AttributeError, TypeError, ValueError):
        pass
    return xr.Dataset(data_vars, coords=coords)


def _dense(s: pd.Series, dims: list[str], lookup: dict[str, pd.Index],
           cache: LookupCache | None = None, names: list[str] | None = None) -> np.ndarray:
    """Values of a Series on a (multi)index as a dense array on ``dims`` (labels in
    ``lookup``; ``names``: the index's level names, when they are not its own), zeros where
    absent, labels that land on one cell added up. Where each value lands depends on the
    labels only: with ``cache`` (a batch's) it is found once for a variable block's index
    (the same object while the block's keys are) and these coordinates."""
    arr = np.zeros([len(lookup[d]) for d in dims])
    if not len(s):
        return arr
    # one entry per variable (its Series' name): energy and feedstock share their dims
    site, labels = ("dense", s.name, *dims), [np.asarray(lookup[d]) for d in dims]
    hit = cache.get(site, labels, owner=s.index) if cache is not None else None
    if hit is None:
        index = s.index if names is None else s.index.set_names(names)
        pos = _positions(index, dims, lookup)
        ok = np.all([p >= 0 for p in pos], axis=0)
        at = tuple(p[ok] for p in pos)
        flat = np.ravel_multi_index(at, arr.shape) if arr.size else np.zeros(0, np.int64)
        hit = (at, ok, len(np.unique(flat)) == len(flat))  # each label a cell of its own
        if cache is not None:
            cache.put(site, labels, hit, owner=s.index)
    at, ok, distinct = hit
    if distinct:
        arr[at] += s.to_numpy()[ok]  # 0 + x, as np.add.at adds it
    else:
        np.add.at(arr, at, s.to_numpy()[ok])
    return arr


def _positions(index: pd.Index, dims: list[str], lookup: dict[str, pd.Index]
               ) -> list[np.ndarray]:
    """Position along each of ``dims`` of every label of ``index`` (-1 where absent): each
    level's few distinct values are looked up and spread by the level codes."""
    if not isinstance(index, pd.MultiIndex):
        return [lookup[dims[0]].get_indexer(index)]
    out = []
    for d in dims:
        i = index.names.index(d)
        at = lookup[d].get_indexer(index.levels[i])
        codes = index.codes[i]
        out.append(np.where(codes >= 0, at[codes], -1))
    return out


def _target_arrays(tt: pd.DataFrame, years: list[int]) -> tuple[dict[str, Var], dict]:
    """The target table as ``target_<column>`` arrays on ``target_row``, plus the shadow
    prices by year and target; and the coordinates they add (target_row, target)."""
    dims = ["target_row"]
    out = {}
    for col in ("target", "family", "sense", "unit", "shadow_unit"):
        out[f"target_{col}"] = _var(tt[col].astype(str).to_numpy(), dims)
    out["target_year"] = _var(tt["year"].to_numpy(int), dims)
    for col in ("limit", "achieved", "shadow_price", "shortfall"):
        out[f"target_{col}"] = _var(tt[col].to_numpy(float), dims)
    out["target_binding"] = _var(tt["binding"].to_numpy(np.int8), dims)
    coords = {"target_row": np.arange(len(tt))}
    if len(tt):
        sp = tt.groupby(["year", "target"])["shadow_price"].sum(min_count=1).unstack()
        out["shadow_price"] = _var(sp.reindex(years).to_numpy(float), ["year", "target"],
                                   "CNY per unit of the target (money of its year)")
        coords["target"] = np.asarray(sp.columns.tolist())
    return out, coords


def to_dataset(built: BuiltModel, sol: Solution, extra_attrs: dict | None = None) -> xr.Dataset:
    """The results of one solved scenario as one Dataset. Every array is computed with NumPy
    on the model's coordinates and the Dataset is made once at the end (a DataArray per step,
    with its coordinates and alignment, cost more than the numbers)."""
    md = built.md
    years = md.all_years
    y = np.asarray(years)
    labels = {
        "sector": md.sectors["sector"].tolist(),
        "fuel": md.fuels["fuel"].tolist(),
        "gas": ["CO2", "CH4", "N2O"],
        "district": md.districts["district"].tolist(),
        "measure": md.measures["measure"].tolist(),
        "group": md.groups["group"].tolist(),
        "project": md.projects["project"].tolist(),
    }
    # numpy arrays (fixed-width text, as xarray makes of a list) for the coordinates, and
    # pandas Indexes made once for the lookups of every array below
    coords = {"year": y, **{d: np.asarray(c) for d, c in labels.items()}}
    lookup = _label_indexes(coords, built.ctx.b.lookups)

    def da(s: pd.Series, dims: list[str], unit: str, long: str,
           names: list[str] | None = None) -> Var:
        return _var(_dense(s, dims, lookup, built.ctx.b.lookups, names), dims, unit, long)

    v = sol.values
    out: dict[str, Var] = {}
    out["emissions"] = da(v["emissions"], ["year", "sector", "gas", "district"],
                          "万t (mass of gas)",
                          "direct (scope-1) emissions; sinks and capture negative",
                          names=["sector", "gas", "district", "year"])
    out["energy"] = da(v["energy"], ["year", "sector", "fuel", "district"], "万tce",
                       "energy use (electricity and heat at the calorific equivalent)")
    out["feedstock"] = da(v["feedstock"], ["year", "sector", "fuel", "district"],
                          "万tce", "feedstock (原料用能): energy use that is not burned")
    out["generation"] = da(v["generation"], ["year", "sector", "district"], "亿kWh",
                           "local electricity generation")
    out["adoption"] = da(v["stock"], ["year", "measure", "district"], "measure unit",
                         "measure units in use")
    out["new_builds"] = da(v["build"], ["year", "measure", "district"],
                           "measure unit/yr", "new builds of measures")
    if "project_online" in v:
        out["project_online"] = da(v["project_online"], ["year", "project"], "1",
                                   "major project online (1) or not (0)")
    out["fuel_use"] = da(v["fuel_use"], ["year", "fuel"], "万tce", "city use of fuels")
    out["investment"] = da(v["investment"], ["year", "group"], "万元",
                           "capital spending by bureau group")
    grid_ef = _at(md.grid, "year", years, "ef")
    electricity = lookup["fuel"].get_indexer(md.fuel_ids(("electricity",)))
    elec = out["energy"][1][:, :, electricity, :].sum(axis=2)
    out["scope2"] = _var((elec - WAN_TCE_PER_YI_KWH * out["generation"][1])
                         * grid_ef[:, None, None], ["year", "sector", "district"], "万t CO2",
                         "purchased-electricity CO2 by user sector (local generation credited "
                         "to its plants)")
    out["import_substitution_co2"] = _var(
        _import_substitution(md, v, grid_ef, years, built.ctx.b.lookups,
                             built.ctx.b.vars["stock"].index), ["year"], "万t CO2",
        "CO2 of local generation that measures replace with grid imports, credited at the "
        "grid's average factor: emissions moved to other provinces (leakage), not avoided")
    out.update(_measure_unit_arrays(md, labels["measure"], built.ctx.b.lookups))
    cut = lookup["measure"].get_indexer(output_cut_measures(md))
    out["output_cut_co2"] = _var(
        (out["adoption"][1].sum(axis=2)[:, cut] * -out["measure_co2_per_unit"][1][:, cut])
        .sum(axis=1), ["year"], "万t CO2",
        "CO2 of output that measures stop making in the city (a tonne not made), at the city's "
        "own CO2 per unit: it moves to the plants that make it instead unless demand falls "
        "(leakage flag)")
    gwp = np.array([md.gwp[g] for g in labels["gas"]])
    out["emissions_co2e"] = _var((out["emissions"][1] * gwp[None, None, :, None]).sum(axis=2),
                                 ["year", "sector", "district"], "万t CO2e", "direct GHG, GWP100")
    for name, unit, long in (
            ("co2_total", "万t CO2", "CO2 on the target boundary"),
            ("co2_scope1", "万t CO2", "direct CO2 (sinks excluded)"),
            ("energy_total", "万tce", "energy consumption under the accounting rules"),
            ("primary_energy", "万tce", "primary energy, electricity on the accounting basis"),
            ("non_fossil", "万tce", "non-fossil primary energy, electricity on the "
                                    "accounting basis"),
            ("purchased_electricity", "万tce", "electricity bought from the grid")):
        out[name] = da(v[name], ["year"], unit, long)
    gdp = _at(md.macro, "year", years, "gdp")
    out["gdp"] = _var(gdp, ["year"], "亿元 (2020 prices)", "GDP")
    out["population"] = _var(_at(md.macro, "year", years, "population"), ["year"], "万人")
    out["non_fossil_share"] = _var(out["non_fossil"][1] / out["primary_energy"][1], ["year"],
                                   "1", "non-fossil share of primary energy (electricity on "
                                   "the accounting basis)")
    out["energy_intensity"] = _var(out["energy_total"][1] / gdp, ["year"], "tce/万元",
                                   "energy per GDP")
    out["carbon_intensity"] = _var(out["co2_total"][1] / gdp, ["year"], "t CO2/万元",
                                   "CO2 per GDP")
    ref = reference_co2(md, built.ctx.b.lookups)
    out["co2_reference"] = _var(_at(ref, "year", years, "co2_total"), ["year"],
                                "万t CO2", "reference path: no measures, no major projects")
    # costs by year and component (undiscounted 万元), and the same terms at their weight in
    # the objective: cost_pv[c] = sum_t cost[t, c] * df_t (df_t = (1 + r)^-(t - base); 1 for
    # the undiscounted penalty); they add up to the objective, and every present value
    # downstream reads them
    cost, cost_pv, components = _cost_arrays(built, v, years)
    out["cost"] = _var(cost, ["year", "component"], "万元 (2020 prices, undiscounted)")
    out["cost_pv"] = _var(cost_pv, ["component"], "万元 (present value, base-year money)",
                          "cost by component as weighted in the objective")
    targets, target_coords = _target_arrays(target_table(built, sol), years)
    out.update(targets)
    coords = {**coords, "component": np.asarray(components), **target_coords}
    ds = _dataset({k: _variable(v) for k, v in out.items()}, _coordinates(_used(
        coords, out) | {
        "sector_name_zh": ("sector", _at(md.sectors, "sector", coords["sector"], "name_zh")),
        "sector_name_en": ("sector", _at(md.sectors, "sector", coords["sector"], "name_en")),
        "sector_group": ("sector", _at(md.sectors, "sector", coords["sector"], "group")),
        "group_name_zh": ("group", md.groups["name_zh"].to_numpy()),
        "group_name_en": ("group", md.groups["name_en"].to_numpy()),
        "group_bureau_zh": ("group", md.groups["bureau_zh"].to_numpy()),
        "fuel_name_zh": ("fuel", md.fuels["name_zh"].to_numpy()),
        "fuel_name_en": ("fuel", md.fuels["name_en"].to_numpy()),
        "district_name_zh": ("district", md.districts["name_zh"].to_numpy()),
        "district_name_en": ("district", md.districts["name_en"].to_numpy()),
        "measure_name_zh": ("measure", md.measures["name_zh"].to_numpy()),
        "measure_name_en": ("measure", md.measures["name_en"].to_numpy()),
        "measure_sector": ("measure", md.measures["sector"].to_numpy()),
        "measure_unit": ("measure", md.measures["unit"].to_numpy()),
    }, built.ctx.b.lookups))
    ds.attrs.update({
        "scenario": md.scenario.name, "status": sol.status,
        "objective_wan_cny": float(sol.objective) if sol.objective == sol.objective else "nan",
        "base_year": md.base_year, "discount_rate": md.scenario.discount_rate,
        "input_hash": input_hash(md), "solver_name": sol.solver.get("name", "HiGHS"),
        "solver_version": str(sol.solver.get("version", "")),
        "solver_status": str(sol.solver.get("status", "")),
        "solver_gap": float(sol.solver.get("gap", 0.0)),
        "solve_seconds": float(sol.timings.get("solve", float("nan"))),
        "peakpath_version": peakpath.__version__,
        "accounting": json.dumps(md.scenario.accounting, ensure_ascii=False),
        "targets": json.dumps(md.scenario.targets, ensure_ascii=False, default=str),
        # enough to rebuild the scenario from its results (projects, mga, allocate)
        "scenario_file": str(md.scenario.path),
        "scenario_settings": json.dumps(md.scenario.settings, ensure_ascii=False, default=str),
        "gwp": json.dumps(md.gwp),
        **(extra_attrs or {}),
    })
    return ds


def _measure_unit_arrays(md: ModelData, measures: list[str], lookups: LookupCache | None
                         ) -> dict[str, Var]:
    """Each measure's effect per unit in use on the model years (`peakpath.core.unit_effects`):
    CO2 on the target boundary, energy on the accounting rules, energy bill."""
    u, columns = unit_effect_columns(md, lookups)  # one row per measure and model year
    years = md.all_years  # the base year has no measures: zeros
    at = (pd.Index(years).get_indexer(column_values(u, "year")),
          pd.Index(measures).get_indexer(column_values(u, "measure")))
    known = (at[0] >= 0) & (at[1] >= 0)
    at = (at[0][known], at[1][known])
    out = {}
    for col, name, unit, long in (
            ("co2_per_unit", "measure_co2_per_unit", "万t CO2 per unit per yr",
             "change of CO2 on the target boundary per unit in use (negative abates)"),
            ("energy_per_unit", "measure_energy_per_unit", "万tce per unit per yr",
             "change of energy consumption (accounting rules) per unit in use"),
            ("bill_per_unit", "measure_bill_per_unit", "万元 per unit per yr",
             "change of energy bills per unit in use (delivered prices)")):
        arr = np.zeros((len(years), len(measures)))
        x = columns[col][known]
        arr[at] = np.where(np.isnan(x), 0.0, x)
        out[name] = _var(arr, ["year", "measure"], unit, long)
    return out


def _cost_arrays(built: BuiltModel, v: dict, years: list[int]
                 ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The registered cost terms at the solution: Σ coef × level by year and component
    (undiscounted 万元; years × components, sorted by name), the same weighted as in the
    objective (present value by component) and the components. Which cell each term adds to
    is planned once per structure (`cost_layout`)."""
    ctx = built.ctx
    costs = ctx.b.costs
    parts = [(c.component, c.block.offset) for c in costs]
    lengths = [len(c.var_pos) for c in costs]
    k = ctx.b.memo("cost_layout", CostInputs(
        np.repeat(np.arange(len(costs)), lengths), np.concatenate([c.var_pos for c in costs]),
        np.concatenate([c.year for c in costs]), parts, list(years)), cost_layout)
    vals = np.concatenate([v[b].to_numpy() for b in ctx.b.vars])
    value = np.concatenate([c.coef for c in costs]) * vals[k["column"]]
    weight = np.concatenate([cost_weights(ctx, c.component, c.year) for c in costs])
    cost = np.zeros((len(years), len(k["components"])))
    sums, cell = group_sums(value, k["groups"], sort=True), k["cell_year"] >= 0
    cost[k["cell_year"][cell], k["cell_component"][cell]] = sums[cell]
    pv = group_sums(value * weight, k["component_groups"], sort=True)
    return (np.where(np.isnan(cost), 0.0, cost), np.where(np.isnan(pv), 0.0, pv),
            k["components"])


@dataclass(frozen=True)
class CostInputs:
    part: np.ndarray  # the part of each registered cost term, in order
    pos: np.ndarray  # its position in its variable block
    year: np.ndarray  # its year
    parts: list  # (component, column offset of its variable block) of each part
    years: list[int]  # all years


def cost_layout(k: CostInputs) -> dict[str, object]:
    """Where each cost term reads its level (``column``) and which sums it adds to: the
    (year, component) cells (``groups``, numbered by sorted key as the groupby they replace,
    with each cell's year row, −1 outside the years, and component column) and the
    components (``component_groups``, numbered in sorted order)."""
    component = np.array([c for c, _ in k.parts], dtype=object)[k.part]
    offset = np.array([o for _, o in k.parts], dtype=np.int64)[k.part]
    cells = pd.DataFrame({"year": k.year, "component": component})
    groups, first = sorted_groups(cells, ["year", "component"])
    components = sorted(set(component))
    comp_groups, _ = pd.factorize(component, sort=True)
    return {"column": offset + k.pos, "groups": groups,
            "cell_year": pd.Index(k.years).get_indexer(first["year"]),
            "cell_component": pd.Index(components).get_indexer(first["component"]),
            "components": components, "component_groups": comp_groups}


def _at(frame: pd.DataFrame, key: str, labels: list | np.ndarray, column: str
        ) -> np.ndarray:
    """``frame.set_index(key)[column].reindex(labels).to_numpy()``: read directly when the
    frame's ``key`` column is ``labels`` already (the model's years and sectors, in order),
    as it mostly is; through pandas otherwise."""
    have = column_values(frame, key)
    if len(have) == len(labels) and (have == np.asarray(labels)).all():
        return frame[column].to_numpy(copy=True)
    return frame.set_index(key)[column].reindex(labels).to_numpy()


def _coordinates(coords: dict[str, np.ndarray | tuple[str, np.ndarray]],
                 lookups: LookupCache | None) -> xr.Coordinates:
    """The Dataset's coordinates (``name: values`` for a dimension, ``name: (dimension,
    values)`` for the labels along one) with their indexes. A batch's variants of one
    structure have the same ones: with ``lookups`` the previous variant's are reused when
    every name and value is equal, instead of xarray making an index of each again (≈ 1.7 of
    the 2.6 ms it takes to make a Monte Carlo variant's Dataset). Their arrays (xarray's
    copies) are read-only then, so that no Dataset can change what the next one is given."""
    dims = [c[0] if isinstance(c, tuple) else name for name, c in coords.items()]
    values = [np.asarray(c[1] if isinstance(c, tuple) else c) for c in coords.values()]

    def made() -> xr.Coordinates:
        return xr.Coordinates({name: _variable(((d,), v, {})) for name, d, v in zip(
            coords, dims, values, strict=True)})

    if lookups is None:
        return made()
    key = [np.array(list(coords), dtype=object), np.array(dims, dtype=object), *values]
    hit = lookups.get(("dataset_coordinates",), key)
    if hit is None:
        hit = made()
        for var in hit.variables.values():  # the labels; an index's are immutable already
            if isinstance(var.data, np.ndarray):
                var.data.flags.writeable = False
        lookups.put(("dataset_coordinates",), key, hit)
    return hit


def _label_indexes(coords: dict[str, np.ndarray], lookups: LookupCache | None
                   ) -> dict[str, pd.Index]:
    """A pandas Index of each coordinate's labels; with ``lookups`` (a batch's cache) the
    previous variant's when the labels are equal (Indexes are immutable; ≈ 0.2 ms a variant
    of the Monte Carlo)."""
    if lookups is None:
        return {d: pd.Index(c) for d, c in coords.items()}
    key = [np.array(list(coords), dtype=object), *coords.values()]
    hit = lookups.get(("dataset_label_indexes",), key)
    if hit is None:
        hit = {d: pd.Index(c) for d, c in coords.items()}
        lookups.put(("dataset_label_indexes",), key, hit)
    return dict(hit)


def _used(coords: dict[str, np.ndarray], out: dict[str, Var]) -> dict[str, np.ndarray]:
    """The coordinates some variable of ``out`` is on, in the order they are first used."""
    dims = dict.fromkeys(d for dims, _, _ in out.values() for d in dims)
    return {d: coords[d] for d in dims}


def _import_substitution(md: ModelData, v: dict, grid_ef: np.ndarray, years: list[int],
                         lookups: LookupCache | None = None,
                         stock_keys: pd.DataFrame | None = None) -> np.ndarray:
    """Σ_m (−generation effect of m, 亿kWh) × stock × 1.229 × EF_grid (万t CO2): local
    generation that measures take off and the grid supplies instead (leakage flag). Which
    stock and effect rows pair up is planned once per structure (`substitution_plan`)."""
    e = md.effects
    value = e["value"].to_numpy(float)
    rows = np.flatnonzero(((e["kind"] == "generation").to_numpy()) & (value < 0))
    stock = v["stock"]
    if stock_keys is None:  # the stock block's index (measure, district, year), in order
        stock_keys = stock.index.to_frame(index=False)
    inputs = SubstitutionInputs(key_cols(stock_keys, ["measure", "year"]),
                                key_cols(e, ["measure", "year"]), rows, list(years))
    k = planned(lookups, "import_substitution", inputs, substitution_plan)
    by_measure_year = group_sums(stock.to_numpy(float), k["stock_groups"], sort=True)
    gen = -value[k["effect_rows"]] * by_measure_year[k["stock_of"]]
    return sums_at(gen, k["year_groups"], k["year_at"]) * WAN_TCE_PER_YI_KWH * grid_ef


@dataclass(frozen=True)
class SubstitutionInputs:
    stock: pd.DataFrame  # measure, year of the stock levels, in order
    effects: pd.DataFrame  # measure, year of md.effects, in row order
    effect_rows: np.ndarray  # the rows of generation effects that take output off (< 0)
    years: list[int]  # all years


def substitution_plan(k: SubstitutionInputs) -> dict[str, np.ndarray]:
    """The stock summed by measure and year (``stock_groups``: `frames.sorted_groups`),
    each such sum beside the generation effects of its measure
    and year (``stock_of``, ``effect_rows``), and the yearly sums of the pairs (``year_*``)."""
    cols = ["measure", "year"]
    groups, sums = sorted_groups(k.stock, cols)
    taken_off = k.effects.iloc[k.effect_rows].assign(effect_row=k.effect_rows)
    pairs = merge(numbered(sums, "sum_row"), taken_off, on=cols)
    year_groups, years = pd.factorize(pairs["year"].to_numpy(), sort=True)
    return {"stock_groups": groups,
            "stock_of": pairs["sum_row"].to_numpy(), "effect_rows": pairs["effect_row"].to_numpy(),
            "year_groups": year_groups, "year_at": pd.Index(years).get_indexer(k.years)}


def output_cut_measures(md: ModelData) -> list[str]:
    """Switch measures that make nothing in place of what they take off (no effect of their
    own is positive): output reductions, such as a crude-steel cut."""
    m, e = md.measures, md.effects
    switch = set(column_values(m, "measure")[column_values(m, "mode") == "switch"]) \
        if "mode" in m else set()
    makes = set(column_values(e, "measure")[column_values(e, "value") > 0])
    return sorted(switch - makes)


def input_hash(md: ModelData) -> str:
    """Key of a run: its validated inputs (after overrides) and its resolved settings."""
    return hash_inputs(md.digest, md.scenario)


def hash_inputs(data_digest: str, scenario) -> str:
    import hashlib
    return hashlib.sha256((data_digest + scenario.digest()).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# summary


def _year_map(var: xr.DataArray | xr.Variable, years: np.ndarray, digits: int = 2
              ) -> dict[str, float]:
    return {str(int(y)): round(float(x), digits) for y, x in zip(years, var.values,
                                                                  strict=True)}


#: CO2 within this share of its highest value counts as the peak's plateau: 1 %, well inside
#: the ±5–10 % uncertainty of a city inventory [E], so a pathway that stays this close to its
#: highest year has not yet turned down in any sense a panel would accept
PLATEAU_TOL = 0.01
#: CO2 values this close to the maximum are tied for the peak year (the earliest wins), 万t
#: (1e-6 万t = 0.01 t: solver round-off only)
PEAK_TIE_WAN_T = 1e-6


def peak_shape(co2: np.ndarray, years: np.ndarray, tol: float = PLATEAU_TOL,
               tie: float = PEAK_TIE_WAN_T) -> dict:
    """Peak of CO2 paths (rows: scenarios, or one 1-D path; columns: ``years``), vectorised::

        peak_year   first year of the highest CO2 (ties within ``tie`` 万t: the earliest)
        peak_level  that highest CO2 (万t)
        plateau_end last year whose CO2 >= (1 - tol) * peak_level
        shape       "still_rising"  highest in the last year,
                    "plateau"       within tol of the peak up to the last year,
                    "declining"     at least tol below the peak by the last year

    NaN cells (unsolved) never count as highest."""
    one = np.ndim(co2) == 1
    v = np.atleast_2d(np.asarray(co2, dtype=float))
    years = np.asarray(years)
    top = np.where(np.isnan(v), -np.inf, v).max(axis=1)
    first = np.argmax(v >= (top - tie)[:, None], axis=1)
    near = v >= ((1.0 - tol) * top)[:, None]
    last_near = v.shape[1] - 1 - np.argmax(near[:, ::-1], axis=1)
    n = v.shape[1]
    shape = np.where(first == n - 1, "still_rising",
                     np.where(last_near == n - 1, "plateau", "declining"))
    out = {"peak_year": years[first], "peak_level": top, "plateau_end": years[last_near],
           "shape": shape}
    return {k: x[0].item() for k, x in out.items()} if one else out


def summary(ds: xr.Dataset, timings: dict[str, float]) -> dict:
    """The stable machine-readable face of a run (keys only ever grow)."""
    # the variables, not DataArrays (≈ 30 µs each, and this reads twenty)
    v = ds.variables
    years = v["year"].values
    co2 = v["co2_total"].values
    ok = ds.attrs["status"] in ("optimal", "elastic")
    peak_idx = int(np.nanargmax(co2)) if ok else None
    targets = []
    for i in range(ds.sizes.get("target_row", 0)):
        def num(name, i=i):
            x = float(v[name].values[i])
            return None if math.isnan(x) else round(x, 6)
        targets.append({
            "id": str(v["target_target"].values[i]), "family": str(v["target_family"].values[i]),
            "year": int(v["target_year"].values[i]), "limit": num("target_limit"),
            "achieved": num("target_achieved"), "unit": str(v["target_unit"].values[i]),
            "binding": bool(v["target_binding"].values[i]),
            "shadow_price": num("target_shadow_price"),
            "shadow_unit": str(v["target_shadow_unit"].values[i]),
            "shortfall": num("target_shortfall")})
    obj = ds.attrs.get("objective_wan_cny")
    ref = v["co2_reference"].values
    ref_idx = int(np.nanargmax(ref))
    return {
        "scenario": ds.attrs["scenario"],
        "status": ds.attrs["status"],
        "objective_wan_cny": None if not ok or obj == "nan" else round(float(obj), 2),
        "peak_year": int(years[peak_idx]) if ok else None,
        "peak_co2_wan_t": round(float(co2[peak_idx]), 2) if ok else None,
        # plateau and shape of the pathway's peak (see `peak_shape`); keys only grow
        **({f"peak_{k}": x for k, x in peak_shape(co2, years).items()
            if k in ("plateau_end", "shape")} if ok else {"peak_plateau_end": None,
                                                           "peak_shape": None}),
        "co2_wan_t": _year_map(v["co2_total"], years) if ok else {},
        "co2_scope1_wan_t": _year_map(v["co2_scope1"], years) if ok else {},
        "energy_wan_tce": _year_map(v["energy_total"], years) if ok else {},
        "gdp_yi_cny": _year_map(v["gdp"], years),
        "non_fossil_share": _year_map(v["non_fossil_share"], years, 4) if ok else {},
        "targets": targets,
        "timings_s": {k: round(float(t), 3) for k, t in timings.items()},
        "input_hash": ds.attrs["input_hash"],
        "solver": {"name": ds.attrs["solver_name"], "version": ds.attrs["solver_version"],
                   "gap": ds.attrs["solver_gap"], "status": ds.attrs["solver_status"]},
        # the frozen reference (no new measures, no major projects) beside the pathway
        "reference_peak_year": int(years[ref_idx]),
        "reference_peak_co2_wan_t": round(float(ref[ref_idx]), 2),
        "cost_by_kind_wan_cny": cost_by_kind(ds) if ok else {},
        "import_substitution_co2_wan_t": (_year_map(v["import_substitution_co2"], years)
                                          if ok else {}),
        "output_cut_co2_wan_t": (_year_map(v["output_cut_co2"], years)
                                 if ok and "output_cut_co2" in ds else {}),
    }


#: how each cost component counts: a resource cost, the efficiency gap (what the investors'
#: hurdle rates and hidden costs add), a transfer (taxes, carbon payments), project value, or
#: the elastic-mode penalty
COST_KINDS = {"capex": "resource", "om": "resource", "fuel": "resource",
              "electricity": "resource", "network": "resource", "hurdle": "efficiency_gap",
              "hidden": "efficiency_gap", "tax": "transfer", "carbon": "transfer",
              "project_value": "project_value", "penalty": "penalty"}


def cost_by_kind(ds: xr.Dataset) -> dict[str, float]:
    """Present value of the cost components by kind (万元, base-year money): resource cost
    apart from the efficiency gap, transfers and project value; they add up to the
    objective (results.nc ``cost_pv``)."""
    out: dict[str, float] = {}
    for comp, v in zip(ds["component"].values.tolist(), present_value(ds).values, strict=True):
        kind = COST_KINDS.get(comp, comp)
        out[kind] = out.get(kind, 0.0) + float(v)
    return {k: round(v, 2) for k, v in out.items()}


def present_value(ds: xr.Dataset) -> xr.DataArray:
    """Cost by component as weighted in the objective (万元 present value): results.nc
    ``cost_pv``, or for results written before it, the undiscounted ``cost`` discounted the
    same way."""
    if "cost_pv" in ds:
        return ds["cost_pv"]
    years = ds["year"].values.astype(float)
    df = (1.0 + float(ds.attrs["discount_rate"])) ** (-(years - int(ds.attrs["base_year"])))
    comp = ds["component"].values
    w = np.where(np.isin(comp, ["penalty"])[None, :], 1.0, df[:, None])
    return xr.DataArray((ds["cost"].transpose("year", "component").values * w).sum(axis=0),
                        dims=["component"], coords={"component": comp})


# --------------------------------------------------------------------------------------------
# tables


def tidy_tables(ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """Long CSV tables of the Dataset."""
    def long(name: str, dims: list[str]) -> pd.DataFrame:
        da = ds[name]
        f = da.to_dataframe(name="value").reset_index()[[*dims, "value"]]
        f = f[f["value"].abs() > 1e-9]
        return f.assign(unit=da.attrs.get("units", ""))

    tables = {
        "emissions": long("emissions", ["year", "sector", "gas", "district"]),
        "scope2": long("scope2", ["year", "sector", "district"]),
        "energy": long("energy", ["year", "sector", "fuel", "district"]),
        "generation": long("generation", ["year", "sector", "district"]),
        "adoption": long("adoption", ["year", "measure", "district"]),
        "new_builds": long("new_builds", ["year", "measure", "district"]),
        "cost": long("cost", ["year", "component"]),
        "investment": long("investment", ["year", "group"]),
    }
    series = ["co2_total", "co2_scope1", "co2_reference", "energy_total", "primary_energy",
              "non_fossil", "non_fossil_share", "purchased_electricity", "gdp", "population",
              "energy_intensity", "carbon_intensity"]
    tables["totals"] = ds[series].to_dataframe().reset_index()
    rows = {c.replace("target_", ""): ds[c].values for c in ds.data_vars
            if c.startswith("target_")}
    tables["targets"] = pd.DataFrame(rows)
    return tables


def iamc_table(ds: xr.Dataset, md: ModelData | None = None) -> pd.DataFrame:
    """IAMC-format table (model, scenario, region, variable, unit, one column per year),
    written with pandas (no pyam dependency): `iamc_columns` as a frame."""
    columns, arrays = iamc_columns(ds, md)
    k = len(IAMC_LABELS)
    years = arrays[k:]
    # the text columns, then the years: two frames joined once (each column inserted into a
    # frame cost pandas ≈ 0.1 ms)
    labels = pd.DataFrame(dict(zip(IAMC_LABELS, arrays[:k], strict=True)))
    values = np.stack(years, axis=1) if years else np.empty((len(labels), 0))
    return pd.concat([labels, pd.DataFrame(values, columns=columns[k:])], axis=1)


#: the text columns of an IAMC table, before one column per year
IAMC_LABELS = ("model", "scenario", "region", "variable", "unit")


def iamc_columns(ds: xr.Dataset, md: ModelData | None = None
                 ) -> tuple[list, list[np.ndarray]]:
    """The columns of `iamc_table` (`IAMC_LABELS`, then the years as ints) and one array per
    column (text: object arrays; years: float), without the frame: a batch keeps its
    scenarios' rows as such arrays (`peakpath.analysis.batch_store.part_of`)."""
    # the variables' own reductions (what a DataArray's call reduces, without making one per
    # step: ≈ 3 ms a scenario of a batch)
    v = ds.variables
    years = [int(y) for y in v["year"].values]
    rows: list[tuple[str, str, np.ndarray]] = []

    def add(var: str, unit: str, values) -> None:
        rows.append((var, unit, np.asarray(values, dtype=float)))

    def total(var: xr.Variable, dims: list[str], keep: tuple[str, ...] | None = None
              ) -> np.ndarray:
        """``var.sum(dims)`` (missing values as 0, as xarray adds them) with NumPy, its
        other dimensions in ``keep``'s order if given: a Variable's reduction costs ≈ 0.1 ms
        more than its sum."""
        a = var.values
        out = np.sum(np.where(np.isnan(a), 0.0, a), axis=tuple(var.dims.index(d)
                                                                   for d in dims))
        rest = [d for d in var.dims if d not in dims]
        return out if keep is None else out.transpose([rest.index(d) for d in keep])

    def gas(name: str) -> xr.Variable:
        return v["emissions"].isel(gas=ds.indexes["gas"].get_loc(name))

    add("Emissions|CO2", "Mt CO2/yr", v["co2_total"].values / 100)
    add("Emissions|CO2|Scope 1", "Mt CO2/yr", v["co2_scope1"].values / 100)
    scope2 = total(v["scope2"], ["sector", "district"])
    add("Emissions|CO2|Scope 2", "Mt CO2/yr", scope2 / 100)
    co2 = total(gas("CO2"), ["district"], ("sector", "year"))
    group_names = {}
    if md is not None:
        group_names = dict(zip(md.groups["group"], md.groups["name_en"], strict=True))
    for row, g, name in zip(co2, v["sector_group"].values, v["sector_name_en"].values,
                            strict=True):
        add(f"Emissions|CO2|{group_names.get(g, g)}|{name}", "Mt CO2/yr", row / 100)
    add("Emissions|CH4", "Mt CH4/yr", total(gas("CH4"), ["sector", "district"]) / 100)
    add("Emissions|N2O", "kt N2O/yr", total(gas("N2O"), ["sector", "district"]) * 10)
    add("Emissions|Kyoto Gases", "Mt CO2-equiv/yr",
        total(v["emissions_co2e"], ["sector", "district"]) / 100 + scope2 / 100)
    ej = GJ_PER_TCE * 1e4 / 1e9
    add("Primary Energy", "EJ/yr", v["primary_energy"].values * ej)
    fu = v["fuel_use"].transpose("fuel", "year")
    fuel_names = {"coal": "Coal", "coke": "Coal|Coke", "oil": "Oil", "natural_gas": "Gas",
                  "biomass": "Biomass"}
    for f, row in zip(v["fuel"].values, fu.values, strict=True):
        add(f"Primary Energy|{fuel_names.get(str(f), str(f))}", "EJ/yr", row * ej)
    add("Secondary Energy|Electricity|Local", "EJ/yr",
        total(v["generation"], ["sector", "district"]) * WAN_TCE_PER_YI_KWH * ej)
    add("GDP|MER", "billion CNY_2020/yr", v["gdp"].values / 10)
    add("Population", "million", v["population"].values / 100)
    add("Investment|Abatement measures", "billion CNY_2020/yr",
        total(v["investment"], ["group"]) / 1e5)
    n = len(rows)
    text = [[f"peakpath {ds.attrs.get('peakpath_version', '')}"] * n,
            [ds.attrs["scenario"]] * n, ["Wuhan"] * n, [r[0] for r in rows], [r[1] for r in rows]]
    values = np.vstack([r[2] for r in rows])
    return ([*IAMC_LABELS, *years],
            [np.array(t, dtype=object) for t in text] + [values[:, j] for j in range(len(years))])


# --------------------------------------------------------------------------------------------
# writing


def write_results(ds: xr.Dataset, out_dir: Path, summ: dict, md: ModelData | None = None,
                  *, sweep: bool = True) -> Path:
    """Write a run's folder: the files of `RUN_OUTPUTS` assembled in a hidden sibling folder,
    which then takes the old folder's place in one atomic rename, carrying along everything
    else the old folder held. ``sweep`` first removes what killed writers left beside it (a
    batch sweeps its folder once instead). ``summ["timings_s"]["write"]`` is filled in with the
    time taken."""
    import time

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if sweep:
        sweep_stale(out_dir.parent)
    tmp = temp_dir(out_dir)
    try:
        enc = {k: {"zlib": True, "complevel": 4} for k, v in ds.data_vars.items()
               if v.dtype.kind == "f"}
        with interrupts_held():  # see there: an interrupted netCDF write can hang
            ds.to_netcdf(tmp / "results.nc", engine="netcdf4", encoding=enc)
        tables = tidy_tables(ds)
        for name, table in tables.items():
            # UTF-8 with a byte-order mark: Excel on Chinese Windows (see io.atomic)
            table.to_csv(tmp / f"{name}.csv", index=False, float_format="%.6g",
                         encoding="utf-8-sig")
        iamc_table(ds, md).to_csv(tmp / "iamc.csv", index=False, float_format="%.6g",
                                  encoding="utf-8-sig")
        summ.setdefault("timings_s", {})["write"] = round(time.perf_counter() - t0, 3)
        (tmp / "summary.json").write_text(json.dumps(summ, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
        stray = sorted({p.name for p in tmp.iterdir()} - RUN_OUTPUTS)
        if stray:  # a file outside the list would be dropped from the folder by the next rerun
            raise RuntimeError(f"write_results wrote {stray}, which RUN_OUTPUTS does not list")
        replace_dir(tmp, out_dir, RUN_OUTPUTS)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def load_results(path: str | Path) -> xr.Dataset:
    """Load a run's Dataset (folder or results.nc); a file that is not readable netCDF, or
    not a run's results, is an `InputError` naming it."""
    p = Path(path)
    if p.is_dir():
        p = p / "results.nc"
    ds = open_netcdf(p, "results file")
    missing = [k for k in RUN_ATTRS if k not in ds.attrs]
    if "scenario" not in ds.dims and missing:
        raise InputError([Problem(str(p), None, None, "results",
                                  "not a peakpath run's results: attributes missing: "
                                  f"{', '.join(missing)}; give the results.nc that "
                                  "`peakpath run` wrote", "不是peakpath的求解结果文件")])
    return ds


#: attributes every run's results.nc carries (`to_dataset`)
RUN_ATTRS = ("scenario", "status", "base_year")


def open_netcdf(p: Path, what: str) -> xr.Dataset:
    """A netCDF file loaded into memory; a corrupt, truncated or foreign file is an
    `InputError` naming it."""
    if not p.is_file():
        raise InputError([Problem(str(p), None, None, "results", f"{what} not found",
                                  "找不到结果文件")])
    try:
        with interrupts_held(), xr.open_dataset(p, engine="netcdf4") as ds:
            return ds.load()
    except (OSError, ValueError, RuntimeError, KeyError, IndexError, TypeError) as e:
        raise InputError([Problem(str(p), None, None, "results",
                                  f"cannot read this {what} ({type(e).__name__}: {e}); it is "
                                  "corrupt, truncated or not netCDF: write it again (re-run "
                                  "the scenario or batch)", "结果文件损坏或不完整，请重新求解")]
                         ) from None
