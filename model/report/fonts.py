"""Fonts for Chinese labels in matplotlib figures: Debian's fonts-noto-cjk (``make install``
installs it)."""

from __future__ import annotations

from pathlib import Path

from model.errors import PeakpathError

#: tried in order for every glyph (matplotlib >= 3.6 falls back per glyph along the list);
#: DejaVu Sans, matplotlib's own font, covers the symbols the CJK fonts lack
FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]


def use_cjk_fonts() -> None:
    """Make matplotlib draw text in Noto Sans CJK with DejaVu Sans as the fallback.

    Raises PeakpathError when no Noto Sans CJK font is installed, rather than drawing empty
    boxes where the Chinese should be."""
    import matplotlib as mpl
    from matplotlib import font_manager as fm

    cjk = set(FONT_FAMILIES[:2])
    if not cjk & {f.name for f in fm.fontManager.ttflist}:
        # matplotlib caches its font list: fonts installed after the cache was written are
        # only found by adding their files
        for path in fm.findSystemFonts():
            if Path(path).name.startswith("NotoSansCJK"):
                fm.fontManager.addfont(path)
    if not cjk & {f.name for f in fm.fontManager.ttflist}:
        raise PeakpathError("figures need the Noto Sans CJK fonts for their Chinese labels: "
                            "install Debian's fonts-noto-cjk (`make install` does)")
    mpl.rcParams["font.family"] = FONT_FAMILIES
    mpl.rcParams["svg.fonttype"] = "path"  # SVG text as outlines: the file needs no fonts
