"""Who must hear of each move of a wish, and with which message key."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models import Grid, Wish
from models.enums import WishStatus as S
from services.note_keys import NoteKey
from services.outbox import Note, staff_of
from services.scrubbing import scrub_contacts

NEW_WISH = NoteKey.staff_new_wish  # the alert services.wishes.submit_wish sends
_GRIDS = Grid.__table__
_GRID_NAME = select(_GRIDS.c.name).where(_GRIDS.c.id == bindparam("grid_id"))  # built once, on the table

# The columns of a wish that notes_for reads, for callers that load rows rather than objects.
NOTE_COLUMNS = (
    Wish.id,
    Wish.number,
    Wish.category,
    Wish.branch_id,
    Wish.grid_id,
    Wish.resident_id,
    Wish.assigned_member_id,
    Wish.text,
    Wish.time_window,
    Wish.preferred_date,
    Wish.rejection_reason,
    Wish.status,
)


def _offer_facts(s: Session, wish: Wish) -> dict:
    """What a member needs to decide on an offer, without the resident's contact.

    The text is scrubbed of contacts the resident typed into it (every offeree reads it, also
    those who decline); the member who takes the job sees the original then.
    """
    grid = s.scalar(_GRID_NAME, {"grid_id": wish.grid_id}) if wish.grid_id else None
    when = wish.preferred_date.isoformat() if wish.preferred_date else None
    return {
        "text": scrub_contacts(wish.text)[:300],
        "grid": grid or "",
        "time": wish.time_window,
        "date": when,
    }


def notes_for(
    s: Session,
    wish: Wish,
    frm: S,
    to: S,
    *,
    actor_id: int | None,
    member: int | None,
    note: str | None,
) -> list[Note]:
    """The notifications a move sends, before the actor is left out.

    `member` is the member the move concerns: the offeree, or the assignee
    as it was before the move.
    """
    params = {"number": wish.number, "category": wish.category}
    if note:
        params["note"] = note
    owner = wish.resident_id

    def to_(user_id: int | None, key: str, **extra) -> list[Note]:
        if user_id is None:
            return []
        told = {**params, **extra}
        if user_id != owner and told.get("note"):  # a member: the note may quote the resident's contact
            told["note"] = scrub_contacts(told["note"])
        return [Note(user_id, key, told, wish.id)]

    def to_staff(key: str, withdraws: str | None = None) -> list[Note]:
        staff = staff_of(s, wish.branch_id)
        return [Note(uid, key, params, wish.id, withdraws=withdraws) for uid in staff]

    match (frm, to):
        case (S.submitted, S.accepted):
            return to_(owner, NoteKey.resident_accepted)
        case (_, S.rejected):
            return to_(owner, NoteKey.resident_rejected, reason=wish.rejection_reason)
        case (_, S.offered):
            return to_(member, NoteKey.member_offer, **_offer_facts(s, wish))
        case (S.offered, S.accepted):
            return to_staff(NoteKey.staff_offer_declined if actor_id else NoteKey.staff_offer_expired)
        case (S.assigned | S.in_progress, S.accepted):
            if actor_id == member:
                notes = to_staff(NoteKey.staff_dropped_out)
            else:
                notes = to_(member, NoteKey.member_task_withdrawn)
            return notes + to_(owner, NoteKey.resident_rearranging)
        case (S.disputed, S.accepted):
            return to_(owner, NoteKey.resident_rearranging) + to_(member, NoteKey.member_task_withdrawn)
        case (_, S.assigned):
            return to_(owner, NoteKey.resident_assigned) + (
                to_(member, NoteKey.member_redo) if frm == S.disputed else []
            )
        case (_, S.in_progress):
            return to_(owner, NoteKey.resident_started)
        case (_, S.completed):
            return to_(owner, NoteKey.resident_completed)
        case (_, S.confirmed):
            return to_(member, NoteKey.member_rated)
        case (_, S.disputed):
            return to_staff(NoteKey.staff_disputed) + to_(member, NoteKey.member_disputed)
        case (S.disputed, S.closed):
            return to_(owner, NoteKey.resident_closed) + to_(member, NoteKey.member_closed)
        case (_, S.cancelled):
            notes = to_(member, NoteKey.member_cancelled)
            if actor_id == owner:  # untriaged: staff who were not told of it yet need not hear of it
                untold = NEW_WISH if frm == S.submitted else None
                return notes + to_staff(NoteKey.staff_cancelled, withdraws=untold)
            return notes + to_(owner, NoteKey.resident_cancelled)
    return []
