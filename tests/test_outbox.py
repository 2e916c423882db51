"""Every state change writes exactly the notifications it should, and one WishEvent, together."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from models import Outbox
from models import WishStatus as S
from services import outbox, people
from services.note_keys import NoteKey
from services.wishes import Limits
from tests.factories import (
    World,
    accepted,
    assigned,
    build_world,
    completed,
    last_ids,
    latest_direct_offer,
    new_branch,
    new_events,
    new_member,
    new_outbox,
    new_staff,
    offered,
    posted,
    submit,
    try_use_case,
)


@dataclass
class Team:
    w: World
    staff: list[int]  # both staff of branch A

    @property
    def resident(self) -> int:
        return self.w.resident_id

    def member(self, index: int = 0) -> int:
        return self.w.members[index]

    def to_staff(self, key: str) -> set[tuple[int, str]]:
        return {(uid, key) for uid in self.staff}


def team(db, catalogue) -> Team:
    w = build_world(db, catalogue)
    with db.write() as s:
        second = new_staff(s, "A")
        new_branch(s, "B")
        new_staff(s, "B")  # never hears of branch A
    return Team(w, [w.staff_id, second])


def disputed(w: World):
    wish = completed(w)
    try_use_case(w.db, "dispute", w.resident_id, wish.id, w.catalogue)
    return wish


@dataclass
class Case:
    setup: Any  # async (World) -> the wish, or None for submit
    action: str
    actor: Any  # (Team) -> user id
    move: tuple[S | None, S]
    expect: Any  # (Team) -> set of (user id, key)
    args: Any = None  # (Team) -> extra arguments


def _offered(w):
    return offered(w, 0)[0]


def _posted(w):
    return posted(w)[0]


CASES = {
    "submit": Case(
        None, "submit", lambda t: t.resident, (None, S.submitted), lambda t: t.to_staff("staff.new_wish")
    ),
    "accept": Case(
        submit,
        "accept",
        lambda t: t.staff[0],
        (S.submitted, S.accepted),
        lambda t: {(t.resident, "resident.accepted")},
    ),
    "reject": Case(
        submit,
        "reject",
        lambda t: t.staff[0],
        (S.submitted, S.rejected),
        lambda t: {(t.resident, "resident.rejected")},
    ),
    "offer": Case(
        accepted,
        "offer",
        lambda t: t.staff[0],
        (S.accepted, S.offered),
        lambda t: {(t.member(1), "member.offer")},
        lambda t: {"member_id": t.member(1)},
    ),
    "decline": Case(
        _offered,
        "decline",
        lambda t: t.member(0),
        (S.offered, S.accepted),
        lambda t: t.to_staff("staff.offer_declined"),
    ),
    "take": Case(
        _offered,
        "take",
        lambda t: t.member(0),
        (S.offered, S.assigned),
        lambda t: {(t.resident, "resident.assigned")},
    ),
    "claim": Case(
        _posted,
        "claim",
        lambda t: t.member(1),
        (S.posted, S.assigned),
        lambda t: {(t.resident, "resident.assigned")},
    ),
    "start": Case(
        assigned,
        "start",
        lambda t: t.member(0),
        (S.assigned, S.in_progress),
        lambda t: {(t.resident, "resident.started")},
    ),
    "complete": Case(
        assigned,
        "complete",
        lambda t: t.member(0),
        (S.assigned, S.completed),
        lambda t: {(t.resident, "resident.completed")},
    ),
    "rate": Case(
        completed,
        "rate",
        lambda t: t.resident,
        (S.completed, S.confirmed),
        lambda t: {(t.member(0), "member.rated")},
    ),
    "dispute": Case(
        completed,
        "dispute",
        lambda t: t.resident,
        (S.completed, S.disputed),
        lambda t: t.to_staff("staff.disputed") | {(t.member(0), "member.disputed")},
    ),
    "cancel a submitted wish": Case(
        submit,
        "cancel",
        lambda t: t.resident,
        (S.submitted, S.cancelled),
        lambda t: set(),  # staff.new_wish was still unsent: withdrawn, so staff hear of neither
    ),
    "cancel an offered wish": Case(
        _offered,
        "cancel",
        lambda t: t.resident,
        (S.offered, S.cancelled),
        lambda t: t.to_staff("staff.cancelled") | {(t.member(0), "member.cancelled")},
    ),
    "staff cancel an offered wish": Case(
        _offered,
        "cancel",
        lambda t: t.staff[0],
        (S.offered, S.cancelled),
        lambda t: {(t.member(0), "member.cancelled"), (t.resident, "resident.cancelled")},
    ),
    "the member drops out": Case(
        assigned,
        "release",
        lambda t: t.member(0),
        (S.assigned, S.accepted),
        lambda t: t.to_staff("staff.dropped_out") | {(t.resident, "resident.rearranging")},
    ),
    "staff take the job back": Case(
        assigned,
        "release",
        lambda t: t.staff[1],
        (S.assigned, S.accepted),
        lambda t: {(t.member(0), "member.task_withdrawn"), (t.resident, "resident.rearranging")},
    ),
    "a dispute goes back to the member": Case(
        disputed,
        "resolve",
        lambda t: t.staff[0],
        (S.disputed, S.assigned),
        lambda t: {(t.resident, "resident.assigned"), (t.member(0), "member.redo")},
        lambda t: {"to": S.assigned},
    ),
    "a dispute is closed": Case(
        disputed,
        "resolve",
        lambda t: t.staff[0],
        (S.disputed, S.closed),
        lambda t: {(t.resident, "resident.closed"), (t.member(0), "member.closed")},
        lambda t: {"to": S.closed},
    ),
}


def test_each_use_case_notifies_exactly_the_right_people_and_records_one_event(db, catalogue):
    t = team(db, catalogue)
    t.w.limits = Limits(max_open_wishes=1000)
    seen, wanted, told_themselves = {}, {}, []
    for name, case in CASES.items():
        wish = case.setup(t.w) if case.setup else None
        args = case.args(t) if case.args else {}
        if case.action in ("take", "decline"):
            with db.read() as s:
                args["offer_id"] = latest_direct_offer(s, wish.id)
        outbox_before, events_before = last_ids(db)
        actor = case.actor(t)

        result = try_use_case(db, case.action, actor, wish and wish.id, catalogue, **args)

        wish_id = wish.id if wish else result.id
        rows = new_outbox(db, outbox_before)
        events = new_events(db, events_before)
        seen[name] = (sorted(rows), [(e.wish_id, e.from_status, e.to_status, e.actor_id) for e in events])
        wanted[name] = (sorted(case.expect(t)), [(wish_id, *case.move, actor)])
        if actor in {uid for uid, _ in rows}:
            told_themselves.append(name)
    assert seen == wanted  # each recipient once, nobody else, and exactly one event
    assert told_themselves == []


def test_staff_posting_their_own_wish_are_not_told_of_it(db, catalogue):
    t = team(db, catalogue)
    with db.write() as s:
        people.register_resident(
            s,
            actor_id=t.staff[1],
            name="周敏",
            phone="13600001111",
            branch_id=t.w.branch_id,
            grid_id=None,
            address=people.Address("幸福小区", "1栋", "", "101"),
        )
    outbox_before, _ = last_ids(db)
    submit(t.w, resident_id=t.staff[1])
    assert new_outbox(db, outbox_before) == [(t.staff[0], "staff.new_wish")]


def test_a_registration_asks_the_branch_staff_and_the_approval_tells_the_member(db, catalogue):
    t = team(db, catalogue)
    outbox_before, events_before = last_ids(db)
    with db.write() as s:
        member = new_member(s, catalogue, t.w.branch_id, None, t.staff[0], approve=False)
    asked = new_outbox(db, outbox_before)
    assert sorted(asked) == sorted(t.to_staff("staff.member_registered"))
    outbox_before, _ = last_ids(db)
    with db.write() as s:
        people.decide_member(s, actor_id=t.staff[1], member_user_id=member, approve=True)
    assert new_outbox(db, outbox_before) == [(member, "member.approved")]
    assert new_events(db, events_before) == []  # registration is not a wish's business


def test_a_rejected_registration_tells_the_member(db, catalogue):
    t = team(db, catalogue)
    with db.write() as s:
        member = new_member(s, catalogue, t.w.branch_id, None, t.staff[0], approve=False)
    outbox_before, _ = last_ids(db)
    with db.write() as s:
        people.decide_member(s, actor_id=t.staff[0], member_user_id=member, approve=False)
    assert new_outbox(db, outbox_before) == [(member, "member.registration_rejected")]


def test_a_refused_call_writes_no_notification(db, catalogue):
    t = team(db, catalogue)
    wish = completed(t.w)
    outbox_before, events_before = last_ids(db)
    for action, actor in (("rate", t.staff[0]), ("start", t.member(0)), ("accept", t.staff[0])):
        try_use_case(db, action, actor, wish.id, catalogue)
    assert (new_outbox(db, outbox_before), new_events(db, events_before)) == ([], [])


def test_the_sender_is_woken_once_per_commit_that_queued_notes_and_only_once_it_is_visible(db, catalogue):
    w = build_world(db, catalogue)
    woken: list[int] = []

    def count_outbox() -> None:  # what a sender woken now would find
        with db.read() as s:
            woken.append(s.scalar(select(func.count()).select_from(Outbox)))

    before = len(new_outbox(db))
    unwatch = outbox.when_queued(db, count_outbox)
    try:
        with db.write() as s:  # queues nothing
            people.ensure_user(s, telegram_id=987_654, display_name="路人")
        assert woken == []
        with db.write() as s:
            with s.begin_nested():  # a savepoint's release is not yet the commit
                outbox.queue(s, [outbox.Note(w.staff_id, NoteKey.staff_new_wish, {}, None)])
            assert woken == []
        assert woken == [before + 1]
        submit(w)  # a use case that notifies the branch's staff
        assert woken == [before + 1, before + 2]
    finally:
        unwatch()
    submit(w)
    assert len(woken) == 2
