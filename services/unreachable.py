"""What follows when Telegram says a person blocked the bot (403)."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import Outbox, OutboxStatus, User, Wish
from models.types import utcnow
from services.note_keys import NoteKey
from services.outbox import BLOCKED, Note, queue, staff_of
from services.revocation import UNREACHABLE, withdraw_direct_offers


def mark_unreachable(s: Session, *, outbox_id: int, user_id: int, wish_id: int | None) -> None:
    """Fail the row, remember the block, and tell the branch staff when a wish depends on this person.

    An offer to someone who blocked the bot could never be answered: it closes at once and the
    wish goes back to staff, ready to dispatch again, with one alert that says so.
    """
    s.execute(
        update(Outbox).where(Outbox.id == outbox_id).values(status=OutboxStatus.failed, last_error=BLOCKED)
    )
    s.execute(update(User).where(User.id == user_id).values(unreachable=True))
    returned = withdraw_direct_offers(
        s, member_id=user_id, why=UNREACHABLE, note=UNREACHABLE, now=utcnow()
    )
    wish = s.get(Wish, wish_id) if wish_id else None
    if wish is None or wish.number in returned:
        return
    staff = staff_of(s, wish.branch_id)
    if user_id not in staff:  # the resident, or a member assigned it
        role = "resident" if user_id == wish.resident_id else "member"
        params = {"number": wish.number, "role": role}
        queue(s, [Note(uid, NoteKey.staff_unreachable, params, wish.id) for uid in staff])
