r"""Major projects (两高项目), id ``projects``: in, out, or decided by the model.

A project p (in sector s, district d) adds energy and process emissions from the year it comes
online. online[p,y] is 1 from its online year::

    online[p,y] = sum_{v <= y} start[p,v],   sum_v start[p,v] <= 1,   start[p,v] = 0 for v < y0_p
    energy[s,f,d,y]    += use[p,f] * online[p,y]      (burned fuel and feedstock)
    feedstock[s,f,d,y] += feed[p,f] * online[p,y]     (feedstock only: not burned)
    emissions[s,g,d,y] += process[p,g] * online[p,y]

``in`` fixes the start at the earliest year (or the year given, not before it; a year given as
the default starts each project no earlier than its earliest year), ``out`` fixes online = 0 and
``decide`` leaves start binary. The project's value to the city enters the cost as a negative
term so that ``decide`` weighs it against the cost of absorbing it::

    cost -= (value_added[p] * 1e4 + sum_f use[p,f] * price[f,y]) * online[p,y]     (万元)

(value added is net of the project's own energy purchases, which the model also charges; adding
them back makes the net effect of a project on the objective -value_added when no target binds).
GDP stays the scenario's projection: one project is < 0.1 % of city GDP, and feeding it back into
the intensity denominators would make those rows bilinear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from peakpath.core.algebra import LookupCache
from peakpath.core.context import Context
from peakpath.core.frames import (
    group_sums,
    key_cols,
    merge,
    numbered,
    planned,
    sorted_groups,
    take_or_zero,
)
from peakpath.errors import InputError, Problem


def add(ctx: Context) -> None:
    md, led = ctx.md, ctx.ledger
    projects = md.projects
    if projects.empty:
        return
    decisions = _decisions(ctx)
    k = ctx.b.memo("projects", ProjectInputs(
        key_cols(projects, ["project", "earliest_year", "sector", "district"]),
        [(p, mode, year) for p, (mode, year) in decisions.items()], list(ctx.years),
        key_cols(md.project_effects, ["kind", "project", "item"])), project_keys)
    online = ctx.b.add_var("project_online", k["online"], lb=k["online_lb"], ub=k["online_ub"],
                           domain="binary", doc="1 once a major project is online")
    if "start" in k:
        start = ctx.b.add_var("project_start", k["start"], lb=0.0, ub=1.0, domain="binary",
                              doc="1 in the year a decided project comes online")
        rows = k["decided"]
        ctx.b.add_rows("def_project_online", rows,
                       [online.terms(rows),
                        start.terms(k["started_by"], -1.0, on={"year": "start_year"})],
                       lb=0.0, ub=0.0, doc="a project stays online once started")
        ctx.b.add_rows("res_project_once", k["once"], [start.terms(k["start"])], ub=1.0,
                       doc="a project starts at most once")
    value = md.project_effects["value"].to_numpy(float)
    for name, acc in (("energy", led["energy"]), ("feedstock", led["feedstock"]),
                      ("process", led["emissions"])):
        acc.add(online.terms(k[name], value[k[f"{name}_rows"]]))
    idx = k["online"]
    plan = _bill_plan(md, ctx.b.lookups, idx)
    bill = take_or_zero(_bills(md, plan), plan["online_at"])
    value_added = projects["value_added"].to_numpy(float)[k["online_project_row"]]
    ctx.b.add_cost_at("project_value", online, np.arange(len(idx)),
                      idx["year"].to_numpy(int), -(value_added * 1e4 + bill))


@dataclass(frozen=True)
class ProjectInputs:
    projects: pd.DataFrame  # project, earliest_year, sector, district
    decisions: list[tuple[str, str, int]]  # project, mode (in, out, decide), online year
    years: list[int]
    effects: pd.DataFrame  # kind, project, item of md.project_effects, in its row order


def project_keys(k: ProjectInputs) -> dict[str, object]:
    """The blocks of the project decisions: ``online`` (project, year) with its bounds,
    ``start`` and ``decided`` (the years a decided project may start, and all its years),
    ``started_by`` (the start years up to each year), ``once``; for each account the effect
    terms (``energy``, ``feedstock``, ``process``) with the effect rows that give their
    coefficients; ``online_project_row``: the project of each ``online`` entry."""
    decisions = {p: (mode, year) for p, mode, year in k.decisions}
    projects = numbered(k.projects, "project_row")
    grid = merge(projects[["project", "earliest_year", "project_row"]],
                 pd.DataFrame({"year": k.years}), how="cross")
    mode = grid["project"].map(lambda p: decisions[p][0])
    online_year = grid["project"].map(lambda p: decisions[p][1])
    fixed_on = (mode == "in") & (grid["year"] >= online_year)
    lb = np.where(fixed_on, 1.0, 0.0)
    idx = grid[["project", "year"]]
    out: dict[str, object] = {
        "online": idx, "online_lb": lb,
        "online_ub": np.where(mode == "out", 0.0, np.where(mode == "in", lb, 1.0)),
        "online_project_row": grid["project_row"].to_numpy()}
    decide = grid[(mode == "decide") & (grid["year"] >= grid["earliest_year"])][
        ["project", "year"]].reset_index(drop=True)
    if not decide.empty:
        rows = grid[mode == "decide"][["project", "year"]]
        pairs = merge(rows, decide.rename(columns={"year": "start_year"}), on="project")
        out.update(start=decide, decided=rows,
                   started_by=pairs[pairs["start_year"] <= pairs["year"]],
                   once=decide[["project"]].drop_duplicates())
    eff = merge(numbered(k.effects, "effect_row"),
                k.projects[["project", "sector", "district"]], on="project")
    for name, kinds, item in (("energy", ("energy", "feedstock"), "fuel"),
                              ("feedstock", ("feedstock",), "fuel"),
                              ("process", ("process",), "gas")):
        e = eff[eff["kind"].isin(kinds)].rename(columns={"item": item})
        f = merge(idx, e[["project", "sector", "district", item, "effect_row"]], on="project")
        out[name] = f.drop(columns="effect_row")
        out[f"{name}_rows"] = f["effect_row"].to_numpy()
    return out


def project_energy_bill(md, lookups: LookupCache | None = None) -> pd.DataFrame:
    """What each project pays for its energy in each year (project, year, bill 万元): fuel and
    feedstock at their prices plus the network charge on its electricity, as the model charges
    them (CNY/tce × 万tce = 万元)::

        bill[p,y] = Σ_f use[p,f] · (price[f,y] + network[f,y])

    Which rows add up is planned once per structure (`bill_plan`)."""
    plan = _bill_plan(md, lookups, None)
    return plan["keys"].assign(bill=_bills(md, plan))


def _bill_plan(md, lookups: LookupCache | None, online: pd.DataFrame | None
               ) -> dict[str, object]:
    k = BillInputs(key_cols(md.project_effects, ["kind", "project", "item"]),
                   key_cols(md.prices, ["fuel", "year"]),
                   key_cols(md.price_components, ["fuel", "component", "year"]), online)
    return planned(lookups, "project_bill", k, bill_plan)


def _bills(md, plan: dict[str, object]) -> np.ndarray:
    """bill[p,y] (万元) in the order of the plan's keys."""
    use = md.project_effects["value"].to_numpy(float)[plan["use_rows"]]
    price = md.prices["value"].to_numpy(float)[plan["price_rows"]]
    network = take_or_zero(md.price_components["value"].to_numpy(float), plan["network_rows"])
    return group_sums(use * (price + network), plan["groups"], sort=True)


