"""Queue notifications in the caller's transaction (the transactional outbox).

Two guards against a resident or member who makes the bot alert staff over and over (issue 10):
- An alert made pointless before it went out is withdrawn (`Note.withdraws`): a resident who
  cancels an untriaged wish whose `staff.new_wish` has not been sent yet takes that alert back,
  and staff hear of neither.
- A budget (services/alert_budget.py): one person's actions reach each staff member or admin
  with at most `BUDGET.per_hour` alerts an hour. Nothing real is lost: the wishes are in
  /queue and the scheduler's reminders still come.
"""

from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from models import Outbox, OutboxStatus, Staff, User
from models.types import utcnow
from services.alert_budget import BUDGET, within_budget
from services.db import Database, run_core

QUIET_PREFIXES = ("resident.", "member.")
# Outbox.last_error of a row the sender gave up on because its person cannot be reached.
BLOCKED, UNREACHABLE, NO_TELEGRAM_ID = "403 blocked", "unreachable", "no telegram id"
UNREACHABLE_ERRORS = (BLOCKED, UNREACHABLE, NO_TELEGRAM_ID)
STAFF_CACHE = "sandan_staff_of"  # key in Session.info
_QUEUED = "sandan_outbox_queued"  # key in Session.info: this transaction queued rows


# Built once, on the tables; see services.lifecycle for why.
_INSERT = insert(Outbox.__table__)
_STAFF = Staff.__table__
_STAFF_OF = select(_STAFF.c.user_id).where(_STAFF.c.branch_id == bindparam("branch_id"))
_OUTBOX = Outbox.__table__
_UNSENT = (  # attempts = 0: no sender has leased it, so Telegram cannot have it yet
    delete(_OUTBOX)
    .where(
        _OUTBOX.c.key == bindparam("key"),
        _OUTBOX.c.wish_id == bindparam("wish_id"),
        _OUTBOX.c.user_id.in_(bindparam("user_ids", expanding=True)),
        _OUTBOX.c.status == OutboxStatus.pending,
        _OUTBOX.c.attempts == 0,
    )
    .returning(_OUTBOX.c.user_id)
)


@dataclass(frozen=True)
class Note:
    """One notification to one user: a message key and its parameters."""

    user_id: int
    key: str
    params: dict = field(default_factory=dict)
    wish_id: int | None = None
    _: KW_ONLY  # what follows is named at every call: a bare True said nothing
    quiet: bool | None = None  # held in quiet hours; by default, what goes to residents and members
    # The key of an earlier note to the same person about the same wish that this one makes
    # pointless: if that one has not gone out yet, it is deleted and this one is not queued.
    withdraws: str | None = None

    @property
    def held_at_night(self) -> bool:
        return self.quiet if self.quiet is not None else self.key.startswith(QUIET_PREFIXES)


def staff_of(s: Session, branch_id: int) -> list[int]:
    """User ids of the branch's staff, read once per transaction (services.branches.add_staff forgets it)."""
    known = s.info.setdefault(STAFF_CACHE, {})
    if branch_id not in known:
        known[branch_id] = list((s.scalars(_STAFF_OF, {"branch_id": branch_id})).all())
    return list(known[branch_id])


def load_staff(s: Session, branch_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """Staff of many branches (all, if None) in one query; `staff_of` then reads them from memory."""
    query = select(Staff.branch_id, Staff.user_id).order_by(Staff.id)
    wanted = None if branch_ids is None else set(branch_ids)
    if wanted is not None:
        query = query.where(Staff.branch_id.in_(wanted))
    found: dict[int, list[int]] = {b: [] for b in wanted or ()}
    for branch_id, user_id in s.execute(query):
        found.setdefault(branch_id, []).append(user_id)
    s.info.setdefault(STAFF_CACHE, {}).update(found)
    return found


def admins(s: Session) -> list[int]:
    """User ids of every admin."""
    return list((s.scalars(select(User.id).where(User.is_admin))).all())


def queue(
    s: Session,
    notes: Iterable[Note],
    *,
    skip: int | None = None,
    now: datetime | None = None,
    caused_by: int | None = None,
) -> int:
    """Write the notes to the outbox, leaving out `skip` (the actor, who sees the result).

    `caused_by` is the resident or member whose action queued them (None for staff and the
    scheduler); it is stored on each row, and their alerts to staff are budgeted.
    """
    now = now or utcnow()
    rows, seen, withdrawing = [], set(), {}
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
        if note.withdraws and note.wish_id is not None:
            withdrawing.setdefault((note.withdraws, note.wish_id), []).append(rows[-1])
    if withdrawing:
        rows = _withdraw_pointless(s, rows, withdrawing)
    if caused_by is not None and BUDGET.per_hour is not None:
        rows = within_budget(s, rows, caused_by=caused_by, now=now, per_hour=BUDGET.per_hour)
    if rows:
        run_core(s, _INSERT, rows)
        mark_queued(s)
    return len(rows)


def mark_queued(s: Session) -> None:
    """Note that this transaction queued outbox rows (see `when_queued`)."""
    s.info[_QUEUED] = True


def when_queued(db: Database, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` after each write that queued outbox rows commits; returns its undo.

    The sender looks for due rows when told to rather than after every update: most
    updates queue nothing, and the look is a query.
    """

    def check(session: Session) -> None:
        if session.info.pop(_QUEUED, False):
            callback()

    return db.after_commit(check)


def _withdraw_pointless(
    s: Session, rows: list[dict], withdrawing: dict[tuple[str, int], list[dict]]
) -> list[dict]:
    """Delete the unsent notes these rows withdraw, and leave out the rows that withdrew one."""
    gone = []
    for (key, wish_id), mine in withdrawing.items():
        params = {"key": key, "wish_id": wish_id, "user_ids": [r["user_id"] for r in mine]}
        deleted = set((s.execute(_UNSENT, params)).scalars())
        gone += [id(r) for r in mine if r["user_id"] in deleted]
    return [r for r in rows if id(r) not in gone] if gone else rows
