"""`peakpath mga`: near-optimal alternatives cost at most the slack more than the optimum,
meet every target, differ from each other, and are written like runs that `compare` reads."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from peakpath.analysis.compare import BINDING, compare, load_runs
from peakpath.analysis.mga import DISTINCT, run_mga
from peakpath.cli.main import main
from peakpath.report.figures import target_frame
from peakpath.results.dataset import load_results, write_results
from peakpath.solve.rebuild import inputs_of

SLACK = 0.05


@pytest.fixture(scope="module")
def mga(runs_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("mga")
    found, folder = run_mga(runs_dir / "wuhan-peak-2030", slack=SLACK, n=2, seed=7, out=out,
                            log=lambda *_: None)
    return found, folder


def test_optimum_is_the_run_it_came_from(mga, runs_dir):
    found, folder = mga
    stored = float(load_results(runs_dir / "wuhan-peak-2030").attrs["objective_wan_cny"])
    assert found[0].cost == pytest.approx(stored, rel=1e-7)
    again = load_results(folder / "mga-0")
    assert float(again.attrs["objective_wan_cny"]) == pytest.approx(stored, rel=1e-7)
    assert again.attrs["scenario"] == "wuhan-peak-2030"


def test_alternatives_are_near_optimal_and_distinct(mga):
    found, _ = mga
    z = found[0].cost
    assert len(found) == 3
    for r in found[1:]:
        assert z * (1 - 1e-6) <= r.cost <= z + SLACK * abs(z) + 1e-6 * abs(z)
    for i in range(len(found)):
        for j in range(i + 1, len(found)):
            assert np.mean(np.abs(found[i].u - found[j].u)) > DISTINCT


def test_alternatives_meet_every_target(mga):
    _, folder = mga
    for k in (1, 2):
        ds = load_results(folder / f"mga-{k}")
        tt = target_frame(ds)
        le = tt[tt["sense"] == "le"]
        ge = tt[tt["sense"] == "ge"]
        tol = 1e-6 * np.maximum(1.0, np.abs(tt["limit"]))
        assert (le["achieved"] <= le["limit"] + tol[le.index]).all()
        assert (ge["achieved"] >= ge["limit"] - tol[ge.index]).all()
        co2 = ds["co2_total"].to_series()
        level = json.loads(ds.attrs["scenario_settings"])["targets"]["peak"]["level"]
        assert (co2.loc[2030:] <= level + 1e-6).all()  # peak by 2029 at its level (scenario)
        assert ds["target_shadow_price"].isnull().all()  # not priced: objective is not cost


def test_normalised_adoption_is_adoption_over_potential(mga):
    """u_m = Σ_y adoption / Σ_y potential, checked from the written optimum."""
    _, folder = mga
    ds = load_results(folder / "mga-0")
    md = inputs_of(ds, folder / "mga-0")[2]
    meas = md.measures.set_index("measure")
    pot = md.potential[md.potential["year"].isin(md.years)
                       & (md.potential["year"] >= md.potential["measure"].map(
                           meas["first_year"]))]
    pot = pot[pot["measure"].map(meas["kind"]) == "continuous"]
    total = pot.groupby("measure")["value"].sum()
    adopted = ds["adoption"].sum("district").sel(year=md.years).sum("year").to_series()
    table = pd.read_csv(folder / "mga.csv", index_col="measure")
    for m in total.index[total > 0]:
        assert table.loc[m, "optimum"] == pytest.approx(adopted[m] / total[m], abs=1e-6)


def test_compare_shows_the_alternatives_side_by_side(mga, tmp_path):
    _, folder = mga
    info = json.loads((folder / "mga.json").read_text(encoding="utf-8"))
    assert [r["folder"] for r in info["roadmaps"]] == ["mga-0", "mga-1", "mga-2"]
    table, adoption, _ = compare([folder], tmp_path / "c", echo=False)
    assert list(table.columns) == ["wuhan-peak-2030", "wuhan-peak-2030-mga1",
                                   "wuhan-peak-2030-mga2"]
    assert table["wuhan-peak-2030-mga1"][BINDING].startswith("—")
    assert len(adoption) > 0  # the alternatives do change the measure mix
    assert len(load_runs([folder])) == 3


def test_bad_arguments_are_reported(runs_dir, capsys):
    assert main(["mga", str(runs_dir / "wuhan-peak-2030"), "--slack", "5", "--n", "0"]) == 2
    err = capsys.readouterr().err
    assert "--slack" in err and "--n" in err and "Traceback" not in err


def test_mga_needs_an_optimal_run(runs_dir, tmp_path, capsys):
    ds = load_results(runs_dir / "wuhan-peak-2030")
    ds.attrs["status"] = "elastic"
    summ = json.loads((runs_dir / "wuhan-peak-2030" / "summary.json").read_text())
    write_results(ds, tmp_path / "elastic-run", summ)
    assert main(["mga", str(tmp_path / "elastic-run")]) == 2
    assert "needs an optimal run" in capsys.readouterr().err
