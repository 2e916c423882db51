"""Many writers at once: forty people's updates, the outbox sender and a sweep-sized write
all overlap, and none of them fails on a lock (fault matrix row 9)."""

import asyncio

from sqlalchemy import func, select

from models import Outbox, OutboxStatus, User
from services.delivery import OutboxSender
from tests.flows.harness import Chat, Person
from tests.test_delivery import Clock


class Slow:
    """A transport that takes a little while, as Telegram does, so sends overlap the writes."""

    def __init__(self) -> None:
        self.sent = 0

    async def __call__(self, item) -> None:
        await asyncio.sleep(0.005)
        self.sent += 1


async def test_forty_people_writing_at_once_beside_the_sender_all_get_their_answer(db, catalogue):
    chat = Chat(db, catalogue)
    people = [Person(70_000 + i, f"居民{i}") for i in range(40)]
    sender = OutboxSender(
        db, Slow(), rate=1000, burst=1000, per_chat_rate=1000, per_chat_burst=1000, clock=Clock()
    )

    async def person(p: Person) -> list:
        answers = []
        for command in ("start", "help", "language"):
            answers.append(await chat.command(p, command))
        return answers

    async def deliver() -> None:
        for _ in range(20):
            await sender.run_once()
            await asyncio.sleep(0)

    async def bulk_writes(s_count: int = 20) -> None:
        for _ in range(s_count):  # a sweep's writes, queued between the updates
            async with db.write() as s:
                uid = await s.scalar(select(User.id).order_by(User.id).limit(1))
                if uid is not None:
                    s.add(Outbox(user_id=uid, key="staff.cancelled", params={"number": "X"}))
            await asyncio.sleep(0)

    results = await asyncio.gather(*(person(p) for p in people), deliver(), bulk_writes())
    answered = results[:40]
    assert all(all(a for a in answers) for answers in answered)  # nobody went unanswered
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == 40
        pending = await s.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.failed)
        )
    assert pending == 0
