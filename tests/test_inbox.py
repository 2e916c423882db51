"""The durable inbox (services.inbox): stored once, one update per sender at a time, oldest first."""

import random
import threading
import time
from datetime import timedelta

from sqlalchemy import select

from models import InboxStatus, InboxUpdate
from models.types import utcnow
from services import inbox
from services.inbox import LEASE, MAX_PENDING, SLOW_DOWN_EVERY, Arrival

ALICE, BOB = 501, 502
T0 = utcnow()


def arrivals(user: int, ids) -> list[Arrival]:
    return [Arrival(i, user, {"update_id": i, "message": {"text": f"#{i}"}}) for i in ids]


def rows(db) -> dict[int, InboxUpdate]:
    with db.read() as s:
        return {r.update_id: r for r in s.scalars(select(InboxUpdate))}


def claim(db, worker: str, *, finished: int | None = None, at=T0) -> int | None:
    claimed = inbox.claim_next(db, worker=worker, finished=finished, now=at)
    return claimed and claimed.update_id


def test_an_update_delivered_again_is_stored_once_and_keeps_its_first_content(db):
    inbox.store(db, arrivals=arrivals(ALICE, [1, 2]), now=T0)
    inbox.store(db, arrivals=[Arrival(2, ALICE, {"changed": True}), *arrivals(ALICE, [3])], now=T0)
    stored = rows(db)
    assert sorted(stored) == [1, 2, 3]
    assert stored[2].raw == {"update_id": 2, "message": {"text": "#2"}}
    assert inbox.open_count(db) == 3


def test_a_senders_updates_are_taken_one_at_a_time_in_order_while_others_run_alongside(db):
    inbox.store(db, arrivals=arrivals(ALICE, [1, 2, 3]) + arrivals(BOB, [4]), now=T0)
    assert claim(db, "w1") == 1
    assert claim(db, "w2") == 4  # not Alice's 2: her 1 is still being handled
    assert claim(db, "w2", finished=4) is None  # Bob is done, Alice's next waits for her 1
    assert claim(db, "w1", finished=1) == 2
    assert claim(db, "w2") is None
    assert claim(db, "w1", finished=2) == 3
    assert claim(db, "w1", finished=3) is None
    assert {r.update_id: r.status for r in rows(db).values()} == dict.fromkeys([1, 2, 3, 4], InboxStatus.done)


def test_a_long_backlog_does_not_hold_up_a_newer_update_of_another_sender(db):
    inbox.store(db, arrivals=arrivals(ALICE, range(1, 16)), now=T0)
    inbox.store(db, arrivals=arrivals(BOB, [16]), now=T0 + timedelta(seconds=1))
    assert claim(db, "w1") == 1
    assert claim(db, "w2") == 16  # Bob's turn comes before Alice's fourteen others
    assert claim(db, "w2", finished=16) is None


def test_a_backlog_beyond_the_limit_is_dropped_without_content_and_the_sender_told_once_a_minute(db):
    warned = inbox.store(db, arrivals=arrivals(ALICE, range(1, MAX_PENDING + 6)), now=T0)
    assert [a.update_id for a in warned] == [MAX_PENDING + 1]
    later, half_a_minute = range(MAX_PENDING + 6, MAX_PENDING + 9), T0 + SLOW_DOWN_EVERY / 2
    assert inbox.store(db, arrivals=arrivals(ALICE, later), now=half_a_minute) == []
    assert inbox.store(db, arrivals=arrivals(BOB, [100]), now=T0) == []  # Bob's backlog is his own
    # Told again only after a minute in which nothing of hers had to be dropped.
    again = inbox.store(db, arrivals=arrivals(ALICE, [200]), now=half_a_minute + SLOW_DOWN_EVERY * 1.1)
    assert [a.update_id for a in again] == [200]
    stored = rows(db)
    dropped = {i for i, r in stored.items() if r.status == InboxStatus.dropped}
    assert dropped == set(range(MAX_PENDING + 1, MAX_PENDING + 9)) | {200}
    assert all(stored[i].raw is None for i in dropped)
    assert all(r.raw is not None for i, r in stored.items() if i not in dropped)
    assert inbox.open_count(db) == MAX_PENDING + 1


def test_once_the_backlog_shrinks_the_sender_is_heard_again(db):
    inbox.store(db, arrivals=arrivals(ALICE, range(1, MAX_PENDING + 2)), now=T0)
    assert claim(db, "w1") == 1
    assert claim(db, "w1", finished=1) == 2  # one of Alice's twenty is handled
    inbox.store(db, arrivals=arrivals(ALICE, [50]), now=T0)
    assert rows(db)[50].status == InboxStatus.pending


