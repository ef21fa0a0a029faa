"""Sector modules. Each adds only what is particular to its sectors; the shared accounting
(activity, baseline energy, measure stock, emissions) lives in `peakpath.core.ledger`."""

from peakpath import pandas_setup  # noqa: F401  (text stored the same way everywhere)
