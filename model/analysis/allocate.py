r"""City pathway -> targets for each bureau (sector group) and each district, by a rule, with
fairness figures beside each rule (``peakpath allocate RESULTS --rule ...``).

Quantities: CO2 on the city's target boundary (万t; each unit carries the purchased electricity
it uses) and energy on the accounting rules (万tce), attributed as in `peakpath.results.pathway`
so that the units add up exactly to the city. With T[y] the city's value in year y, b_i the
unit's base-year value and B the city's, each rule gives X_i[y] with sum_i X_i[y] = T[y]:

* ``least-cost``       X_i[y] = the model's own split (a city run placed in districts by the
                       sites of its measures and the activity shares of its sectors)
* ``equal-intensity``  X_i[y] = b_i * T[y] / B: every unit changes by the same percentage, so
                       its intensity (per GDP, each district keeping its GDP share) falls alike
* ``per-capita``       X_i[y] = T[y] * ((1 - w[y]) * b_i / B + w[y] * pop_i / POP),
                       w[y] = (y - base) / (Y - base) capped at 1: contraction and convergence
                       to equal CO2 per resident by the convergence year Y (districts)
* ``ability-to-pay``   X_i[y] = b_i * (1 + c[y] * r_i), c[y] = T[y] / B - 1, with r_i the
                       unit's GDP per capita relative to the base-weighted mean (its inverse
                       while T[y] > B): richer units cut more (districts)
* ``blend:R1=w1,R2=w2`` the weighted mean of rules (weights add up to 1)

Per-capita and ability-to-pay need population and GDP, which bureaus do not have: bureau targets
then follow the least-cost split, and the output says so. Energy intensity of a district is its
energy over its GDP (tce/万元); a bureau's is its contribution to the city's (its energy over
city GDP), so bureau intensities add up to the city's.

Fairness (districts, per year): the population-weighted Gini and Theil indices of CO2 per
resident, and the GDP-weighted Gini of cost per GDP, where a district's cost is the capex
annuities of the least-cost measures placed in it plus what it pays for (or is paid for) the
difference between its target and its least-cost emissions at the pathway's marginal abatement
cost P[y] (the dearest CNY/t among the measures in use that year that abate at least 1 万t):
cost_i = capex_i + P[y] * (X_lc_i - X_i). Transfers cancel, so the costs add up to the city's.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from peakpath.cli.commands import command_help
from peakpath.errors import InputError, PeakpathError, Problem
from peakpath.io.atomic import atomic_write_table, atomic_write_text
from peakpath.io.places import writable_dir
from peakpath.results.pathway import Solved, load_solved, measure_accounts, sector_accounts

RULES = ("least-cost", "equal-intensity", "per-capita", "ability-to-pay")
DISTRICT_ONLY = ("per-capita", "ability-to-pay")
RULE_LABELS = {
    "least-cost": ("最低成本", "least cost"),
    "equal-intensity": ("强度等比例下降", "equal intensity cut"),
    "per-capita": ("人均趋同", "per-capita convergence"),
    "ability-to-pay": ("支付能力", "ability to pay"),
}
QUANTITIES = ("co2", "energy")
#: tolerance of the add-up check, relative to the city total
CHECK_RTOL = 1e-9
#: a measure sets the marginal abatement cost only if it abates at least this much (万t/yr)
MIN_ABATEMENT = 1.0


@dataclass
class Rule:
    """A rule or a blend: weights by rule name (adding up to 1)."""

    weights: dict[str, float]
    convergence_year: int | None = None

    @property
    def name(self) -> str:
        if len(self.weights) == 1:
            return next(iter(self.weights))
        return "blend:" + ",".join(f"{k}={v:g}" for k, v in self.weights.items())

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9.-]+", "_", self.name.replace("blend:", "blend_"))

    def label(self) -> str:
        parts = [f"{RULE_LABELS[k][0]} {RULE_LABELS[k][1]}"
                 + ("" if len(self.weights) == 1 else f" ×{v:g}")
                 for k, v in self.weights.items()]
        return " + ".join(parts)


def parse_rule(text: str, convergence_year: int | None = None) -> Rule:
    """``least-cost`` | ``equal-intensity`` | ``per-capita`` | ``ability-to-pay`` |
    ``blend:R1=w1,R2=w2,...`` (weights >= 0 adding up to 1)."""
    def bad(msg: str) -> InputError:
        return InputError([Problem("--rule", None, None, "rule", msg, "分配规则无效")])

    text = text.strip()
    if text in RULES:
        return _with_convergence(Rule({text: 1.0}), convergence_year)
    if not text.startswith("blend:"):
        raise bad(f"unknown rule '{text}'; expected one of {', '.join(RULES)} or "
                  "blend:RULE=WEIGHT,...")
    weights: dict[str, float] = {}
    for part in text[len("blend:"):].split(","):
        name, _, w = part.partition("=")
        name = name.strip()
        if name not in RULES:
            raise bad(f"unknown rule '{name}' in the blend; expected one of {', '.join(RULES)}")
        if name in weights:
            raise bad(f"{name} is listed twice in the blend")
        try:
            weights[name] = float(w)
        except ValueError:
            raise bad(f"weight '{w}' of {name} is not a number") from None
        if weights[name] < 0:
            raise bad(f"weight of {name} is negative")
    if abs(sum(weights.values()) - 1.0) > 1e-9:
        raise bad(f"blend weights add up to {sum(weights.values()):g}; expected 1")
    return _with_convergence(Rule(weights), convergence_year)


def _with_convergence(rule: Rule, year: int | None) -> Rule:
    """The rule with its convergence year, which only the per-capita rule reads."""
    if year is not None and "per-capita" not in rule.weights:
        raise InputError([Problem("--convergence-year", None, None, "rule",
                                  f"the convergence year applies to the per-capita rule (alone "
                                  f"or in a blend), not to {rule.name}",
                                  "趋同年份仅用于人均趋同规则")])
    rule.convergence_year = year
    return rule


@dataclass
class Allocation:
    """Targets and schedules for bureaus, districts and key enterprises, with checks."""

    rule: Rule
    scenario: str
    base_year: int
    bureaus: pd.DataFrame  # unit, name_zh, name_en, bureau_zh, bureau_en, year, co2, energy, ...
    districts: pd.DataFrame  # unit, name_zh, name_en, year, co2, energy, intensities, pc, cost
    measures_bureaus: pd.DataFrame
    measures_districts: pd.DataFrame
    enterprises: pd.DataFrame
    enterprise_measures: pd.DataFrame
    fairness: pd.DataFrame  # year, index, quantity, value
    check: pd.DataFrame  # dimension, quantity, year, city, units_sum, difference
    marginal_cost: pd.DataFrame  # year, value (CNY/t)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# rules


def _rule_targets(name: str, base: pd.DataFrame, lc: pd.DataFrame, city: pd.Series,
                  pop_share: pd.Series | None, gdp_pc: pd.Series | None, years: list[int],
                  base_year: int, conv: int) -> pd.DataFrame:
    """Targets (unit x year) of one rule for one quantity. ``base``: unit -> base-year value;
    ``lc``: least-cost values (unit x year); ``city``: year -> city value."""
    b = base.reindex(lc.index).fillna(0.0)
    B = float(city[base_year])
    T = city.reindex(years).to_numpy(float)
    if name == "least-cost":
        return lc[years]
    if name == "equal-intensity":
        return pd.DataFrame(np.outer(b.to_numpy(), T / B), index=lc.index, columns=years)
    if name == "per-capita":
        w = np.clip((np.asarray(years) - base_year) / max(conv - base_year, 1), 0.0, 1.0)
        ps = pop_share.reindex(lc.index).fillna(0.0).to_numpy()
        share = np.outer(b.to_numpy() / B, 1.0 - w) + np.outer(ps, w)
        return pd.DataFrame(share * T, index=lc.index, columns=years)
    if name == "ability-to-pay":
        g = gdp_pc.reindex(lc.index).to_numpy(float)
        bv = b.to_numpy()
        r_cut = g / (np.sum(bv * g) / np.sum(bv))
        r_grow = (1.0 / g) / (np.sum(bv / g) / np.sum(bv))
        c = T / B - 1.0
        r = np.where(c[None, :] < 0, r_cut[:, None], r_grow[:, None])
        return pd.DataFrame(bv[:, None] * (1.0 + c[None, :] * r), index=lc.index,
                            columns=years)
    raise ValueError(name)


def _blend(rule: Rule, dimension: str, **kw) -> tuple[pd.DataFrame, list[str]]:
    notes = []
    out = None
    for name, w in rule.weights.items():
        use = name
        if dimension == "bureaus" and name in DISTRICT_ONLY:
            use = "least-cost"
            notes.append(f"{RULE_LABELS[name][0]}规则按人口与GDP分配各区，部门目标采用最低成本分解"
                         f" / the {name} rule allocates among districts (it needs population "
                         "and GDP); bureau targets follow the least-cost split")
        t = _rule_targets(use, **kw) * w
        out = t if out is None else out + t
    return out, notes


# --------------------------------------------------------------------------------------------
# allocation


def allocate(s: Solved, rule: Rule) -> Allocation:
    """Targets of every bureau and district under ``rule`` (see module doc)."""
    acc = sector_accounts(s)
    md = s.md
    years, base_year = s.years, md.base_year
    conv = rule.convergence_year or md.years[-1]
    if conv <= base_year:
        raise InputError([Problem("--convergence-year", None, None, "range",
                                  f"the convergence year {conv} must come after the base year "
                                  f"{base_year}", "趋同年份须晚于基准年")])
    groups = md.sectors.set_index("sector")["group"]
    acc = acc.assign(group=acc["sector"].map(groups))
    city = {q: s.ds["co2_total" if q == "co2" else "energy_total"].to_pandas()
            for q in QUANTITIES}
    ind = district_indicators(s)
    gdp_city = s.ds["gdp"].to_pandas()
    notes: list[str] = []
    tables = {}
    for dim, col in (("bureaus", "group"), ("districts", "district")):
        frames = {}
        for q in QUANTITIES:
            lc = acc.pivot_table(index=col, columns="year", values=q, aggfunc="sum",
                                 fill_value=0.0)
            kw = dict(base=lc[base_year], lc=lc, city=city[q],
                      pop_share=ind["pop_share"] if dim == "districts" else None,
                      gdp_pc=ind["gdp_pc"] if dim == "districts" else None,
                      years=years, base_year=base_year, conv=conv)
            t, n = _blend(rule, dim, **kw)
            frames[q] = t
            frames[f"{q}_lc"] = lc[years]
            notes += n
        tables[dim] = _tidy(frames, years)
    bureaus = what_is_new(s, _bureau_table(s, tables["bureaus"], gdp_city), "bureaus")
    mc = marginal_abatement_cost(s)
    districts = what_is_new(s, _district_table(s, tables["districts"], ind, gdp_city, mc),
                            "districts")
    meas = measure_accounts(s)
    mb, mdist = measure_schedules(s, meas)
    ent, ent_m = enterprise_targets(s, acc, meas)
    check = _check(bureaus, districts, city, years)
    return Allocation(rule, s.scenario.name, base_year, bureaus, districts, mb, mdist, ent,
                      ent_m, fairness_table(districts), check, mc, list(dict.fromkeys(notes)))


def _tidy(frames: dict[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    parts = []
    for name, f in frames.items():
        long = f.reset_index().melt(id_vars=f.index.name or "index", value_vars=years,
                                    var_name="year", value_name=name)
        parts.append(long.rename(columns={f.index.name or "index": "unit"}).set_index(
            ["unit", "year"]))
    out = pd.concat(parts, axis=1).reset_index()
    out["year"] = out["year"].astype(int)
    return out


def district_indicators(s: Solved) -> pd.DataFrame:
    """Per district: base-year population (万人) and GDP (亿元), their shares of the city's,
    and GDP per capita (万元/人)."""
    di = s.data["district_indicators"]
    known = s.districts()["district"]
    if di.empty:
        raise InputError([Problem("district_indicators.csv", None, None, "missing-table",
                                  "district population and GDP are needed to allocate among "
                                  "districts", "缺少各区人口与GDP数据")])
    base = s.md.base_year
    rows = {}
    for var in ("population", "gdp"):
        v = di[di["variable"] == var]
        v = v.sort_values("year").groupby("district")["value"].last() if (
            v["year"] != base).any() else v.set_index("district")["value"]
        missing = sorted(set(known) - set(v.index))
        if missing:
            raise InputError([Problem("district_indicators.csv", None, "district", "coverage",
                                      f"no {var} for districts {missing}", "缺少该区数据")])
        rows[var] = v.reindex(known)
    f = pd.DataFrame(rows)
    f.index.name = "district"
    f["pop_share"] = f["population"] / f["population"].sum()
    f["gdp_share"] = f["gdp"] / f["gdp"].sum()
    f["gdp_pc"] = f["gdp"] / f["population"]
    return f


def _bureau_table(s: Solved, t: pd.DataFrame, gdp_city: pd.Series) -> pd.DataFrame:
    g = s.md.groups.set_index("group")
    t = t.assign(name_zh=t["unit"].map(g["name_zh"]), name_en=t["unit"].map(g["name_en"]),
                 bureau_zh=t["unit"].map(g["bureau_zh"]), bureau_en=t["unit"].map(g["bureau_en"]))
    gdp = t["year"].map(gdp_city)
    t["energy_intensity"] = t["energy"] / gdp  # contribution to the city's, tce/万元
    t["carbon_intensity"] = t["co2"] / gdp
    order = list(g.index)
    t["_o"] = t["unit"].map({u: i for i, u in enumerate(order)})
    return t.sort_values(["_o", "year"]).drop(columns="_o").reset_index(drop=True)


def _district_table(s: Solved, t: pd.DataFrame, ind: pd.DataFrame, gdp_city: pd.Series,
                    mc: pd.DataFrame) -> pd.DataFrame:
    d = s.districts().set_index("district")
    pop_city = s.ds["population"].to_pandas()
    t = t.assign(name_zh=t["unit"].map(d["name_zh"]), name_en=t["unit"].map(d["name_en"]),
                 kind=t["unit"].map(d["kind"]))
    t["population"] = t["unit"].map(ind["pop_share"]) * t["year"].map(pop_city)
    t["gdp"] = t["unit"].map(ind["gdp_share"]) * t["year"].map(gdp_city)
    t["energy_intensity"] = t["energy"] / t["gdp"]  # tce/万元
    t["carbon_intensity"] = t["co2"] / t["gdp"]  # t/万元
    t["co2_per_capita"] = t["co2"] / t["population"]  # t per resident (万t / 万人)
    capex = measure_accounts(s).assign(
        capex=lambda f: f["annual_cost"] - f["adoption"] * f["measure"].map(
            s.md.measures.set_index("measure")["om"]))
    cx = capex.groupby(["district", "year"])["capex"].sum()
    t["capex_annuities"] = pd.Series(list(zip(t["unit"], t["year"], strict=True))).map(
        cx).fillna(0.0).to_numpy()
    price = t["year"].map(mc.set_index("year")["value"]).fillna(0.0)
    t["transfer"] = price * (t["co2_lc"] - t["co2"])  # 万元: CNY/t × 万t
    t["cost"] = t["capex_annuities"] + t["transfer"]
    t["cost_per_gdp"] = t["cost"] / t["gdp"]  # 万元 per 亿元
    t["_o"] = t["unit"].map({u: i for i, u in enumerate(d.index)})
    return t.sort_values(["_o", "year"]).drop(columns="_o").reset_index(drop=True)


#: values of the what-is-new column (``new``) of the target tables
NEW, EXISTING, TIGHTENED = "新增 new", "已有 existing", "收紧 tightened"
BASE = "基准年 base year"  # the base year's row is the starting value, not a target


def plan_cover(s: Solved, units: list[str], dim: str) -> pd.DataFrame:
    """Which of the scenario's own targets (its plan targets: the rows of results.nc's target
    table) bear on each unit in each year: unit, year, family. A city-wide target (peak,
    caps, intensities, shares, oil peak) bears on every unit, since the allocation passes it
    down; a ``targets.limits`` entry bears on the bureaus of its sectors and the districts it
    names (all of them when it names none)."""
    from peakpath.report.figures import target_frame

    tt = target_frame(s.ds)[["target", "family", "year"]]
    limits = {x["id"]: x for x in s.scenario.targets.get("limits") or []}
    group_of = s.md.sectors.set_index("sector")["group"]
    rows = []
    for (target, family), f in tt.groupby(["target", "family"], sort=False):
        cover = units
        lim = limits.get(target) if family == "limit" else None
        if lim is not None and dim == "bureaus" and lim.get("sectors"):
            cover = sorted({group_of.get(x) for x in lim["sectors"]} & set(units))
        elif lim is not None and dim == "districts" and lim.get("districts"):
            cover = sorted(set(lim["districts"]) & set(units))
        rows.append(pd.MultiIndex.from_product([cover, f["year"].unique(), [family]],
                                               names=["unit", "year", "family"]).to_frame(
            index=False))
    if not rows:
        return pd.DataFrame(columns=["unit", "year", "family"])
    return pd.concat(rows, ignore_index=True).drop_duplicates()


def what_is_new(s: Solved, t: pd.DataFrame, dim: str) -> pd.DataFrame:
    """``t`` with two columns for people: ``new`` says what each allocated target is against
    the scenario's plan targets (`plan_cover`): 新增 new where no plan target bears on the unit
    that year (the allocation creates a yearly milestone the plan does not have); else 收紧
    tightened where the unit's CO2 or energy target is lower than at its previous plan-target
    year (the base year before the first), 已有 existing where it is not. ``basis`` names the
    plan targets of the year (Chinese / English). The base year's row says 基准年 base year.
    """
    from peakpath.core.targets import FAMILY_LABELS

    cover = plan_cover(s, list(dict.fromkeys(t["unit"])), dim)
    label = cover["family"].map(lambda f: "/".join(FAMILY_LABELS.get(f, (f, f))))
    basis = cover.assign(label=label).groupby(["unit", "year"])["label"].agg(
        lambda x: "; ".join(dict.fromkeys(x)))
    key = pd.MultiIndex.from_frame(t[["unit", "year"]])
    covered = key.isin(basis.index)
    out = t.assign(basis=basis.reindex(key).fillna("").to_numpy())
    # each unit's targets at its previous plan-target year (the base year before the first)
    base = int(s.md.base_year)
    prev_year = pd.Series(base, index=t.index)
    for _unit, f in t[covered].groupby("unit"):
        years = f["year"].sort_values()
        prev_year[years.index] = years.shift(1).fillna(base).astype(int).to_numpy()
    base_rows = t.set_index(["unit", "year"])
    prev = pd.MultiIndex.from_arrays([t["unit"], prev_year])
    before = {}
    for q in ("co2", "energy"):
        if (prev_year == base).any() and base not in set(t["year"]):
            # the base year is not a row of the table: its least-cost value is its value
            b = base_rows[f"{q}_lc"].groupby(level="unit").first()
            before[q] = np.where(prev_year == base, t["unit"].map(b).to_numpy(float),
                                 base_rows[q].reindex(prev).to_numpy(float))
        else:
            before[q] = base_rows[q].reindex(prev).to_numpy(float)
    tighter = np.zeros(len(t), bool)
    for q in ("co2", "energy"):
        tighter |= t[q].to_numpy(float) < before[q] - 1e-9 * np.abs(before[q])
    out["new"] = np.where(t["year"] == base, BASE,
                          np.where(~covered, NEW, np.where(tighter, TIGHTENED, EXISTING)))
    return out


def marginal_abatement_cost(s: Solved) -> pd.DataFrame:
    """P[y] (CNY/t CO2): the dearest net cost per tonne among the measures in use in year y
    that abate at least MIN_ABATEMENT 万t (0 when every measure pays for itself)."""
    m = measure_accounts(s).groupby(["measure", "year"], as_index=False)[
        ["net_cost", "co2"]].sum()
    m = m[-m["co2"] >= MIN_ABATEMENT]
    m["cny_per_t"] = m["net_cost"] / -m["co2"]  # 万元 / 万t = CNY/t
    p = m.groupby("year")["cny_per_t"].max().clip(lower=0.0)
    years = pd.Series(s.years, name="year")
    return pd.DataFrame({"year": years, "value": years.map(p).fillna(0.0)})


# --------------------------------------------------------------------------------------------
# measures and enterprises


def measure_schedules(s: Solved, meas: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The least-cost measure schedule by bureau and by district (rows with adoption > 0)."""
    md = s.md
    info = md.measures.set_index("measure")
    cols = ["adoption", "new_builds", "investment", "annual_cost", "energy_bill", "net_cost",
            "co2", "energy"]
    city = meas.groupby(["measure", "year"], as_index=False)[cols].sum()
    city = city.assign(unit=city["measure"].map(info["group"]))
    by_d = meas.rename(columns={"district": "unit"})
    out = []
    for f in (city, by_d):
        f = f.assign(sector=f["measure"].map(info["sector"]), name_zh=f["measure"].map(
            info["name_zh"]), name_en=f["measure"].map(info["name_en"]),
            measure_unit=f["measure"].map(info["unit"]))
        used = f.groupby(["unit", "measure"])["adoption"].transform("max") > 1e-9
        out.append(f[used][["unit", "measure", "name_zh", "name_en", "sector", "measure_unit",
                            "year", *cols]].sort_values(["unit", "measure", "year"])
                   .reset_index(drop=True))
    return out[0], out[1]


