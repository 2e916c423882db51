"""A printable QR-code poster that opens the bot with the branch pre-selected."""

from io import BytesIO

import qrcode
from PIL import Image, ImageDraw

from bot.fonts import cjk_font
from bot.i18n import t

WIDTH, HEIGHT = 1240, 1754  # A5 at 150 dpi
RED, DARK = (190, 22, 34), (40, 40, 40)


def deep_link(bot_username: str, branch_code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start=b_{branch_code}"


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill) -> int:
    font = cjk_font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) // 2, y), text, font=font, fill=fill)
    return y + (bottom - top) + size // 2


def render_poster(*, branch_name: str, link: str, language: str = "zh") -> bytes:
    """PNG bytes: the branch name, what the service is, the QR code and three steps."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 260), fill=RED)
    _centered(draw, 60, branch_name, 80, "white")
    y = _centered(draw, 320, t(language, "poster.title"), 72, RED)
    y = _centered(draw, y, t(language, "poster.subtitle"), 44, DARK)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=20, border=2)
    code.add_data(link)
    qr = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB").resize((720, 720))
    image.paste(qr, ((WIDTH - 720) // 2, y + 20))
    y += 780
    for step in ("poster.step1", "poster.step2", "poster.step3"):
        y = _centered(draw, y, t(language, step), 42, DARK)
    _centered(draw, HEIGHT - 90, link, 28, (120, 120, 120))
    out = BytesIO()
    image.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()
