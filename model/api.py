"""The Python API: solve a scenario or a batch from a script or a notebook.

```python
import peakpath

res = peakpath.run("runs/wuhan-peak-2030.yaml")           # writes results/wuhan-peak-2030/
print(res.status, res.summary["peak_year"])
sc = peakpath.Scenario.load("runs/wuhan-peak-2030.yaml").with_settings(
    {"targets.peak.year": 2027})
res2 = peakpath.run(sc, out=None)                          # solve only, write nothing
b = peakpath.batch("runs/wuhan-mc.yaml", draws=20, workers=2)  # results/wuhan-mc/
b.summary                                                  # one row per scenario
```

No ``if __name__ == "__main__":`` guard is needed: worker processes (the isolated solver,
batch workers) are started by `peakpath.solve.workers`, which never re-imports the caller's
script. They end with the caller, and Ctrl-C (a notebook's "interrupt kernel") stops them at
once.

``peakpath.run`` and ``peakpath.batch`` are the modules `peakpath.solve.run` and
`peakpath.analysis.batch`, which the package resolves lazily and makes callable
(`callable_module`): calling them calls `run` and `batch` below, while
``from peakpath.analysis.batch import load_batch`` and
``mock.patch("peakpath.analysis.batch....")`` work as for any module.
``from peakpath.api import run, batch`` gives the plain functions.
"""

from __future__ import annotations

import inspect
import os
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peakpath.analysis.batch import BatchResult, BatchSpec
    from peakpath.io.inputs import InputData
    from peakpath.io.scenario import Scenario
    from peakpath.solve.run import RunResult

PathLike = str | os.PathLike


def run(scenario: PathLike | Scenario, *, changes: Mapping[str, Any] | None = None,
        out: PathLike | None = "results", elastic: bool = False, isolate: bool | None = None,
        data: InputData | None = None) -> RunResult:
    """Solve one scenario and write its results folder.

    Args:
        scenario: a scenario file (YAML) or a `Scenario` (``Scenario.load(path)``, possibly
            changed with ``.with_settings(...)``).
        changes: dotted-path settings to change first, e.g. ``{"targets.peak.year": 2027,
            "discount_rate": 0.04}`` (checked like a scenario file).
        out: results root; the folder is ``<out>/<scenario name>/``. A rerun replaces only what
            ``run`` writes there and keeps what other commands added (allocation/, figures/,
            report.html, ...). ``None`` writes nothing.
        elastic: when the targets cannot all be met, report the result with priced slacks as
            status "elastic" (otherwise the status is "infeasible"); either way the result
            lists the shortfalls, and no exception is raised.
        isolate: solve in a worker process with a wall-clock limit (default: the scenario's
            ``solver.isolate``, True). The worker needs no main guard and ends with the caller.
        data: the input dataset, already read (`read_dataset`), to skip reading it again.

    Returns:
        The `RunResult`: ``.status``, ``.summary`` (the summary.json mapping: peak year and
        level, CO2 by year, targets with shadow prices, ...), ``.dataset`` (the xarray Dataset),
        ``.shortfalls``, and ``.out_dir`` (None when nothing was written).

    Raises:
        InputError: a scenario file or the dataset has problems (each one located).
        SolverError: HiGHS failed.
        Interrupted: Ctrl-C; the worker is ended and nothing half-written is left.
    """
    from peakpath.io.scenario import Scenario, load_scenario
    from peakpath.results.dataset import write_results
    from peakpath.solve.run import run_scenario
    from peakpath.solve.workers import terminate_as_interrupt

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(Path(scenario))
    if changes:
        sc = sc.with_settings(dict(changes))
    with terminate_as_interrupt(resend=True):
        res = run_scenario(sc, data, elastic=elastic, isolate=isolate)
        if out is not None:
            res.out_dir = write_results(res.dataset, Path(out) / sc.name, res.summary,
                                        res.built.md)
    return res


def batch(spec: PathLike | BatchSpec, *, out: PathLike | None = None,
          workers: int | None = None, scheduler: str | None = None,
          security: Mapping[str, Any] | None = None, progress: bool = False,
          draws: int | None = None, folders: bool = False) -> BatchResult:
    """Run (or resume) a batch: a sweep and/or Monte Carlo draws around a scenario.

    Args:
        spec: a batch file (YAML) or a `BatchSpec` (``peakpath.load_batch(path)``).
        out: the batch folder (default ``results/<batch name>``): summary.csv, batch.nc
            (every solved scenario along a ``scenario`` dimension), targets.csv, iamc.csv.
            Scenarios finished there by an earlier (interrupted) run are kept, not solved
            again.
        workers: local worker processes (default: the number of cores).
        scheduler: address of a Dask scheduler (``tcp://host:8786``) to run on instead.
        security: Dask TLS settings (``tls_ca_file``, ``tls_client_cert``, ...).
        progress: show a progress bar (or log lines) on stderr.
        draws: solve only the first ``draws`` Monte Carlo draws (those the full batch starts
            with, so a later full run in the same folder keeps them).
        folders: also write a results folder per scenario (as `run` does).

    Returns:
        The `BatchResult`: ``.summary`` (summary.csv as a DataFrame), ``.paths`` (each
        scenario's results folder, with ``folders``), ``.records``, ``.out_dir``,
        ``.solved``, ``.resumed``.

    Raises:
        InputError: the batch or scenario file has problems (each one located).
        Interrupted: Ctrl-C; workers are ended, every finished scenario is kept.
    """
    from peakpath.analysis.batch import BatchSpec, load_batch, run_batch
    from peakpath.solve.workers import terminate_as_interrupt

    b = spec if isinstance(spec, BatchSpec) else load_batch(Path(spec))
    if draws is not None:
        b = b.first_draws(int(draws))
    folder = Path(out) if out is not None else Path("results") / b.name
    with terminate_as_interrupt(resend=True):
        return run_batch(b, folder, workers=workers, scheduler=scheduler,
                         security=dict(security) if security else None, progress=progress,
                         folders=folders)


# --------------------------------------------------------------------------------------------
# peakpath.solve.run and peakpath.analysis.batch: modules that are also functions


class _CallableModule(types.ModuleType):
    """A module that calls the API function of its name when called (see the module doc)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(sys.modules[__name__], self._peakpath_api)(*args, **kwargs)


def callable_module(module_name: str, function: str) -> None:
    """Make the module ``module_name`` callable as the API function ``function`` (with its
    signature, for help and completion in notebooks)."""
    mod = sys.modules[module_name]
    func = globals()[function]
    mod._peakpath_api = function
    mod.__signature__ = inspect.signature(func)
    mod.__class__ = _CallableModule
