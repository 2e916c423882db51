"""Rules that only remind: they find what waited too long and say so to the right people."""

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from models import Branch, Offer, OfferKind, OfferStatus, Wish
from models.enums import WishStatus as S
from models.wishes import in_status
from services.matching import rank_many
from services.note_keys import NoteKey
from services.outbox import Note
from services.overdue import task_overdue
from services.recipients import NOTE_COLUMNS
from services.sweeps.context import Sweep, assignment_turns, reminded
from services.sweeps.kinds import ReminderKind


@dataclass(frozen=True)
class Due:
    """One reminder that is due: recorded as (wish, kind, seq), sent as `notes`."""

    wish_id: int
    kind: ReminderKind
    seq: int
    notes: tuple[Note, ...]


# The columns the rules read: plain rows load several times faster than ORM objects.
_FACTS = (*NOTE_COLUMNS, Wish.submitted_at, Wish.assigned_at, Wish.completed_at)


def _passed(age, thresholds) -> int:
    """How many of the ascending thresholds `age` has passed."""
    return sum(1 for threshold in thresholds if age >= threshold)


def _params(wish, **extra) -> dict:
    return {"number": wish.number, "category": wish.category, **extra}


def _hours(delta) -> int:
    return int(delta.total_seconds() // 3600)


def triage_reminders(s: Session, sw: Sweep) -> list[Due]:
    """Submitted wishes nobody triaged: staff at 2 h and 8 h, admins at 24 h."""
    p = sw.policy
    oldest = sw.now - min(p.triage_reminders)
    wishes = (
        s.execute(
            select(*_FACTS, Branch.name.label("branch"))
            .join(Branch, Branch.id == Wish.branch_id)
            .where(in_status(S.submitted), Wish.submitted_at <= oldest)
        )
    ).all()
    ids = [w.id for w in wishes]
    staff_sent, admin_sent = (
        reminded(s, ReminderKind.triage, ids),
        reminded(s, ReminderKind.triage_escalation, ids),
    )
    due = []
    for wish in wishes:
        age = sw.now - wish.submitted_at
        seq = _passed(age, p.triage_reminders)
        if sw.may_send(escalation=False) and seq > staff_sent.get(wish.id, (0,))[0]:
            params = _params(wish, hours=_hours(age))
            notes = tuple(
                Note(u, NoteKey.staff_remind_triage, params, wish.id, quiet=True)
                for u in sw.staff(s, wish.branch_id)
            )
            due.append(Due(wish.id, ReminderKind.triage, seq, notes))
        if age >= p.triage_escalation and wish.id not in admin_sent and sw.may_send(escalation=True):
            params = _params(wish, hours=_hours(age), branch=wish.branch)
            quiet = not p.escalate_in_quiet_hours
            notes = tuple(
                Note(u, NoteKey.admin_escalate_triage, params, wish.id, quiet=quiet)
                for u in sw.admins(s)
            )
            due.append(Due(wish.id, ReminderKind.triage_escalation, 1, notes))
    return due


def wall_reminders(s: Session, sw: Sweep) -> list[Due]:
    """Wall postings nobody claimed in a day: staff, with the best candidates."""
    if not sw.may_send(escalation=False):
        return []
    posted = (
        s.execute(
            select(*_FACTS, Offer.created_at.label("since"))
            .join(Offer, and_(Offer.wish_id == Wish.id, Offer.kind == OfferKind.wall))
            .where(
                Offer.status == OfferStatus.open,
                Offer.created_at <= sw.now - sw.policy.wall_unclaimed,
                Wish.status == S.posted,
            )
        )
    ).all()
    sent = reminded(s, ReminderKind.wall, [w.id for w in posted])
    posted = [wish for wish in posted if wish.id not in sent]
    suggested = rank_many(
        s,
        wishes=posted,
        catalogue=sw.catalogue,
        limit=sw.policy.candidates_suggested,
        now=sw.now,
    )
    due = []
    for wish in posted:
        names = [c.name for c in suggested[wish.id]]
        params = _params(wish, hours=_hours(sw.now - wish.since), candidates=names)
        staff = sw.staff(s, wish.branch_id)
        due.append(
            Due(
                wish.id,
                ReminderKind.wall,
                1,
                tuple(Note(u, NoteKey.staff_remind_wall, params, wish.id, quiet=True) for u in staff),
            )
        )
    return due


def task_reminders(s: Session, sw: Sweep) -> list[Due]:
    """Overdue tasks (services.overdue): the member first, staff 24 h later.

    The sequence number is the assignment's turn, so a task handed to another
    member (or back for a redo) is followed up afresh.
    """
    p = sw.policy
    active = (s.execute(select(*_FACTS).where(task_overdue(now=sw.now, policy=p)))).all()
    ids = [w.id for w in active]
    turns = assignment_turns(s, ids)
    told_member, told_staff = (
        reminded(s, ReminderKind.task, ids),
        reminded(s, ReminderKind.task_escalation, ids),
    )
    due = []
    for wish in active:
        turn = turns.get(wish.id, 1)
        seq, last = told_member.get(wish.id, (0, None))
        params = _params(wish, days=(sw.now - wish.assigned_at).days)
        if seq < turn and sw.may_send(escalation=False):
            note = Note(wish.assigned_member_id, NoteKey.member_remind_task, params, wish.id, quiet=True)
            due.append(Due(wish.id, ReminderKind.task, turn, (note,)))
        elif (
            seq == turn
            and told_staff.get(wish.id, (0,))[0] < turn
            and sw.now - last >= p.task_escalation
            and sw.may_send(escalation=True)
        ):
            quiet = not p.escalate_in_quiet_hours
            staff = sw.staff(s, wish.branch_id)
            notes = tuple(Note(u, NoteKey.staff_escalate_task, params, wish.id, quiet=quiet) for u in staff)
            due.append(Due(wish.id, ReminderKind.task_escalation, turn, notes))
    return due


def rating_reminders(s: Session, sw: Sweep) -> list[Due]:
    """Done but not rated: ask the resident at 24 h and at 72 h."""
    p = sw.policy
    if not sw.may_send(escalation=False):
        return []
    done = (
        s.execute(
            select(*_FACTS).where(
                in_status(S.completed), Wish.completed_at <= sw.now - min(p.rating_reminders)
            )
        )
    ).all()
    sent = reminded(s, ReminderKind.rate, [w.id for w in done])
    due = []
    for wish in done:
        seq = _passed(sw.now - wish.completed_at, p.rating_reminders)
        if seq > sent.get(wish.id, (0,))[0]:
            note = Note(wish.resident_id, NoteKey.resident_remind_rating, _params(wish), wish.id, quiet=True)
            due.append(Due(wish.id, ReminderKind.rate, seq, (note,)))
    return due


RULES = (triage_reminders, wall_reminders, task_reminders, rating_reminders)
