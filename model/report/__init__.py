"""Reports: figures (matplotlib), the HTML report and Excel workbooks for bureaus, districts
and key enterprises."""
