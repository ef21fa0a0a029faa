"""What a batch says: no-regret measures, the drivers of cost and peak, the probability of
meeting each target and the spread of the shadow prices.

* A measure is *adopted* in a scenario when it is built at all over the horizon; it is
  *no-regret* when it is adopted in at least ``threshold`` (default 90 %) of the feasible
  scenarios.
* Drivers: for Monte Carlo draws, the Spearman rank correlation of each sampled parameter with
  the outcome; for a sweep, a Morris-style screen — the mean absolute change of the outcome
  between neighbouring levels of a setting, the others held fixed (μ*), and its spread (σ).
* A target is met in a scenario when the scenario solved with no shortfall on it; the
  probability is the share of all scenarios (infeasible ones included).
* Shadow prices: 5th, 50th and 95th percentiles over the feasible scenarios where the target
  exists.
* Peak verdict: over the scenarios that solved (status ``optimal``, or ``infeasible`` /
  ``elastic``: solved by the elastic re-solve, with shortfalls), the peak year is the year of
  the highest ``co2_total`` in ``batch.nc`` over all years *including the base year* (values
  within ``PEAK_TIE_WAN_T`` of the maximum count as tied, and a tie goes to the earliest year);
  the peak level is that highest value, 万t CO2. The report gives P(peak year ≤ 2022 / 2025 /
  2030) as the share of solved scenarios (failed and timed-out ones are left out of the
  denominator), the 5/25/50/75/95th percentiles (linear interpolation) and mean of the peak
  level, and the count of scenarios peaking in each year. Its drivers are the Spearman rank
  correlation of each sampled parameter and each numeric swept setting with the peak year and
  the peak level (μ* for sweeps as above), and a median split: P(peak by 2025) among the
  scenarios whose parameter is below its median against those above it (scenarios exactly at
  the median are in neither group).
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from peakpath.cli.commands import command_help
from peakpath.errors import InputError, Problem
from peakpath.io.atomic import atomic_write_table, atomic_write_text
from peakpath.results.dataset import PEAK_TIE_WAN_T, PLATEAU_TOL, open_netcdf, peak_shape

OUTCOMES = ("objective_wan_cny", "peak_co2_wan_t", "max_model_co2_wan_t", "cum_co2_wan_t")
#: outcomes of the peak verdict: year of the highest CO2 and that CO2, 万t
PEAK_OUTCOMES = ("peak_year", "peak_level")
#: statuses of a scenario with a pathway: solved, or solved by the elastic re-solve (a batch
#: records those as "infeasible", a single run as "elastic")
SOLVED = ("optimal", "elastic", "infeasible")
#: the years the peak verdict asks about: P(peak year <= Y)
PEAK_BY = (2022, 2025, 2030)
#: the year of the median split in the peak drivers: P(peak year <= SPLIT_BY)
SPLIT_BY = 2025
PEAK_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def load_batch_dir(path: str | Path) -> tuple[pd.DataFrame, xr.Dataset | None]:
    p = Path(path)
    if not (p / "summary.csv").exists():
        raise InputError([Problem(str(p), None, None, "batch",
                                  "not a batch folder: summary.csv is missing",
                                  "不是批量计算结果文件夹")])
    try:
        table = pd.read_csv(p / "summary.csv")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as e:
        raise InputError([Problem(str(p / "summary.csv"), None, None, "batch",
                                  f"cannot read the batch summary ({type(e).__name__}: {e})",
                                  "无法读取批量计算汇总表")]) from None
    if not {"id", "status"} <= set(table.columns):
        raise InputError([Problem(str(p / "summary.csv"), 1, None, "batch",
                                  "not a batch summary: columns id and status are missing",
                                  "不是批量计算汇总表")])
    ds = None
    if (p / "batch.nc").exists():
        ds = open_netcdf(p / "batch.nc", "batch results file")
    return table, ds


def no_regret(ds: xr.Dataset, table: pd.DataFrame, threshold: float = 0.9) -> pd.DataFrame:
    feasible = table.loc[table["status"] == "optimal", "id"].astype(str).tolist()
    sel = [s for s in ds["scenario"].values.astype(str) if s in feasible]
    if not sel:
        return pd.DataFrame(columns=["measure", "share_adopted", "no_regret"])
    built = ds["new_builds"].sel(scenario=sel).sum(["year", "district"]) > 1e-9
    share = built.mean("scenario").to_series()
    out = pd.DataFrame({"measure": share.index, "share_adopted": share.to_numpy()})
    if "measure_name_zh" in ds.coords:
        out["name_zh"] = ds["measure_name_zh"].sel(measure=share.index).to_numpy()
        out["name_en"] = ds["measure_name_en"].sel(measure=share.index).to_numpy()
    out["no_regret"] = out["share_adopted"] >= threshold
    return out.sort_values(["no_regret", "share_adopted"], ascending=False).reset_index(
        drop=True)


def _numeric(col: pd.Series) -> pd.Series | None:
    """The column as floats, or None when any value is not a number."""
    x = pd.to_numeric(col, errors="coerce")
    return None if x.isna().any() else x.astype(float)


def drivers(table: pd.DataFrame, sampled: list[str], swept: list[str], *,
            outcomes: tuple[str, ...] = OUTCOMES, statuses: tuple[str, ...] = ("optimal",),
            spearman_swept: bool = False) -> pd.DataFrame:
    """Drivers of each outcome column of ``table`` (one row per scenario, parameters in
    ``value:<name>`` columns) over the scenarios whose status is in ``statuses``: Spearman ρ
    (unitless, −1..1) of each sampled parameter — and of each numeric swept setting when
    ``spearman_swept`` — and μ* / σ of each swept setting (in the outcome's unit, e.g. 万元 or
    万t CO2, or years for ``peak_year``). ``rank`` orders |value| within an outcome."""
    ok = table[table["status"].isin(statuses)]
    rows = []
    ranked = list(sampled) + ([s for s in swept if f"value:{s}" in ok] if spearman_swept
                              else [])
    for p in ranked:
        col = f"value:{p}"
        x = _numeric(ok[col])
        if x is None:
            continue
        for out in (o for o in outcomes if o in ok):
            y = ok[out].astype(float)
            if len(ok) > 2 and x.nunique() > 1 and y.nunique() > 1:
                rho = stats.spearmanr(x, y).statistic
                rows.append({"parameter": p, "outcome": out, "method": "spearman",
                             "value": float(rho), "spread": np.nan})
    for s in swept:
        # neighbours differ in this setting only: same other settings and, in a sweep × Monte
        # Carlo batch, the same draw (the draws repeat for every sweep combination)
        others = [f"value:{o}" for o in swept if o != s] + [
            f"value:{q}" for q in sampled if f"value:{q}" in ok]
        col = f"value:{s}"
        levels = list(dict.fromkeys(ok[col].tolist()))
        for out in (o for o in outcomes if o in ok):
            effects = []
            groups = ok.groupby(others) if others else [((), ok)]
            for _, g in groups:
                v = g.set_index(col)[out].astype(float)
                for a, b in itertools.pairwise(levels):
                    if a in v.index and b in v.index:
                        effects.append(float(v[b] - v[a]))
            if effects:
                rows.append({"parameter": s, "outcome": out, "method": "morris_mu_star",
                             "value": float(np.mean(np.abs(effects))),
                             "spread": float(np.std(effects))})
    f = pd.DataFrame(rows, columns=["parameter", "outcome", "method", "value", "spread"])
    f["rank"] = f.groupby("outcome")["value"].transform(lambda v: v.abs().rank(
        ascending=False))
    return f.sort_values(["outcome", "rank"]).reset_index(drop=True)


def target_probability(out_dir: Path, table: pd.DataFrame) -> pd.DataFrame:
    """Share of scenarios meeting each target row (id and year), from the batch's targets.csv
    (or, for a batch written before it, each scenario folder's summary.json)."""
    status = dict(zip(table["id"].astype(str), table["status"], strict=True))
    solved = {k for k, v in status.items() if v in ("optimal", "infeasible")}
    f = Path(out_dir) / "targets.csv"
    rows: list[dict] = []
    if f.is_file():
        t = pd.read_csv(f, encoding="utf-8-sig", dtype={"scenario": str, "target": str})
        t = t[t["scenario"].isin(solved)]
        t = t.assign(shadow_price=t["shadow_price"].where(t["scenario"].map(status)
                                                         == "optimal"))
        rows = t[["scenario", "target", "family", "year", "met", "shadow_price",
                  "shadow_unit"]].to_dict("records")
    for sid in sorted(solved) if not f.is_file() else []:
        fs = Path(out_dir) / sid / "summary.json"
        if not fs.exists():
            continue
        summ = json.loads(fs.read_text(encoding="utf-8"))
        short = {(s["id"], s["year"]) for s in summ.get("shortfalls", [])}
        for t in summ["targets"]:
            rows.append({"scenario": sid, "target": t["id"], "family": t["family"],
                         "year": t["year"], "met": (t["id"], t["year"]) not in short,
                         "shadow_price": t["shadow_price"] if status[sid] == "optimal"
                         else None, "shadow_unit": t["shadow_unit"]})
    f = pd.DataFrame(rows)
    if f.empty:
        return f
    n = len(table)
    g = f.groupby(["target", "family", "year", "shadow_unit"])
    out = g["met"].sum().rename("met").reset_index()
    out["probability"] = out["met"] / n
    sp = g["shadow_price"].quantile([0.05, 0.5, 0.95]).unstack()
    sp.columns = ["shadow_p05", "shadow_p50", "shadow_p95"]
    return out.merge(sp.reset_index(), on=["target", "family", "year", "shadow_unit"])


def peak_outcomes(table: pd.DataFrame, ds: xr.Dataset | None,
                  tie_wan_t: float = PEAK_TIE_WAN_T) -> pd.DataFrame:
    """One row per solved scenario (status in ``SOLVED`` and present in ``batch.nc``): the
    ``summary.csv`` row plus the peak's shape by `peakpath.results.dataset.peak_shape`:
    ``peak_year``
    (year of the highest ``co2_total``, base year included; ties within ``tie_wan_t`` 万t: the
    earliest), ``peak_level`` (万t CO2), ``plateau_end`` (last year within PLATEAU_TOL of the
    peak), ``shape`` (still_rising, plateau or declining) and ``peaked`` (not still rising: a
    scenario highest in the last model year has a lower bound, not a peak). ``peak_year`` of
    ``summary.csv`` is replaced by the recomputed one (it is empty for elastic solves)."""
    cols = [*table.columns, "peak_level", "plateau_end", "shape", "peaked"]
    if ds is None or "co2_total" not in ds:
        return pd.DataFrame(columns=cols)
    solved = table[table["status"].isin(SOLVED)]
    ids = set(ds["scenario"].values.astype(str))
    solved = solved[solved["id"].astype(str).isin(ids)]
    co2 = ds["co2_total"].sel(scenario=solved["id"].astype(str).tolist()).transpose(
        "scenario", "year")
    vals = co2.values.astype(float)
    has = np.isfinite(np.where(np.isnan(vals), -np.inf, vals).max(axis=1, initial=-np.inf))
    shape = peak_shape(vals[has], co2["year"].values.astype(int), tie=tie_wan_t)
    out = solved[has].copy()
    for k in ("peak_year", "peak_level", "plateau_end", "shape"):
        out[k] = shape[k]
    out["peaked"] = out["shape"] != "still_rising"
    return out.reset_index(drop=True)[cols]


def peak_verdict(peaks: pd.DataFrame, n_scenarios: int,
                 years: list[int] | None = None) -> pd.DataFrame:
    """The peak verdict as a long table (metric, year, value, unit): scenario counts;
    ``p_peak_by`` P(peak year ≤ year), a still-rising scenario counting as not peaked by any
    year; ``p_declining_by`` the same among scenarios that are at least PLATEAU_TOL below their
    peak by the last model year (a plateau to the horizon is not a decline); ``n_plateau`` and
    ``n_still_rising``; the peak level's percentiles ``peak_level_p05`` … ``peak_level_p95``
    and ``peak_level_mean`` (万t CO2) over all solved scenarios, a still-rising one at its
    last-year CO2 (censored: a lower bound of its peak, so the upper percentiles are lower
    bounds too), and ``peaked_level_p05`` … over the scenarios that peaked; and
    ``peak_year_count`` per year (scenarios; every year of ``years``, zeros included; the last
    year's count is the still-rising scenarios)."""
    n = len(peaks)
    rows = [{"metric": "n_scenarios", "year": None, "value": n_scenarios, "unit": "scenarios"},
            {"metric": "n_solved", "year": None, "value": n, "unit": "scenarios"},
            {"metric": "n_excluded", "year": None, "value": n_scenarios - n,
             "unit": "scenarios"}]
    if n:
        py = peaks["peak_year"].astype(int)
        shape = (peaks["shape"].astype(str) if "shape" in peaks
                 else pd.Series("declining", py.index))
        peaked = shape != "still_rising"
        for y in PEAK_BY:
            rows.append({"metric": "p_peak_by", "year": y,
                         "value": float(((py <= y) & peaked).mean()),
                         "unit": "share of solved scenarios"})
        for y in PEAK_BY:
            rows.append({"metric": "p_declining_by", "year": y,
                         "value": float(((py <= y) & (shape == "declining")).mean()),
                         "unit": "share of solved scenarios"})
        for name, k in (("n_plateau", "plateau"), ("n_still_rising", "still_rising")):
            rows.append({"metric": name, "year": None, "value": int((shape == k).sum()),
                         "unit": "scenarios"})
        lvl = peaks["peak_level"].astype(float).to_numpy()
        for prefix, x in (("peak_level", lvl), ("peaked_level", lvl[peaked.to_numpy()])):
            if not len(x):
                continue
            for q, v in zip(PEAK_QUANTILES, np.quantile(x, PEAK_QUANTILES), strict=True):
                rows.append({"metric": f"{prefix}_p{round(100 * q):02d}", "year": None,
                             "value": float(v), "unit": "万t CO2"})
            rows.append({"metric": f"{prefix}_mean", "year": None, "value": float(x.mean()),
                         "unit": "万t CO2"})
        counts = py.value_counts()
        for y in sorted(set(years or []) | set(counts.index)):
            rows.append({"metric": "peak_year_count", "year": int(y),
                         "value": int(counts.get(y, 0)), "unit": "scenarios"})
    f = pd.DataFrame(rows, columns=["metric", "year", "value", "unit"])
    f["year"] = f["year"].astype("Int64")
    return f


def median_split(peaks: pd.DataFrame, params: list[str], by: int = SPLIT_BY) -> pd.DataFrame:
    """For each numeric parameter: P(peak year ≤ ``by``) among the solved scenarios below the
    parameter's median and among those above it (shares; scenarios at the median in neither)."""
    rows = []
    for p in params:
        col = f"value:{p}"
        x = _numeric(peaks[col]) if col in peaks else None
        if x is None or x.nunique() < 2:
            continue
        med = float(x.median())
        hit = peaks["peak_year"].astype(int) <= by
        lo, hi = hit[x < med], hit[x > med]
        p_lo = float(lo.mean()) if len(lo) else np.nan
        p_hi = float(hi.mean()) if len(hi) else np.nan
        rows.append({"parameter": p, "outcome": f"peak_by_{by}", "method": "median_split",
                     "value": p_hi - p_lo, "spread": np.nan, "median": med,
                     "n_below": len(lo), "n_above": len(hi), "p_below": p_lo, "p_above": p_hi})
    return pd.DataFrame(rows)


def peak_drivers(peaks: pd.DataFrame, sampled: list[str], swept: list[str]) -> pd.DataFrame:
    """Drivers of the peak year and the peak level (``drivers`` over the solved scenarios, with
    Spearman ρ for numeric swept settings too) and the median split of P(peak by 2025)."""
    cols = ["parameter", "outcome", "method", "value", "spread", "rank", "median", "n_below",
            "n_above", "p_below", "p_above"]
    d = drivers(peaks, sampled, swept, outcomes=PEAK_OUTCOMES, statuses=SOLVED,
                spearman_swept=True)
    split = median_split(peaks, [*sampled, *swept])
    if not split.empty:
        split["rank"] = split["value"].abs().rank(ascending=False)
        d = pd.concat([d, split], ignore_index=True) if not d.empty else split
    return d.reindex(columns=cols)


def batch_report(path: str | Path, threshold: float = 0.9) -> dict[str, pd.DataFrame]:
    """Write report_*.csv and report.md in the batch folder ``path``; returns the tables."""
    if not 0.0 < threshold <= 1.0:
        raise InputError([Problem("<command line>", None, "--threshold", "range",
                                  f"{threshold} is not a share of scenarios between 0 and 1 "
                                  "(0.9 = 90 %)", "应为0到1之间的比例")])
    p = Path(path)
    table, ds = load_batch_dir(p)
    sampled = json.loads(ds.attrs.get("parameters", "[]")) if ds is not None else []
    swept = json.loads(ds.attrs.get("swept", "[]")) if ds is not None else []
    peaks = peak_outcomes(table, ds)
    years = [int(y) for y in ds["year"].values] if ds is not None and "year" in ds.dims else []
    out = {"drivers": drivers(table, sampled, swept),
           "targets": target_probability(p, table),
           "peak": peak_verdict(peaks, len(table), years),
           "peak_drivers": peak_drivers(peaks, sampled, swept)}
    if ds is not None:
        out["no_regret"] = no_regret(ds, table, threshold)
    for name, f in out.items():
        # the peak tables keep summary.csv's precision, so they can be checked against it
        fmt = "%.10g" if name.startswith("peak") else "%.6g"
        atomic_write_table(p / f"report_{name}.csv", f.to_csv(index=False, float_format=fmt))
    atomic_write_text(p / "report.md", _markdown(table, out, threshold, peaks, years))
    return out


def _why_degenerate(peaks: pd.DataFrame, year: int, years: list[int]) -> str:
    """Why every solved scenario can peak in the same year (Chinese, then English)."""
    if years and year == years[0]:
        return ("基准年（历史）排放在每个情景中都是最高的，模型年份的排放均低于它，抽样参数无法改变"
                "达峰年份；模型年份内的最高排放见 max_model_co2_wan_t。 The base year (history) "
                "has the highest CO2 in every scenario and every model year stays below it, so "
                "the sampled inputs cannot move the peak year; the pathway's own highest level "
                "is max_model_co2_wan_t in the drivers.")
    if years and year == years[-1]:
        return ("每个情景的排放到规划期末仍在上升，期内未达峰。 CO2 is still rising in the last "
                "model year in every scenario: no peak within the horizon.")
    common = None
    for b in peaks.get("binding", pd.Series(dtype=str)).fillna("").astype(str):
        s = set(filter(None, b.split(";")))
        common = s if common is None else common & s
    held = ", ".join(sorted(common or []))
    return ("可能是每个情景中都起约束作用的达峰目标或总量上限把峰值固定在该年，或抽样范围太窄不足以"
            "改变达峰年份。 A peak target or cap that binds in every scenario can hold the peak "
            "in that year, or the sampled ranges are too narrow to move it"
            + (f" (binding in every scenario: {held})." if held else "."))


def _peak_markdown(peaks: pd.DataFrame, out: dict, years: list[int]) -> list[str]:
    v = out["peak"]

    def get(metric: str, year: int | None = None) -> float:
        rows = v[(v["metric"] == metric) & (v["year"].isna() if year is None else
                                            v["year"] == year)]
        return float(rows["value"].iloc[0])

    n_all = int(get("n_scenarios"))
    n = len(peaks)
    lines = ["## 达峰判断 Peak verdict", "",
             f"统计基础 Basis: {n} of {n_all} scenarios solved (optimal or elastic); "
             f"{n_all - n} failed or timed out and are left out of the probabilities. "
             "峰值年份 = 全部年份（含基准年）CO2 最高的年份，并列取最早年份 Peak year = the "
             "year of the highest CO2 over all years including the base year (ties: earliest).",
             ""]
    if not n:
        return [*lines, "没有求解成功的情景 No scenario solved: no peak verdict.", ""]
    tol = f"{100 * PLATEAU_TOL:.0f} %"
    lines += ["| 达峰不晚于 Peak by | 概率 P | 且到期末已下降 and declining by the last year |",
              "|---|---|---|"]
    for y in PEAK_BY:
        lines.append(f"| {y} | {get('p_peak_by', y):.0%} | {get('p_declining_by', y):.0%} |")
    rising, plateau = int(get("n_still_rising")), int(get("n_plateau"))
    last = years[-1] if years else None
    lines += ["", f"“已下降” Declining = CO2 in the last model year at least {tol} below the "
              f"peak. {plateau} 个情景峰后保持在峰值 {tol} 以内直至期末（平台期） scenarios stay "
              f"within {tol} of their peak up to the last year (a plateau, not yet a decline); "
              f"{rising} 个情景到期末仍在上升 are still rising in the last model year (no peak "
              "within the horizon).", ""]
    q = " / ".join(f"{get(f'peak_level_p{round(100 * x):02d}'):,.0f}" for x in PEAK_QUANTILES)
    lines.append(f"峰值水平 Peak level (万t CO2), P5 / P25 / P50 / P75 / P95: {q}; "
                 f"均值 mean {get('peak_level_mean'):,.0f} — all {n} solved scenarios"
                 + (f", the {rising} still rising at their {last} CO2 (censored: a lower bound "
                    "of their peak, so the upper percentiles are lower bounds)" if rising else ""))
    if rising and rising < n:
        q = " / ".join(f"{get(f'peaked_level_p{round(100 * x):02d}'):,.0f}"
                       for x in PEAK_QUANTILES)
        lines.append(f"已达峰情景 Over the {n - rising} scenarios that peak within the horizon: "
                     f"{q}")
    lines.append("")
    counts = v[(v["metric"] == "peak_year_count") & (v["value"] > 0)]
    lines.append("达峰年份分布 Peak year (scenarios): " + ", ".join(
        f"{r.year}: {int(r.value)}" + (" (仍在上升 still rising)" if r.year == last else "")
        for r in counts.itertuples()))
    lines.append("")
    uniq = peaks["peak_year"].astype(int).unique()
    if len(uniq) == 1:
        y = int(uniq[0])
        lines += [f"**概率退化 P is degenerate: every draw peaks in year {y}** "
                  f"（所有情景均在 {y} 年达峰）。" + _why_degenerate(peaks, y, years), ""]
    d = out["peak_drivers"]
    if not d.empty:
        lines += ["### 决定因素 Which drivers decide it", ""]
        for outcome, g in d.groupby("outcome", sort=False):
            g = g.sort_values("rank")
            if outcome.startswith("peak_by_"):
                items = ", ".join(
                    f"{r.parameter}: below median {r.p_below:.0%} (n={int(r.n_below)}) vs above "
                    f"{r.p_above:.0%} (n={int(r.n_above)})" for r in g.itertuples())
                lines.append(f"- P(peak by {SPLIT_BY}) 按参数中位数分组 split at the median: "
                             + items)
            else:
                items = ", ".join(f"{r.parameter} ({r.method} {r.value:+.3g})"
                                  for r in g.head(5).itertuples())
                unit = "万t CO2" if outcome == "peak_level" else "year"
                lines.append(f"- {outcome} ({unit}): {items}")
        lines.append("")
    flat = [o for o in PEAK_OUTCOMES if peaks[o].nunique() < 2]
    if flat:
        lines += ["- " + ", ".join(flat) + " 在所有情景中相同，无秩相关 is the same in every "
                  "scenario: no rank correlation.", ""]
    return lines


def _markdown(table: pd.DataFrame, out: dict, threshold: float,
              peaks: pd.DataFrame | None = None, years: list[int] | None = None) -> str:
    n = len(table)
    status = table["status"].value_counts().to_dict()
    lines = [f"# 批量结果 Batch report ({n} scenarios)", "",
             f"状态 Status: {status}", ""]
    nr = out.get("no_regret")
    if nr is not None:
        picks = nr[nr["no_regret"]]
        lines += [f"## 无悔措施 No-regret measures (adopted in ≥ {threshold:.0%} of feasible "
                  "scenarios)", ""]
        for r in picks.itertuples():
            lines.append(f"- {getattr(r, 'name_zh', '')} {getattr(r, 'name_en', r.measure)} "
                         f"(`{r.measure}`): {r.share_adopted:.0%}")
        lines.append("")
    d = out["drivers"]
    if not d.empty:
        lines += ["## 驱动因素 Drivers of cost and peak", ""]
        for outcome, g in d.groupby("outcome"):
            top = ", ".join(f"{r.parameter} ({r.method} {r.value:+.3g})"
                            for r in g.head(5).itertuples())
            lines.append(f"- {outcome}: {top}")
        lines.append("")
    t = out["targets"]
    if not t.empty:
        lines += ["## 目标达成概率与影子价格 Probability of meeting targets and shadow prices",
                  "", "| target | year | P(met) | shadow P5 / P50 / P95 | unit |",
                  "|---|---|---|---|---|"]
        for r in t.itertuples():
            lines.append(f"| {r.target} | {r.year} | {r.probability:.0%} | "
                         f"{r.shadow_p05:.4g} / {r.shadow_p50:.4g} / {r.shadow_p95:.4g} | "
                         f"{r.shadow_unit} |")
        lines.append("")
    if peaks is not None and "peak" in out:
        lines += _peak_markdown(peaks, out, years or [])
    return "\n".join(lines) + "\n"


def _cmd(args: argparse.Namespace) -> int:
    out = batch_report(args.dir, args.threshold)
    nr = out.get("no_regret")
    if nr is not None:
        print(f"no-regret measures (≥ {args.threshold:.0%}): "
              + ", ".join(nr.loc[nr["no_regret"], "measure"]) or "none")
    d = out["drivers"]
    for outcome, g in d.groupby("outcome"):
        print(f"drivers of {outcome}: " + ", ".join(
            f"{r.parameter} {r.value:+.3g}" for r in g.head(4).itertuples()))
    pk = out["peak"]
    by = pk[pk["metric"] == "p_peak_by"]
    if not by.empty:
        print("peak verdict: " + ", ".join(f"P(peak by {r.year}) = {r.value:.0%}"
                                           for r in by.itertuples()))
    print(f"report: {Path(args.dir) / 'report.md'}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("batch-report", help=command_help("batch-report"))
    p.add_argument("dir", help="batch results folder")
    p.add_argument("--threshold", type=float, default=0.9,
                   help="share of feasible scenarios for a no-regret measure (default 0.9)")
    p.set_defaults(func=_cmd)
