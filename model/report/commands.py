"""``peakpath report RESULTS``: the standard figures (PNG and SVG in RESULTS/figures/) and one
self-contained HTML report (RESULTS/report.html), with a PDF beside it when WeasyPrint is
installed."""

from __future__ import annotations

import argparse
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import xarray as xr

from model.compare import Run, load_batch, load_runs, metrics
from model.errors import InputError, Problem
from model.rebuild import inputs_of
from model.report.figures import standard_figures
from model.report.html import render_report
from model.results import atomic_write_bytes, atomic_write_text


@dataclass
class ReportFiles:
    html: Path
    pdf: Path | None
    figures: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def recommendations_html(ds: xr.Dataset) -> str | None:
    """The recommendations of `model.recommend` as HTML, when that module is installed
    (expected interface: ``recommend(ds) -> Recommendations`` with ``to_html()``)."""
    if importlib.util.find_spec("model.recommend") is None:
        return None
    from model import recommend

    return recommend.recommend(ds).to_html()


def write_pdf(html: str, path: Path) -> bool:
    """Write ``html`` as a PDF with WeasyPrint if it is installed; False when it is not."""
    if importlib.util.find_spec("weasyprint") is None:
        return False
    import weasyprint

    atomic_write_bytes(path, weasyprint.HTML(string=html).write_pdf())
    return True


def _one_run(path: str | Path, what: str) -> Run:
    runs = load_runs([path])
    if len(runs) != 1:
        raise InputError([Problem(str(path), None, None, "results",
                                  f"{what} must be one run's results; found {len(runs)} runs",
                                  "应为单个情景的结果")])
    return runs[0]


def write_report(results: str | Path, *, baseline: str | Path | None = None,
                 batch: str | Path | None = None, year: int | None = None,
                 out: str | Path | None = None, pdf: bool = True) -> ReportFiles:
    """Make the figures and the report of one run; returns the files written."""
    run = _one_run(results, "RESULTS")
    scenario, _, md = inputs_of(run.ds, run.path)
    if year is not None and year not in md.years:
        raise InputError([Problem("<command line>", None, "--year", "range",
                                  f"{year} is not a model year ({md.years[0]}–{md.years[-1]})",
                                  "年份超出模型范围")])
    base = _one_run(baseline, "--baseline").ds if baseline else None
    stack = load_batch(batch) if batch else None
    figures, notes = standard_figures(run.ds, md, baseline=base, batch=stack, year=year)
    folder = run.path if run.path.is_dir() else run.path.parent
    written = [p for f in figures for p in f.save(folder / "figures")]
    summary = metrics([run]).iloc[:, :1]
    summary = summary.drop(index=[i for i in summary.index if "Δ" in i])
    summary.index.name = "指标 Metric"
    html = render_report(run.ds, figures, summary,
                         recommendations_html=recommendations_html(run.ds), notes=notes,
                         description=str(scenario.settings.get("description", "")))
    target = Path(out) if out else folder / "report.html"
    atomic_write_text(target, html)
    pdf_path = target.with_suffix(".pdf")
    made_pdf = pdf and write_pdf(html, pdf_path)
    return ReportFiles(target, pdf_path if made_pdf else None, written, notes)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("report", help="figures and a self-contained HTML report of a "
                              "run (PDF too when WeasyPrint is installed)")
    p.add_argument("results", help="a run's results folder (or its results.nc)")
    p.add_argument("--baseline", help="a baseline run's results, drawn in the emissions figure")
    p.add_argument("--batch", help="batch results (batch.nc or a folder of runs) for the "
                   "Monte Carlo fan chart")
    p.add_argument("--year", type=int, help="year of the MAC curve (default 2030)")
    p.add_argument("--out", help="HTML file to write (default RESULTS/report.html)")
    p.add_argument("--no-pdf", action="store_true", help="no PDF even if WeasyPrint is there")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    files = write_report(args.results, baseline=args.baseline, batch=args.batch,
                         year=args.year, out=args.out, pdf=not args.no_pdf)
    print(f"报告 Report: {files.html}")
    print(f"图表 Figures: {len(files.figures) // 2} (PNG and SVG) in {files.figures[0].parent}/")
    for n in files.notes:
        print(f"  note: {n}")
    print(f"PDF: {files.pdf}" if files.pdf else
          "PDF: not written (install WeasyPrint for a PDF beside the HTML)")
    return 0
