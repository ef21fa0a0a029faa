"""`peakpath compare`: the side-by-side table agrees with each run's own results, the adoption
table lists exactly the measures that differ, and the difference figures are written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from peakpath.analysis.compare import (
    ADOPTED,
    BINDING,
    N_BINDING,
    compare,
    discounted_cost,
    load_batch,
    load_runs,
    stack_runs,
    year_ranges,
)
from peakpath.cli.main import main
from peakpath.errors import InputError
from peakpath.results.dataset import load_results
from tests.report.conftest import SHIPPED

COST = "总成本（折现） Discounted cost (亿元)"
CUMULATIVE = "累计排放 Cumulative CO2 2021–2035 (万t)"


@pytest.fixture(scope="module")
def compared(runs_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    return compare([runs_dir / n for n in SHIPPED], out, echo=False)


def test_table_agrees_with_each_run(compared, runs_dir):
    table, _, _ = compared
    assert list(table.columns) == list(SHIPPED)
    for name in SHIPPED:
        ds = load_results(runs_dir / name)
        summ = json.loads((runs_dir / name / "summary.json").read_text(encoding="utf-8"))
        col = table[name]
        assert col[COST] == pytest.approx(summ["objective_wan_cny"] / 1e4, abs=0.05)
        assert col["达峰年份 Peak year"] == summ["peak_year"]
        assert col[CUMULATIVE] == pytest.approx(
            sum(v for y, v in summ["co2_wan_t"].items() if int(y) >= 2021), abs=0.6)
        assert col[N_BINDING] == sum(t["binding"] for t in summ["targets"])
        assert (col[BINDING] == "none") == (col[N_BINDING] == 0)
        assert float(ds["co2_total"].sel(year=2035)) == pytest.approx(
            col["末年排放 CO2 in 2035 (万t)"], abs=0.5)
    first = table[SHIPPED[0]][COST]
    for name in SHIPPED:
        assert table[name]["与首列之差 Δ cost vs first column (亿元)"] == pytest.approx(
            table[name][COST] - first, abs=0.11)


def test_intensity_cells_check_the_targets(compared, runs_dir):
    table, _, _ = compared
    ds = load_results(runs_dir / "wuhan-peak-2030")
    change = float(ds["energy_intensity"].sel(year=2025) / ds["energy_intensity"].sel(year=2020)
                   - 1)
    cell = table["wuhan-peak-2030"]["能耗强度 Energy intensity 2021–2025 (target)"]
    # runs/wuhan-peak-2030.yaml: energy intensity −13.5 % over 2021–25
    assert cell == f"{100 * change:+.1f}% (-13.5% {'√' if change <= -0.135 else '×'})"
    assert "(" not in table["wuhan-baseline"]["能耗强度 Energy intensity 2021–2025 (target)"]


def test_discounted_components_add_up_to_the_objective(runs_dir):
    for name in SHIPPED:
        ds = load_results(runs_dir / name)
        assert float(discounted_cost(ds).sum()) == pytest.approx(
            float(ds.attrs["objective_wan_cny"]), rel=1e-9)


def test_adoption_table_lists_exactly_the_measures_that_differ(compared, runs_dir):
    _, adoption, _ = compared
    final = pd.DataFrame({n: load_results(runs_dir / n)["adoption"].sum("district")
                          .sel(year=2035).to_series() for n in SHIPPED})
    final = final.where(final.abs() >= ADOPTED, 0.0)
    top = final.abs().max(axis=1)
    differ = (final.max(axis=1) - final.min(axis=1)) > 1e-3 * top.where(top > 0, 1.0)
    assert set(final.index[differ]) <= set(adoption.index)
    for m in adoption.index:
        row = [adoption.loc[m, f"{n} 2035"] for n in SHIPPED]
        assert np.allclose(row, final.loc[m].to_numpy())
    assert adoption["spread"].is_monotonic_decreasing


def test_difference_figures_and_tables_are_written(compared):
    _, _, out = compared
    for name in ("compare_co2", "compare_cost", "compare_adoption"):
        assert (out / f"{name}.png").stat().st_size > 10_000
        assert (out / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    back = pd.read_csv(out / "compare.csv", index_col=0)
    assert list(back.columns) == list(SHIPPED)


def test_a_folder_of_runs_stands_for_all_of_them(runs_dir):
    runs = load_runs([runs_dir])
    assert sorted(r.label for r in runs) == sorted(SHIPPED)


def test_the_same_run_twice_is_told_apart(runs_dir):
    runs = load_runs([runs_dir / "wuhan-baseline", runs_dir / "wuhan-baseline" / "results.nc"])
    assert len({r.label for r in runs}) == 2


def test_one_run_named_twice_or_two_folders_of_one_name_get_their_own_labels(runs_dir,
                                                                               tmp_path):
    """The same folder given twice had made two columns of one label, and the cost figure
    failed ("x and y must be the same size")."""
    import shutil

    run = runs_dir / "wuhan-baseline"
    for d in ("a", "b"):
        shutil.copytree(run, tmp_path / d / "x")
    for paths in ([run, run], [tmp_path / "a" / "x", tmp_path / "b" / "x"]):
        runs = load_runs(paths)
        assert len({r.label for r in runs}) == 2, [r.label for r in runs]
    assert main(["compare", str(run), str(run), "--out", str(tmp_path / "c")]) == 0


def test_year_ranges():
    assert year_ranges([2031, 2026, 2027, 2028]) == "2026–2028, 2031"


def test_cli_prints_the_table(runs_dir, tmp_path, capsys):
    assert main(["compare", str(runs_dir / "wuhan-peak-2030"), str(runs_dir / "wuhan-stretch"),
                 "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "Discounted cost" in out and "wuhan-stretch" in out and "Binding targets" in out
    assert (tmp_path / "c" / "compare.csv").is_file()


def test_a_path_that_is_not_results_is_a_located_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError):
        load_runs([tmp_path / "empty"])
    assert main(["compare", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "nope") in err and "results" in err and "Traceback" not in err


def test_a_batch_is_read_from_batch_nc_or_its_run_folders(runs_dir, tmp_path):
    stacked = load_batch(runs_dir)  # no batch.nc there: the run folders, stacked
    assert sorted(stacked["scenario"].values) == sorted(SHIPPED)
    for name in SHIPPED:
        assert np.allclose(stacked["co2_total"].sel(scenario=name),
                           load_results(runs_dir / name)["co2_total"])
    stacked.to_netcdf(tmp_path / "batch.nc")
    again = load_batch(tmp_path)
    assert np.allclose(again["co2_total"], stacked["co2_total"])
    with pytest.raises(InputError, match="1 problem") as e:
        load_runs([tmp_path / "batch.nc"])
    assert "batch folder" in e.value.report()
    stacked[["co2_total"]].to_netcdf(tmp_path / "thin.nc")
    with pytest.raises(InputError) as e:
        load_batch(tmp_path / "thin.nc")
    assert "missing: cost" in e.value.report()
    assert len(stack_runs(load_runs([runs_dir / "wuhan-baseline"]))["scenario"]) == 1
