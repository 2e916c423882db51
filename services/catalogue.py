"""The editable catalogue of wish categories, skill tags and rejection reasons."""

import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") else self.zh


@dataclass(frozen=True)
class Category:
    code: str
    label: Label
    skills: frozenset[str]


@dataclass(frozen=True)
class RejectionReason:
    code: str
    label: Label
    referral: Label | None


@dataclass(frozen=True)
class Catalogue:
    skills: dict[str, Label]
    categories: dict[str, Category]
    rejections: dict[str, RejectionReason]


class CatalogueError(ValueError):
    """The catalogue file is malformed."""


def load_catalogue(path: Path) -> Catalogue:
    """Parse and validate a catalogue TOML file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        skills = {code: Label(v["zh"], v["en"]) for code, v in raw["skills"].items()}
        categories = {
            c["code"]: Category(c["code"], Label(c["zh"], c["en"]), frozenset(c.get("skills", [])))
            for c in raw["category"]
        }
        rejections = {
            r["code"]: RejectionReason(
                r["code"],
                Label(r["zh"], r["en"]),
                Label(r["referral_zh"], r["referral_en"]) if "referral_zh" in r else None,
            )
            for r in raw["rejection"]
        }
    except (KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    for category in categories.values():
        unknown = category.skills - skills.keys()
        if unknown:
            raise CatalogueError(f"{path}: category {category.code} names unknown skills {unknown}")
    return Catalogue(skills, categories, rejections)
