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
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from model.errors import InputError, Problem
from model.results import atomic_write_text

OUTCOMES = ("objective_wan_cny", "peak_co2_wan_t", "max_model_co2_wan_t", "cum_co2_wan_t")


def load_batch_dir(path: str | Path) -> tuple[pd.DataFrame, xr.Dataset | None]:
    p = Path(path)
    if not (p / "summary.csv").exists():
        raise InputError([Problem(str(p), None, None, "batch",
                                  "not a batch folder: summary.csv is missing",
                                  "不是批量计算结果文件夹")])
    table = pd.read_csv(p / "summary.csv")
    ds = None
    if (p / "batch.nc").exists():
        with xr.open_dataset(p / "batch.nc", engine="netcdf4") as f:
            ds = f.load()
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


def drivers(table: pd.DataFrame, sampled: list[str], swept: list[str]) -> pd.DataFrame:
    ok = table[table["status"] == "optimal"]
    rows = []
    for p in sampled:
        col = f"value:{p}"
        for out in (o for o in OUTCOMES if o in ok):
            x, y = ok[col].astype(float), ok[out].astype(float)
            if len(ok) > 2 and x.nunique() > 1 and y.nunique() > 1:
                rho = stats.spearmanr(x, y).statistic
                rows.append({"parameter": p, "outcome": out, "method": "spearman",
                             "value": float(rho), "spread": np.nan})
    for s in swept:
        others = [f"value:{o}" for o in swept if o != s]
        col = f"value:{s}"
        levels = list(dict.fromkeys(ok[col].tolist()))
        for out in (o for o in OUTCOMES if o in ok):
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
    """Share of scenarios meeting each target row (id and year)."""
    rows = []
    for sid, status in zip(table["id"].astype(str), table["status"], strict=True):
        f = out_dir / sid / "summary.json"
        if status not in ("optimal", "infeasible") or not f.exists():
            continue
        summ = json.loads(f.read_text(encoding="utf-8"))
        short = {(s["id"], s["year"]) for s in summ.get("shortfalls", [])}
        for t in summ["targets"]:
            rows.append({"scenario": sid, "target": t["id"], "family": t["family"],
                         "year": t["year"], "met": (t["id"], t["year"]) not in short,
                         "shadow_price": t["shadow_price"] if status == "optimal" else None,
                         "shadow_unit": t["shadow_unit"]})
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


def batch_report(path: str | Path, threshold: float = 0.9) -> dict[str, pd.DataFrame]:
    p = Path(path)
    table, ds = load_batch_dir(p)
    sampled = json.loads(ds.attrs.get("parameters", "[]")) if ds is not None else []
    swept = json.loads(ds.attrs.get("swept", "[]")) if ds is not None else []
    out = {"drivers": drivers(table, sampled, swept),
           "targets": target_probability(p, table)}
    if ds is not None:
        out["no_regret"] = no_regret(ds, table, threshold)
    for name, f in out.items():
        atomic_write_text(p / f"report_{name}.csv", f.to_csv(index=False, float_format="%.6g"))
    atomic_write_text(p / "report.md", _markdown(table, out, threshold))
    return out


def _markdown(table: pd.DataFrame, out: dict, threshold: float) -> str:
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
    return "\n".join(lines) + "\n"


def _cmd(args) -> int:
    out = batch_report(args.dir, args.threshold)
    nr = out.get("no_regret")
    if nr is not None:
        print(f"no-regret measures (≥ {args.threshold:.0%}): "
              + ", ".join(nr.loc[nr["no_regret"], "measure"]) or "none")
    d = out["drivers"]
    for outcome, g in d.groupby("outcome"):
        print(f"drivers of {outcome}: " + ", ".join(
            f"{r.parameter} {r.value:+.3g}" for r in g.head(4).itertuples()))
    print(f"report: {Path(args.dir) / 'report.md'}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("batch-report", help="no-regret measures, drivers and target odds of a "
                       "batch")
    p.add_argument("dir", help="batch results folder")
    p.add_argument("--threshold", type=float, default=0.9,
                   help="share of feasible scenarios for a no-regret measure (default 0.9)")
    p.set_defaults(func=_cmd)
