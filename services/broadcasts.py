"""Announcements (通知) from staff to a branch's members, residents or both, through the outbox.

A broadcast is one `Broadcast` row and one outbox row per recipient, written together in one
INSERT … SELECT; the unique (broadcast_id, user_id) pair means a retried queueing cannot send
anyone a second copy. The sender delivers them like any other note, at Telegram's limits.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Select, case, exists, func, insert, literal, select, true, union, update
from sqlalchemy.orm import Session

from models import (
    Audience,
    Branch,
    Broadcast,
    MemberProfile,
    MemberStatus,
    Outbox,
    OutboxStatus,
    ResidentProfile,
    User,
)
from models.types import UTCDateTime, utcnow
from services.actors import load_actor, require_staff
from services.errors import InvalidInput, NotAllowed, NotFound
from services.note_keys import NoteKey
from services.outbox import UNREACHABLE_ERRORS, Note, mark_queued, queue
from services.scrubbing import scrub_contacts
from services.validation import clean_text

MAX_TEXT = 3500  # leaves room for the heading within Telegram's 4096 characters
MESSAGE, MESSAGE_ALL = NoteKey.broadcast_message, NoteKey.broadcast_message_all  # from one branch / from all


@dataclass(frozen=True)
class Reach:
    """Who an announcement would reach: `recipients` get it; `skipped` blocked the bot or never
    opened it."""

    recipients: int
    skipped: int


@dataclass(frozen=True)
class Progress:
    """How one broadcast's delivery stands: its outbox rows per outcome."""

    broadcast_id: int
    recipients: int
    pending: int
    sent: int
    failed: int
    unreachable: int
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.pending == 0


def message_of(branch_name: str | None, text: str) -> tuple[str, dict]:
    """The outbox key and parameters recipients get; the preview renders the very same."""
    return (MESSAGE, {"text": text, "branch": branch_name}) if branch_name else (MESSAGE_ALL, {"text": text})


def clean_broadcast_text(text: str) -> str:
    """The announcement as recipients get it: stripped, within the length limit, and with any
    phone or house number masked, since residents and members may not see each other's."""
    return scrub_contacts(clean_text(text, field="broadcast", max_len=MAX_TEXT))


def _audience(branch_id: int | None, audience: Audience) -> Select:
    """User ids of the audience (each once), in one branch or in all of them (None)."""
    members = select(MemberProfile.user_id.label("user_id")).where(
        MemberProfile.status == MemberStatus.approved
    )
    residents = select(ResidentProfile.user_id.label("user_id"))
    if branch_id is not None:
        members = members.where(MemberProfile.branch_id == branch_id)
        residents = residents.where(ResidentProfile.branch_id == branch_id)
    parts = {Audience.members: [members], Audience.residents: [residents]}.get(audience, [members, residents])
    return union(*parts) if len(parts) > 1 else parts[0]  # UNION drops the people in both


def _reachable():
    return (User.telegram_id.is_not(None)) & (User.unreachable.is_(False))


def _check_scope(s: Session, actor_id: int, branch_id: int | None) -> Branch | None:
    """The branch addressed (None: all), if the actor is its staff or an admin; only admins
    may address every branch at once."""
    actor = load_actor(s, actor_id)
    if branch_id is None:
        if not actor.is_admin:
            raise NotAllowed("error.staff_only")
        return None
    require_staff(actor, branch_id)
    branch = s.get(Branch, branch_id)
    if branch is None:
        raise NotFound("error.not_found")
    return branch


def count_recipients(
    s: Session, *, actor_id: int, branch_id: int | None, audience: Audience
) -> Reach:
    """How many people an announcement would reach, and how many it must skip."""
    _check_scope(s, actor_id, branch_id)
    ids = _audience(branch_id, audience).subquery()
    query = select(func.count(), func.coalesce(func.sum(case((_reachable(), 1), else_=0)), 0)).join_from(
        ids, User, User.id == ids.c.user_id
    )
    total, reachable = (s.execute(query)).one()
    return Reach(recipients=reachable, skipped=total - reachable)


