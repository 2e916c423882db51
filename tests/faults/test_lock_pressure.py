"""Many writers at once: forty people's updates, the outbox sender and a sweep-sized write
all overlap, and none of them fails on a lock (fault matrix row 9)."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

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
    # Each person and the sweep in a thread of their own, as the bot's workers run them; all are
    # released together, and the sender runs its passes on the loop (and its own threads) meanwhile.
    writers = len(people) + 1
    start = threading.Barrier(writers, timeout=60)

    def person(p: Person) -> list:
        start.wait()
        return [chat.command(p, command) for command in ("start", "help", "language")]

    def bulk_writes(s_count: int = 20) -> None:
        start.wait()
        for _ in range(s_count):  # a sweep's writes, queued between the updates
            with db.write() as s:
                uid = s.scalar(select(User.id).order_by(User.id).limit(1))
                if uid is not None:
                    s.add(Outbox(user_id=uid, key="staff.cancelled", params={"number": "X"}))

    async def deliver() -> None:
        for _ in range(20):
            await sender.run_once()
            await asyncio.sleep(0)

    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(writers, thread_name_prefix="writer") as threads:
        work = [loop.run_in_executor(threads, person, p) for p in people]
        work.append(loop.run_in_executor(threads, bulk_writes))
        results = await asyncio.wait_for(asyncio.gather(*work, deliver()), timeout=120)
    answered = results[:40]
    assert all(all(a for a in answers) for answers in answered)  # nobody went unanswered
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 40
        pending = s.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.failed)
        )
    assert pending == 0
