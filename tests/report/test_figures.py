"""The standard figures: every one renders as PNG and SVG with Chinese labels (a missing glyph
is an error, see pyproject's filterwarnings), and each draws the numbers it claims to."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.patches import Rectangle
from PIL import Image

from peakpath.analysis.compare import load_runs, stack_runs
from peakpath.report import figures as F
from peakpath.report.abatement import mac_curve
from peakpath.report.abatement import wedges as abatement_wedges_table
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
                                      "shadow_prices", "intensity_targets",
                                      "cost_components", "fan_chart"]
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
    bars_table = F.mac_bars(md, ds, 2030)
    ax = F.mac_curve(ds, md, 2030).figure.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    full = bars[:len(bars_table)]  # the faded full-potential bars come first
    assert np.allclose([b.get_height() for b in full], bars_table["lcoa"])
    assert np.allclose([b.get_width() for b in full], bars_table["potential_abatement"])
    # grouping keeps every tonne and every measure, and weights the cost by abatement
    assert np.isclose(bars_table["potential_abatement"].sum(),
                      table["potential_abatement"].sum())
    assert bars_table["members"].sum() == len(table)
    own = bars_table[bars_table["members"] == 1]
    assert set(own["measure"]) < set(table["measure"])
    limit = F.MAC_MIN_SHARE * table["potential_abatement"].sum()
    assert (own["potential_abatement"] >= limit).all()  # every single bar is wide enough
    small = table[table["potential_abatement"] < limit]
    assert np.isclose((bars_table["lcoa"] * bars_table["potential_abatement"])[
        bars_table["members"] > 1].sum(), (small["lcoa"] * small["potential_abatement"]).sum())


def drawn_texts(fig):
    """Every visible, non-empty text artist of a drawn figure with its window extent."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    # tick labels exist for ticks beyond the axis limits too, undrawn: only those drawn count
    ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for t in axis.get_ticklabels(which="both")}
    drawn = {id(lab) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for tick in axis._update_ticks() for lab in (tick.label1, tick.label2)
             if lab.get_visible()}
    return [(t, t.get_window_extent(renderer)) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()
            and (id(t) not in ticks or id(t) in drawn)]


def assert_no_clipped_text(f):
    texts = drawn_texts(f.figure)
    assert texts
    box = f.figure.bbox
    for t, bb in texts:
        assert bb.x0 >= box.x0 - 1 and bb.y0 >= box.y0 - 1 and bb.x1 <= box.x1 + 1 \
            and bb.y1 <= box.y1 + 1, f"{f.name}: text {t.get_text()!r} is clipped ({bb})"


def test_no_figure_clips_a_label(stretch, runs_dir, batch, district_run):
    ds, md = stretch
    base = load_results(runs_dir / "wuhan-baseline")
    figs, _ = F.standard_figures(ds, md, baseline=base, batch=batch, costs=True)
    figs += [F.cost_components(ds), F.district_bars(district_run.dataset,
                                                    district_run.built.md)]
    assert "cost_components" in [f.name for f in figs]
    for f in figs:
        assert_no_clipped_text(f)


def test_the_clip_check_catches_a_label_off_the_canvas(stretch):
    f = F.abatement_wedges(*stretch)
    f.figure.axes[0].annotate("出界 off the canvas", (0.5, 0.5), xycoords="axes fraction",
                              xytext=(0, 2000), textcoords="offset points").set_in_layout(False)
    with pytest.raises(AssertionError, match="clipped"):
        assert_no_clipped_text(f)


def test_mac_curve_is_readable(stretch):
    ds, md = stretch
    f = F.mac_curve(ds, md, 2030)
    ax = f.figure.axes[0]
    bars = F.mac_bars(md, ds, 2030)
    full = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0][:len(bars)]
    colours = {p.get_facecolor()[:3] for p in full}
    assert len(colours) >= 4  # a qualitative palette, not one hue
    key = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(key) == len(bars)  # one key line per bar, in bar order
    for n, (line, zh, en) in enumerate(zip(key, bars["name_zh"], bars["name_en"], strict=True),
                                       start=1):
        assert line.startswith(f"{n} ") and zh in line and en in line
        assert re.search(r"[\u4e00-\u9fff]", line) and re.search(r"[A-Za-z]", line)
    numbers = [t.get_text() for t in ax.texts]
    assert numbers == [str(i) for i in range(1, len(bars) + 1)]
    assert any(m > 1 and "其他" in zh and "Other" in en for m, zh, en in
               zip(bars["members"], bars["name_zh"], bars["name_en"], strict=True))


