"""Figures (matplotlib) and reports (HTML, Excel), Chinese first with English beside."""
