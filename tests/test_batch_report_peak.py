"""The peak verdict of `peakpath batch-report`: P(peak by year), peak-level quantiles, the tie
rule, the degenerate case, failed scenarios out of the denominator, and its drivers — on a
hand-made batch folder in the exact format of model/analysis/batch.py, and on a real tiny batch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from peakpath.analysis.batch_report import batch_report, peak_outcomes

YEARS = list(range(2020, 2036))
SUMMARY_COLUMNS = ["id", "status", "objective_wan_cny", "peak_year", "peak_co2_wan_t",
                   "cum_co2_wan_t", "max_model_co2_wan_t", "binding", "unmet", "reason",
                   "input_hash", "path"]


def path(peak_year: int, level: float) -> list[float]:
    """A CO2 path (万t) rising by 1 per year to ``level`` in ``peak_year``, then falling by 2."""
    return [level - (peak_year - y) if y <= peak_year else level - 2 * (y - peak_year)
            for y in YEARS]


def tie_path() -> list[float]:
    """Highest value 120 both in 2022 and 2026 (the earliest, 2022, is the peak year)."""
    p = path(2022, 120.0)
    p[YEARS.index(2026)] = 120.0
    return p


# id, status, CO2 path, sampled a, sampled b
SCENARIOS = [
    ("mc0000", "optimal", path(2020, 100.0), 1.0, 3.0),
    ("mc0001", "optimal", path(2021, 110.0), 2.0, 1.0),
    ("mc0002", "optimal", tie_path(), 3.0, 2.0),
    ("mc0003", "optimal", path(2025, 130.0), 4.0, 5.0),
    ("mc0004", "optimal", path(2026, 140.0), 5.0, 4.0),
    ("mc0005", "optimal", path(2028, 150.0), 6.0, 8.0),
    ("mc0006", "optimal", path(2031, 160.0), 7.0, 6.0),
    ("mc0007", "infeasible", path(2035, 170.0), 8.0, 7.0),  # solved by the elastic re-solve
    ("mc0008", "error", None, 9.0, 9.0),  # failed: in summary.csv only, as in a real batch
    ("mc0009", "time_limit", None, 0.5, 0.5),
]


def write_batch(folder: Path, scenarios: list[tuple], binding: str = "") -> Path:
    """summary.csv and batch.nc as model.batch.write_batch_outputs writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for sid, status, co2, a, b in scenarios:
        ok = co2 is not None
        i = int(np.argmax(co2)) if ok else None
        rows.append({"id": sid, "status": status,
                     "objective_wan_cny": 1e8 if ok else None,
                     "peak_year": YEARS[i] if status == "optimal" else None,
                     "peak_co2_wan_t": co2[i] if status == "optimal" else None,
                     "cum_co2_wan_t": sum(co2[1:]) if ok else None,
                     "max_model_co2_wan_t": max(co2[1:]) if ok else None,
                     "binding": binding if ok else None, "unmet": None,
                     "reason": None if ok else "broken", "input_hash": f"h{sid}",
                     "path": "rebuild" if ok else None, "value:a": a, "value:b": b})
    table = pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, "value:a", "value:b"])
    (folder / "summary.csv").write_text(table.to_csv(index=False, float_format="%.10g"),
                                        encoding="utf-8")
    solved = [s for s in scenarios if s[2] is not None]
    if not solved:  # a real batch writes no batch.nc when nothing solved
        return folder
    ids = [s[0] for s in solved]
    ds = xr.Dataset(
        {"co2_total": (("scenario", "year"), np.array([s[2] for s in solved], dtype=float)),
         "new_builds": (("scenario", "measure", "year", "district"),
                        np.ones((len(ids), 1, len(YEARS), 1))),
         "param_a": ("scenario", np.array([s[3] for s in solved], dtype=float)),
         "param_b": ("scenario", np.array([s[4] for s in solved], dtype=float))},
        coords={"scenario": ids, "year": YEARS, "measure": ["pv_rooftop"],
                "district": ["city"]})
    ds.attrs = {"batch": "synthetic", "scenario_file": "x.yaml",
                "parameters": json.dumps(["a", "b"]), "swept": json.dumps([])}
    ds.to_netcdf(folder / "batch.nc", engine="netcdf4")
    return folder