def test_wedges_are_on_a_zero_based_axis(stretch):
    ds, md = stretch
    ax, low = F.abatement_wedges(ds, md).figure.axes[:2]
    lo, hi = ax.get_ylim()
    assert lo <= 0.0 < float(ds["co2_reference"].max()) <= hi
    # the lower panel: the wedges alone from zero, topped by their sum
    w = abatement_wedges_table(md, ds)
    total = next(ln for ln in low.get_lines() if "All measures" in ln.get_label())
    assert np.allclose(total.get_ydata(), w["wedge"].sum("measure").values)
    assert low.get_ylim()[0] <= 0.0 <= low.get_ylim()[1]


def test_shadow_prices_are_named_and_gapped_where_not_binding(stretch):
    ds, md = stretch
    tt = F.target_frame(ds)
    f = F.shadow_prices(ds, md)
    lines = [ln for ax in f.figure.axes for ln in ax.get_lines()
             if not ln.get_label().startswith("_")]
    labels = [ln.get_label() for ln in lines]
    assert not any(t in labels for t in tt["target"])  # no raw ids
    for ln in lines:
        assert re.search(r"[\u4e00-\u9fff]", ln.get_label()) and \
            re.search(r"[A-Za-z]", ln.get_label())
    gapped = 0
    note = " ".join(t.get_text() for t in f.figure.axes[-1].texts)
    for target, rows in tt.groupby("target", sort=False):
        label = F.target_label(target, rows["family"].iloc[0], md)
        if not (rows["binding"] & (rows["shadow_price"].abs() > 1e-9)).any():
            # never binds: no line, named in the note under the panels
            assert not any(x.get_label() == label for x in lines)
            assert label.split(" ")[0] in note.replace("\n", " ")
            continue
        ln = next(x for x in lines if x.get_label() == label)
        y = pd.Series(np.asarray(ln.get_ydata(), float), index=np.asarray(ln.get_xdata(), int))
        price = rows.groupby("year")["shadow_price"].sum()
        bind = rows.groupby("year")["binding"].any() & (price.abs() > 1e-9)
        assert y[bind[~bind].index].isna().all()
        assert np.allclose(y[bind[bind].index], price[bind])
        gapped += int((~bind).sum() > 0 and bind.sum() > 0)
    assert gapped >= 1  # the stretch run has a target binding in some years only
    assert "_" not in F.target_label("coal_phaseout_manufacturing", "limit", md).split(" ")[0]


def test_emissions_reference_is_drawn_above_the_bands(stretch):
    ds, md = stretch
    ax = F.emissions_by_sector(ds, md).figure.axes[0]
    ref = next(ln for ln in ax.get_lines() if ln.get_label().startswith("参考路径"))
    assert np.allclose(ref.get_ydata(), ds["co2_reference"].values)
    assert ref.get_zorder() > max(c.get_zorder() for c in ax.collections)
    net = next(ln for ln in ax.get_lines() if ln.get_label().startswith("净排放"))
    assert ref.get_linestyle() != net.get_linestyle() and ref.get_color() != net.get_color()
    assert any(t.get_text().startswith("参考路径") for t in ax.get_legend().get_texts())
    assert ax.get_ylim()[1] >= float(ds["co2_reference"].max())


def test_cost_figure_shows_the_differences(stretch, runs_dir):
    ds, _ = stretch
    base = load_results(runs_dir / "wuhan-baseline")
    f = F.cost_components(ds, base)
    ax = f.figure.axes[0]
    want = F.discounted_components(ds).subtract(F.discounted_components(base), fill_value=0)
    widths = [p.get_width() for p in ax.patches]
    assert np.allclose(widths[:-1], want.reindex([c for c in F.COST_COMPONENT_LABELS
                                                  if c in want.index]).to_numpy())
    assert np.isclose(widths[-1], want.sum())
    lo, hi = ax.get_xlim()
    assert lo <= 0.0 <= hi
    assert [t.get_text() for t in ax.texts] == [f"{v:+,.1f}" for v in widths]
    # without a baseline: the present value by component, which adds up to the objective
    plain = F.cost_components(ds).figure.axes[0]
    assert np.isclose(plain.patches[-1].get_width() * 1e4, float(ds.attrs["objective_wan_cny"]),
                      rtol=1e-6)


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


def test_local_renewable_power_counts_new_waste_to_energy(stretch):
    """The energy figure's local renewable band: solar and wind generation plus the output of
    new waste-to-energy (a renewable-generation measure outside the solar and wind sector),
    0.06 亿kWh per MW at 1.229 万tce per 亿kWh."""
    ds, md = stretch
    ren = md.sector_ids(role="renewable_power")
    solar_wind = ds["generation"].sel(sector=ren).sum(["sector", "district"]).values * 1.229
    wte = ds["adoption"].sel(measure="wte_expansion").sum("district").values
    assert wte[-1] > 100
    got = F.local_renewable_power(ds, md)
    assert got == pytest.approx(solar_wind + wte * 0.06 * 1.229, rel=1e-9)
