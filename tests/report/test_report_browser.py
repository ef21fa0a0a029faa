"""The HTML report end to end: written by `peakpath report`, self-contained, and rendered by
Debian's headless Chromium with every figure loaded and a page that is not blank."""

from __future__ import annotations

import base64
import importlib.util
import io
import re

import numpy as np
import pytest
from PIL import Image

from peakpath.cli.main import main
from peakpath.errors import InputError
from peakpath.report.commands import write_report
from peakpath.report.figures import target_frame
from peakpath.results.dataset import load_results
from peakpath.solve.rebuild import inputs_of
from tests.report.chromium import Chromium

STANDARD = {"emissions_by_sector", "energy_by_carrier", "abatement_wedges", "mac_curve_2030",
            "measure_timing", "shadow_prices", "intensity_targets", "cost_components",
            "fan_chart"}


@pytest.fixture(scope="module")
def report(runs_dir):
    return write_report(runs_dir / "wuhan-stretch", baseline=runs_dir / "wuhan-baseline",
                        batch=runs_dir)


def test_report_writes_every_figure_and_one_html_file(report, runs_dir):
    assert report.html == runs_dir / "wuhan-stretch" / "report.html"
    names = {p.stem for p in report.figures}
    assert names == STANDARD
    assert {p.suffix for p in report.figures} == {".png", ".svg"}
    assert len(report.notes) == 1 and "district" in report.notes[0]


def test_report_is_self_contained(report):
    html = report.html.read_text(encoding="utf-8")
    # nothing fetched: no external src/href, no CSS url() or @import
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "url(" not in html and "@import" not in html
    imgs = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(imgs) == len(STANDARD)
    assert all(s.startswith("data:image/png;base64,") for s in imgs)


def test_recommendations_name_every_binding_target(report, runs_dir):
    html = report.html.read_text(encoding="utf-8")
    section = html.split("<h2>建议 Recommendations</h2>")[1].split("<h2>")[0]
    tt = target_frame(load_results(runs_dir / "wuhan-stretch"))
    binding = tt[tt["binding"]]
    assert len(binding) > 0
    for r in binding.itertuples():
        assert f"({r.target}) binds in {r.year}" in section


def test_report_renders_in_headless_chromium(report, tmp_path):
    with Chromium() as c:
        c.call("Page.enable")
        c.call("Network.enable")
        c.call("Page.navigate", url=report.html.as_uri())
        c.wait_for("Page.loadEventFired")
        page = c.evaluate("""({title: document.title, ready: document.readyState,
            images: Array.from(document.images).map(i => ({alt: i.alt, w: i.naturalWidth,
                                                           h: i.naturalHeight,
                                                           done: i.complete}))})""")
        shot = base64.b64decode(c.call("Page.captureScreenshot", format="png")["data"])
        requests = [e["params"]["request"]["url"] for e in c.events
                    if e.get("method") == "Network.requestWillBeSent"]
    assert page["title"] == "碳达峰路径报告 Carbon-peak pathway report — wuhan-stretch"
    assert page["ready"] == "complete"
    assert len(page["images"]) == len(STANDARD)
    assert all(i["done"] and i["w"] > 0 and i["h"] > 0 for i in page["images"]), page["images"]
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    (tmp_path / "report.png").write_bytes(shot)
    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("L"), dtype=float)
    assert pixels.shape[0] > 500 and pixels.shape[1] > 500
    assert pixels.std() > 10.0  # a blank page is one flat colour
    assert len(np.unique(pixels)) > 50


def test_pdf_beside_the_html_exactly_when_weasyprint_is_installed(report):
    pdf = report.html.with_suffix(".pdf")
    if importlib.util.find_spec("weasyprint") is None:
        assert report.pdf is None and not pdf.exists()
    else:
        assert report.pdf == pdf and pdf.read_bytes().startswith(b"%PDF")


def test_report_command(runs_dir, tmp_path, capsys):
    out = tmp_path / "peak-2030.html"
    assert main(["report", str(runs_dir / "wuhan-peak-2030"), "--year", "2025", "--out",
                 str(out), "--no-pdf"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "wuhan-peak-2030" in html and 'id="fig-mac_curve_2025"' in html
    assert (runs_dir / "wuhan-peak-2030" / "figures" / "mac_curve_2025.svg").is_file()
    assert "Report" in capsys.readouterr().out


def test_report_rejects_a_year_outside_the_model(runs_dir, capsys):
    assert main(["report", str(runs_dir / "wuhan-peak-2022"), "--year", "2050"]) == 2
    err = capsys.readouterr().err
    assert "--year" in err and "2050" in err and "Traceback" not in err


def test_results_whose_inputs_changed_are_refused(runs_dir, tmp_path):
    ds = load_results(runs_dir / "wuhan-peak-2022")
    ds.attrs["input_hash"] = "0" * 16
    with pytest.raises(InputError, match="1 problem") as e:
        inputs_of(ds, tmp_path / "old-run")
    assert "inputs changed" in e.value.report()


def test_a_run_without_targets_gets_a_report(runs_dir, tmp_path):
    files = write_report(runs_dir / "wuhan-baseline", out=tmp_path / "baseline.html", pdf=False)
    html = files.html.read_text(encoding="utf-8")
    assert "no target binds" in html and "The scenario sets no targets" in html
    assert html.count("<img ") == len(STANDARD) - 1  # no batch given: no fan chart