@pytest.fixture
def synthetic(tmp_path) -> Path:
    return write_batch(tmp_path / "syn", SCENARIOS)


def metric(peak: pd.DataFrame, name: str, year: int | None = None) -> float:
    rows = peak[(peak["metric"] == name) & (peak["year"].isna() if year is None
                                            else peak["year"] == year)]
    assert len(rows) == 1, (name, year)
    return float(rows["value"].iloc[0])


def test_peak_probabilities_and_level_quantiles_match_hand_computed_numbers(synthetic):
    rep = batch_report(synthetic)
    peak = rep["peak"]
    # 8 solved (7 optimal + 1 elastic); the error and the time-limit scenario are left out:
    # peak years 2020, 2021, 2022 (tie), 2025, 2026, 2028, 2031, 2035
    assert metric(peak, "n_scenarios") == 10
    assert metric(peak, "n_solved") == 8
    assert metric(peak, "n_excluded") == 2
    assert metric(peak, "p_peak_by", 2022) == 3 / 8
    assert metric(peak, "p_peak_by", 2025) == 4 / 8
    assert metric(peak, "p_peak_by", 2030) == 6 / 8
    # mc0007 is highest in 2035, the last model year: still rising, not a peak; every other
    # path falls 2 万t a year after its peak, more than 1 % by 2035 except mc0006 (peak 160 in
    # 2031, 152 in 2035: 5 % below) -> all seven decline
    assert metric(peak, "n_still_rising") == 1
    assert metric(peak, "n_plateau") == 0
    assert metric(peak, "p_declining_by", 2030) == 6 / 8
    # levels 100, 110, ..., 170 (万t), mc0007 censored at its 2035 value; linear interpolation
    # at (n - 1) q = 7 q
    assert metric(peak, "peak_level_p05") == pytest.approx(103.5, abs=1e-12)
    assert metric(peak, "peak_level_p25") == pytest.approx(117.5, abs=1e-12)
    assert metric(peak, "peak_level_p50") == pytest.approx(135.0, abs=1e-12)
    assert metric(peak, "peak_level_p75") == pytest.approx(152.5, abs=1e-12)
    assert metric(peak, "peak_level_p95") == pytest.approx(166.5, abs=1e-12)
    assert metric(peak, "peak_level_mean") == pytest.approx(135.0, abs=1e-12)
    # over the 7 that peaked: 100 ... 160, at 6 q
    assert metric(peak, "peaked_level_p05") == pytest.approx(103.0, abs=1e-12)
    assert metric(peak, "peaked_level_p50") == pytest.approx(130.0, abs=1e-12)
    assert metric(peak, "peaked_level_p95") == pytest.approx(157.0, abs=1e-12)
    counts = peak[peak["metric"] == "peak_year_count"].set_index("year")["value"]
    assert list(counts.index) == YEARS
    assert {int(y): int(c) for y, c in counts.items() if c} == {
        2020: 1, 2021: 1, 2022: 1, 2025: 1, 2026: 1, 2028: 1, 2031: 1, 2035: 1}
    # the CSV holds the same numbers
    csv = pd.read_csv(synthetic / "report_peak.csv")
    assert metric(csv, "p_peak_by", 2025) == 0.5
    assert metric(csv, "peak_level_p95") == 166.5
    md = (synthetic / "report.md").read_text(encoding="utf-8")
    assert "## 达峰判断 Peak verdict" in md
    assert "8 of 10 scenarios solved" in md
    assert "| 2022 | 38% |" in md and "| 2025 | 50% |" in md and "| 2030 | 75% |" in md
    assert "P5 / P25 / P50 / P75 / P95: 104 / 118 / 135 / 152 / 166" in md
    assert "the 1 still rising at their 2035 CO2 (censored" in md
    assert "peak within the horizon: 103 / 115 / 130 / 145 / 157" in md
    assert "2035: 1 (仍在上升 still rising)" in md
    assert "degenerate" not in md


