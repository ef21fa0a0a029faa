"""Pyomo for the modules that make Pyomo models, imported only when one is made.

A batch worker builds every variant as arrays and loads HiGHS from them
(`peakpath.solve.highs.compile_in_standard_form`), so it never needs ``pyomo.environ``
(≈ 0.17 s of a worker's start). What must happen at import is stopping Pyomo's scipy hook:
it is registered when ``pyomo.common.dependencies`` is imported and, the first time anything
imports scipy afterwards — or at once if scipy is already imported —, it imports
scipy.stats, .integrate and .spatial (≈ 0.5 s, measured: ``import scipy.sparse`` 0.14 s
against 0.5 s with them). The model uses ``scipy.sparse`` only, and scipy still loads any
other subpackage lazily on first attribute access. So every module that imports scipy or
Pyomo imports this one first: `peakpath.core` in its ``__init__``, `peakpath.solve.highs` and
`peakpath.solve.resolve` above their other imports (not `peakpath.solve`'s ``__init__``:
``peakpath --help`` imports `peakpath.solve.workers` and nothing of Pyomo).
"""

from __future__ import annotations

from types import ModuleType


def _skip_pyomo_scipy_extras() -> None:
    """Disarm the hook (private Pyomo state: a no-op if it is not found as expected)."""
    from pyomo.common import dependencies

    indicator = getattr(dependencies, "scipy_available", None)
    finalize = getattr(dependencies, "_finalize_scipy", None)
    if finalize is not None and getattr(indicator, "_callback", None) is finalize:
        indicator._callback = None


_skip_pyomo_scipy_extras()

from pyomo.common.gc_manager import PauseGC  # noqa: E402  (light: pyomo.common only)

__all__ = ["PauseGC", "linear_expression", "pyo"]


def pyo() -> ModuleType:
    """``pyomo.environ``, imported on first use."""
    import pyomo.environ

    return pyomo.environ


def linear_expression(coefs: list[float], variables: list) -> object:
    """``Σ coefs[i] × variables[i]`` as a Pyomo ``LinearExpression`` (the fast path: no
    expression tree)."""
    from pyomo.core.expr.numeric_expr import LinearExpression

    return LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=variables)
