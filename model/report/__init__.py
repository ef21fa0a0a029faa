"""Reports, Chinese first with English beside: figures (matplotlib), the HTML report and Excel
workbooks for bureaus, districts and key enterprises."""