def test_a_tie_goes_to_the_earliest_year_and_round_off_counts_as_a_tie(synthetic):
    table = pd.read_csv(synthetic / "summary.csv")
    with xr.open_dataset(synthetic / "batch.nc") as f:
        ds = f.load()
    peaks = peak_outcomes(table, ds).set_index("id")
    assert peaks.loc["mc0002", "peak_year"] == 2022
    assert peaks.loc["mc0002", "peak_level"] == 120.0
    # 5e-7 万t above the 2022 value: solver round-off, still a tie; 1e-3 above: a later peak
    later = ds["co2_total"].copy()
    later.loc[{"scenario": "mc0002", "year": 2026}] = 120.0 + 5e-7
    assert peak_outcomes(table, ds.assign(co2_total=later)).set_index("id").loc[
        "mc0002", "peak_year"] == 2022
    later.loc[{"scenario": "mc0002", "year": 2026}] = 120.001
    assert peak_outcomes(table, ds.assign(co2_total=later)).set_index("id").loc[
        "mc0002", "peak_year"] == 2026


def test_a_failed_scenario_is_not_counted_even_when_batch_nc_has_it(synthetic):
    table = pd.read_csv(synthetic / "summary.csv")
    with xr.open_dataset(synthetic / "batch.nc") as f:
        ds = f.load()
    # a stale batch.nc row for the failed scenario (peaking in 2020) must not count
    extra = ds.isel(scenario=[0]).assign_coords(scenario=["mc0008"])
    ds2 = xr.concat([ds, extra], dim="scenario")
    peaks = peak_outcomes(table, ds2)
    assert sorted(peaks["id"]) == [f"mc000{i}" for i in range(8)]
    assert (peaks["peak_year"] <= 2022).mean() == 3 / 8


def test_peak_drivers_spearman_and_median_split(synthetic):
    d = batch_report(synthetic)["peak_drivers"]

    def row(parameter: str, outcome: str) -> pd.Series:
        (r,) = [r for _, r in d.iterrows() if r["parameter"] == parameter
                and r["outcome"] == outcome]
        return r

    # a rises with the peak year and the peak level (ranks identical): ρ = 1
    assert row("a", "peak_year")["value"] == pytest.approx(1.0, abs=1e-12)
    assert row("a", "peak_level")["value"] == pytest.approx(1.0, abs=1e-12)
    # b's ranks 3 1 2 5 4 8 6 7 against 1..8: d = 2 −1 −1 1 −1 2 −1 −1, Σd² = 14,
    # ρ = 1 − 6·14 / (8·63) = 5/6
    assert row("b", "peak_year")["value"] == pytest.approx(5 / 6, abs=1e-12)
    assert row("b", "peak_year")["method"] == "spearman"
    # median split of P(peak by 2025); the failed scenarios' a = 9 and 0.5 do not move the
    # median (4.5): a below → 4/4 peak by 2025, above → 0/4
    a = row("a", "peak_by_2025")
    assert (a["median"], a["n_below"], a["n_above"], a["p_below"], a["p_above"]) == (
        4.5, 4, 4, 1.0, 0.0)
    assert a["value"] == -1.0
    b = row("b", "peak_by_2025")  # below: b = 3 1 2 4 → 3 of 4; above: 5 8 6 7 → 1 of 4
    assert (b["median"], b["p_below"], b["p_above"]) == (4.5, 0.75, 0.25)
    csv = pd.read_csv(synthetic / "report_peak_drivers.csv")
    assert set(csv["outcome"]) == {"peak_year", "peak_level", "peak_by_2025"}
    md = (synthetic / "report.md").read_text(encoding="utf-8")
    assert "a: below median 100% (n=4) vs above 0% (n=4)" in md


def test_every_draw_peaking_in_the_base_year_is_called_degenerate(tmp_path):
    sc = [(f"mc{i:04d}", "optimal", path(2020, 100.0 + i), float(i), float(-i))
          for i in range(6)]
    out = write_batch(tmp_path / "deg", sc)
    rep = batch_report(out)
    assert metric(rep["peak"], "p_peak_by", 2022) == 1.0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "P is degenerate: every draw peaks in year 2020" in md
    assert "The base year (history) has the highest CO2 in every scenario" in md
    assert "peak_year 在所有情景中相同" in md
    assert not (rep["peak_drivers"]["outcome"] == "peak_year").any()
    # the level still varies, so it still has drivers: ρ(a, level) = 1, ρ(b, level) = −1
    lv = rep["peak_drivers"][rep["peak_drivers"]["outcome"] == "peak_level"].set_index(
        "parameter")["value"]
    assert lv.to_dict() == pytest.approx({"a": 1.0, "b": -1.0}, abs=1e-12)


