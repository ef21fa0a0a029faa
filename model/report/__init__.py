"""Figures (matplotlib, PNG and SVG) and reports (a self-contained HTML file) of solved
pathways, Chinese first with English beside."""
