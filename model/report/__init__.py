"""Reports, Chinese first with English beside: figures (matplotlib), the HTML report and Excel
workbooks for bureaus, districts and key enterprises."""

from peakpath import pandas_setup  # noqa: F401  (text stored the same way everywhere)
