"""The "member registered" alert to staff, coalesced so that re-registering cannot spam them.

While a registration waits (one pending period, from `MemberProfile.registered_at`), the staff
of each branch hear of it once. Moving to another branch withdraws the unsent alerts to the
old one; moving back revives a withdrawn alert instead of queueing another.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Outbox, OutboxStatus
from services.note_keys import NoteKey
from services.outbox import Note, queue, staff_of

REGISTERED = NoteKey.staff_member_registered
WITHDRAWN = "withdrawn"  # Outbox.last_error of an alert taken back before it was sent


def alert_registration(
    s: Session, *, member_id: int, name: str, branch_id: int, since: datetime, now: datetime
) -> int:
    """Tell the branch's staff of a pending registration unless they know already; how many were queued."""
    staff = staff_of(s, branch_id)
    ours = (Outbox.caused_by == member_id, Outbox.key == REGISTERED)
    s.execute(
        update(Outbox)
        .where(*ours, Outbox.status == OutboxStatus.pending, Outbox.user_id.notin_(staff))
        .values(status=OutboxStatus.failed, last_error=WITHDRAWN)
    )
    earlier = (
        s.execute(
            select(Outbox.id, Outbox.user_id, Outbox.status, Outbox.last_error).where(
                *ours, Outbox.user_id.in_(staff), Outbox.created_at >= since
            )
        )
    ).all()
    told = {row.user_id for row in earlier if row.status != OutboxStatus.failed}
    revive = {r.user_id: r.id for r in earlier if r.last_error == WITHDRAWN and r.user_id not in told}
    params = {"name": name, "member_id": member_id}
    if revive:
        s.execute(
            update(Outbox)
            .where(Outbox.id.in_(revive.values()))
            .values(status=OutboxStatus.pending, last_error=None, not_before=now, attempts=0, params=params)
        )
    fresh = [Note(uid, REGISTERED, params) for uid in staff if uid not in told and uid not in revive]
    return len(revive) + queue(s, fresh, skip=member_id, now=now, caused_by=member_id)
