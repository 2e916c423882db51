"""The CJK font the project pins (Noto Sans CJK SC, from the noto-cjk-sans-otc package).

Pinning the font in uv.lock, rather than using whatever the machine has,
makes posters and charts look the same everywhere.
"""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from noto_cjk_sans_otc import FONT_PATH

if TYPE_CHECKING:  # PIL only draws posters; the bot imports this module for the chart's font path
    from PIL import ImageFont

CJK_FONT = Path(str(FONT_PATH))
SC_INDEX = 2  # the collection holds JP, KR, SC, TC, HK; SC is Simplified Chinese
CJK_FAMILY = "Noto Sans CJK SC"  # the family name of that face, for matplotlib


@cache
def _codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTCollection

    with TTCollection(str(CJK_FONT), lazy=True) as collection:
        return frozenset(collection.fonts[SC_INDEX].getBestCmap())


def missing_glyphs(text: str) -> set[str]:
    """Characters of `text` the font cannot draw (they would show as boxes)."""
    return {ch for ch in text if not ch.isspace() and ord(ch) not in _codepoints()}


@cache
def cjk_font(size: int) -> "ImageFont.FreeTypeFont":
    from PIL import ImageFont  # posters only: not loaded by `sandan run`

    font = ImageFont.truetype(str(CJK_FONT), size, index=SC_INDEX)
    assert "SC" in font.getname()[0], font.getname()
    return font
