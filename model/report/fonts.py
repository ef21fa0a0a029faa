"""Fonts for Chinese labels in matplotlib figures, shared by every module that draws.

Chinese glyphs come from Debian's ``fonts-noto-cjk`` (``make install`` installs it). Matplotlib
falls back glyph by glyph along ``font.sans-serif``, so Latin text and symbols missing from the
CJK fonts still come from DejaVu Sans, which matplotlib ships.
"""

from __future__ import annotations

from pathlib import Path

from peakpath.errors import PeakpathError

#: tried in order for every glyph: simplified Chinese first, Japanese (same Han glyphs) next
FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
CJK_FONTS = tuple(FONT_FAMILIES[:2])
FALLBACK = tuple(FONT_FAMILIES)
INSTALL_HINT = ("figures need the Noto Sans CJK fonts for their Chinese labels: install "
                "Debian's fonts-noto-cjk (`make install` does)")


def use_cjk_fonts() -> str:
    """Make matplotlib draw text along `FALLBACK` and return the CJK family found.

    Raises PeakpathError when no Noto Sans CJK font is installed, rather than drawing empty
    boxes where the Chinese should be."""
    import matplotlib as mpl
    from matplotlib import font_manager as fm

    def found() -> str | None:
        names = {f.name for f in fm.fontManager.ttflist}
        return next((f for f in CJK_FONTS if f in names), None)

    if found() is None:
        # matplotlib caches its font list: fonts installed after the cache was written are
        # only found by adding their files
        for path in fm.findSystemFonts():
            if Path(path).name.startswith("NotoSansCJK"):
                fm.fontManager.addfont(path)
    family = found()
    if family is None:
        raise PeakpathError(INSTALL_HINT)
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = list(FALLBACK)
    mpl.rcParams["axes.unicode_minus"] = True
    mpl.rcParams["svg.fonttype"] = "path"  # SVG text as outlines: the file needs no fonts
    return family
