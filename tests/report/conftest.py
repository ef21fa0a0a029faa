"""Solved runs shared by the figure, report, compare and MGA tests: the shipped scenarios are
solved once per session (in-process) and written like ``peakpath run`` writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from model.results import write_results
from model.run import run_scenario
from tests.conftest import DATASET, make_scenario, shipped

SHIPPED = ("wuhan-baseline", "wuhan-peak-2022", "wuhan-peak-2030", "wuhan-stretch")


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory, wuhan) -> Path:
    """results/<name>/ of every shipped scenario, solved once."""
    root = tmp_path_factory.mktemp("results")
    for name in SHIPPED:
        res = run_scenario(shipped(name), wuhan, isolate=False)
        assert res.status == "optimal", name
        write_results(res.dataset, root / name, res.summary, res.built.md)
    return root


@pytest.fixture(scope="session")
def district_run(tmp_path_factory):
    """A run by district on a test copy of the Wuhan dataset whose city is split into two
    districts (60 % / 40 % of every sector's base-year activity; projects in the first)."""
    folder = tmp_path_factory.mktemp("two-districts") / "wuhan2"
    shutil.copytree(DATASET, folder)
    pd.DataFrame({"district": ["jiangan", "huangpi"], "name_zh": ["江岸区", "黄陂区"],
                  "name_en": ["Jiang'an District", "Huangpi District"],
                  "kind": ["core", "suburban"]}).to_csv(folder / "districts.csv", index=False)
    act = pd.read_csv(folder / "activity.csv")
    act = pd.concat([act.assign(district="jiangan", value=act["value"] * 0.6),
                     act.assign(district="huangpi", value=act["value"] * 0.4)])
    act.to_csv(folder / "activity.csv", index=False)
    proj = pd.read_csv(folder / "projects.csv")
    proj.assign(district="jiangan").to_csv(folder / "projects.csv", index=False)
    sc = make_scenario({"districts": True, "targets": {"peak": {"year": 2025}}},
                       name="wuhan-two-districts", dataset=folder)
    res = run_scenario(sc, isolate=False)
    assert res.status == "optimal"
    return res
