"""Files in and out: the table schema, reading and checking datasets, scenario and batch files
(strict YAML, pydantic models), the data-list workbook, output places and atomic writes."""

from peakpath import pandas_setup  # noqa: F401  (text stored the same way everywhere)
