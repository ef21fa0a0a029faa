"""Every kind of bad input gets exit code 2 and a located message (issue 11, section 1).

Each case builds one bad input in a temporary folder and runs the command line in-process
(`peakpath.cli.main.main` returns the exit code). The message must name the file and the row, key
or column (or, for a whole file or an option, the file or the option), and never say
"internal error" or show a traceback. Nothing here solves a model: every check fires before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from peakpath.cli.main import main
from tests.conftest import DATASET, ROOT

pytestmark = pytest.mark.unit

Case = Callable[[Path], tuple[list, list[str]]]
CASES: dict[str, Case] = {}


def case(name: str):
    def register(fn: Case) -> Case:
        CASES[name] = fn
        return fn
    return register


# --------------------------------------------------------------------------------------------
# helpers


def dataset(tmp: Path) -> Path:
    d = tmp / "ds"
    shutil.copytree(DATASET, d)
    return d


def set_cell(d: Path, table: str, row: int, column: str, value: str) -> None:
    """Set data row ``row`` (0-based; CSV line row + 2) of ``column`` to ``value``."""
    f = d / f"{table}.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(f, index=False)


def bad_value(table: str, column: str, value: str, *where: str) -> Case:
    def build(tmp: Path):
        d = dataset(tmp)
        set_cell(d, table, 0, column, value)
        return ["validate", d], [f"{table}.csv, row 2, column '{column}'", *where]
    return build


def scenario(tmp: Path, body: str, name: str = "s.yaml") -> Path:
    """A scenario file: line 1 name, line 2 dataset, ``body`` from line 3."""
    f = tmp / name
    f.write_text(f"name: s\ndataset: {DATASET}\n{body}", encoding="utf-8")
    return f


def run_bad(body: str, *where: str) -> Case:
    def build(tmp: Path):
        return ["run", scenario(tmp, body), "--in-process", "--out", tmp / "out"], \
            ["s.yaml", *where]
    return build


def batch(tmp: Path, body: str) -> Path:
    """A batch file over a plain scenario: lines 1–2 name and scenario, ``body`` from 3."""
    scenario(tmp, "")
    f = tmp / "b.yaml"
    f.write_text(f"name: b\nscenario: s.yaml\n{body}", encoding="utf-8")
    return f


def batch_bad(body: str, *where: str) -> Case:
    def build(tmp: Path):
        return ["batch", batch(tmp, body), "--out", tmp / "out", "--workers", "1",
                "--quiet"], ["b.yaml", *where]
    return build


def results_dir(tmp: Path, content: bytes | None) -> Path:
    d = tmp / "run"
    d.mkdir()
    if content is not None:
        (d / "results.nc").write_bytes(content)
    return d


def truncated_netcdf(tmp: Path) -> bytes:
    import xarray as xr

    f = tmp / "whole.nc"
    xr.Dataset({"co2_total": ("year", [1.0, 2.0, 3.0])}, coords={"year": [2020, 2021, 2022]},
               attrs={"scenario": "x", "status": "optimal", "base_year": 2020}
               ).to_netcdf(f, engine="netcdf4")
    data = f.read_bytes()
    return data[:len(data) // 2]


def foreign_netcdf(tmp: Path) -> bytes:
    import xarray as xr

    f = tmp / "foreign.nc"
    xr.Dataset({"t": ("x", [1.0])}).to_netcdf(f, engine="netcdf4")
    return f.read_bytes()


JUNK = b"CDF\x01" + bytes(range(256)) * 4  # netCDF-3 magic, then nonsense


# --------------------------------------------------------------------------------------------
# tables


@case("table-header-only-efficiency")
def _(tmp):
    d = dataset(tmp)
    (d / "efficiency.csv").write_text("sector,rate,unit\n")
    return ["validate", d], ["efficiency.csv, row 2", "header but no rows"]


@case("table-header-only-prices")
def _(tmp):
    d = dataset(tmp)
    (d / "prices.csv").write_text("fuel,year,value,unit\n")
    return ["validate", d], ["prices.csv, row 2", "empty-table"]


@case("table-is-a-directory")
def _(tmp):
    d = dataset(tmp)
    (d / "prices.csv").unlink()
    (d / "prices.csv").mkdir()
    return ["validate", d], ["prices.csv", "folder; expected a CSV file"]


@case("table-empty-file")
def _(tmp):
    d = dataset(tmp)
    (d / "fuels.csv").write_bytes(b"")
    return ["validate", d], ["fuels.csv", "cannot parse CSV"]


@case("table-not-utf8")
def _(tmp):
    d = dataset(tmp)
    (d / "fuels.csv").write_bytes("fuel,name_zh\nelectricity,电力".encode("gb18030"))
    return ["validate", d], ["fuels.csv", "not UTF-8"]


@case("table-missing")
def _(tmp):
    d = dataset(tmp)
    (d / "prices.csv").unlink()
    return ["validate", d], ["prices.csv", "missing-table"]


@case("table-ragged-row")
def _(tmp):
    d = dataset(tmp)
    f = d / "prices.csv"
    f.write_text(f.read_text().replace("coke,2020,1950,CNY/tce", "coke,2020,1950,CNY/tce,x"))
    return ["validate", d], ["prices.csv", "line 3"]


@case("table-missing-column")
def _(tmp):
    d = dataset(tmp)
    f = d / "grid.csv"
    f.write_text(f.read_text().replace("variable,year,value,unit", "variable,year,amount,unit"))
    return ["validate", d], ["grid.csv, row 1, column 'value'"]


@case("dataset-is-a-file")
def _(tmp):
    return ["validate", DATASET / "prices.csv"], ["prices.csv", "this is a file"]


CASES["number-inf"] = bad_value("prices", "value", "inf", "not a finite number")
CASES["number-minus-inf-unbounded-column"] = bad_value("measures", "om", "-inf", "finite")
CASES["number-nan"] = bad_value("energy", "value", "nan", "not a number")
CASES["number-1e308"] = bad_value("prices", "value", "1e308", "magnitude")
CASES["number-above-1e15"] = bad_value("activity", "value", "2e15", "magnitude below 1e+15")
CASES["number-absurd-capex"] = bad_value("measures", "capex", "1e9", "magnitude below 1e+08")
CASES["year-inf"] = bad_value("macro", "year", "inf", "finite")
CASES["year-1e308"] = bad_value("energy", "year", "1e308", "year")
CASES["emission-factor-above-any-fuel"] = bad_value("emission_factors", "value", "1000",
                                                    "expected <= 10")
CASES["grid-factor-beyond-physics"] = bad_value("grid", "value", "100",
                                                "outside 0–2 kgCO2/kWh")


@case("grid-share-above-100-percent")
def _(tmp):
    d = dataset(tmp)
    g = pd.read_csv(d / "grid.csv", dtype=str, keep_default_na=False)
    i = int(g.index[g["variable"] == "non_fossil_share"][0])
    set_cell(d, "grid", i, "value", "150")  # unit %
    return ["validate", d], [f"grid.csv, row {i + 2}, column 'value'", "outside 0–1"]


CASES["number-text"] = bad_value("prices", "value", "cheap", "not a number")
CASES["required-cell-empty"] = bad_value("fuels", "category", "", "empty cell")
CASES["integer-fraction"] = bad_value("measures", "lifetime", "2.5", "whole number")
CASES["reference-unknown"] = bad_value("activity", "sector", "mines", "not a known sector")
CASES["allowed-value"] = bad_value("fuels", "category", "peat", "not allowed")
CASES["unit-wrong-dimension"] = bad_value("energy", "unit", "万t", "unit")
# prices: the unit's dimension depends on the row's fuel (coal: a price per tce)
CASES["unit-wrong-dimension-for-the-row"] = bad_value("prices", "unit", "CNY/kWh",
                                                      "not a unit of energy_price")
CASES["share-above-1"] = bad_value("district_shares", "share", "1.5", "out of range")


@case("table-duplicate-key")
def _(tmp):
    d = dataset(tmp)
    f = d / "prices.csv"
    f.write_text(f.read_text() + "coal,2020,931,CNY/tce\n")
    return ["validate", d], ["prices.csv, row 8", "duplicate"]


@case("table-exclusive-group-without-members")
def _(tmp):
    """measures.csv without its optional exclusive_group column leaves measure_groups.csv's
    shared potentials with no member (it was a pandas merge error)."""
    d = dataset(tmp)
    m = pd.read_csv(d / "measures.csv", dtype=str, keep_default_na=False)
    m.drop(columns="exclusive_group").to_csv(d / "measures.csv", index=False)
    return ["validate", d], ["measure_groups.csv, row 2, column 'group'", "has no member"]


@case("table-base-year-missing-for-a-sector")
def _(tmp):
    d = dataset(tmp)
    e = pd.read_csv(d / "energy.csv", dtype=str, keep_default_na=False)
    e[~((e["year"] == "2020") & (e["sector"] == "steel"))].to_csv(d / "energy.csv", index=False)
    f = tmp / "s.yaml"
    f.write_text(f"name: s\ndataset: {d}\n")
    return ["run", f, "--in-process", "--out", tmp / "out"], \
        ["energy.csv, row", "column 'year'", "'steel'", "base year 2020"]


# --------------------------------------------------------------------------------------------
# scenario files

CASES["yaml-years-scalar"] = run_bad("years: 2020\n", "row 3, key 'years'", "mapping")
CASES["yaml-intensity-minus-100-percent"] = run_bad(
    "targets:\n  carbon_intensity: {2025: -1}\n", "row 4, key 'targets.carbon_intensity.2025'",
    "must be > -1; got -1")
CASES["yaml-peak-cap-absurd"] = run_bad(
    "targets:\n  peak: {year: 2029, cap: 1.0e+300}\n", "row 4, key 'targets.peak.cap'",
    "must be <= 1e+07")
CASES["yaml-peak-latest-with-a-fixed-year"] = run_bad(
    "targets:\n  peak: {year: 2029, latest: 2040}\n", "row 4, key 'targets.peak.latest'",
    "applies only with year: free")
CASES["yaml-limit-year-outside-the-model-years"] = run_bad(
    "targets:\n  limits:\n    - {id: x, quantity: co2, values: {2040: 100}}\n",
    "key 'targets.limits.0.values.2040'", "outside the model years")
CASES["yaml-coal-fuels-unknown"] = run_bad(
    "accounting:\n  coal_fuels: [coal, lignite]\n", "row 4, key 'accounting.coal_fuels'",
    "['lignite'] are not burned fuels")
CASES["yaml-coal-fuel-listed-twice"] = run_bad(
    "accounting:\n  coal_fuels: [coal, coke, coal]\n", "row 4, key 'accounting.coal_fuels'",
    "coal listed more than once")
CASES["yaml-intensity-scalar"] = run_bad("targets:\n  energy_intensity: 5\n",
                                         "row 4, key 'targets.energy_intensity'")
CASES["yaml-duplicate-key"] = run_bad("discount_rate: 0.05\ndiscount_rate: 0.07\n",
                                      "row 4", "duplicate key 'discount_rate'")
CASES["yaml-deep-nesting"] = run_bad("description: " + "[" * 3000 + "]" * 3000 + "\n",
                                     "row 3", "nested more than")
CASES["yaml-alias-bomb"] = run_bad(
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "row 3", "anchor")
CASES["yaml-alias"] = run_bad("description: *x\n", "row 3", "alias")
CASES["yaml-syntax"] = run_bad("targets:\n\tpeak: {year: 2025}\n", "row 4", "not valid YAML")
CASES["yaml-python-tag"] = run_bad("description: !!python/object/apply:os.system ['true']\n",
                                   "row 3", "constructor")
CASES["yaml-control-character"] = run_bad("description: a\x07b\n", "row 3", "not allowed")
CASES["yaml-two-documents"] = run_bad("---\nname: t\n", "row 3", "second")
CASES["yaml-unknown-key"] = run_bad("targest: {}\n", "row 3, key 'targest'", "unknown key")
CASES["yaml-number-as-text"] = run_bad("discount_rate: high\n", "row 3, key 'discount_rate'")
CASES["yaml-number-inf"] = run_bad("discount_rate: .inf\n", "row 3, key 'discount_rate'",
                                   "finite")
CASES["yaml-threads-fraction"] = run_bad("solver: {threads: 2.5}\n",
                                         "row 3, key 'solver.threads'", "whole number")
CASES["yaml-overrides-mapping"] = run_bad("overrides: {table: prices, scale: 2}\n",
                                          "row 3, key 'overrides'", "list")
CASES["yaml-override-two-operations"] = run_bad(
    "overrides:\n  - {table: prices, scale: 2, add: 1}\n", "row 4, key 'overrides.0'",
    "exactly one")
CASES["yaml-override-unknown-table"] = run_bad(
    "overrides:\n  - {table: pricez, scale: 2}\n", "row 4, key 'overrides[0].table'",
    "unknown table")
CASES["yaml-override-unknown-where-column"] = run_bad(
    "overrides:\n  - {table: prices, where: {fule: coal}, scale: 2}\n",
    "row 4, key 'overrides[0].where.fule'")
CASES["yaml-override-text-column"] = run_bad(
    "overrides:\n  - {table: prices, column: unit, scale: 2}\n",
    "row 4, key 'overrides[0].column'", "numeric column")
CASES["yaml-override-matches-nothing"] = run_bad(
    "overrides:\n  - {table: prices, where: {fuel: uranium}, scale: 2}\n",
    "row 4, key 'overrides[0].where.fuel'", "'uranium' matches no row of prices")
CASES["yaml-override-one-listed-value-matches-nothing"] = run_bad(
    "overrides:\n  - {table: prices, where: {fuel: [coal, cokee]}, scale: 2}\n",
    "row 4, key 'overrides[0].where.fuel'", "'cokee' matches no row of prices")
CASES["yaml-override-filters-match-no-row-together"] = run_bad(
    "overrides:\n  - {table: grid, where: {variable: coal_rate, year: 2021}, scale: 2}\n",
    "row 4, key 'overrides[0]'", "override of grid matches no row")
CASES["override-price-1e300"] = run_bad(
    "overrides:\n  - {table: prices, where: {fuel: natural_gas}, scale: 1.0e+300}\n",
    "row 4, key 'overrides[0]'", "prices.value")
CASES["override-negative-efficiency"] = run_bad(
    "overrides:\n  - {table: efficiency, set: -0.5}\n", "row 4, key 'overrides[0]'",
    "efficiency.rate")
CASES["override-negative-emission-factor"] = run_bad(
    "overrides:\n  - {table: emission_factors, scale: -1}\n", "row 4", "emission_factors.value")
CASES["override-absurd-capex"] = run_bad(
    "overrides:\n  - {table: measures, column: capex, scale: 1.0e+9}\n", "row 4",
    "measures.capex")
CASES["override-to-infinity"] = run_bad(
    "overrides:\n  - {table: prices, scale: 1.0e+308}\n", "row 4", "finite")
CASES["yaml-base-year-without-data"] = run_bad(
    "years: {base: 1995, start: 1996, end: 2000}\n", "row 3, key 'years.base'", "1995")
CASES["yaml-years-order"] = run_bad("years: {base: 2020, start: 2030, end: 2025}\n",
                                    "row 3, key 'years'", "base < start <= end")
CASES["yaml-year-out-of-range"] = run_bad("years: {base: 1800, start: 2021, end: 2035}\n",
                                          "key 'years.base'", "1990")
CASES["yaml-peak-outside-horizon"] = run_bad("targets:\n  peak: {year: 2050}\n",
                                             "row 4, key 'targets.peak.year'")
CASES["yaml-project-online-before-its-earliest-year"] = run_bad(
    "projects:\n  memory_fab_expansion: 2022\n", "row 4, key 'projects.memory_fab_expansion'",
    "online year 2022 is before the project's earliest year 2024")
CASES["yaml-project-unknown"] = run_bad(
    "projects:\n  memory_fab: in\n", "row 4, key 'projects.memory_fab'", "not a project")
CASES["yaml-oil-peak-level-absurd"] = run_bad(
    "targets:\n  oil_peak_level: 1.0e+9\n", "row 4, key 'targets.oil_peak_level'",
    "must be <= 1e+07")
CASES["yaml-projects-list"] = run_bad("projects: [a, b]\n", "row 3, key 'projects'")
CASES["yaml-limit-not-a-mapping"] = run_bad("targets:\n  limits: [x]\n",
                                            "key 'targets.limits.0'", "mapping")
CASES["yaml-gwp-text"] = run_bad("gwp: {CH4: lots, N2O: 265}\n", "row 3, key 'gwp.CH4'")
CASES["yaml-base-not-text"] = run_bad("base: 5\n", "row 3, key 'base'")
CASES["yaml-cap-only-unknown-year"] = run_bad(
    "targets:\n  coal_cap: {2025: 1800, only: [2030]}\n", "row 4, key 'targets.coal_cap'",
    "only names 2030")
CASES["yaml-accounting-deleted"] = run_bad("accounting: null\n", "key 'accounting'",
                                           "required")


@case("yaml-name-path")
def _(tmp):
    f = tmp / "s.yaml"
    f.write_text(f"name: ../escape\ndataset: {DATASET}\n")
    return ["run", f, "--in-process"], ["s.yaml, row 1, key 'name'"]


@case("yaml-top-level-list")
def _(tmp):
    f = tmp / "s.yaml"
    f.write_text("- name: s\n")
    return ["run", f, "--in-process"], ["s.yaml, row 1", "mapping"]


@case("yaml-not-utf8")
def _(tmp):
    f = tmp / "s.yaml"
    f.write_bytes("name: s\ndescription: 情景\n".encode("gb18030"))
    return ["run", f, "--in-process"], ["s.yaml, row 2", "UTF-8"]


@case("yaml-directory")
def _(tmp):
    (tmp / "s.yaml").mkdir()
    return ["run", tmp / "s.yaml", "--in-process"], ["s.yaml", "folder"]


@case("yaml-missing")
def _(tmp):
    return ["run", tmp / "nope.yaml", "--in-process"], ["nope.yaml", "not found"]


@case("yaml-too-large")
def _(tmp):
    f = scenario(tmp, "description: " + "x" * 1_100_000 + "\n")
    return ["run", f, "--in-process"], ["s.yaml", "bytes"]


@case("yaml-base-cycle")
def _(tmp):
    (tmp / "a.yaml").write_text("name: a\nbase: b.yaml\n")
    (tmp / "b.yaml").write_text("name: b\nbase: a.yaml\n")
    return ["run", tmp / "b.yaml", "--in-process"], ["a.yaml", "key 'base'", "cycle"]


@case("yaml-base-key-placed-in-base-file")
def _(tmp):
    (tmp / "parent.yaml").write_text(f"name: p\ndataset: {DATASET}\nsolver: {{thread: 2}}\n")
    (tmp / "child.yaml").write_text("name: c\nbase: parent.yaml\n")
    return ["run", tmp / "child.yaml", "--in-process"], \
        ["parent.yaml, row 3, key 'solver.thread'"]


# --------------------------------------------------------------------------------------------
# batch files

CASES["batch-parameters-not-a-list"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters: 5\n",
    "row 6, key 'monte_carlo.parameters'", "list")
CASES["batch-correlation-not-a-list"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters:\n    - {name: a, table: prices, "
    "dist: uniform, low: 0.9, high: 1.1}\n  correlation: 5\n",
    "row 8, key 'monte_carlo.correlation'")
CASES["batch-sweep-through-a-scalar"] = batch_bad(
    "sweep:\n  discount_rate.x: [1, 2]\n", "row 4, key 'sweep.discount_rate.x'", "not a mapping")
CASES["batch-sweep-scalar-values"] = batch_bad("sweep:\n  discount_rate: 0.05\n",
                                               "row 4, key 'sweep.discount_rate'")
CASES["batch-sweep-a-list"] = batch_bad("sweep: [1, 2]\n", "row 3, key 'sweep'")
CASES["batch-sweep-value-out-of-range"] = batch_bad(
    "sweep:\n  discount_rate: [0.05, 0.9]\n", "row 4, key 'sweep.discount_rate", "0.5")
CASES["batch-parameter-unknown-table"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters:\n    - {name: a, table: nosuch, "
    "dist: uniform, low: 0.9, high: 1.1}\n", "row 7, key 'monte_carlo.parameters[0].table'",
    "unknown table")
CASES["batch-parameter-unknown-where-column"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters:\n    - {name: a, table: prices, "
    "where: {fule: coal}, dist: uniform, low: 0.9, high: 1.1}\n",
    "row 7, key 'monte_carlo.parameters[0].where.fule'")
CASES["batch-parameter-bad-distribution"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters:\n    - {name: a, table: prices, "
    "dist: triangular, low: 1.2, mode: 1.0, high: 1.4}\n",
    "row 7, key 'monte_carlo.parameters[0].dist'")
CASES["batch-correlation-unknown-name"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters:\n    - {name: a, table: prices, "
    "dist: uniform, low: 0.9, high: 1.1}\n  correlation:\n    - {between: [a, z], rho: 0.5}\n",
    "key 'monte_carlo.correlation[0].between'", "'z'")
CASES["batch-sweep-override-unknown-table"] = batch_bad(
    "sweep:\n  grid:\n    low: [{table: gridd, scale: 0.9}]\n",
    "row 5, key 'sweep.grid.low[0].table'")
CASES["batch-parameter-matches-no-row"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters:\n    - {name: a, table: prices, "
    "where: {fuel: coall}, dist: uniform, low: 0.9, high: 1.1}\n",
    "row 7, key 'monte_carlo.parameters[0].where.fuel'", "'coall' matches no row of prices")
CASES["batch-sweep-override-matches-no-row"] = batch_bad(
    "sweep:\n  grid:\n    low: [{table: grid, where: {variable: nosuch}, scale: 0.9}]\n",
    "row 5, key 'sweep.grid.low[0].where.variable'", "'nosuch' matches no row of grid")
CASES["batch-seed-negative"] = batch_bad(
    "monte_carlo: {n: 2, seed: -1}\n", "row 3, key 'monte_carlo.seed'")
CASES["batch-lognormal-overflows"] = batch_bad(
    "monte_carlo:\n  n: 2\n  seed: 1\n  parameters:\n    - {name: a, table: prices, "
    "dist: lognormal, median: 1, sigma: 1.0e+300}\n",
    "row 7, key 'monte_carlo.parameters[0].dist'", "not finite")
CASES["batch-sweep-override-out-of-range"] = batch_bad(
    "sweep:\n  grid:\n    low: [{table: grid, where: {variable: emission_factor}, scale: -1}]\n",
    "row 5, key 'sweep.grid.low[0]'", "[range] grid.value")
CASES["batch-n-text"] = batch_bad("monte_carlo: {n: many, seed: 1}\n",
                                  "row 3, key 'monte_carlo.n'")
CASES["batch-n-huge"] = batch_bad("monte_carlo: {n: 1000000000, seed: 1}\n",
                                  "key 'monte_carlo.n'", "100000")
CASES["batch-chunk-zero"] = batch_bad("chunk: 0\n", "row 3, key 'chunk'")
CASES["batch-duplicate-key"] = batch_bad("chunk: 2\nchunk: 3\n", "row 4", "duplicate key")
CASES["batch-unknown-key"] = batch_bad("sweeps: {}\n", "row 3, key 'sweeps'", "unknown key")


@case("batch-directory")
def _(tmp):
    (tmp / "b.yaml").mkdir()
    return ["batch", tmp / "b.yaml"], ["b.yaml", "folder"]


@case("batch-workers-negative")
def _(tmp):
    return ["batch", batch(tmp, ""), "--workers", "-1"], ["--workers", ">= 1"]


@case("batch-workers-zero")
def _(tmp):
    return ["batch", batch(tmp, ""), "--workers", "0"], ["--workers", ">= 1"]


@case("batch-out-is-a-file")
def _(tmp):
    (tmp / "out").write_text("x")
    return ["batch", batch(tmp, ""), "--out", tmp / "out"], ["out: [output] --out",
                                                             "this is a file"]


# --------------------------------------------------------------------------------------------
# output places


@case("run-out-is-a-file")
def _(tmp):
    (tmp / "out").write_text("x")
    return ["run", scenario(tmp, ""), "--out", tmp / "out"], [f"{tmp / 'out'}", "--out",
                                                               "this is a file"]


@case("run-out-under-a-file")
def _(tmp):
    (tmp / "f").write_text("x")
    return ["run", scenario(tmp, ""), "--out", tmp / "f" / "out"], [
        f"{tmp / 'f' / 'out'}", "is a file, so the folder cannot be made"]


@case("template-onto-a-directory")
def _(tmp):
    (tmp / "book.xlsx").mkdir()
    return ["template", tmp / "book.xlsx"], ["book.xlsx", "OUT", "folder; expected a file"]


@case("template-under-a-file")
def _(tmp):
    (tmp / "f").write_text("x")
    return ["template", tmp / "f" / "book.xlsx"], ["book.xlsx", "cannot be made"]


@case("ingest-out-is-a-file")
def _(tmp):
    (tmp / "out").write_text("x")
    return ["ingest", tmp / "book.xlsx", tmp / "out"], ["out", "OUT_DIR", "this is a file"]


@case("inventory-out-is-a-file")
def _(tmp):
    (tmp / "out").write_text("x")
    return ["inventory", DATASET, "--out", tmp / "out"], ["out", "--out", "this is a file"]


# --------------------------------------------------------------------------------------------
# results files


@case("report-corrupt-results")
def _(tmp):
    return ["report", results_dir(tmp, JUNK)], ["results.nc", "corrupt"]


@case("allocate-truncated-results")
def _(tmp):
    return ["allocate", results_dir(tmp, truncated_netcdf(tmp))], ["results.nc", "truncated"]


@case("recommend-corrupt-results")
def _(tmp):
    return ["recommend", results_dir(tmp, JUNK)], ["results.nc", "corrupt"]


@case("projects-corrupt-results")
def _(tmp):
    return ["projects", results_dir(tmp, b"\x89HDF\r\n\x1a\n" + b"\0" * 64)], ["results.nc"]


@case("mga-truncated-results")
def _(tmp):
    return ["mga", results_dir(tmp, truncated_netcdf(tmp))], ["results.nc", "corrupt"]


@case("compare-corrupt-results")
def _(tmp):
    return ["compare", results_dir(tmp, JUNK)], ["results.nc", "corrupt"]


@case("allocate-foreign-netcdf")
def _(tmp):
    return ["allocate", results_dir(tmp, foreign_netcdf(tmp))], [
        "results.nc", "not a peakpath run's results"]


@case("allocate-empty-results-folder")
def _(tmp):
    return ["allocate", results_dir(tmp, None)], ["results.nc", "no results here"]


@case("batch-report-corrupt-batch-nc")
def _(tmp):
    d = tmp / "batch"
    d.mkdir()
    (d / "summary.csv").write_text("id,status\ns0000,optimal\n")
    (d / "batch.nc").write_bytes(JUNK)
    return ["batch-report", d], ["batch.nc", "corrupt"]


@case("batch-report-corrupt-summary")
def _(tmp):
    d = tmp / "batch"
    d.mkdir()
    (d / "summary.csv").write_bytes(b"\xff\xfe\x00garbage")
    return ["batch-report", d], ["summary.csv"]


# --------------------------------------------------------------------------------------------
# workbooks


@pytest.fixture(scope="module")
def filled_book(tmp_path_factory) -> Path:
    from peakpath.io.datalist import write_template

    f = tmp_path_factory.mktemp("book") / "filled.xlsx"
    write_template(f, DATASET)
    return f


def book_with(cells: dict[tuple[str, str], object]) -> Case:
    def build(tmp: Path):
        from openpyxl import load_workbook

        f = tmp / "book.xlsx"
        wb = load_workbook(BOOK)
        for (sheet, cell), v in cells.items():
            wb[sheet][cell] = v
        wb.save(f)
        return ["ingest", f, tmp / "out"], []
    return build


BOOK: Path  # set by the test from the module fixture

CASES["workbook-cell-at-XFD1048576"] = book_with({("fuels", "XFD1048576"): "x"})
CASES["workbook-too-many-columns"] = book_with({("prices", "DA2"): 1})
CASES["workbook-inf-text-in-number"] = book_with({("prices", "C2"): "inf"})
WORKBOOK_WHERE = {
    "workbook-cell-at-XFD1048576": ["book.xlsx:fuels, row 1048576, column 'XFD'", "stray"],
    "workbook-too-many-columns": ["book.xlsx:prices, row", "column 'DA'", "100 columns"],
    "workbook-inf-text-in-number": ["book.xlsx:prices, row 2, column 'value'", "finite"],
}


@case("workbook-password-protected")
def _(tmp):
    # what the check reads of an encrypted Office file (MS-OFFCRYPTO): the OLE2 signature and
    # the directory entry of its EncryptedPackage stream; the rest of a real one is ciphertext
    f = tmp / "book.xlsx"
    f.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
                  + "EncryptedPackage".encode("utf-16-le") + bytes(96))
    return ["ingest", f, tmp / "out"], ["book.xlsx", "password-protected/encrypted"]


@case("workbook-old-xls")
def _(tmp):
    f = tmp / "book.xlsx"
    f.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1016))
    return ["validate", f], ["book.xlsx", "97–2003"]


@case("workbook-not-a-zip")
def _(tmp):
    f = tmp / "book.xlsx"
    f.write_text("fuel,name\n")
    return ["ingest", f, tmp / "out"], ["book.xlsx", "cannot open as an .xlsx"]


@case("workbook-truncated")
def _(tmp):
    from peakpath.io.datalist import template_bytes

    f = tmp / "book.xlsx"
    f.write_bytes(template_bytes()[:3000])
    return ["ingest", f, tmp / "out"], ["book.xlsx", "cannot open as an .xlsx"]


@case("workbook-is-a-directory")
def _(tmp):
    (tmp / "book.xlsx").mkdir()
    return ["ingest", tmp / "book.xlsx", tmp / "out"], ["book.xlsx", "folder"]


# --------------------------------------------------------------------------------------------
# command-line values


@case("cli-no-regret-above-1")
def _(tmp):
    return ["recommend", tmp, "--no-regret", "2"], ["--no-regret", "between 0 and 1"]


@case("cli-mga-seed-negative")
def _(tmp):
    return ["mga", tmp, "--seed", "-1"], ["--seed", ">= 0"]


@case("cli-batch-report-threshold-above-1")
def _(tmp):
    return ["batch-report", tmp, "--threshold", "1.5"], ["--threshold", "between 0 and 1"]


@case("cli-mga-n-zero")
def _(tmp):
    return ["mga", tmp, "--n", "0"], ["--n", "1 to 50"]


@case("cli-validate-missing")
def _(tmp):
    return ["validate", tmp / "nothing"], ["nothing", "dataset folder not found"]


# --------------------------------------------------------------------------------------------
# the tests


def run_cli(argv: list, capsys) -> tuple[int, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:  # argparse refuses a bad option value with exit code 2
        code = e.code
    return code, capsys.readouterr().err


def test_the_corpus_is_broad():
    kinds = {name.split("-")[0] for name in CASES}
    assert len(CASES) >= 60 and kinds >= {"table", "yaml", "batch", "workbook", "cli",
                                          "report", "allocate", "run", "template", "override"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_with_a_located_message(name, tmp_path, capsys, filled_book,
                                                     monkeypatch):
    global BOOK
    BOOK = filled_book
    monkeypatch.chdir(tmp_path)  # a default results/ folder lands in the temporary folder
    argv, where = CASES[name](tmp_path)
    where = where or WORKBOOK_WHERE[name]
    code, err = run_cli(argv, capsys)
    assert code == 2, err
    assert "internal error" not in err and "Traceback" not in err, err
    for w in where:
        assert w in err, f"{w!r} not in:\n{err}"


def _read_only(folder: Path) -> None:
    folder.chmod(0o555)
    # root writes through mode bits: make the folder immutable instead
    if os.geteuid() == 0 and (shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(folder)], capture_output=True).returncode != 0):
        folder.chmod(0o755)
        pytest.skip("running as root without chattr: cannot make a read-only folder")


def _writable(folder: Path) -> None:
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o755)


def test_read_only_out_is_refused_before_solving(tmp_path, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    _read_only(out)
    try:
        code, err = run_cli(["run", scenario(tmp_path, ""), "--in-process", "--out", out],
                            capsys)
    finally:
        _writable(out)
    assert code == 2, err
    assert str(out) in err and "cannot write here" in err and "internal error" not in err


def test_a_bad_input_through_a_real_process_has_no_traceback(tmp_path):
    """The same path as a user's shell: `python -m peakpath.cli.main`, exit code 2, no traceback."""
    f = scenario(tmp_path, "years: 2020\n")
    r = subprocess.run([sys.executable, "-m", "peakpath.cli.main", "run", str(f)], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 2, r.stderr
    assert "row 3, key 'years'" in r.stderr and "Traceback" not in r.stderr
