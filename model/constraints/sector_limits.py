r"""Sector and district limits, bureau budgets (family ``limit``; each limit has its own id).

A limit sums a quantity over a selection of sector groups, sectors and districts (all when a
filter is omitted) and bounds it in the years listed::

    co2:        sum_{s,d} [emissions[s,CO2,d,y] + EF_grid[y] * (energy[s,elec,d,y]
                 - 1.229 * generation[s,d,y])] (+ targeted non-CO2 as CO2e)      万t
    energy:     sum_{s,d,f} energy[s,f,d,y]   (every carrier, calorific)         万tce
    coal:       sum_{s,d,f in coal_fuels} energy[s,f,d,y]                        万tce
    gas, oil:   sum_{s,d,f of that category} energy[s,f,d,y] (feedstock included)  万tce
    investment: sum_{m in s, d} capex[m,y] * build[m,d,y]                        万元

CO2 includes purchased electricity attributed to the sectors that use it (and local generation
credited to the plants that make it), so sector limits add up to the city boundary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peakpath.core.context import Context
from peakpath.core.frames import merge
from peakpath.errors import InputError, Problem
from peakpath.io.units import WAN_TCE_PER_YI_KWH

SHADOW_UNITS = {"co2": "CNY/t CO2", "energy": "CNY/tce", "coal": "CNY/tce", "gas": "CNY/tce",
                "oil": "CNY/tce", "investment": "CNY/CNY"}
UNITS = {"co2": "万t", "energy": "万tce", "coal": "万tce", "gas": "万tce", "oil": "万tce",
         "investment": "万元"}
#: the fuel category (fuels.csv) a fuel limit sums: supply of pipeline gas or oil products
FUEL_CATEGORIES = {"gas": "gas", "oil": "oil"}


def add(ctx: Context) -> None:
    limits = ctx.settings["targets"].get("limits") or []
    if not limits:
        return
    by_sense: dict[str, list] = {"le": [], "ge": []}
    for lim in limits:
        by_sense[lim.get("sense", "le")].append(lim)
    for sense, group in by_sense.items():
        if group:
            _add_block(ctx, sense, group)


def _selection(ctx: Context, lim: dict) -> tuple[list[str], list[str]]:
    md = ctx.md
    sectors = md.sectors
    problems = []
    for key, known in (("groups", set(md.groups["group"])), ("sectors", set(sectors["sector"])),
                       ("districts", set(md.districts["district"]))):
        for x in lim.get(key, []):
            if x not in known:
                problems.append(Problem(str(md.scenario.path), None,
                                        f"targets.limits.{lim['id']}.{key}", "reference",
                                        f"'{x}' is not a known {key[:-1]}", "代码无效"))
    if problems:
        raise InputError(problems)
    sel = sectors
    if lim.get("groups"):
        sel = sel[sel["group"].isin(lim["groups"])]
    if lim.get("sectors"):
        sel = sel[sel["sector"].isin(lim["sectors"])]
    districts = lim.get("districts") or md.districts["district"].tolist()
    return sel["sector"].tolist(), districts


def _add_block(ctx: Context, sense: str, limits: list[dict]) -> None:
    frames, terms, rhs, units = [], [], [], set()
    for lim in limits:
        sectors, districts = _selection(ctx, lim)
        f = pd.DataFrame({"target": lim["id"], "year": [int(y) for y in lim["values"]]})
        frames.append(f)
        rhs.append(np.array([float(v) for v in lim["values"].values()]))
        terms += _quantity_terms(ctx, lim["quantity"], sectors, districts, f)
        units.add(lim["quantity"])
    frame = pd.concat(frames, ignore_index=True)
    q = units.pop() if len(units) == 1 else None
    block = ctx.targets.add("limit", f"limit_{sense}", frame, terms, sense=sense,
                            rhs=np.concatenate(rhs), unit=UNITS.get(q, "mixed"),
                            shadow_unit=SHADOW_UNITS.get(q, "CNY per unit of the limit"),
                            report=None)
    # limits of several quantities share the block: each row keeps its own units
    quantity = np.concatenate([[lim["quantity"]] * len(lim["values"]) for lim in limits])
    block.frame["unit"] = block.frame["row_unit"] = [UNITS[x] for x in quantity]
    block.frame["shadow_unit"] = [SHADOW_UNITS[x] for x in quantity]


def _quantity_terms(ctx: Context, quantity: str, sectors: list[str], districts: list[str],
                    rows: pd.DataFrame) -> list:
    md, led = ctx.md, ctx.ledger
    energy, em, gen = led["energy"], led["emissions"], led["generation"]

    def pick(index: pd.DataFrame, extra=None) -> pd.DataFrame:
        keep = index["sector"].isin(sectors) & index["district"].isin(districts)
        if extra is not None:
            keep &= extra(index)
        return merge(index[keep], rows, on="year")

    if quantity == "co2":
        gases = ["CO2", *[g for g in md.scenario.accounting["target_gases"] if g != "CO2"]]
        e = pick(em.index, lambda i: i["gas"].isin(gases))
        grid = md.grid[["year", "ef"]]
        el = pick(energy.index, lambda i: i["fuel"].isin(md.fuel_ids(("electricity",))))
        el = merge(el, grid, on="year")
        g = merge(pick(gen.index), grid, on="year")
        return [em.terms(e, e["gas"].map(md.gwp).to_numpy(float)),
                energy.terms(el, "ef"),
                gen.terms(g, -(g["ef"] * WAN_TCE_PER_YI_KWH).to_numpy())]
    if quantity == "energy":
        return [energy.terms(pick(energy.index))]
    if quantity == "coal":
        coal = ctx.md.coal_fuels
        return [energy.terms(pick(energy.index, lambda i: i["fuel"].isin(coal)))]
    if quantity in FUEL_CATEGORIES:
        fuels = md.fuel_ids((FUEL_CATEGORIES[quantity],))
        return [energy.terms(pick(energy.index, lambda i: i["fuel"].isin(fuels)))]
    # investment
    b = merge(led.build.index, md.measures[["measure", "sector"]], on="measure")
    b = merge(pick(b), md.capex, on=["measure", "year"])
    return [led.build.terms(b, "value")]
