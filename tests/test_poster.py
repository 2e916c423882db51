"""The lobby poster: a real PNG whose Chinese text the pinned font can draw."""

from io import BytesIO

from PIL import Image

from bot.fonts import missing_glyphs
from bot.i18n import t
from bot.poster import deep_link, render_poster


def test_the_poster_is_an_a5_png_with_the_deep_link():
    link = deep_link("@sandan_bot", "A")
    assert link == "https://t.me/sandan_bot?start=b_A"
    png = render_poster(branch_name="幸福社区", link=link)
    image = Image.open(BytesIO(png))
    assert image.format == "PNG" and image.size == (1240, 1754)
    lo, hi = image.convert("L").getextrema()
    assert (lo, hi) == (0, 255)  # black QR modules on a white page, not a blank page


def test_the_pinned_font_draws_every_character_of_the_poster():
    texts = [
        t(lang, key)
        for lang in ("zh", "en")
        for key in ("poster.title", "poster.subtitle", "poster.step1", "poster.step2", "poster.step3")
    ]
    assert missing_glyphs("".join(texts) + "幸福社区") == set()


def test_the_glyph_check_notices_a_character_the_font_lacks():
    assert missing_glyphs("📝") == {"📝"}
