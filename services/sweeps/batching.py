"""One message per person for reminders that pile up: staff get a list, not one ping per wish."""

from services.note_keys import NoteKey
from services.outbox import Note

# Keys whose notes to one person in one sweep are combined into one `<key>_many` note.
BATCHED = frozenset(
    {
        NoteKey.staff_remind_triage,
        NoteKey.staff_remind_wall,
        NoteKey.staff_escalate_task,
        NoteKey.admin_escalate_triage,
    }
)
ITEM_FIELDS = ("number", "category", "hours", "days", "branch", "candidates")
# Items a combined note lists; the rest are counted ("more"), and the staff see them in /queue.
MAX_ITEMS = 30


def combine(notes: list[Note]) -> list[Note]:
    """The notes, with each person's batched notes of one key merged when there are several."""
    groups: dict[tuple[int, str], list[Note]] = {}
    out: list[Note] = []
    for note in notes:
        if note.key in BATCHED:
            groups.setdefault((note.user_id, note.key), []).append(note)
        else:
            out.append(note)
    for (user_id, key), same in groups.items():
        if len(same) == 1:
            out += same
            continue
        items = [{f: n.params[f] for f in ITEM_FIELDS if f in n.params} for n in same[:MAX_ITEMS]]
        params = {"items": items, "n": len(same), "more": len(same) - len(items)}
        out.append(Note(user_id, f"{key}_many", params, None, quiet=same[0].quiet))
    return out
