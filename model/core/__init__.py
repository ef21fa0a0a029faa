"""The model itself: the algebra of indexed blocks, the ledger of accounts (each computed once),
derived data, targets, the objective and `build`, the only module that knows every sector and
constraint module."""

from peakpath import (
    pandas_setup,  # noqa: F401  (text stored the same way everywhere)
    pyomo_setup,  # noqa: F401  (before scipy: see the module)
)