def create_broadcast(
    s: Session,
    *,
    actor_id: int,
    branch_id: int | None,
    audience: Audience,
    text: str,
    now: datetime | None = None,
) -> Broadcast:
    """Record the announcement and queue one outbox row per reachable recipient, in one statement."""
    text = clean_broadcast_text(text)
    branch = _check_scope(s, actor_id, branch_id)
    now = now or utcnow()
    broadcast = Broadcast(
        branch_id=branch_id, created_by=actor_id, audience=audience, text=text, created_at=now
    )
    s.add(broadcast)
    s.flush()
    key, params = message_of(branch.name if branch else None, text)
    ids = _audience(branch_id, audience).subquery()
    rows = (
        select(
            User.id,
            literal(key),
            literal(params, JSON),
            literal(OutboxStatus.pending.value),
            literal(0),
            literal(now, UTCDateTime),
            literal(now, UTCDateTime),
            true(),  # quiet: residents and members get it in the morning, not at night
            literal(broadcast.id),
        )
        .join_from(ids, User, User.id == ids.c.user_id)
        .where(_reachable())
    )
    columns = ["user_id", "key", "params", "status", "attempts", "not_before", "created_at", "quiet"]
    # psycopg's rowcount of an INSERT is kept only when asked for (SQLAlchemy's preserve_rowcount).
    statement = insert(Outbox).from_select([*columns, "broadcast_id"], rows)
    result = s.execute(statement, execution_options={"preserve_rowcount": True})
    broadcast.recipients = result.rowcount
    if broadcast.recipients == 0:  # the caller's transaction (or savepoint) rolls the row back
        raise InvalidInput("error.no_recipients")
    mark_queued(s)
    return broadcast


def _counts(s: Session, broadcast_id: int) -> dict[str, int]:
    """Outbox rows of a broadcast per outcome: pending, sent, failed, unreachable."""
    outcome = case(
        (Outbox.last_error.in_(UNREACHABLE_ERRORS) & (Outbox.status == OutboxStatus.failed), "unreachable"),
        else_=Outbox.status,
    )
    query = select(outcome, func.count()).where(Outbox.broadcast_id == broadcast_id).group_by(outcome)
    counts = dict.fromkeys(("pending", "sent", "failed", "unreachable"), 0)
    counts.update({str(k): n for k, n in s.execute(query)})
    return counts


def progress(s: Session, *, actor_id: int, broadcast_id: int) -> Progress:
    """How far delivery has got, for staff of the broadcast's branch (admins for every branch)."""
    broadcast = s.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFound("error.not_found")
    _check_scope(s, actor_id, broadcast.branch_id)
    counts = _counts(s, broadcast_id)
    return Progress(broadcast_id, broadcast.recipients, finished_at=broadcast.finished_at, **counts)


def settle_finished(s: Session, *, now: datetime | None = None) -> list[int]:
    """Mark broadcasts with nothing left pending finished and queue each sender's tally.

    The conditional UPDATE on `finished_at IS NULL` lets only one transaction, in one
    process, finish a broadcast, so the tally goes out exactly once.
    """
    now = now or utcnow()
    pending = exists().where(Outbox.broadcast_id == Broadcast.id, Outbox.status == OutboxStatus.pending)
    finished = s.execute(
        update(Broadcast)
        .where(Broadcast.finished_at.is_(None), ~pending)
        .values(finished_at=now)
        .returning(Broadcast.id, Broadcast.created_by, Broadcast.recipients)
    )
    notes = []
    for broadcast_id, created_by, recipients in finished.all():
        counts = _counts(s, broadcast_id)
        counts.pop("pending")
        params = {"id": broadcast_id, "recipients": recipients, **counts}
        notes.append(Note(created_by, NoteKey.staff_broadcast_done, params))
    queue(s, notes, now=now)
    return [note.params["id"] for note in notes]