def enterprise_targets(s: Solved, acc: pd.DataFrame, meas: pd.DataFrame
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per key enterprise and year: CO2 and energy (its share of its sector in its site's
    district, plus capture it hosts), and its action list (measures at the site)."""
    ent = s.data["enterprises"]
    if ent.empty:
        empty = pd.DataFrame(columns=["enterprise", "year", "co2", "energy"])
        return empty, pd.DataFrame(columns=["enterprise", "measure", "year"])
    info = s.md.measures.set_index("measure")
    rows, mrows = [], []
    for (e, sec, dis, sh) in ent[["enterprise", "sector", "district", "share"]].itertuples(
            index=False):
        cell = acc[(acc["sector"] == sec) & (acc["district"] == dis)]
        rows.append(cell.groupby("year")[["co2", "energy"]].sum().mul(sh).assign(
            enterprise=e).reset_index())
        hosted = info.index[(info["host_sector"] == sec)]
        own = info.index[info["sector"] == sec]
        m = meas[meas["district"].eq(dis) & meas["measure"].isin(own.union(hosted))]
        m = m.assign(enterprise=e, **{c: m[c] * sh for c in (
            "adoption", "new_builds", "investment", "annual_cost", "energy_bill", "net_cost",
            "co2", "energy")})
        cap = m[m["measure"].isin(hosted)].groupby("year")[["co2", "energy"]].sum()
        if len(cap):
            rows.append(cap.assign(enterprise=e).reset_index())
        mrows.append(m)
    t = pd.concat(rows).groupby(["enterprise", "year"], as_index=False)[["co2", "energy"]].sum()
    names = ent.drop_duplicates("enterprise").set_index("enterprise")
    for c in ("name_zh", "name_en", "owner_zh", "owner_en", "district"):
        t[c] = t["enterprise"].map(names[c])
    m = pd.concat(mrows, ignore_index=True)
    used = m.groupby(["enterprise", "measure"])["adoption"].transform("max") > 1e-9
    m = m[used].assign(name_zh=lambda f: f["measure"].map(info["name_zh"]),
                       name_en=lambda f: f["measure"].map(info["name_en"]),
                       measure_unit=lambda f: f["measure"].map(info["unit"]))
    return t, m.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# fairness and checks


def gini(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted Gini index of non-negative values (nan if any is negative)."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    if (x < 0).any() or w.sum() <= 0:
        return float("nan")
    w = w / w.sum()
    mu = float(np.sum(w * x))
    if mu == 0:
        return 0.0
    return float(np.sum(w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])) / (2 * mu))


def theil(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted Theil T index of positive values (nan if any is not positive)."""
    x, w = np.asarray(x, float), np.asarray(w, float)
    if (x <= 0).any() or w.sum() <= 0:
        return float("nan")
    w = w / w.sum()
    r = x / float(np.sum(w * x))
    return float(np.sum(w * r * np.log(r)))


def fairness_table(d: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for y, f in d.groupby("year"):
        pc, pop = f["co2_per_capita"].to_numpy(), f["population"].to_numpy()
        cg, gdp = f["cost_per_gdp"].to_numpy(), f["gdp"].to_numpy()
        rows += [(y, "gini", "co2_per_capita", gini(pc, pop)),
                 (y, "theil", "co2_per_capita", theil(pc, pop)),
                 (y, "gini", "cost_per_gdp", gini(cg, gdp)),
                 (y, "theil", "cost_per_gdp", theil(cg, gdp))]
    return pd.DataFrame(rows, columns=["year", "index", "quantity", "value"])


def _check(bureaus: pd.DataFrame, districts: pd.DataFrame, city: dict[str, pd.Series],
           years: list[int]) -> pd.DataFrame:
    rows = []
    for dim, t in (("bureaus", bureaus), ("districts", districts)):
        sums = t.groupby("year")[list(QUANTITIES)].sum()
        for q in QUANTITIES:
            for y in years:
                c = float(city[q][y])
                got = float(sums.loc[y, q])
                rows.append((dim, q, y, c, got, got - c))
    out = pd.DataFrame(rows, columns=["dimension", "quantity", "year", "city", "units_sum",
                                      "difference"])
    bad = out[out["difference"].abs() > CHECK_RTOL * out["city"].abs().clip(lower=1.0)]
    if len(bad):
        r = bad.iloc[0]
        raise PeakpathError(f"internal: {r.dimension} targets of {r.quantity} add up to "
                            f"{r.units_sum:.6f}, not the city's {r.city:.6f}, in {r.year}")
    return out


# --------------------------------------------------------------------------------------------
# writing and CLI


def write_allocation(a: Allocation, out_dir: Path, s: Solved | None = None,
                     workbooks: bool = True) -> Path:
    """CSV tables, allocation.json and (optionally) one workbook per bureau, district and key
    enterprise under ``out_dir``."""
    out_dir = Path(out_dir)
    tables = {"targets_bureaus": a.bureaus, "targets_districts": a.districts,
              "measures_bureaus": a.measures_bureaus, "measures_districts": a.measures_districts,
              "enterprises": a.enterprises, "enterprise_measures": a.enterprise_measures,
              "fairness": a.fairness, "check": a.check, "marginal_cost": a.marginal_cost}
    for name, t in tables.items():
        atomic_write_table(out_dir / f"{name}.csv", t.to_csv(index=False, float_format="%.8g"))
    meta = {"scenario": a.scenario, "rule": a.rule.name, "label": a.rule.label(),
            "convergence_year": a.rule.convergence_year, "notes": a.notes,
            "units": {"co2": "万t CO2", "energy": "万tce", "energy_intensity": "tce/万元",
                      "carbon_intensity": "t CO2/万元", "co2_per_capita": "t CO2/人",
                      "cost": "万元/yr", "cost_per_gdp": "万元/亿元", "investment": "万元",
                      "marginal_cost": "CNY/t CO2"}}
    atomic_write_text(out_dir / "allocation.json", json.dumps(meta, ensure_ascii=False,
                                                              indent=2))
    if workbooks:
        from peakpath.report.workbooks import write_workbooks
        write_workbooks(a, out_dir / "workbooks")
    return out_dir


def add_parser(sub) -> None:
    p = sub.add_parser("allocate", help=command_help("allocate"))
    p.add_argument("results", help="a run folder (results/<name>/) or its results.nc")
    p.add_argument("--rule", default="least-cost",
                   help="least-cost | equal-intensity | per-capita | ability-to-pay | "
                        "blend:RULE=W,RULE=W (default least-cost)")
    p.add_argument("--convergence-year", type=int, default=None,
                   help="per-capita: year of equal CO2 per resident (default: last model year)")
    p.add_argument("--out", default=None,
                   help="output folder (default: RESULTS/allocation/<rule>/)")
    p.add_argument("--no-workbooks", action="store_true", help="CSV tables only")
    p.set_defaults(func=cmd_allocate)


def cmd_allocate(args: argparse.Namespace) -> int:
    rule = parse_rule(args.rule, args.convergence_year)
    s = load_solved(args.results)
    out = writable_dir(Path(args.out) if args.out else s.path / "allocation" / rule.slug)
    a = allocate(s, rule)
    write_allocation(a, out, s, workbooks=not args.no_workbooks)
    print_allocation(a, out)
    return 0


def print_allocation(a: Allocation, out: Path) -> None:
    p = print
    p(f"\n== 目标分解 Allocation: {a.scenario}, rule {a.rule.name} ({a.rule.label()}) ==")
    show = [y for y in (a.base_year, 2025, 2030, 2035) if y in set(a.bureaus["year"])]
    for dim, t, name in (("bureaus", a.bureaus, "bureau_zh"), ("districts", a.districts,
                                                               "name_zh")):
        p(f"{'部门 Bureaus' if dim == 'bureaus' else '区 Districts'} — CO2 万t")
        for _u, f in t.groupby("unit", sort=False):
            v = f.set_index("year")["co2"]
            p(f"  {f[name].iloc[0]:<16} " + "  ".join(f"{y}: {v[y]:>9,.1f}" for y in show))
    chk = a.check
    p(f"合计校核 Check: the units add up to the city in every year (largest difference "
      f"{chk['difference'].abs().max():.2e})")
    fr = a.fairness.pivot_table(index="year", columns=["index", "quantity"], values="value")
    for y in show[1:]:
        if y in fr.index:
            r = fr.loc[y]
            p(f"公平性 Fairness {y}: Gini per-capita CO2 {r[('gini', 'co2_per_capita')]:.3f}, "
              f"Theil {r[('theil', 'co2_per_capita')]:.3f}; Gini cost/GDP "
              f"{r[('gini', 'cost_per_gdp')]:.3f}")
    for n in a.notes:
        p(f"注 Note: {n}")
    p(f"结果 Output: {out}/")
