"""Target families, one module each. Every module exposes ``add(ctx)`` and registers its rows
with the shared target registry (`peakpath.core.targets`); none imports another."""

from peakpath import pandas_setup  # noqa: F401  (text stored the same way everywhere)
