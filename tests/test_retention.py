"""Retention: old notifications and unfinished forms go; pending work and broadcast tallies stay."""

from datetime import timedelta

from sqlalchemy import func, select, update

from models import Audience, ConversationState, Outbox, OutboxStatus
from models.types import utcnow
from services import broadcasts, retention
from services.outbox import BLOCKED, Note, queue
from services.retention import RetentionPolicy, purge
from tests.factories import build_world

POLICY = RetentionPolicy(outbox=timedelta(days=30), forms=timedelta(days=7))


def _note(db, user_id: int, *, status: OutboxStatus, age: timedelta, error=None) -> int:
    at = utcnow() - age
    with db.write() as s:
        queue(s, [Note(user_id, "resident.accepted", {"number": "A-0001"})], now=at)
        row_id = s.scalar(select(func.max(Outbox.id)))
        s.execute(update(Outbox).where(Outbox.id == row_id).values(status=status, last_error=error))
    return row_id


def _ids(db) -> set[int]:
    with db.read() as s:
        return set(s.scalars(select(Outbox.id)).all())


def test_sent_and_failed_notifications_go_after_the_retention_days_and_pending_ones_stay(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        s.execute(Outbox.__table__.delete())  # registration chatter: start from nothing
    old_sent = _note(db, w.resident_id, status=OutboxStatus.sent, age=timedelta(days=31))
    old_failed = _note(db, w.resident_id, status=OutboxStatus.failed, age=timedelta(days=31), error=BLOCKED)
    old_pending = _note(db, w.resident_id, status=OutboxStatus.pending, age=timedelta(days=31))
    recent_sent = _note(db, w.resident_id, status=OutboxStatus.sent, age=timedelta(days=29))

    purged = purge(db, policy=POLICY)

    assert _ids(db) == {old_pending, recent_sent}
    assert purged.notifications == 2
    assert {old_sent, old_failed}.isdisjoint(_ids(db))


def test_a_purge_larger_than_one_batch_deletes_every_old_row(db, catalogue, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    w = build_world(db, catalogue)
    with db.write() as s:
        s.execute(Outbox.__table__.delete())
    for _ in range(5):
        _note(db, w.resident_id, status=OutboxStatus.sent, age=timedelta(days=40))
    assert purge(db, policy=POLICY).notifications == 5
    assert _ids(db) == set()


def test_a_finished_broadcast_keeps_its_tally_after_its_copies_are_purged(db, catalogue):
    w = build_world(db, catalogue)
    long_ago = utcnow() - timedelta(days=45)
    with db.write() as s:
        sent = broadcasts.create_broadcast(
            s,
            actor_id=w.staff_id,
            branch_id=w.branch_id,
            audience=Audience.members,
            text="周六停水",
            now=long_ago,
        )
    with db.write() as s:
        rows = select(Outbox.id).where(Outbox.broadcast_id == sent.id).order_by(Outbox.id)
        first, *others = s.scalars(rows).all()
        s.execute(
            update(Outbox).where(Outbox.id == first).values(status=OutboxStatus.failed, last_error=BLOCKED)
        )
        s.execute(
            update(Outbox).where(Outbox.id.in_(others)).values(status=OutboxStatus.sent, sent_at=long_ago)
        )
        broadcasts.settle_finished(s, now=long_ago)
    with db.read() as s:
        before = broadcasts.progress(s, actor_id=w.staff_id, broadcast_id=sent.id)

    purged = purge(db, policy=POLICY)

    with db.read() as s:
        after = broadcasts.progress(s, actor_id=w.staff_id, broadcast_id=sent.id)
        copies = s.scalars(select(Outbox.params).where(Outbox.broadcast_id == sent.id)).all()
    assert after == before
    assert (after.recipients, after.sent, after.unreachable, after.pending) == (3, 2, 1, 0)
    assert purged.broadcast_copies == 3
    assert copies == [{}, {}, {}]  # nobody's copy of the text is kept
    assert purge(db, policy=POLICY).broadcast_copies == 0


def test_a_broadcast_still_being_delivered_keeps_its_pending_rows(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        sent = broadcasts.create_broadcast(
            s,
            actor_id=w.staff_id,
            branch_id=w.branch_id,
            audience=Audience.members,
            text="周六停水",
            now=utcnow() - timedelta(days=45),
        )
    purge(db, policy=POLICY)
    with db.read() as s:
        now = broadcasts.progress(s, actor_id=w.staff_id, broadcast_id=sent.id)
        texts = s.scalars(select(Outbox.params).where(Outbox.broadcast_id == sent.id)).all()
    assert (now.pending, now.recipients) == (3, 3)
    assert all(p["text"] == "周六停水" for p in texts)


def test_an_abandoned_forms_answers_are_dropped_after_the_form_retention_days(db):
    answers = {"name": "王秀英", "phone": "+8613812341234", "building": "3栋"}
    with db.write() as s:
        s.add_all(
            [
                ConversationState(
                    telegram_id=1,
                    flow="resident",
                    step="room",
                    data=answers,
                    updated_at=utcnow() - timedelta(days=8),
                ),
                ConversationState(
                    telegram_id=2,
                    flow="resident",
                    step="room",
                    data=answers,
                    updated_at=utcnow() - timedelta(days=6),
                ),
            ]
        )
    assert purge(db, policy=POLICY).forms == 1
    with db.read() as s:
        assert s.scalars(select(ConversationState.telegram_id)).all() == [2]
