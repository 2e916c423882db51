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


async def _note(db, user_id: int, *, status: OutboxStatus, age: timedelta, error=None) -> int:
    at = utcnow() - age
    async with db.write() as s:
        await queue(s, [Note(user_id, "resident.accepted", {"number": "A-0001"})], now=at)
        row_id = await s.scalar(select(func.max(Outbox.id)))
        await s.execute(update(Outbox).where(Outbox.id == row_id).values(status=status, last_error=error))
    return row_id


async def _ids(db) -> set[int]:
    async with db.read() as s:
        return set((await s.scalars(select(Outbox.id))).all())


async def test_sent_and_failed_notifications_go_after_the_retention_days_and_pending_ones_stay(db, catalogue):
    w = await build_world(db, catalogue)
    async with db.write() as s:
        await s.execute(Outbox.__table__.delete())  # registration chatter: start from nothing
    old_sent = await _note(db, w.resident_id, status=OutboxStatus.sent, age=timedelta(days=31))
    old_failed = await _note(
        db, w.resident_id, status=OutboxStatus.failed, age=timedelta(days=31), error=BLOCKED
    )
    old_pending = await _note(db, w.resident_id, status=OutboxStatus.pending, age=timedelta(days=31))
    recent_sent = await _note(db, w.resident_id, status=OutboxStatus.sent, age=timedelta(days=29))

    purged = await purge(db, policy=POLICY)

    assert await _ids(db) == {old_pending, recent_sent}
    assert purged.notifications == 2
    assert {old_sent, old_failed}.isdisjoint(await _ids(db))


async def test_a_purge_larger_than_one_batch_deletes_every_old_row(db, catalogue, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    w = await build_world(db, catalogue)
    async with db.write() as s:
        await s.execute(Outbox.__table__.delete())
    for _ in range(5):
        await _note(db, w.resident_id, status=OutboxStatus.sent, age=timedelta(days=40))
    assert (await purge(db, policy=POLICY)).notifications == 5
    assert await _ids(db) == set()


async def test_a_finished_broadcast_keeps_its_tally_after_its_copies_are_purged(db, catalogue):
    w = await build_world(db, catalogue)
    long_ago = utcnow() - timedelta(days=45)
    async with db.write() as s:
        sent = await broadcasts.create_broadcast(
            s,
            actor_id=w.staff_id,
            branch_id=w.branch_id,
            audience=Audience.members,
            text="周六停水",
            now=long_ago,
        )
    async with db.write() as s:
        rows = select(Outbox.id).where(Outbox.broadcast_id == sent.id).order_by(Outbox.id)
        first, *others = (await s.scalars(rows)).all()
        await s.execute(
            update(Outbox).where(Outbox.id == first).values(status=OutboxStatus.failed, last_error=BLOCKED)
        )
        await s.execute(
            update(Outbox).where(Outbox.id.in_(others)).values(status=OutboxStatus.sent, sent_at=long_ago)
        )
        await broadcasts.settle_finished(s, now=long_ago)
    async with db.read() as s:
        before = await broadcasts.progress(s, actor_id=w.staff_id, broadcast_id=sent.id)

    purged = await purge(db, policy=POLICY)

    async with db.read() as s:
        after = await broadcasts.progress(s, actor_id=w.staff_id, broadcast_id=sent.id)
        copies = (await s.scalars(select(Outbox.params).where(Outbox.broadcast_id == sent.id))).all()
    assert after == before
    assert (after.recipients, after.sent, after.unreachable, after.pending) == (3, 2, 1, 0)
    assert purged.broadcast_copies == 3
    assert copies == [{}, {}, {}]  # nobody's copy of the text is kept
    assert (await purge(db, policy=POLICY)).broadcast_copies == 0


async def test_a_broadcast_still_being_delivered_keeps_its_pending_rows(db, catalogue):
    w = await build_world(db, catalogue)
    async with db.write() as s:
        sent = await broadcasts.create_broadcast(
            s,
            actor_id=w.staff_id,
            branch_id=w.branch_id,
            audience=Audience.members,
            text="周六停水",
            now=utcnow() - timedelta(days=45),
        )
    await purge(db, policy=POLICY)
    async with db.read() as s:
        now = await broadcasts.progress(s, actor_id=w.staff_id, broadcast_id=sent.id)
        texts = (await s.scalars(select(Outbox.params).where(Outbox.broadcast_id == sent.id))).all()
    assert (now.pending, now.recipients) == (3, 3)
    assert all(p["text"] == "周六停水" for p in texts)


async def test_an_abandoned_forms_answers_are_dropped_after_the_form_retention_days(db):
    answers = {"name": "王秀英", "phone": "+8613812341234", "building": "3栋"}
    async with db.write() as s:
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
    assert (await purge(db, policy=POLICY)).forms == 1
    async with db.read() as s:
        assert (await s.scalars(select(ConversationState.telegram_id))).all() == [2]
