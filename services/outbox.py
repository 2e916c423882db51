"""Queue notifications in the caller's transaction (the transactional outbox)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Outbox, Staff, User
from models.types import utcnow

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


async def staff_of(s: AsyncSession, branch_id: int) -> list[int]:
    """User ids of the branch's staff."""
    return list((await s.scalars(_STAFF_OF, {"branch_id": branch_id})).all())


async def admins(s: AsyncSession) -> list[int]:
    """User ids of every admin."""
    return list((await s.scalars(select(User.id).where(User.is_admin))).all())


async def queue(
    s: AsyncSession, notes: Iterable[Note], *, skip: int | None = None, now: datetime | None = None
) -> int:
    """Write the notes to the outbox, leaving out `skip` (the actor, who sees the result)."""
    now = now or utcnow()
    rows, seen = [], set()
    for note in notes:
        if note.user_id == skip or (note.user_id, note.key) in seen:
            continue
        seen.add((note.user_id, note.key))
        rows.append(
            {
                "user_id": note.user_id,
                "key": note.key,
                "params": note.params,
                "wish_id": note.wish_id,
                "not_before": now,
                "created_at": now,
            }
        )
    if rows:
        await s.execute(_INSERT, rows)
    return len(rows)
