"""Turns domain results into user-facing text in the user's language."""

from collections import defaultdict

import phonenumbers

from bot.i18n import t
from services.catalogue import Catalogue
from services.matching import Candidate


def status_label(language: str, status: str) -> str:
    return t(language, f"status.{status}")


def category_label(language: str, catalogue: Catalogue, code: str) -> str:
    category = catalogue.categories.get(code)
    return category.label.get(language) if category else code


def time_label(language: str, window: str, date: str | None = None) -> str:
    return t(language, f"time.{window}", date=date or "")


def display_phone(e164: str) -> str:
    """+8613812341234 -> 138 1234 1234, as people write it."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def render_note(language: str, catalogue: Catalogue, key: str, params: dict) -> str:
    """The text of one outbox notification for its recipient.

    A combined reminder (`<key>_many`, services.sweeps.batching) lists its items, one
    `note.<key>_item` line each.
    """
    values = _values(language, catalogue, params)
    if "items" in params:
        line = t(language, f"note.{key.removesuffix('_many')}_item")
        values["lines"] = "\n".join(line.format_map(_values(language, catalogue, i)) for i in params["items"])
    return t(language, f"note.{key}").format_map(values)


def _values(language: str, catalogue: Catalogue, params: dict) -> defaultdict:
    """The parameters of a note as its text shows them: labels in the language, lists joined."""
    values = defaultdict(str, params)
    if "category" in params:
        values["category"] = category_label(language, catalogue, params["category"])
    if "time" in params:
        values["time"] = time_label(language, params["time"], params.get("date"))
    if params.get("role"):
        values["who"] = t(language, f"role.{params['role']}")
    if params.get("note"):
        values["note_line"] = t(language, "note.line", note=params["note"])
    if "candidates" in params:
        names = params["candidates"]
        values["candidates"] = (
            t(language, "list.sep").join(names) if names else t(language, "note.no_candidates")
        )
    if params.get("rating") == "":
        values["rating"] = "—"
    reason = catalogue.rejections.get(params.get("reason") or "")
    if reason:
        values["reason"] = reason.label.get(language)
        if reason.referral:
            values["referral"] = t(language, "note.referral", referral=reason.referral.get(language))
    return values


def render_reason(language: str, c: Candidate) -> str:
    """One line saying why a member ranks where they do."""
    parts = [
        t(language, "rank.skill_fit" if c.skill_fit else "rank.no_skill"),
        t(language, "rank.same_grid" if c.same_grid else "rank.same_branch"),
        t(language, "rank.available" if c.available else "rank.unavailable"),
        t(language, "rank.load", n=c.load),
        t(language, "rank.rating", r=f"{c.rating:.1f}")
        if c.rating is not None
        else t(language, "rank.unrated"),
        t(language, "rank.recent", n=c.recent),
    ]
    return " · ".join(parts)


def render_error(language: str, key: str, params: dict) -> str:
    """A refusal from the services, politely, in the user's language."""
    values = dict(params)
    if "status" in values:
        values["status"] = status_label(language, values["status"])
    return t(language, key).format_map(defaultdict(str, values))
