"""Fonts for figures with Chinese labels, shared by every module that draws.

Chinese glyphs come from Debian's ``fonts-noto-cjk`` (the Makefile installs it). Matplotlib
falls back glyph by glyph along ``font.sans-serif``, so Latin text and symbols missing from the
CJK fonts still come from DejaVu Sans, which matplotlib ships.
"""

from __future__ import annotations

from matplotlib import font_manager, rcParams

#: sans-serif fallback chain: simplified Chinese first, Japanese (same Han glyphs) next
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP")
FALLBACK = (*CJK_FONTS, "DejaVu Sans")
INSTALL_HINT = "Chinese labels need the Noto CJK fonts: apt-get install -y fonts-noto-cjk"


def use_cjk_fonts() -> str | None:
    """Make matplotlib draw Chinese labels: set the sans-serif fallback chain `FALLBACK`.

    Returns the first CJK family found on this machine, or None when there is none (then
    Chinese text would be drawn as empty boxes; callers say so with `INSTALL_HINT`)."""
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = list(FALLBACK)
    rcParams["axes.unicode_minus"] = True  # DejaVu Sans has U+2212 via the fallback chain
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in installed), None)
