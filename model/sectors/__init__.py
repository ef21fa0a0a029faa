"""Sector modules. Each adds only what is particular to its sectors; the shared accounting
(activity, baseline energy, measure stock, emissions) lives in `peakpath.core.ledger`."""
