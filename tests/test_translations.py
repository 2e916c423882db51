"""Every user-visible string exists in Chinese and in English."""

import ast
import re
import string
from pathlib import Path

from bot.flows import resident_register, staff_wish
from bot.i18n import catalogue as po_catalogue
from bot.ptb.commands import MEMBER, RESIDENT, STAFF
from models import Availability, MemberStatus, Priority, TimeWindow, WishStatus
from services.lifecycle import Party
from services.note_keys import NoteKey

ROOT = Path(__file__).resolve().parent.parent
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
NOTE_AUDIENCES = {"resident", "member", "staff"}


def _ids(language: str) -> dict[str, str]:
    return {m.id: m.string for m in po_catalogue(language) if m.id}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _literals(folder: str):
    """String constants that look like message keys (f-string pieces are checked as families)."""
    for path in (ROOT / folder).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        pieces = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
        for node in ast.walk(tree):
            is_key = isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value)
            if is_key and id(node) not in pieces:
                yield path.relative_to(ROOT), node.value


ZH, EN = _ids("zh"), _ids("en")
PREFIXES = {key.split(".", 1)[0] for key in ZH} - NOTE_AUDIENCES - {"note"}


def test_chinese_and_english_have_the_same_messages_all_translated():
    assert ZH.keys() == EN.keys()
    assert [k for k, v in ZH.items() if not v.strip()] == []
    assert [k for k, v in EN.items() if not v.strip()] == []


def test_both_languages_take_the_same_parameters():
    assert [k for k in ZH if _placeholders(ZH[k]) != _placeholders(EN.get(k, ""))] == []


def test_every_message_key_written_in_the_code_has_a_translation():
    used = set()
    for folder in ("bot", "sandan", "services"):
        for path, value in _literals(folder):
            head = value.split(".", 1)[0]
            if head in PREFIXES or head == "note":
                used.add((path, value))
            elif head in NOTE_AUDIENCES and folder == "services":
                used.add((path, f"note.{value}"))  # notifications are rendered as note.<key>
    assert used, "the scan found no keys at all"
    assert sorted((str(p), k) for p, k in used if k not in ZH) == []


def test_every_notification_key_has_a_translation():
    """The keys are named in services/note_keys.py; each is rendered as note.<key>."""
    assert [k.value for k in NoteKey if f"note.{k}" not in ZH] == []


def test_every_key_built_from_a_value_has_a_translation():
    families = (
        [f"status.{s}" for s in WishStatus]
        + [f"time.{w}" for w in TimeWindow]
        + [f"priority.{p}" for p in Priority]
        + [f"availability.{a}" for a in Availability]
        + [f"role.{r}" for r in ("resident", "member", "staff")]
        + [f"cmd.{c}" for c in {*RESIDENT, *MEMBER, *STAFF}]
        + [f"weekday.{d}" for d in range(7)]
        + [f"me.status.{s}" for s in MemberStatus if s != MemberStatus.rejected]
        + [f"reg.ask_{step}" for step in resident_register.TEXT_LIMITS]
        + [f"staffwish.{kind}_{action}" for kind in ("ask", "done") for action in staff_wish.ACTIONS]
    )
    assert [k for k in families if k not in ZH] == []
    assert Party  # the lifecycle's parties are code words, never shown


def test_validation_failures_have_a_message_for_every_field():
    fields = set()
    for folder in ("services", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            fields |= set(re.findall(r'field="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert fields
    assert sorted(f"invalid.{f}" for f in fields if f"invalid.{f}" not in ZH) == []
