"""What reads solved runs: batches and their report, allocation, recommendations, comparison, MGA,
project pricing, the historical inventory and LMDI."""

from peakpath import pandas_setup  # noqa: F401  (text stored the same way everywhere)