@dataclass(frozen=True)
class BillInputs:
    effects: pd.DataFrame  # kind, project, item of md.project_effects, in row order
    prices: pd.DataFrame  # fuel, year of md.prices, in row order
    components: pd.DataFrame  # fuel, component, year of md.price_components, in row order
    online: pd.DataFrame | None  # project, year: the entries to read the bills at


def bill_plan(k: BillInputs) -> dict[str, object]:
    """Each project's energy use beside each year's price of its fuel (``use_rows``,
    ``price_rows``) and network charge (``network_rows``, −1: none), summed by project and
    year (``groups``, ``keys`` as `frames.sorted_groups`), and the bill of each ``online``
    entry (``online_at``, −1: none; nothing without ``online``)."""
    e = numbered(k.effects, "use_row")
    use = e[e["kind"].isin(["energy", "feedstock"])].rename(columns={"item": "fuel"})
    cost = merge(use[["project", "fuel", "use_row"]], numbered(k.prices, "price_row"),
                 on="fuel")
    pc = numbered(k.components, "network_row")
    net = pc[pc["component"] == "network"][["fuel", "year", "network_row"]]
    cost = merge(cost, net, on=["fuel", "year"], how="left")
    groups, keys = sorted_groups(cost, ["project", "year"])
    online_at = np.zeros(0, dtype=np.int64)
    if k.online is not None:
        at = merge(numbered(k.online, "online_row"), numbered(keys, "bill_row"),
                   on=["project", "year"], how="left")
        online_at = np.full(len(k.online), -1, dtype=np.int64)
        found = at["bill_row"].notna().to_numpy()
        online_at[at["online_row"].to_numpy()[found]] = at["bill_row"].to_numpy()[found]
    return {"use_rows": cost["use_row"].to_numpy(), "price_rows": cost["price_row"].to_numpy(),
            "network_rows": cost["network_row"].fillna(-1).to_numpy().astype(np.int64),
            "groups": groups, "keys": keys, "online_at": online_at}


def _decisions(ctx: Context) -> dict[str, tuple[str, int]]:
    """project -> (mode, online year for 'in')."""
    md = ctx.md
    setting = dict(md.scenario.settings["projects"])
    default = setting.pop("default", "decide")
    earliest_of = dict(zip(md.projects["project"], md.projects["earliest_year"], strict=True))
    problems = []
    for p, v in setting.items():
        file, line = md.scenario.where(("projects", p)) if hasattr(md.scenario, "where") \
            else (str(md.scenario.path), None)
        if p not in earliest_of:
            problems.append(Problem(file, line, f"projects.{p}", "reference",
                                    f"'{p}' is not a project of the dataset (projects.csv)",
                                    "项目代码无效"))
        elif isinstance(v, int) and v < earliest_of[p]:
            # an explicit year is the user's, not to be moved silently (a year as the default
            # applies to every project, each from its earliest year)
            problems.append(Problem(file, line, f"projects.{p}", "range",
                                    f"online year {v} is before the project's earliest year "
                                    f"{int(earliest_of[p])} (projects.csv)",
                                    "投产年份早于项目最早可投产年份"))
    if problems:
        raise InputError(problems)
    out = {}
    for p, earliest in zip(md.projects["project"], md.projects["earliest_year"], strict=True):
        v = setting.get(p, default)
        if isinstance(v, int):
            out[p] = ("in", max(v, int(earliest)))
        else:
            out[p] = (v, int(earliest))
    return out
