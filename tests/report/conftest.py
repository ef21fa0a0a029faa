"""Solved runs shared by the figure, report, compare and MGA tests: the shipped scenarios are
solved once per session (in-process) and written like ``peakpath run`` writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from peakpath.results.dataset import write_results
from peakpath.solve.run import run_scenario
from tests.conftest import make_scenario

SHIPPED = ("wuhan-baseline", "wuhan-peak-2022", "wuhan-peak-2030", "wuhan-stretch")


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory, shipped_run) -> Path:
    """results/<name>/ of every shipped scenario, solved once."""
    root = tmp_path_factory.mktemp("results")
    for name in SHIPPED:
        res = shipped_run(name)
        # the 2017 plan cannot meet its coal cap with coke counted: it solves in elastic mode
        assert res.status == ("elastic" if name == "wuhan-peak-2022" else "optimal"), name
        write_results(res.dataset, root / name, res.summary, res.built.md)
    return root


@pytest.fixture(scope="session")
def district_run(wuhan):
    """The shipped dataset solved by district (its 15 reporting units)."""
    sc = make_scenario({"districts": True, "targets": {"peak": {"year": 2025}}},
                       name="wuhan-districts")
    res = run_scenario(sc, wuhan, isolate=False)
    assert res.status == "optimal"
    return res
