"""Notification spam (issue 10, point 5): one resident or member cannot make the bot alert staff
more than STAFF_ALERTS_PER_HOUR times an hour, a cancel takes back an alert not yet sent, a
resident who submits in a tight loop is refused politely, and nothing real is lost."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from bot.texts import render_note
from models import Outbox, OutboxStatus, Wish, WishEvent
from models.enums import WishStatus as S
from models.types import utcnow
from services import alert_budget, dispatch, wishes
from services.errors import InvalidInput
from services.wishes import Limits
from tests import factories as f
from tests.sweeps.helpers import POLICY, T0, clock, sweep

BUDGET = 10
CYCLES = 100


@pytest.fixture
def budget(monkeypatch):
    """The budget `sandan run` configures from STAFF_ALERTS_PER_HOUR (10 by default)."""
    monkeypatch.setattr(alert_budget.BUDGET, "per_hour", BUDGET)


def world(db, catalogue):
    """Branch A with two staff (so both are alerted) and a resident who may submit at will."""
    w = f.build_world(db, catalogue)
    with db.write() as s:
        second = f.new_staff(s, "A")
        s.execute(delete(Outbox))  # the members' registration alerts: not the subject here
    w.limits = Limits(max_open_wishes=1000)
    return w, [w.staff_id, second]


def delivered(db) -> None:
    """What the sender would have done meanwhile: every pending row is sent."""
    with db.write() as s:
        s.execute(update(Outbox).values(status=OutboxStatus.sent, attempts=1))


def alerts_to(db, user_id: int) -> list[str]:
    with db.read() as s:
        query = select(Outbox.key).where(Outbox.user_id == user_id).order_by(Outbox.id)
        return list(s.scalars(query).all())


def cycles(w, db, n: int, *, deliver: bool) -> list[int]:
    ids = []
    for _ in range(n):
        wish = f.submit(w)
        if deliver:
            delivered(db)  # staff had the new-wish alert before the cancel
        with db.write() as s:
            wishes.cancel_wish(s, actor_id=w.resident_id, wish_id=wish.id)
        if deliver:
            delivered(db)
        ids.append(wish.id)
    return ids


def every_wish_cancelled_with_its_events(db, ids: list[int]) -> bool:
    with db.read() as s:
        statuses = set(s.scalars(select(Wish.status).where(Wish.id.in_(ids))).all())
        events = s.scalar(select(func.count()).select_from(WishEvent).where(WishEvent.wish_id.in_(ids)))
    return statuses == {S.cancelled} and events == 2 * len(ids)


def test_a_hundred_submit_cancel_cycles_alert_each_staff_member_at_most_the_budget(db, catalogue, budget):
    w, staff = world(db, catalogue)
    ids = cycles(w, db, CYCLES, deliver=True)
    for uid in staff:
        keys = alerts_to(db, uid)
        assert len(keys) == BUDGET
        assert keys[-1] == alert_budget.ALERTS_PAUSED
        assert set(keys[:-1]) <= {"staff.new_wish", "staff.cancelled"}
    assert len(ids) == CYCLES and every_wish_cancelled_with_its_events(db, ids)


def test_cancelling_before_staff_were_told_takes_the_alert_back_and_sends_no_cancel(db, catalogue, budget):
    w, staff = world(db, catalogue)
    ids = cycles(w, db, CYCLES, deliver=False)
    for uid in staff:
        assert alerts_to(db, uid) == []  # they never heard of these wishes, and need not
    assert every_wish_cancelled_with_its_events(db, ids)


def test_a_cancel_after_staff_were_told_still_reaches_them(db, catalogue, budget):
    w, staff = world(db, catalogue)
    cycles(w, db, 1, deliver=True)
    for uid in staff:
        assert alerts_to(db, uid) == ["staff.new_wish", "staff.cancelled"]


def test_an_alert_being_sent_is_not_taken_back(db, catalogue, budget):
    w, staff = world(db, catalogue)
    wish = f.submit(w)
    with db.write() as s:  # a sender leased it: Telegram may already have it
        s.execute(update(Outbox).where(Outbox.user_id == staff[0]).values(attempts=1))
        wishes.cancel_wish(s, actor_id=w.resident_id, wish_id=wish.id)
    assert alerts_to(db, staff[0]) == ["staff.new_wish", "staff.cancelled"]
    assert alerts_to(db, staff[1]) == []


def test_the_paused_alert_names_the_resident_masked_and_says_where_the_work_is(db, catalogue, budget):
    w, _ = world(db, catalogue)
    cycles(w, db, CYCLES, deliver=True)
    with db.read() as s:
        params = s.scalar(select(Outbox.params).where(Outbox.key == alert_budget.ALERTS_PAUSED).limit(1))
    zh = render_note("zh", catalogue, alert_budget.ALERTS_PAUSED, params)
    en = render_note("en", catalogue, alert_budget.ALERTS_PAUSED, params)
    assert "王*" in zh and "王秀英" not in zh and "/queue" in zh and "10" in zh
    assert "王*" in en and "/queue" in en


def test_the_budget_is_per_person_and_the_scheduler_and_staff_are_never_budgeted(db, catalogue, budget):
    w, staff = world(db, catalogue)
    start = T0  # clear of quiet hours, so the sweep reminds
    with clock(start):
        cycles(w, db, CYCLES, deliver=True)
        with db.write() as s:
            neighbour = f.new_resident(s, w.branch_id, w.grid_ids[0], name="刘桂兰")
        waiting = f.submit(w, resident_id=neighbour)  # another resident is alerted as ever
    assert alerts_to(db, staff[0])[-1] == "staff.new_wish"
    # The scheduler's triage reminder comes whatever the resident did (caused by nobody).
    _, rows = sweep(db, catalogue, start + POLICY.triage_reminders[0] + timedelta(minutes=1))
    assert (staff[0], "staff.remind_triage") in rows
    # A staff member's moves are caused by nobody, so they never spend a budget.
    with db.write() as s:
        wishes.accept_wish(
            s,
            actor_id=staff[1],
            wish_id=waiting.id,
            category="repairs",
            priority="normal",
            catalogue=catalogue,
        )
        dispatch.offer_wish(s, actor_id=staff[1], wish_id=waiting.id, member_id=w.members[0])
    with db.read() as s:
        query = select(Outbox.key, Outbox.caused_by).where(Outbox.wish_id == waiting.id).order_by(Outbox.id)
        caused = s.execute(query).all()
    assert ("staff.new_wish", neighbour) in caused
    assert ("resident.accepted", None) in caused and ("member.offer", None) in caused


def test_a_members_decline_is_caused_by_the_member(db, catalogue, budget):
    w, staff = world(db, catalogue)
    _, offer = f.offered(w)
    with db.write() as s:
        dispatch.decline_offer(s, actor_id=w.members[0], offer_id=offer.id, reason="出差")
    with db.read() as s:
        query = select(Outbox.user_id, Outbox.caused_by).where(Outbox.key == "staff.offer_declined")
        assert sorted(s.execute(query).all()) == sorted((uid, w.members[0]) for uid in staff)


def test_without_a_configured_budget_nothing_is_dropped(db, catalogue):
    w, staff = world(db, catalogue)
    cycles(w, db, 12, deliver=True)
    assert len(alerts_to(db, staff[0])) == 24


def test_a_resident_submitting_in_a_tight_loop_is_refused_politely_and_nothing_changes(db, catalogue):
    w, _ = world(db, catalogue)
    w.limits = Limits(max_open_wishes=1000, max_wishes_per_hour=3)
    start = utcnow()
    with clock(start):
        cycles(w, db, 3, deliver=False)
        before = f.snapshot(db)
        refused = f.attempt(db, lambda s: wishes.submit_wish(
            s, actor_id=w.resident_id, draft=wishes.WishDraft("repairs", "水管漏了"),
            catalogue=catalogue, limits=w.limits, today=start.date()))  # fmt: skip
    assert isinstance(refused, InvalidInput) and refused.key == "invalid.too_many_submissions"
    assert refused.params == {"max": 3}
    assert f.snapshot(db) == before
    with clock(start + timedelta(hours=1, minutes=1)):  # an hour later they may again
        assert f.submit(w).status == S.submitted


def test_the_budget_is_a_sliding_hour_and_says_paused_once_an_hour(db, catalogue, budget):
    w, staff = world(db, catalogue)
    with clock(T0):
        cycles(w, db, 4, deliver=True)  # 8 alerts
    with clock(T0 + timedelta(minutes=30)):
        cycles(w, db, 1, deliver=True)  # the 9th, then the 10th says "paused"
    assert alerts_to(db, staff[0])[-2:] == ["staff.new_wish", alert_budget.ALERTS_PAUSED]
    with clock(T0 + timedelta(minutes=61)):  # the first 8 have left the hour: 8 more may come
        cycles(w, db, 10, deliver=True)
    keys = alerts_to(db, staff[0])
    assert len(keys) == 10 + 8 and keys.count(alert_budget.ALERTS_PAUSED) == 1


def test_a_dispute_reaches_staff_even_after_the_resident_spent_the_hours_budget(db, catalogue, budget):
    w, staff = world(db, catalogue)
    done = f.completed(w)  # the resident's earlier wish, finished by a member
    cycles(w, db, 12, deliver=True)  # then a busy hour of submitting and cancelling
    f.try_use_case(db, "dispute", w.resident_id, done.id, catalogue)
    assert "staff.disputed" in alerts_to(db, staff[0])
