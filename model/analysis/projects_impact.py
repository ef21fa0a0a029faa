r"""Price each major ('two-high', 两高) project against a solved pathway
(``peakpath projects RESULTS``).

For each project p the scenario is solved twice, every other project fixed as the pathway
decided it: once with p online (from the year the pathway chose, or its earliest year) and once
without. The objective of a solve is the discounted system cost minus the value term of the
online projects (`model.constraints.projects`)::

    OBJ = SC - sum_{q online} sum_y DF[y] * (VA[q] * 1e4 + bill[q,y])

The **price** of p is the extra discounted system cost of bringing it online, its own value
term excluded (万元, present value in base-year money)::

    price[p] = (OBJ_in - OBJ_out) + V[p] = SC_in - SC_out
    V[p]     = sum_y DF[y] * (VA[p] * 1e4 + bill[p,y]) * online_in[p,y]

It holds the project's own energy bill (its purchases at scenario prices) and whatever else the
city must spend to keep its targets with the project online. The second part alone is the
**absorption cost** = price - PV(bill[p]): zero when no target binds. The project's **net
value** = PV(VA[p] * 1e4) - price: the city gains from it when positive. A project whose 'in'
solve cannot meet the targets (elastic re-solve) has no price; it is reported with its
shortfalls. Both solves carry the MIP gap of the scenario, so a price is exact to about
gap * |OBJ| (``--mip-gap`` tightens it; the tolerance is reported beside each price).

The peak is the highest CO2 (万t, target boundary) over the model years; intensities are
energy and CO2 per GDP (tce/万元, t/万元) at the end of each plan period, with the project's
output left out of GDP as in the model (one project is < 0.1 % of city GDP).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peakpath.cli.commands import command_help
from peakpath.core.ledger import discount_factors
from peakpath.errors import InputError, Problem
from peakpath.io.atomic import atomic_write_table
from peakpath.io.places import writable_dir
from peakpath.results.pathway import Solved, load_solved
from peakpath.solve.run import RunResult, run_scenario

#: a project online below this share of a year counts as offline
ONLINE = 0.5


@dataclass
class ProjectPrice:
    project: str
    online_year: int | None
    price: float  # 万元 PV
    absorption_cost: float  # 万元 PV
    bill_pv: float  # 万元 PV
    value_added_pv: float  # 万元 PV
    net_value: float  # 万元 PV
    objective_in: float
    objective_out: float
    value_term_pv: float  # V[p] (万元 PV)
    status_in: str
    status_out: str
    peak_in: float
    peak_out: float
    peak_year_in: int
    peak_year_out: int
    shortfalls: list[dict]
    intensity_change: dict[str, float]
    tolerance: float


def decided(s: Solved) -> dict[str, int | None]:
    """Online year of each project in the pathway (None if it stays out)."""
    ds = s.ds
    if "project_online" not in ds:
        return {}
    on = ds["project_online"].to_pandas()
    out = {}
    for p in on.columns:
        yrs = on.index[on[p] > ONLINE]
        out[str(p)] = int(yrs.min()) if len(yrs) else None
    return out


def value_term_pv(s: Solved, project: str, years_online: list[int]) -> tuple[float, float,
                                                                             float]:
    """PV of the project's value term, of its value added and of its energy bill (万元), with
    the bill the model itself charges (`model.constraints.projects.project_energy_bill`):
    value term = value added × 1e4 + energy bill, per online year."""
    from peakpath.constraints.projects import project_energy_bill

    md = s.md
    pr = md.projects.set_index("project").loc[project]
    years = [y for y in md.years if y in set(years_online)]
    df = dict(zip(md.years, discount_factors(md.scenario.discount_rate, md.years,
                                             md.base_year), strict=True))
    b = project_energy_bill(md)
    b = b[b["project"] == project].set_index("year")["bill"]
    bill = sum(df[y] * float(b.get(y, 0.0)) for y in years)
    va = sum(df[y] * float(pr["value_added"]) * 1e4 for y in years)
    return va + bill, va, bill


def _solve(s: Solved, decisions: dict, gap: float | None) -> RunResult:
    changes: dict = {"projects": {"default": "out", **decisions}}
    if gap is not None:
        changes["solver.mip_rel_gap"] = gap
    return run_scenario(s.scenario.with_settings(changes), s.data, isolate=False)


def _model_years(r: RunResult, md_years: list[int], name: str) -> pd.Series:
    return r.dataset[name].to_pandas().reindex(md_years)


def _intensity_change(r_in: RunResult, r_out: RunResult, s: Solved) -> dict[str, float]:
    md = s.md
    ends = [y for y in md.years if (y - md.base_year) % 5 == 0]
    out = {}
    for name in ("energy_intensity", "carbon_intensity"):
        a, b = (_model_years(r, md.years, name) for r in (r_in, r_out))
        for y in ends:
            out[f"{name}_{y}"] = float(a[y] - b[y])
    return out


def price_project(s: Solved, project: str, base: dict[str, int | None] | None = None,
                  gap: float | None = None) -> ProjectPrice:
    """Solve with ``project`` in and out (others as the pathway decided) and price it."""
    md = s.md
    if project not in set(md.projects["project"]):
        raise InputError([Problem("--projects", None, None, "reference",
                                  f"'{project}' is not a project of the dataset",
                                  "项目代码无效")])
    base = decided(s) if base is None else base
    others = {q: (y if y is not None else "out") for q, y in base.items() if q != project}
    earliest = int(md.projects.set_index("project").loc[project, "earliest_year"])
    year = base.get(project) or earliest
    r_in = _solve(s, {**others, project: int(year)}, gap)
    r_out = _solve(s, {**others, project: "out"}, gap)
    online = [y for y in md.years if y >= year]
    v, va, bill = value_term_pv(s, project, online)
    ok = r_in.status == "optimal" and r_out.status == "optimal"
    price = (r_in.solution.objective - r_out.solution.objective) + v if ok else float("nan")
    co2_in, co2_out = (_model_years(r, md.years, "co2_total") for r in (r_in, r_out))
    rel = gap if gap is not None else float(s.scenario.solver["mip_rel_gap"])
    tol = rel * (abs(r_in.solution.objective) + abs(r_out.solution.objective))
    return ProjectPrice(
        project, int(year), price, price - bill, bill, va, va - price,
        r_in.solution.objective, r_out.solution.objective, v, r_in.status, r_out.status,
        float(co2_in.max()), float(co2_out.max()), int(co2_in.idxmax()), int(co2_out.idxmax()),
        r_in.shortfalls, _intensity_change(r_in, r_out, s) if ok else {}, tol)


def project_facts(s: Solved) -> pd.DataFrame:
    """Per project: energy (万tce/yr), CO2 at its first year online (万t/yr, purchased
    electricity at that year's grid factor), value added (亿元/yr), sector, district."""
    md = s.md
    pe = md.project_effects
    ef = md.emission_factor.set_index(["fuel", "year"])["value"]
    grid = md.grid.set_index("year")["ef"]
    elec = set(md.fuel_ids(("electricity",)))
    rows = []
    for p in md.projects.itertuples(index=False):
        e = pe[pe["project"] == p.project]
        y = max(int(p.earliest_year), md.years[0])
        en = e[e["kind"] == "energy"]
        co2 = sum(v * (grid.get(y, 0.0) if f in elec else ef.get((f, y), 0.0))
                  for f, v in zip(en["item"], en["value"], strict=True))
        pr = e[(e["kind"] == "process")]
        co2 += sum(v * md.gwp.get(g, 1.0) for g, v in zip(pr["item"], pr["value"], strict=True)
                   if g == "CO2" or g in md.scenario.accounting["target_gases"])
        rows.append({"project": p.project, "name_zh": p.name_zh, "name_en": p.name_en,
                     "sector": p.sector, "district": s.data["projects"].set_index(
                         "project").loc[p.project, "district"],
                     "earliest_year": int(p.earliest_year), "energy": float(en["value"].sum()),
                     "co2": float(co2), "value_added": float(p.value_added)})
    return pd.DataFrame(rows)


def assess(s: Solved, projects: list[str] | None = None, gap: float | None = None
           ) -> pd.DataFrame:
    """One row per project: facts, the pathway's decision and the price (see module doc)."""
    if gap is not None and not 0.0 <= gap <= 1.0:
        raise InputError([Problem("<command line>", None, "--mip-gap", "range",
                                  f"{gap} is not a relative MIP gap between 0 and 1",
                                  "MIP相对间隙应在0到1之间")])
    facts = project_facts(s)
    if facts.empty:
        raise InputError([Problem(str(s.scenario.dataset), None, None, "projects",
                                  "the dataset lists no major projects (projects.csv)",
                                  "数据集中没有拟建项目")])
    base = decided(s)
    chosen = list(dict.fromkeys(projects)) if projects else facts["project"].tolist()
    known = set(facts["project"])
    unknown = [p for p in chosen if p not in known]
    if unknown:  # all named at once, before anything is solved
        raise InputError([Problem("--projects", None, None, "reference",
                                  f"'{p}' is not a project of the dataset", "项目代码无效")
                          for p in unknown])
    rows = []
    for p in chosen:
        r = price_project(s, p, base, gap)
        rows.append({"project": p, "decided_online_year": base.get(p), "online_year_priced":
                     r.online_year, "price_wan_cny": r.price,
                     "absorption_cost_wan_cny": r.absorption_cost, "bill_pv_wan_cny": r.bill_pv,
                     "value_added_pv_wan_cny": r.value_added_pv,
                     "net_value_wan_cny": r.net_value, "objective_in": r.objective_in,
                     "objective_out": r.objective_out, "value_term_pv": r.value_term_pv,
                     "targets_hold": r.status_in == "optimal", "status_in": r.status_in,
                     "peak_in_wan_t": r.peak_in, "peak_out_wan_t": r.peak_out,
                     "peak_change_wan_t": r.peak_in - r.peak_out,
                     "peak_year_in": r.peak_year_in, "peak_year_out": r.peak_year_out,
                     "price_tolerance_wan_cny": r.tolerance, **r.intensity_change,
                     "shortfalls": json.dumps(r.shortfalls, ensure_ascii=False, default=str)})
    out = facts.merge(pd.DataFrame(rows), on="project")
    out["meets_threshold"] = out["energy"] >= 1.0  # 两高: >= 1 万tce a year
    out["absorbable"] = out["targets_hold"] & (out["net_value_wan_cny"] > 0)
    return out


def add_parser(sub) -> None:
    p = sub.add_parser("projects", help=command_help("projects"))
    p.add_argument("results", help="a run folder (results/<name>/) or its results.nc")
    p.add_argument("--projects", default=None, help="comma-separated project ids (default: all)")
    p.add_argument("--out", default=None, help="output folder (default: RESULTS/projects/)")
    p.add_argument("--mip-gap", type=float, default=None,
                   help="relative MIP gap of the re-solves (default: the scenario's)")
    p.set_defaults(func=cmd_projects)


def cmd_projects(args: argparse.Namespace) -> int:
    s = load_solved(args.results)
    out = writable_dir(Path(args.out) if args.out else s.path / "projects")
    chosen = [x.strip() for x in args.projects.split(",")] if args.projects else None
    # the results these prices belong to: `peakpath assess` prices again for other results
    t = assess(s, chosen, args.mip_gap).assign(input_hash=str(s.ds.attrs.get("input_hash", "")))
    atomic_write_table(out / "projects.csv", t.to_csv(index=False, float_format="%.8g"))
    print_assessment(s, t, out)
    return 0


def print_assessment(s: Solved, t: pd.DataFrame, out: Path) -> None:
    p = print
    p(f"\n== 两高项目影响评估 Major-project impact: {s.scenario.name} ==")
    p("价格 = 项目投产与不投产两次求解的系统成本之差（不含项目自身价值项），万元现值 "
      "/ price = extra discounted system cost, its own value term excluded (万元 PV)")
    for r in t.itertuples(index=False):
        hold = "是 yes" if r.targets_hold else "否 NO"
        dec = r.decided_online_year if r.decided_online_year == r.decided_online_year and \
            r.decided_online_year is not None else "out"
        price = "—" if np.isnan(r.price_wan_cny) else f"{r.price_wan_cny:,.0f}"
        p(f"  {r.name_zh} ({r.project}, {r.district}): {r.energy:.1f} 万tce/yr, "
          f"{r.co2:.1f} 万t CO2/yr; pathway: {dec}; price {price} 万元 "
          f"± {r.price_tolerance_wan_cny:,.0f} (absorption {r.absorption_cost_wan_cny:,.0f}); "
          f"peak {r.peak_change_wan_t:+,.1f} 万t; targets hold: {hold}")
    p(f"结果 Output: {out}/projects.csv")
