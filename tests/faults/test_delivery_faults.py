"""The outbox sender under Telegram's refusals: 429s aimed at one chat, long messages cut
off midway, and errors whose text must not reach the outbox (fault matrix rows 3 and 5)."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from models import Outbox, OutboxStatus, User
from services.delivery import OutboxSender
from services.outbox import Note
from services.replies import REPLY_KEY
from services.sweeps.batching import MAX_ITEMS, combine
from services.transport import Delivery, Refused, RetryAfter, Transient
from tests.factories import build_world
from tests.test_delivery import Clock, quiet_world

PHONE = "13812341234"


class Telegram:
    """A transport that refuses what `refuse` says, per chat, and keeps what got through."""

    def __init__(self, refuse=None) -> None:
        self.sent: list[Delivery] = []
        self.tried: list[Delivery] = []
        self.refuse = refuse or (lambda item: None)

    async def __call__(self, item: Delivery) -> None:
        self.tried.append(item)
        if (exc := self.refuse(item)) is not None:
            raise exc
        self.sent.append(item)


def sender(db, transport, clock) -> OutboxSender:
    return OutboxSender(
        db, transport, rate=1000, burst=1000, per_chat_rate=1000, per_chat_burst=1000, clock=clock
    )


def notes_to(db, user_ids: list[int], n: int = 2) -> None:
    with db.write() as s:
        for uid in user_ids:
            for i in range(n):
                s.add(Outbox(user_id=uid, key="staff.cancelled", params={"number": f"X-{uid}-{i}"}))


def rows(db) -> list[Outbox]:
    """The rows queued by the test (the world's set-up chatter was sent already)."""
    with db.read() as s:
        mine = select(Outbox).where(Outbox.key.in_(["staff.cancelled", REPLY_KEY])).order_by(Outbox.id)
        return list(s.scalars(mine).all())


@pytest.mark.parametrize("seconds", [1, 35, 10_072])
async def test_a_flood_wait_for_one_chat_holds_that_chat_only_and_the_others_keep_flowing(
    db, catalogue, seconds
):
    w = quiet_world(db, catalogue)
    flooded, others = w.members[0], [w.staff_id, w.resident_id, w.members[1]]
    notes_to(db, [flooded, *others])
    flooded_chat = None

    def refuse(item):
        return RetryAfter(seconds) if item.telegram_id == flooded_chat else None

    with db.read() as s:
        flooded_chat = s.get(User, flooded).telegram_id
    clock, telegram = Clock(), Telegram(refuse)
    out = sender(db, telegram, clock)
    started = asyncio.get_running_loop().time()
    for _ in range(3):
        await out.run_once()
    assert asyncio.get_running_loop().time() - started < 5  # the others did not wait out the flood
    assert sorted(d.params["number"] for d in telegram.sent) == sorted(
        f"X-{uid}-{i}" for uid in others for i in range(2)
    )
    assert [d.telegram_id for d in telegram.tried].count(flooded_chat) == 1  # asked once, then held
    held = [r for r in rows(db) if r.user_id == flooded]
    assert {r.status for r in held} == {OutboxStatus.pending}
    # Every row of the chat waits the whole retry_after, in the database, so a restart waits too.
    assert all(r.not_before >= clock.now + timedelta(seconds=seconds - 1) for r in held)
    restarted = sender(db, telegram, clock)
    await restarted.run_once()
    assert [d.telegram_id for d in telegram.tried].count(flooded_chat) == 1
    clock.advance(seconds=seconds + 1)
    telegram.refuse = lambda item: None
    await asyncio.sleep(0.01)
    await restarted.run_once()
    assert {r.status for r in rows(db)} == {OutboxStatus.sent}


async def test_a_429_on_every_chat_still_slows_the_whole_sender(db, catalogue):
    w = quiet_world(db, catalogue)
    notes_to(db, [w.staff_id, w.resident_id, *w.members], n=1)
    clock, telegram = Clock(), Telegram(lambda item: RetryAfter(35))
    out = sender(db, telegram, clock)
    await out.run_once()
    assert out.overall.wait_time() > 0  # a short pause for everyone: a real flood is respected
    assert telegram.sent == [] and {r.status for r in rows(db)} == {OutboxStatus.pending}


async def test_a_long_message_cut_off_by_a_429_resumes_after_the_parts_already_sent(db, catalogue):
    w = quiet_world(db, catalogue)
    notes_to(db, [w.staff_id], n=1)
    progress = iter([RetryAfter(1, parts_sent=2), Transient("reset", parts_sent=3), None])
    clock, telegram = Clock(), Telegram(lambda item: next(progress))
    out = sender(db, telegram, clock)
    for _ in range(3):
        await out.run_once()
        clock.advance(seconds=5)
        await asyncio.sleep(1.05)  # the chat's 1 s hold runs on the monotonic clock
    assert [d.parts_sent for d in telegram.tried] == [0, 2, 3]
    [row] = rows(db)
    assert row.status == OutboxStatus.sent and row.parts_sent == 3


def test_a_combined_reminder_lists_thirty_items_and_counts_the_rest():
    notes = [
        Note(7, "staff.remind_triage", {"number": f"A-{i:04}", "category": "repairs", "hours": 3})
        for i in range(500)
    ]
    [combined] = combine(notes)
    assert len(combined.params["items"]) == MAX_ITEMS == 30
    assert (combined.params["n"], combined.params["more"]) == (500, 470)


@pytest.mark.parametrize("lang, more", [("zh", "还有 470 件"), ("en", "470 more")])
def test_a_combined_reminder_of_five_hundred_items_fits_one_message_and_points_to_queue(
    catalogue, lang, more
):
    from bot.flows.callbacks import CallbackCodec
    from bot.notify import render_notification

    notes = [
        Note(7, "staff.remind_triage", {"number": f"A-{i:04}", "category": "repairs", "hours": 3})
        for i in range(500)
    ]
    [combined] = combine(notes)
    message = render_notification(
        lang, catalogue, CallbackCodec(b"k"), key=combined.key, params=combined.params, wish_id=None
    )
    assert more in message.text and "/queue" in message.text and len(message.text) < 4096
    assert "A-0029" in message.text and "A-0030" not in message.text


async def test_outbox_errors_keep_the_kind_of_failure_never_the_message_text(db, catalogue):
    w = quiet_world(db, catalogue)
    notes_to(db, [w.staff_id, w.resident_id], n=1)
    leaky = f"Bad Request: can't parse entities: unsupported tag <{PHONE}>"
    clock = Clock()
    errors = {0: Refused(leaky), 1: Transient(f"aiohttp: /bot123:SECRET/sendMessage {PHONE}")}
    seen = []

    def refuse(item):
        seen.append(item.outbox_id)
        return errors[len(seen) - 1]

    await sender(db, Telegram(refuse), clock).run_once()
    stored = [r.last_error for r in rows(db)]
    assert stored == ["400 Refused", "transient Transient"]
    assert not any(PHONE in e or "SECRET" in e for e in stored)


async def test_a_deferred_reply_keeps_no_copy_of_its_text_once_delivered(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        s.execute(Outbox.__table__.update().values(status="sent"))
        s.add(Outbox(user_id=w.resident_id, key=REPLY_KEY, params={"message": {"text": f"您的电话 {PHONE}"}}))
    clock, telegram = Clock(), Telegram()
    await sender(db, telegram, clock).run_once()
    assert telegram.sent[0].params["message"]["text"].endswith(PHONE)
    [row] = [r for r in rows(db) if r.key == REPLY_KEY]
    assert row.status == OutboxStatus.sent and row.params == {}


def test_a_database_error_does_not_carry_its_parameters_into_the_log(db):
    with pytest.raises(Exception) as caught, db.write() as s:
        s.execute(text("INSERT INTO no_such_table (phone) VALUES (:phone)"), {"phone": PHONE})
    assert PHONE not in str(caught.value) and PHONE not in repr(caught.value)


def test_a_nul_in_a_name_fails_on_postgresql_without_the_phone_in_the_error(db):
    if db.is_sqlite:
        pytest.skip("SQLite stores a NUL; PostgreSQL refuses it, with the row's parameters")
    with pytest.raises(Exception) as caught, db.write() as s:
        s.add(User(telegram_id=880_001, display_name="王\x00秀英", name="王\x00秀英", phone=PHONE))
    assert PHONE not in str(caught.value) and PHONE not in repr(caught.value)
