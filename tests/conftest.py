"""Shared fixtures: the shipped dataset (read once) and helpers to build and solve scenarios
in-process."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from peakpath.inputs import InputData, read_dataset
from peakpath.scenario import DEFAULTS, Scenario, load_scenario, merge, validate_settings

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "inputs" / "wuhan"
RUNS = ROOT / "runs"


@pytest.fixture(scope="session")
def wuhan() -> InputData:
    return read_dataset(DATASET)


def make_scenario(settings: dict | None = None, name: str = "test",
                  dataset: Path = DATASET) -> Scenario:
    """A scenario from a settings mapping (defaults filled in, validated like a file)."""
    s = merge(copy.deepcopy(DEFAULTS), {"name": name, **(settings or {})})
    problems = validate_settings(s, "<test>", {})
    assert not problems, problems
    s["dataset"] = str(dataset)
    return Scenario(name, Path("<test>"), Path(dataset), s)


def shipped(name: str) -> Scenario:
    return load_scenario(RUNS / f"{name}.yaml")


def solve_wuhan(data: InputData, changes: dict | None = None, base: str = "wuhan-baseline",
                **kw):
    """Solve a shipped scenario in-process with dotted-path setting changes."""
    from peakpath.run import run_scenario

    sc = shipped(base)
    if changes:
        sc = sc.with_settings(changes)
    return run_scenario(sc, data, isolate=False, **kw)


@pytest.fixture(scope="session")
def baseline_run(wuhan):
    """The least-cost path without targets, solved once."""
    return solve_wuhan(wuhan)


#: GDP growing 2.5 times as fast as in the dataset, so that emissions rise and peak targets bind
FAST_GROWTH = [{"table": "growth", "where": {"variable": "gdp"}, "column": "rate",
                "scale": 2.5}]


@pytest.fixture(scope="session")
def growth_run(wuhan):
    return solve_wuhan(wuhan, {"overrides": FAST_GROWTH})


def target_rows(res, family: str) -> list[dict]:
    return [t for t in res.summary["targets"] if t["family"] == family]


def series(res, name: str):
    return res.dataset[name].to_series()


@pytest.fixture(scope="session")
def peak_dir(wuhan, tmp_path_factory) -> Path:
    """results/wuhan-peak-2030/ written once (city run, the shipped plan in force: peak before
    2030; the 2017 plan's scenario solves only in elastic mode)."""
    from peakpath.results import write_results
    from peakpath.run import run_scenario

    sc = shipped("wuhan-peak-2030")
    res = run_scenario(sc, wuhan, isolate=False)
    return write_results(res.dataset, tmp_path_factory.mktemp("runs") / sc.name, res.summary,
                         res.built.md)
