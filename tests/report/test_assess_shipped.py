"""The whole 1+N set for the shipped peak scenario and a real batch around it (issue 10, "Done
when"): every document is written as .docx and .html, every .docx converts with LibreOffice
with its required headings, every page renders in headless Chromium with its images loaded,
and the district reports of the partition add up to the city."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from peakpath.analysis.batch import load_batch, run_batch
from peakpath.cli.main import main
from peakpath.report.assess import load_outline
from tests.conftest import ROOT

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
SPECIAL = ("历史排放与能源消费", "参照路径与优化路径", "目标与核心指标", "措施", "重大项目",
           "政策建议", "不确定性")

BATCH = f"""name: peak-mc
scenario: {ROOT / 'runs' / 'wuhan-peak-2030.yaml'}
chunk: 2
monte_carlo:
  n: 4
  seed: 5
  parameters:
    - {{name: gas, table: prices, where: {{fuel: natural_gas}}, dist: triangular,
       low: 0.8, mode: 1.0, high: 1.4}}
    - {{name: gdp, table: growth, where: {{variable: gdp}}, column: rate, dist: uniform,
       low: 0.8, high: 1.2}}
"""


@pytest.fixture(scope="module")
def shipped_set(peak_dir, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("shipped")
    run = root / "wuhan-peak-2030"
    shutil.copytree(peak_dir, run, ignore=shutil.ignore_patterns("assess", "projects"))
    f = root / "peak-mc.yaml"
    f.write_text(BATCH, encoding="utf-8")
    batch = run_batch(load_batch(f), root / "batch", workers=2, progress=False)
    assert set(batch.summary["status"]) == {"optimal"}
    out = root / "set"
    assert main(["assess", str(run), "--batch", str(batch.out_dir), "--out", str(out)]) == 0
    return run, out


def kinds(out: Path) -> dict[str, list[str]]:
    stems = sorted(p.stem for p in out.glob("*.docx"))
    return {"city": [s for s in stems if s.startswith("01-")],
            "special": [s for s in stems if s[:3] in {"02-", "03-", "04-", "05-", "06-"}],
            "keyarea": [s for s in stems if re.match(r"1\d-", s)],
            "district": [s for s in stems if s.startswith("2")],
            "enterprise": [s for s in stems if s.startswith("3")]}


def test_the_set_has_every_document_in_both_formats(shipped_set, wuhan):
    _, out = shipped_set
    k = kinds(out)
    units = wuhan["districts"]
    overlays = wuhan["district_overlays"]["unit"].nunique()
    assert (len(k["city"]), len(k["special"]), len(k["keyarea"])) == (1, 5, 7)
    assert len(k["district"]) == (units["kind"] != "city").sum() + overlays
    assert len(k["enterprise"]) == wuhan["soe_enterprises"]["enterprise"].nunique()
    for stem in [*(s for group in k.values() for s in group), "index"]:
        assert (out / f"{stem}.html").is_file(), stem
    outline = load_outline()
    assert len(outline["documents"]) == 1 + 5 + 7


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed: `make install` "
                    "installs it (libreoffice-writer-nogui)")
def test_every_docx_converts_with_libreoffice_and_keeps_its_headings(shipped_set, tmp_path):
    _, out = shipped_set
    files = sorted(out.glob("*.docx"))
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run([LIBREOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path / "pdf"), *map(str, files)], check=True, capture_output=True,
                   timeout=900)
    subprocess.run([LIBREOFFICE, profile, "--headless", "--convert-to",
                    "txt:Text (encoded):UTF8", "--outdir", str(tmp_path / "txt"),
                    *map(str, files)], check=True, capture_output=True, timeout=900)
    k = kinds(out)
    for f in files:
        pdf = (tmp_path / "pdf" / f"{f.stem}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and b"NotoSansCJK" in pdf, f.name
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 1, f.name
        text = (tmp_path / "txt" / f"{f.stem}.txt").read_text(encoding="utf-8-sig")
        if f.stem in k["special"]:
            assert all(h in text for h in SPECIAL), f.name
        if f.stem in k["district"]:
            assert all(h in text for h in ("分配目标", "本区措施")), f.name
        if f.stem in k["enterprise"]:
            assert "减排措施" in text and "待填报数据" in text, f.name
    industry = (tmp_path / "txt" / "03-industry.txt").read_text(encoding="utf-8-sig")
    assert all(p in industry for p in ("钢铁", "火电", "石化", "建材", "化工"))


def test_every_page_renders_in_chromium_with_its_images(shipped_set):
    from tests.report.chromium import Chromium

    _, out = shipped_set
    pages = []
    with Chromium() as c:
        c.call("Page.enable")
        for f in sorted(out.glob("*.html")):
            c.events.clear()
            c.call("Page.navigate", url=f.as_uri())
            c.wait_for("Page.loadEventFired")
            pages.append((f.name, c.evaluate("""({ready: document.readyState,
                h: document.body.scrollHeight,
                images: Array.from(document.images).map(i => ({w: i.naturalWidth,
                                                               done: i.complete}))})""")))
    assert len(pages) == len(list(out.glob("*.docx")))
    for name, p in pages:
        assert p["ready"] == "complete" and p["h"] > 150, name
        assert all(i["done"] and i["w"] > 0 for i in p["images"]), name
    city = dict(pages)["01-city.html"]
    assert len(city["images"]) >= 3  # the field figure, the wedges and the batch fan


def test_the_partition_districts_add_up_to_the_city(shipped_set):
    """What the index says: the district reports of the partition add up to the city in the
    base year (overlay units are not counted)."""
    _, out = shipped_set
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "叠加单元" in index
    from peakpath.results.dataset import load_results
    from peakpath.results.pathway import load_solved, sector_accounts

    run, _ = shipped_set
    acc = sector_accounts(load_solved(run))
    base = int(load_results(run).attrs["base_year"])
    by_d = acc[acc["year"] == base].groupby("district")["co2"].sum()
    city = float(load_results(run)["co2_total"].sel(year=base))
    assert float(by_d.sum()) == pytest.approx(city, rel=1e-9)
    assert isinstance(by_d, pd.Series) and len(by_d) >= 15
