"""The real bot under load, over HTTP: each user's updates in order, and nobody kept waiting
by someone else's flood or report (issue 11)."""

import random
import re
import threading
import time
from datetime import timedelta

from models import InboxStatus
from models.types import utcnow
from sandan.fakebot import FakeUser
from sandan.seed import seed
from services.branches import add_admin
from services.inbox import MAX_PENDING
from services.reports import stats as report_stats
from tests.e2e.conftest import said
from tests.e2e.runtime_helpers import dropped_with_content, inbox_statuses, replies, reply_text, text

# Inputs whose replies tell them apart, so the replies show the order they were handled in.
INPUTS = {
    "help": (lambda api, u: api.send_command(u, "/help"), lambda u: text(u, "help.resident")),
    "start": (
        lambda api, u: api.send_command(u, "/start"),
        lambda u: text(u, "start.greeting", name=u.first_name),
    ),
    "text": (lambda api, u: api.send_text(u, "在吗"), lambda u: text(u, "fallback.text")),
    "sticker": (lambda api, u: api.send_sticker(u), lambda u: text(u, "fallback.other")),
    "typo": (lambda api, u: api.send_command(u, "/hepl"), lambda u: text(u, "fallback.command")),
    "language": (lambda api, u: api.send_command(u, "/language"), lambda u: text(u, "language.choose")),
}
BURSTS, PER_USER = 3, 12  # bursts of twelve updates from each user at once
FLOOD = 300  # texts from one user, far beyond what the inbox keeps for a sender
NOT_DELAYED_BY_A_FLOOD = 1.0  # seconds: issue 11, point 7
NOT_DELAYED_BY_STATS = 0.2  # seconds: issue 11, point 7
# A district's `/stats all` takes about 1.2 s (issue 11); the small seed's, about 0.15 s. The
# report is computed again and again, in its own transaction, until this long or until released.
DISTRICT_STATS = 2.0


def answered(api, users, n: int):
    """A check for wait_for: has every user had `n` answers?"""
    return lambda: all(len(replies(api, u)) >= n for u in users)


async def test_each_users_replies_follow_the_order_they_wrote_in_while_users_are_served_in_turns(running):
    api, rng = running.api, random.Random(11)
    users = [FakeUser(3000 + n, f"居民{n}") for n in range(6)]
    kinds = {expected(u): kind for u in users for kind, (_, expected) in INPUTS.items()}
    for burst in range(BURSTS):
        before = {u.id: len(replies(api, u)) for u in users}
        sent = {u.id: [rng.choice(list(INPUTS)) for _ in range(PER_USER)] for u in users}
        for step in range(PER_USER):  # the users take turns, as if typing at once
            for u in users:
                send, _ = INPUTS[sent[u.id][step]]
                send(api, u)
        await api.wait_for(answered(api, users, PER_USER * (burst + 1)), timeout=15)
        got = {u.id: replies(api, u)[before[u.id] :] for u in users}
        for u in users:
            assert [kinds.get(reply_text(c), reply_text(c)) for c in got[u.id]] == sent[u.id], u.first_name
        # Round-robin across users: by the time the last of them has a first answer, nobody has
        # had more than half of theirs (strict turns give one; threads and locks are not that fair).
        last_first = max(g[0].time for g in got.values())
        ahead = {u.first_name: sum(c.time < last_first for c in got[u.id]) for u in users}
        assert max(ahead.values()) <= PER_USER // 2, f"burst {burst}: answers before the last first: {ahead}"


async def test_a_flood_from_one_user_delays_nobody_else_and_the_excess_is_dropped_with_one_notice(
    running, db
):
    api = running.api
    api.rate_limit(per_second_global=30, per_chat_per_second=1)  # Telegram's limits
    flooder = FakeUser(3100, "刷屏的人")
    for n in range(FLOOD):
        api.send_text(flooder, f"第{n}条")
    await api.wait_for(lambda: sum(inbox_statuses(db, flooder.id).values()) == FLOOD, timeout=10)
    for n in range(3):
        other = FakeUser(3200 + n, f"邻居{n}")
        injected = time.time()
        api.send_command(other, "/start")
        await said(api, other, text(other, "start.greeting", name=other.first_name), timeout=10)
        waited = replies(api, other)[0].time - injected
        assert waited < NOT_DELAYED_BY_A_FLOOD, f"{other.first_name} waited {waited:.2f} s"
    statuses = inbox_statuses(db, flooder.id)
    assert statuses[InboxStatus.pending] > 0  # the flood was still being worked through
    notice = text(flooder, "inbox.slow_down")
    assert [reply_text(c) for c in replies(api, flooder)].count(notice) == 1
    handled = statuses[InboxStatus.done] + statuses[InboxStatus.working]
    assert statuses[InboxStatus.dropped] >= FLOOD - MAX_PENDING - handled
    assert statuses[InboxStatus.dropped] + statuses[InboxStatus.pending] + handled == FLOOD
    assert dropped_with_content(db, flooder.id) == 0


class LongStats:
    """`/stats`'s real computation, done again and again until released (or DISTRICT_STATS
    passed), so that it lasts as long as a district's; it says when it started and ended."""

    def __init__(self, real) -> None:
        self.real = real
        self.started, self.release, self.finished = threading.Event(), threading.Event(), threading.Event()

    def __call__(self, *args, **kwargs):
        self.started.set()
        until = time.monotonic() + DISTRICT_STATS
        figures = self.real(*args, **kwargs)
        while not self.release.is_set() and time.monotonic() < until:
            figures = self.real(*args, **kwargs)
        self.finished.set()
        return figures


async def test_stats_for_all_branches_does_not_delay_another_users_start(running, db, monkeypatch):
    api = running.api
    admin, resident = FakeUser(3300, "区管理员"), FakeUser(3301, "李大妈")
    seed(db, scale="small", rng_seed=3)
    with db.write() as s:
        add_admin(s, telegram_id=admin.id)
    work = LongStats(report_stats.stats)
    monkeypatch.setattr(report_stats, "stats", work)
    today = utcnow().date()
    api.send_command(admin, f"/stats all {today - timedelta(days=730)}..{today}")  # the whole seed
    await api.wait_for(work.started.is_set, timeout=10)
    injected = time.time()
    api.send_command(resident, "/start")
    try:
        await said(api, resident, text(resident, "start.greeting", name=resident.first_name), timeout=10)
        still_running = not work.finished.is_set()
    finally:
        work.release.set()
    waited = replies(api, resident)[0].time - injected
    assert waited < NOT_DELAYED_BY_STATS, f"/start waited {waited:.2f} s for /stats"
    assert still_running, "the report was over before the /start was answered"
    report = await said(api, admin, "全部社区", timeout=10)
    assert int(re.search(r"收到心愿：(\d+)", report["text"])[1]) > 500  # it counted the seeded wishes
    report_sent = next(c.time for c in replies(api, admin) if c.result["message_id"] == report["message_id"])
    assert replies(api, resident)[0].time < report_sent
