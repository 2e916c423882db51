"""The wish lifecycle: one transition table and the one function that moves a wish."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Update, bindparam, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import Wish, WishEvent
from models.enums import WishStatus as S
from models.types import utcnow
from services.actors import Actor
from services.db import run_core
from services.errors import Conflict, InvalidTransition, NotAllowed
from services.outbox import Note, queue
from services.recipients import notes_for


class Party(StrEnum):
    """How an actor stands to a wish; the table grants moves to parties."""

    staff = "staff"  # staff of the wish's branch, or an admin
    owner = "owner"  # the resident who posted it
    offeree = "offeree"  # the member the open offer was made to
    branch_member = "branch_member"  # any approved member of the branch
    assignee = "assignee"  # the member who took it
    system = "system"  # the scheduler, and what follows a change of a person's status or data


_STAFF, _OWNER, _ASSIGNEE = Party.staff, Party.owner, Party.assignee

TRANSITIONS: dict[tuple[S, S], frozenset[Party]] = {
    (S.submitted, S.accepted): frozenset({_STAFF}),
    (S.submitted, S.rejected): frozenset({_STAFF}),
    (S.submitted, S.cancelled): frozenset({_OWNER, _STAFF}),
    (S.accepted, S.offered): frozenset({_STAFF, Party.system}),
    (S.accepted, S.posted): frozenset({_STAFF}),
    (S.accepted, S.rejected): frozenset({_STAFF}),
    (S.accepted, S.cancelled): frozenset({_OWNER, _STAFF}),
    (S.offered, S.assigned): frozenset({Party.offeree}),
    (S.offered, S.accepted): frozenset({Party.offeree, Party.system}),
    (S.offered, S.cancelled): frozenset({_OWNER, _STAFF}),
    (S.posted, S.assigned): frozenset({Party.branch_member}),
    (S.posted, S.accepted): frozenset({_STAFF}),
    (S.posted, S.cancelled): frozenset({_OWNER, _STAFF}),
    (S.assigned, S.in_progress): frozenset({_ASSIGNEE}),
    (S.assigned, S.completed): frozenset({_ASSIGNEE}),
    # The system takes a task back when its member loses access (suspended, unreachable, forgotten).
    (S.assigned, S.accepted): frozenset({_ASSIGNEE, _STAFF, Party.system}),
    # ... and ends a forgotten resident's wish, whatever stage it is at.
    (S.assigned, S.cancelled): frozenset({Party.system}),
    (S.in_progress, S.completed): frozenset({_ASSIGNEE}),
    (S.in_progress, S.accepted): frozenset({_ASSIGNEE, _STAFF, Party.system}),
    (S.in_progress, S.cancelled): frozenset({Party.system}),
    (S.completed, S.confirmed): frozenset({_OWNER}),
    (S.completed, S.disputed): frozenset({_OWNER}),
    (S.completed, S.closed): frozenset({Party.system}),
    (S.disputed, S.assigned): frozenset({_STAFF}),
    (S.disputed, S.accepted): frozenset({_STAFF}),
    (S.disputed, S.closed): frozenset({_STAFF, Party.system}),
}

TERMINAL = frozenset({S.rejected, S.cancelled, S.confirmed, S.closed})

# Statements built once: building and caching a statement per call costs several times
# what SQLite takes to run it. The UPDATE differs by the columns it sets, hence one per set.
_WISH = Wish.__table__
_AUDIT = insert(WishEvent.__table__)
_MOVES: dict[tuple[str, ...], Update] = {}


def _move_statement(columns: tuple[str, ...]) -> Update:
    stmt = _MOVES.get(columns)
    if stmt is None:
        stmt = _MOVES[columns] = (
            update(_WISH)
            .where(_WISH.c.id == bindparam("wish_id"), _WISH.c.status == bindparam("expected"))
            .values({c: bindparam(f"set_{c}", type_=_WISH.c[c].type) for c in columns})
        )
    return stmt


def allowed(frm: S, to: S) -> bool:
    """Whether the table has this move at all."""
    return (frm, to) in TRANSITIONS


def require_status(wish: Wish, *statuses: S) -> None:
    """Refuse unless the wish is in one of `statuses`.

    Several use cases share a target (accept, withdraw, release and resolve all end in
    `accepted`); each must start from its own statuses, or it would make another one's move
    without that one's side effects (closing the wall posting, clearing the assignee, triage).
    """
    if S(wish.status) not in statuses:
        raise InvalidTransition("error.not_now", status=S(wish.status).value)


def parties_of(actor: Actor | None, wish: Wish, *, offeree_id: int | None = None) -> set[Party]:
    """Every way the actor stands to the wish; None is the scheduler."""
    if actor is None:
        return {Party.system}
    found = set()
    if actor.is_staff_of(wish.branch_id):
        found.add(Party.staff)
    if actor.user_id == wish.resident_id:
        found.add(Party.owner)
    if offeree_id is not None and actor.user_id == offeree_id:
        found.add(Party.offeree)
    if actor.is_member_of(wish.branch_id) and actor.user_id != wish.resident_id:
        found.add(Party.branch_member)
    if wish.assigned_member_id is not None and actor.user_id == wish.assigned_member_id:
        found.add(Party.assignee)
    return found


def move(
    s: Session,
    wish: Wish,
    to: S,
    *,
    actor: Actor | None,
    offeree_id: int | None = None,
    note: str | None = None,
    values: dict | None = None,
    extra_notes: tuple[Note, ...] = (),
    notify: bool = True,
    now: datetime | None = None,
) -> Wish:
    """Move a wish: check the table and the actor, update, audit, notify.

    The UPDATE names the status it expects, so if another transaction moved
    the wish first, no row changes and the caller gets Conflict. `notify`
    False leaves out the usual notifications (auto-dispatch says its own).
    """
    now = now or utcnow()
    frm = S(wish.status)
    if not allowed(frm, to):
        raise InvalidTransition("error.not_now", status=frm.value)
    may = TRANSITIONS[(frm, to)]
    parties = parties_of(actor, wish, offeree_id=offeree_id)
    if not may & parties:
        raise NotAllowed()
    member = offeree_id or wish.assigned_member_id
    changes = {"status": to, **(values or {})}
    params = {f"set_{c}": v for c, v in changes.items()}
    params.update(wish_id=wish.id, expected=frm)
    result = run_core(s, _move_statement(tuple(changes)), params)
    if result.rowcount != 1:
        raise Conflict("error.changed")
    for attr, value in changes.items():
        set_committed_value(wish, attr, value)
    actor_id = actor.user_id if actor else None
    audit = {"wish_id": wish.id, "actor_id": actor_id, "from_status": frm, "to_status": to, "note": note}
    run_core(s, _AUDIT, {**audit, "at": now})
    notes = notes_for(s, wish, frm, to, actor_id=actor_id, member=member, note=note) if notify else []
    # A resident's or member's move is budgeted against alert spam; staff's and the system's are not.
    caused_by = actor_id if actor is not None and not actor.is_staff_of(wish.branch_id) else None
    queue(s, [*notes, *extra_notes], skip=actor_id, now=now, caused_by=caused_by)
    return wish


def move_many(
    s: Session,
    wishes: list[Wish],
    to: S,
    *,
    members: dict[int, int] | None = None,
    note: str | None = None,
    values: dict | None = None,
    extra_notes: dict[int, tuple[Note, ...]] | None = None,
    now: datetime,
) -> list[Wish]:
    """The scheduler's `move` for many wishes in one status: one UPDATE, one audit INSERT, one queue.

    `wishes` are Wish objects, updated in place, or rows with the columns of
    `NOTE_COLUMNS` and `status` (cheaper to load by the thousand). Returns the
    wishes moved; one that another transaction moved first is left out.
    `members` gives, per wish id, the member the move concerns (see `move`).
    """
    if not wishes:
        return []
    frm = S(wishes[0].status)
    if any(S(w.status) != frm for w in wishes):
        raise ValueError("move_many moves wishes of one status")
    if Party.system not in TRANSITIONS.get((frm, to), frozenset()):
        raise NotAllowed()
    changes = {"status": to, **(values or {})}
    result = s.execute(
        update(_WISH)
        .where(_WISH.c.id.in_([w.id for w in wishes]), _WISH.c.status == frm)
        .values(changes)
        .returning(_WISH.c.id)
    )
    done = set(result.scalars())
    moved = [w for w in wishes if w.id in done]
    if not moved:
        return []
    for wish in moved:
        if isinstance(wish, Wish):
            for attr, value in changes.items():
                set_committed_value(wish, attr, value)
    audit = [
        {"wish_id": w.id, "actor_id": None, "from_status": frm, "to_status": to, "note": note, "at": now}
        for w in moved
    ]
    s.execute(_AUDIT, audit)
    members, extra_notes = members or {}, extra_notes or {}
    notes: list[Note] = []
    for wish in moved:
        member = members.get(wish.id) or wish.assigned_member_id
        notes += notes_for(s, wish, frm, to, actor_id=None, member=member, note=note)
        notes += extra_notes.get(wish.id, ())
    queue(s, notes, now=now)
    return moved
