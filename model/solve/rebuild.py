"""The inputs of a solved run, rebuilt from its results: the scenario (stored in results.nc),
the dataset it names with the scenario's overrides applied, and the derived model data. Used by
commands that work on results (report, mga) and need the model's data again."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from peakpath.core.baseline import ModelData, derive
from peakpath.errors import InputError, Problem
from peakpath.io.inputs import InputData, apply_overrides, read_dataset
from peakpath.io.scenario import Scenario
from peakpath.results.dataset import input_hash


def inputs_of(ds: xr.Dataset, where: str | Path) -> tuple[Scenario, InputData, ModelData]:
    """Scenario, dataset (overrides applied) and model data of the results ``ds`` read from
    ``where``. Raises InputError when the dataset is gone or its inputs changed since the run
    (their hash differs), since figures and re-solves would then not match the results."""
    from peakpath.solve.run import scenario_from_results

    if "scenario_settings" not in ds.attrs:
        raise InputError([Problem(str(where), None, None, "results",
                                  "the results carry no scenario settings (written by an older "
                                  "peakpath?): re-run the scenario", "结果缺少情景设置")])
    scenario = scenario_from_results(ds)
    if not Path(scenario.dataset).is_dir():
        raise InputError([Problem(str(where), None, "dataset", "exists",
                                  f"the run's dataset {scenario.dataset} is not there any more",
                                  "数据集不存在")])
    data = apply_overrides(read_dataset(scenario.dataset), scenario)
    md = derive(data, scenario)
    now, then = input_hash(md), str(ds.attrs.get("input_hash", ""))
    if now != then:
        raise InputError([Problem(
            str(where), None, "input_hash", "unchanged",
            f"the inputs changed since these results were solved (hash {then} then, {now} "
            f"now): re-run the scenario first", "结果求解后输入已变，请重新求解")])
    return scenario, data, md
