"""peakpath: least-cost carbon-peak pathway model for Chinese cities (Pyomo + HiGHS).

The public API, usable from a script or a notebook cell (no ``if __name__ == "__main__":``
guard needed)::

    import peakpath

    res = peakpath.run("runs/wuhan-peak-2030.yaml")   # RunResult; writes results/<name>/
    res.print_summary()                                # the peak verdict, as `peakpath run`
    sc = peakpath.Scenario.load("runs/wuhan-peak-2030.yaml")
    res = peakpath.run(sc.with_settings({"targets.peak.year": 2027}), out=None)
    b = peakpath.batch("runs/wuhan-mc.yaml", draws=20)      # BatchResult; b.summary is a DataFrame
    data = peakpath.read_dataset("inputs/wuhan")       # validated input tables
    ds = peakpath.load_results("results/wuhan-peak-2030")

Every name is imported on first use (module ``__getattr__``), so ``import peakpath`` costs
milliseconds, not the two seconds of Pyomo, xarray and matplotlib.

=================  ======================================================================
run                solve one scenario (file or `Scenario`) → `RunResult` (`peakpath.api.run`)
batch              run or resume a batch (file or `BatchSpec`) → `BatchResult`
Scenario           a validated scenario: ``Scenario.load(path)``, ``.with_settings({...})``
load_scenario      the same as ``Scenario.load``
load_batch         read and validate a batch file → `BatchSpec`
read_dataset       read and validate a dataset folder or data-list workbook → `InputData`
load_results       a run's results Dataset (folder or results.nc)
RunResult          what `run` returns
BatchResult        what `batch` returns
BatchSpec, InputData
PeakpathError      base of the errors below (the CLI prints them without a traceback)
InputError         located problems in input files (``.problems``, ``.report()``)
InfeasibleError    targets that cannot be met
SolverError        HiGHS failed
Interrupted        Ctrl-C or SIGTERM, after workers were ended and nothing half-written left
=================  ======================================================================
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("peakpath")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

#: public name -> (module, attribute); None: the module itself (callable: see peakpath.api)
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "run": ("peakpath.solve.run", None),
    "batch": ("peakpath.analysis.batch", None),
    "Scenario": ("peakpath.io.scenario", "Scenario"),
    "load_scenario": ("peakpath.io.scenario", "load_scenario"),
    "load_batch": ("peakpath.analysis.batch", "load_batch"),
    "read_dataset": ("peakpath.io.inputs", "read_dataset"),
    "load_results": ("peakpath.results.dataset", "load_results"),
    "RunResult": ("peakpath.solve.run", "RunResult"),
    "BatchResult": ("peakpath.analysis.batch", "BatchResult"),
    "BatchSpec": ("peakpath.analysis.batch", "BatchSpec"),
    "InputData": ("peakpath.io.inputs", "InputData"),
    "PeakpathError": ("peakpath.errors", "PeakpathError"),
    "InputError": ("peakpath.errors", "InputError"),
    "InfeasibleError": ("peakpath.errors", "InfeasibleError"),
    "SolverError": ("peakpath.errors", "SolverError"),
    "Interrupted": ("peakpath.errors", "Interrupted"),
}

# spelled out (not built from _EXPORTS) so that linters and type checkers can read it
__all__ = [
    "BatchResult",
    "BatchSpec",
    "InfeasibleError",
    "InputData",
    "InputError",
    "Interrupted",
    "PeakpathError",
    "RunResult",
    "Scenario",
    "SolverError",
    "__version__",
    "batch",
    "load_batch",
    "load_results",
    "load_scenario",
    "read_dataset",
    "run",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ provides them
    from peakpath.analysis.batch import BatchResult, BatchSpec, load_batch
    from peakpath.api import batch, run
    from peakpath.errors import (
        InfeasibleError,
        InputError,
        Interrupted,
        PeakpathError,
        SolverError,
    )
    from peakpath.io.inputs import InputData, read_dataset
    from peakpath.io.scenario import Scenario, load_scenario
    from peakpath.results.dataset import load_results
    from peakpath.solve.run import RunResult


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'peakpath' has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    if attr is None:  # peakpath.run / peakpath.batch: the module, callable as the API function
        importlib.import_module("peakpath.api").callable_module(module, name)
    value = mod if attr is None else getattr(mod, attr)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
