"""Queue notifications in the caller's transaction (the transactional outbox)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Outbox, Staff, User
from models.types import utcnow

QUIET_PREFIXES = ("resident.", "member.")
# Outbox.last_error of a row the sender gave up on because its person cannot be reached.
BLOCKED, UNREACHABLE, NO_TELEGRAM_ID = "403 blocked", "unreachable", "no telegram id"
UNREACHABLE_ERRORS = (BLOCKED, UNREACHABLE, NO_TELEGRAM_ID)
STAFF_CACHE = "sandan_staff_of"  # key in Session.info

# Built once, on the tables; see services.lifecycle for why.
_INSERT = insert(Outbox.__table__)
_STAFF = Staff.__table__
_STAFF_OF = select(_STAFF.c.user_id).where(_STAFF.c.branch_id == bindparam("branch_id"))


@dataclass(frozen=True)
class Note:
    """One notification to one user: a message key and its parameters."""

    user_id: int
    key: str
    params: dict = field(default_factory=dict)
    wish_id: int | None = None
    quiet: bool | None = None  # held in quiet hours; by default, what goes to residents and members

    @property
    def held_at_night(self) -> bool:
        return self.quiet if self.quiet is not None else self.key.startswith(QUIET_PREFIXES)


async def staff_of(s: AsyncSession, branch_id: int) -> list[int]:
    """User ids of the branch's staff, read once per transaction (services.branches.add_staff forgets it)."""
    known = s.info.setdefault(STAFF_CACHE, {})
    if branch_id not in known:
        known[branch_id] = list((await s.scalars(_STAFF_OF, {"branch_id": branch_id})).all())
    return list(known[branch_id])


async def load_staff(s: AsyncSession, branch_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """Staff of many branches (all, if None) in one query; `staff_of` then reads them from memory."""
    query = select(Staff.branch_id, Staff.user_id).order_by(Staff.id)
    wanted = None if branch_ids is None else set(branch_ids)
    if wanted is not None:
        query = query.where(Staff.branch_id.in_(wanted))
    found: dict[int, list[int]] = {b: [] for b in wanted or ()}
    for branch_id, user_id in await s.execute(query):
        found.setdefault(branch_id, []).append(user_id)
    s.info.setdefault(STAFF_CACHE, {}).update(found)
    return found


async def admins(s: AsyncSession) -> list[int]:
    """User ids of every admin."""
    return list((await s.scalars(select(User.id).where(User.is_admin))).all())


async def queue(
    s: AsyncSession,
    notes: Iterable[Note],
    *,
    skip: int | None = None,
    now: datetime | None = None,
    caused_by: int | None = None,
) -> int:
    """Write the notes to the outbox, leaving out `skip` (the actor, who sees the result).

    `caused_by` is the resident or member whose action queued them (None for staff and the
    scheduler); it is stored on each row.
    """
    now = now or utcnow()
    rows, seen = [], set()
    for note in notes:
        if note.user_id == skip or (note.user_id, note.key, note.wish_id) in seen:
            continue
        seen.add((note.user_id, note.key, note.wish_id))
        rows.append(
            {
                "user_id": note.user_id,
                "key": note.key,
                "params": note.params,
                "wish_id": note.wish_id,
                "quiet": note.held_at_night,
                "not_before": now,
                "created_at": now,
                "caused_by": caused_by,
            }
        )
    if rows:
        await s.execute(_INSERT, rows)
    return len(rows)