def test_an_update_whose_worker_died_is_taken_again_once_its_lease_lapses(db):
    inbox.store(db, arrivals=arrivals(ALICE, [1, 2]), now=T0)
    assert claim(db, "dead") == 1
    assert claim(db, "w2", at=T0 + LEASE - timedelta(seconds=1)) is None
    taken = inbox.claim_next(db, worker="w2", now=T0 + LEASE + timedelta(seconds=1))
    assert (taken.update_id, taken.attempts) == (1, 2)
    inbox.finish(db, update_id=1, worker="dead")  # too late: it is not the dead worker's any more
    assert (rows(db)[1].status, rows(db)[1].claimed_by) == (InboxStatus.working, "w2")
    assert claim(db, "w2", finished=1, at=T0 + LEASE + timedelta(seconds=2)) == 2


def test_a_renewed_lease_keeps_a_long_update_with_its_worker(db):
    inbox.store(db, arrivals=arrivals(ALICE, [1]), now=T0)
    assert claim(db, "slow") == 1
    assert inbox.renew(db, worker="slow", now=T0 + LEASE / 2) == 1
    assert claim(db, "w2", at=T0 + LEASE + timedelta(seconds=1)) is None
    assert claim(db, "w2", at=T0 + LEASE / 2 + LEASE + timedelta(seconds=1)) == 1


def test_a_finished_update_forgets_what_was_written_and_a_failed_one_is_marked_failed(db):
    inbox.store(db, arrivals=arrivals(ALICE, [1]) + arrivals(BOB, [2]), now=T0)
    claim(db, "w1")
    claim(db, "w2")
    inbox.finish(db, update_id=1, worker="w1")
    inbox.finish(db, update_id=2, worker="w2", failed=True)
    stored = rows(db)
    assert [(r.status, r.raw, r.lease_until) for r in stored.values()] == [
        (InboxStatus.done, None, None),
        (InboxStatus.failed, None, None),
    ]
    assert stored[1].done_at is not None
    assert inbox.open_count(db) == 0


def test_forgetting_old_records_drops_handled_ones_and_never_open_ones(db):
    old, carol, dave = utcnow() - inbox.KEEP_DONE - timedelta(hours=1), 503, 504
    inbox.store(db, arrivals=arrivals(ALICE, [1, 2]) + arrivals(BOB, [3, 6]) + arrivals(carol, [5]), now=old)
    assert claim(db, "w1") == 1
    assert claim(db, "w1", finished=1) == 2  # Alice's 1 done, her 2 being handled
    assert claim(db, "w2") == 3  # Bob's 3 being handled, his 6 waiting
    assert claim(db, "w3") == 5
    inbox.finish(db, update_id=5, worker="w3", failed=True)
    inbox.store(db, arrivals=arrivals(dave, [4]), now=utcnow())
    assert claim(db, "w4") == 4
    inbox.finish(db, update_id=4, worker="w4")  # done, but recently: a repeat may still come
    assert inbox.forget_old(db) == 2
    assert sorted(rows(db)) == [2, 3, 4, 6]


def test_concurrent_workers_never_hold_two_updates_of_one_sender_nor_one_update_twice(db):
    senders, per_sender, workers = 30, 6, 4
    owners = [1000 + n for n in range(senders) for _ in range(per_sender)]
    random.Random(7).shuffle(owners)  # a sender's updates often follow one another
    batch = [Arrival(i, owner, {}) for i, owner in enumerate(owners, start=1)]
    inbox.store(db, arrivals=batch, now=T0)
    holding: dict[int, str] = {}  # sender -> worker holding one of their updates
    taken: list[tuple[str, int, int]] = []  # (worker, sender, update), in the order they were taken
    clashes: list[tuple] = []
    lock, start = threading.Lock(), threading.Barrier(workers, timeout=10)
    deadline = time.monotonic() + 30

    def work(name: str) -> None:
        try:
            start.wait()
            take_turns(name)
        except Exception as exc:  # seen by the test, and the others stop instead of waiting it out
            clashes.append((name, repr(exc)))
            raise

    def take_turns(name: str) -> None:
        finished = None
        while time.monotonic() < deadline and not any(len(c) == 2 for c in clashes):
            claimed = inbox.claim_next(db, worker=name, finished=finished)
            finished = None
            if claimed is None:
                with lock:
                    if len(taken) == len(batch):
                        return
                time.sleep(0.002)
                continue
            with lock:
                if claimed.user_key in holding:
                    clashes.append((name, claimed.update_id, holding[claimed.user_key]))
                holding[claimed.user_key] = name
                taken.append((name, claimed.user_key, claimed.update_id))
            time.sleep(0.001)  # handling it: the others take their turns meanwhile
            with lock:  # before it is marked done, so a clash seen is a real one
                del holding[claimed.user_key]
            finished = claimed.update_id

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=40)
    assert not any(thread.is_alive() for thread in threads)
    assert clashes == []
    assert sorted(u for _, _, u in taken) == [a.update_id for a in batch]  # each exactly once
    for sender in {a.user_key for a in batch}:
        mine = [u for _, s, u in taken if s == sender]
        assert mine == sorted(mine)
    assert len({w for w, _, _ in taken}) > 1  # they really did run side by side
    assert inbox.open_count(db) == 0
