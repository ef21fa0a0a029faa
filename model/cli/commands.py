"""The command line's feature commands: name, module and one-line help, known without importing
the modules, so that ``peakpath --help`` answers at once (the modules import Pyomo, xarray and
matplotlib, ≈ 2 s) and only the command that runs is imported (`peakpath.cli.main`)."""

from __future__ import annotations

import argparse

#: command -> (module defining ``add_parser(subparsers)``, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "batch": ("peakpath.analysis.batch",
              "run a sweep or Monte Carlo batch (local workers or Dask)"),
    "batch-report": ("peakpath.analysis.batch_report",
                     "no-regret measures, drivers and target odds of a batch"),
    "compare": ("peakpath.analysis.compare",
                "compare runs, batches and MGA alternatives side by side (table, CSV and "
                "figures)"),
    "mga": ("peakpath.analysis.mga",
            "near-optimal alternatives: roadmaps within a cost slack of the least cost that "
            "differ most in their measures"),
    "template": ("peakpath.io.datalist",
                 "write the data-list workbook (数据清单) from the schema"),
    "ingest": ("peakpath.io.datalist",
               "validate a filled data-list workbook and write the CSV dataset"),
    "inventory": ("peakpath.analysis.inventory",
                  "historical CO2 (and CH4, N2O) inventory from a dataset's energy data, with "
                  "a trend figure"),
    "allocate": ("peakpath.analysis.allocate",
                 "turn a solved city pathway into bureau and district targets (with fairness "
                 "figures and workbooks)"),
    "recommend": ("peakpath.analysis.recommend",
                  "write policy recommendations generated from a solved pathway (Markdown and "
                  "HTML)"),
    "projects": ("peakpath.analysis.projects_impact",
                 "price each major project: extra system cost, change in the peak, whether "
                 "the targets still hold"),
    "assess": ("peakpath.report.assess",
               "write the 1+N assessment set (city report and special reports, Word and "
               "HTML, with an index) from a solved run"),
    "report": ("peakpath.report.commands",
               "figures and a self-contained HTML report of a run (PDF too when WeasyPrint is "
               "installed)"),
}


def command_help(name: str) -> str:
    """The one-line help of a feature command."""
    return COMMANDS[name][1]


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1 (``--workers 0`` or ``-1`` is refused with
    exit code 2 and the option named)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; got {n}")
    return n