def test_a_binding_target_holding_every_peak_in_one_year_is_named(tmp_path):
    sc = [(f"mc{i:04d}", "optimal", path(2025, 100.0 + i), float(i), 1.0) for i in range(6)]
    out = write_batch(tmp_path / "deg", sc, binding="coal_cap@2022;peak@2026")
    batch_report(out)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "P is degenerate: every draw peaks in year 2025" in md
    assert "binding in every scenario: coal_cap@2022, peak@2026" in md


def test_a_batch_with_no_solved_scenario_gives_no_verdict(tmp_path):
    out = write_batch(tmp_path / "none", [SCENARIOS[-2], SCENARIOS[-1]])
    assert not (out / "batch.nc").exists()
    rep = batch_report(out)
    assert metric(rep["peak"], "n_solved") == 0
    assert not (rep["peak"]["metric"] == "p_peak_by").any()
    assert "No scenario solved: no peak verdict." in (out / "report.md").read_text(
        encoding="utf-8")


@pytest.mark.system  # a real batch on local workers and a Dask cluster
def test_real_tiny_batch_peak_report_matches_its_batch_nc(tmp_path):
    from tests.test_batch import local_and_dask_batch

    _, res = local_and_dask_batch(tmp_path)
    batch_report(res.out_dir)
    f = res.out_dir / "report_peak.csv"
    assert f.exists() and (res.out_dir / "report_peak_drivers.csv").exists()
    peak = pd.read_csv(f)
    p = peak[peak["metric"] == "p_peak_by"].set_index("year")["value"]
    assert list(p.index) == [2022, 2025, 2030]
    assert ((p >= 0) & (p <= 1)).all()
    table = pd.read_csv(res.out_dir / "summary.csv")
    with xr.open_dataset(res.out_dir / "batch.nc") as ds:
        co2 = ds["co2_total"].transpose("scenario", "year")
        ok = table.loc[table["status"].isin(["optimal", "infeasible"]), "id"].tolist()
        co2 = co2.sel(scenario=ok)
        years = co2["year"].values[np.argmax(co2.values, axis=1)]
        levels = co2.values.max(axis=1)
    for y in (2022, 2025, 2030):
        assert p[y] == pytest.approx(np.mean(years <= y), rel=1e-9)
    assert metric(peak, "peak_level_p50") == pytest.approx(np.median(levels), rel=1e-9)
    # for optimal runs summary.csv's peak year is the same rule
    opt = table[table["status"] == "optimal"].set_index("id")["peak_year"]
    mine = dict(zip(ok, years.tolist(), strict=True))
    assert {k: mine[k] for k in opt.index} == {k: int(v) for k, v in opt.items()}
    assert "## 达峰判断 Peak verdict" in (res.out_dir / "report.md").read_text(
        encoding="utf-8")


def test_peak_shape_by_hand():
    """A plateau within 1 % of the peak up to the last year is not a decline; a path highest
    in its last year is still rising; ties go to the earliest year."""
    from peakpath.results.dataset import peak_shape

    years = np.arange(2020, 2026)
    paths = np.array([[100, 110, 120, 119.5, 119.0, 118.9],   # plateau to the end (−0.9 %)
                      [100, 110, 120, 119.5, 118.0, 118.7],   # 1.7 %, 1.1 % below: declining
                      [100, 101, 102, 103, 104, 105],         # still rising
                      [120, 100, 120, 90, 90, 90]])            # tie: the earliest
    s = peak_shape(paths, years)
    assert list(s["peak_year"]) == [2022, 2022, 2025, 2020]
    assert list(s["shape"]) == ["plateau", "declining", "still_rising", "declining"]
    # the last year within 1 % of the peak, i.e. at or above 118.8 (119.5 is; 118.0 and 118.7
    # are not)
    assert list(s["plateau_end"]) == [2025, 2023, 2025, 2022]
