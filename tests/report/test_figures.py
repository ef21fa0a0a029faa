"""The standard figures: every one renders as PNG and SVG with Chinese labels (a missing glyph
is an error, see pyproject's filterwarnings), and each draws the numbers it claims to."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.patches import Rectangle
from PIL import Image

from peakpath.analysis.compare import load_runs, stack_runs
from peakpath.report import figures as F
from peakpath.report.abatement import mac_curve
from peakpath.report.fonts import FONT_FAMILIES, use_cjk_fonts
from peakpath.results.dataset import load_results
from peakpath.solve.rebuild import inputs_of
from tests.report.conftest import SHIPPED


@pytest.fixture(scope="module")
def stretch(runs_dir):
    ds = load_results(runs_dir / "wuhan-stretch")
    return ds, inputs_of(ds, runs_dir / "wuhan-stretch")[2]


@pytest.fixture(scope="module")
def batch(runs_dir):
    return stack_runs(load_runs([runs_dir / n for n in SHIPPED]))


def test_missing_glyphs_fail_the_test():
    """The guard itself: text no installed font can draw raises instead of drawing boxes."""
    fig = F.new_figure()
    fig.subplots().set_title("西夏文 \U00017000")  # a Tangut character: in no installed font
    with pytest.raises(UserWarning, match="Glyph 94208"):
        fig.savefig(io.BytesIO(), format="png")


def test_chinese_labels_are_drawn_in_noto_sans_cjk():
    use_cjk_fonts()
    assert list(mpl.rcParams["font.sans-serif"])[:3] == FONT_FAMILIES
    path = findfont(FontProperties(family="Noto Sans CJK SC"), fallback_to_default=False)
    assert "NotoSansCJK" in path


def test_every_standard_figure_renders_as_png_and_svg(stretch, runs_dir, batch, tmp_path):
    ds, md = stretch
    base = load_results(runs_dir / "wuhan-baseline")
    figs, notes = F.standard_figures(ds, md, baseline=base, batch=batch)
    assert [f.name for f in figs] == ["emissions_by_sector", "energy_by_carrier",
                                      "abatement_wedges", "mac_curve_2030", "measure_timing",
                                      "shadow_prices", "intensity_targets", "fan_chart"]
    assert len(notes) == 1 and "district" in notes[0]
    for f in figs:
        png, svg = f.save(tmp_path)
        img = Image.open(png)
        assert img.format == "PNG" and img.size[0] > 600 and img.size[1] > 300
        assert np.asarray(img.convert("L")).std() > 10  # not a blank canvas
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg")
        assert f.caption.endswith(".")
        assert re.search(r"[\u4e00-\u9fff]", f.title) and re.search(r"[A-Za-z]", f.title)


def test_emission_bands_add_up_to_the_target_boundary(runs_dir, district_run):
    cases = [(load_results(runs_dir / n), runs_dir / n) for n in SHIPPED]
    for ds, where in cases:
        md = inputs_of(ds, where)[2]
        total = sum(v for _, v, _ in F.co2_bands(ds, md))
        assert np.allclose(total, ds["co2_total"].values, rtol=1e-9, atol=1e-6)
    ds, md = district_run.dataset, district_run.built.md
    assert np.allclose(sum(v for _, v, _ in F.co2_bands(ds, md)), ds["co2_total"].values)


def test_emissions_figure_marks_the_peak_and_the_cap(stretch, runs_dir):
    ds, md = stretch
    fig = F.emissions_by_sector(ds, md, load_results(runs_dir / "wuhan-baseline")).figure
    ax = fig.axes[0]
    peak = int(ds["year"].values[int(np.argmax(ds["co2_total"].values))])
    vertical = [ln for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1]
    assert [int(ln.get_xdata()[0]) for ln in vertical] == [peak]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("15,000" in t for t in labels)  # runs/wuhan-stretch.yaml: peak cap 15,000 万t
    assert any("wuhan-baseline" in t for t in labels)
    net = next(ln for ln in ax.get_lines() if ln.get_label().startswith("净排放"))
    assert np.allclose(net.get_ydata(), ds["co2_total"].values)


def test_mac_curve_bars_are_the_levelised_costs(stretch):
    ds, md = stretch
    table = mac_curve(md, ds, 2030)
    ax = F.mac_curve(ds, md, 2030).figure.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    full = bars[:len(table)]  # the faded full-potential bars come first
    assert np.allclose([b.get_height() for b in full], table["lcoa"])
    assert np.allclose([b.get_width() for b in full], table["potential_abatement"])


def test_measure_timing_rows_are_the_adopted_measures(stretch):
    ds, md = stretch
    share = F.adoption_share(ds, md)
    assert float(share.max()) <= 1.0 + 1e-9
    used = int((share.fillna(0) > 1e-4).any("year").sum())
    ax = F.measure_timing(ds, md).figure.axes[0]
    assert len(ax.get_yticks()) == used > 0


def test_fan_chart_median_is_the_median_of_the_runs(batch):
    fig = F.fan_chart(batch).figure
    co2_ax, cost_ax = fig.axes[:2]
    med = next(ln for ln in co2_ax.get_lines() if "Median" in ln.get_label())
    assert np.allclose(med.get_ydata(), np.median(batch["co2_total"].values, axis=0))
    med = next(ln for ln in cost_ax.get_lines() if "Median" in ln.get_label())
    yearly = batch["cost"].sum("component").values[:, 1:] / 1e4  # model years only
    assert np.allclose(med.get_ydata(), np.median(yearly, axis=0))
    assert list(med.get_xdata()) == list(batch["year"].values[1:])
    with pytest.raises(ValueError, match="at least two"):
        F.fan_chart(batch.isel(scenario=[0]))


def test_district_bars(district_run, tmp_path):
    ds, md = district_run.dataset, district_run.built.md
    by_district = F.district_co2(ds, md)
    assert np.allclose(by_district.sum("district"), ds["co2_total"])
    f = F.district_bars(ds, md)
    ax = f.figure.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == ds.sizes["district"] == 15
    assert labels[0].startswith("江岸区 Jiang'an")
    heights = sorted(p.get_height() for p in ax.patches)
    years = sorted({2020, 2030, 2035, int(ds["year"].values[int(np.argmax(
        ds["co2_total"].values))])})
    assert np.allclose(heights, sorted(by_district.sel(year=years).values.ravel()))
    f.save(tmp_path)
    assert (tmp_path / "district_bars.png").is_file()
    figs, notes = F.standard_figures(ds, md)
    assert figs[-1].name == "district_bars" and not any("district" in n for n in notes)
