"""Shared fixtures: the shipped dataset (read once) and helpers to build and solve scenarios
in-process."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

# every memo of the array build checks a reused answer against a fresh one, here and in the
# batch workers the tests start (`peakpath.core.algebra.LookupCache.memo`)
os.environ["PEAKPATH_VERIFY_MEMO"] = "1"

from peakpath.io.inputs import InputData, read_dataset
from peakpath.io.scenario import DEFAULTS, Scenario, load_scenario, merge, validate_settings

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
    from peakpath.solve.run import run_scenario

    sc = shipped(base)
    if changes:
        sc = sc.with_settings(changes)
    return run_scenario(sc, data, isolate=False, **kw)


class ShippedRuns:
    """Each shipped scenario solved once per session (in-process, as given in runs/), on
    first use: ``shipped_run("wuhan-peak-2030")``. Tests read the results; none may change
    them."""

    def __init__(self, data: InputData):
        self.data, self._runs = data, {}

    def __call__(self, name: str):
        if name not in self._runs:
            from peakpath.solve.run import run_scenario

            self._runs[name] = run_scenario(shipped(name), self.data, isolate=False)
        return self._runs[name]


@pytest.fixture(scope="session")
def shipped_run(wuhan) -> ShippedRuns:
    return ShippedRuns(wuhan)


@pytest.fixture(scope="session")
def baseline_run(shipped_run):
    """The least-cost path without targets, solved once."""
    return shipped_run("wuhan-baseline")


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
def peak_dir(shipped_run, tmp_path_factory) -> Path:
    """results/wuhan-peak-2030/ written once (city run, the shipped plan in force: peak before
    2030; the 2017 plan's scenario solves only in elastic mode)."""
    from peakpath.results.dataset import write_results

    res = shipped_run("wuhan-peak-2030")
    return write_results(res.dataset, tmp_path_factory.mktemp("runs") / res.scenario.name,
                         res.summary, res.built.md)


# --------------------------------------------------------------------------------------------
# test tiers: every test carries exactly one of these markers (pyproject.toml registers them).
#   unit    solves nothing                         `make test-fast` runs these
#   solve   solves models in this process
#   e2e     the command line or the API end to end, in child processes
#   system  external programs or process faults: LibreOffice, Chromium, Dask, kills, notebook
TIERS = ("unit", "solve", "e2e", "system")
#: the tier of each test module's tests, unless a test is marked otherwise; a module missing
#: here is a collection error, so a new test file must say what it needs
MODULE_TIER = {
    "test_bad_inputs": "unit", "test_batch_report_peak": "unit", "test_lmdi": "unit",
    "test_batch_spec": "unit", "test_batch_store": "unit",
    "test_units": "unit", "test_scenario": "unit", "test_inputs": "unit",
    "test_datalist": "unit", "test_dataset": "unit", "test_inventory": "unit",
    "test_pandas_setup": "unit", "test_frames": "unit",
    "test_micro_models": "solve", "test_credible_core": "solve", "test_regression": "solve",
    "test_backcast": "solve", "test_smoke": "solve", "test_sectors": "solve",
    "test_results": "solve", "test_districts": "solve", "test_recompute": "solve",
    "test_resolve": "solve", "test_projects_impact": "solve", "test_allocate": "solve",
    "test_recommend": "solve", "test_workbooks": "solve", "test_cli_options": "solve",
    "constraints.test_carbon": "solve", "constraints.test_energy_dual_control": "solve",
    "constraints.test_fuels": "solve", "constraints.test_peak": "solve",
    "constraints.test_projects": "solve", "constraints.test_sector_limits": "solve",
    "report.test_abatement": "solve", "report.test_compare": "solve",
    "report.test_figures": "solve", "report.test_mga": "solve", "report.test_assess": "solve",
    "report.test_assess_districts": "solve", "report.test_docx_template": "unit",
    "report.test_assess_enterprises": "solve", "report.test_assess_two_high": "solve",
    "report.test_assess_shipped": "system",
    "report.test_assess_keyareas": "solve", "report.test_assess_finance": "solve",
    "test_cli": "e2e", "test_decision_cli": "e2e", "test_file_modes": "e2e",
    "test_batch": "system", "test_api": "system", "test_faults": "system",
    "test_workers": "system", "test_datalist_libreoffice": "system", "test_second_solver": "system",
    "report.test_report_browser": "system",
}
#: fixtures that solve a model: a `unit` module's test that uses one is a `solve` test
SOLVING_FIXTURES = {"baseline_run", "growth_run", "shipped_run", "runs_dir", "peak_dir",
                    "district_run"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        marked = [m.name for m in item.iter_markers() if m.name in TIERS]
        if marked:
            continue
        module = item.module.__name__.removeprefix("tests.")
        tier = MODULE_TIER.get(module)
        if tier is None:
            raise pytest.UsageError(
                f"{item.nodeid}: no test tier; add '{module}' to MODULE_TIER in "
                f"tests/conftest.py or mark the test with one of {', '.join(TIERS)}")
        if tier == "unit" and SOLVING_FIXTURES & set(item.fixturenames):
            tier = "solve"
        item.add_marker(getattr(pytest.mark, tier))
