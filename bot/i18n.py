"""Gettext catalogues (Babel) for Chinese and English, keyed by message id."""

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("zh", "en")
DEFAULT = "zh"


def pick_language(code: str | None) -> str:
    """Map a Telegram language_code to a supported language; Chinese by default."""
    return "en" if (code or "").lower().startswith("en") else DEFAULT


@cache
def catalogue(language: str):
    """The parsed .po catalogue of one language."""
    with open(LOCALES / language / "LC_MESSAGES" / "messages.po", "rb") as fp:
        return read_po(fp, locale=language if language != "zh" else "zh_Hans_CN")


@cache
def translations(language: str) -> Translations:
    """Compiled in memory from the .po file, so no build step is needed."""
    buf = BytesIO()
    write_mo(buf, catalogue(language))
    buf.seek(0)
    return Translations(buf, domain="messages")


def t(language: str, key: str, /, **params: object) -> str:
    """The text for `key` in `language`, with `{named}` parameters filled in."""
    text = translations(language if language in LANGUAGES else DEFAULT).gettext(key)
    return text.format(**params) if params else text
