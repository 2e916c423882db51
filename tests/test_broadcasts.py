"""Staff announcements: who they reach, who may send them, and what they refuse."""

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from models import Audience, Broadcast, Outbox, User
from services import people
from services.broadcasts import MAX_TEXT, Reach, count_recipients, create_broadcast, progress
from services.errors import InvalidInput, NotAllowed
from tests.factories import (
    attempt,
    build_world,
    new_admin,
    new_branch,
    new_member,
    new_resident,
    new_staff,
    snapshot,
)


def crowd(db, catalogue):
    """Branch A: one resident, three approved members (the first also lives there as a resident),
    a member not yet approved, and a resident who blocked the bot. Branch B: one resident."""
    w = build_world(db, catalogue)
    b = build_world(db, catalogue, code="B")
    with db.write() as s:
        new_member(s, catalogue, w.branch_id, None, w.staff_id, name="孙丽", approve=False)
        blocked = new_resident(s, w.branch_id, None, name="刘桂兰")
        s.execute(update(User).where(User.id == blocked).values(unreachable=True))
        address = people.Address("幸福小区", "5栋", "", "101")
        people.register_resident(
            s,
            actor_id=w.members[0],
            name="李建国",
            phone="13900001111",
            branch_id=w.branch_id,
            grid_id=None,
            address=address,
        )
        admin = new_admin(s)
    return w, b, blocked, admin


def reach(db, actor_id, branch_id, audience) -> Reach:
    with db.read() as s:
        return count_recipients(s, actor_id=actor_id, branch_id=branch_id, audience=audience)


def recipients_of(db, broadcast_id) -> list[int]:
    with db.read() as s:
        query = select(Outbox.user_id).where(Outbox.broadcast_id == broadcast_id)
        return sorted(s.scalars(query).all())


def test_members_means_approved_members_and_both_counts_a_member_who_is_a_resident_once(db, catalogue):
    w, _, _, _ = crowd(db, catalogue)
    assert reach(db, w.staff_id, w.branch_id, Audience.members) == Reach(3, 0)
    assert reach(db, w.staff_id, w.branch_id, Audience.residents) == Reach(2, 1)
    assert reach(db, w.staff_id, w.branch_id, Audience.both) == Reach(4, 1)


def test_a_broadcast_queues_one_quiet_row_per_reachable_recipient_with_the_text(db, catalogue):
    w, _, blocked, _ = crowd(db, catalogue)
    with db.write() as s:
        sent = create_broadcast(
            s, actor_id=w.staff_id, branch_id=w.branch_id, audience=Audience.both, text="  周六上午停水  "
        )
    assert sent.recipients == 4
    assert recipients_of(db, sent.id) == sorted([w.resident_id, *w.members])
    with db.read() as s:
        rows = s.scalars(select(Outbox).where(Outbox.broadcast_id == sent.id)).all()
    assert {(r.key, r.params["text"], r.params["branch"], r.quiet, r.status) for r in rows} == {
        ("broadcast.message", "周六上午停水", "A社区", True, "pending")
    }
    assert blocked not in {r.user_id for r in rows}


def test_the_same_recipient_cannot_be_queued_twice_for_one_broadcast(db, catalogue):
    w, _, _, _ = crowd(db, catalogue)
    with db.write() as s:
        sent = create_broadcast(
            s, actor_id=w.staff_id, branch_id=w.branch_id, audience=Audience.members, text="开会"
        )
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(Outbox(user_id=w.members[0], key="broadcast.message", broadcast_id=sent.id))


def test_staff_of_another_branch_residents_and_members_are_refused_and_nothing_is_queued(db, catalogue):
    w, b, _, _ = crowd(db, catalogue)
    before = snapshot(db)
    for actor in (b.staff_id, w.resident_id, w.members[0]):
        refused = attempt(
            db,
            lambda s, actor=actor: create_broadcast(
                s, actor_id=actor, branch_id=w.branch_id, audience=Audience.both, text="通知"
            ),
        )
        assert isinstance(refused, NotAllowed) and refused.key == "error.staff_only"
    assert snapshot(db) == before


def test_only_admins_may_address_every_branch(db, catalogue):
    w, b, _, admin = crowd(db, catalogue)
    refused = attempt(
        db,
        lambda s: create_broadcast(s, actor_id=w.staff_id, branch_id=None, audience=Audience.both, text="x"),
    )
    assert isinstance(refused, NotAllowed)
    with db.write() as s:
        sent = create_broadcast(s, actor_id=admin, branch_id=None, audience=Audience.residents, text="x")
    assert recipients_of(db, sent.id) == sorted([w.resident_id, w.members[0], b.resident_id])
    with db.read() as s:
        keys = set(s.scalars(select(Outbox.key).where(Outbox.broadcast_id == sent.id)).all())
    assert keys == {"broadcast.message_all"}  # not signed with any one branch's name


def test_an_admin_may_address_one_branch_they_do_not_serve(db, catalogue):
    w, _, _, admin = crowd(db, catalogue)
    assert reach(db, admin, w.branch_id, Audience.members) == Reach(3, 0)


def test_an_empty_audience_is_refused_and_leaves_no_broadcast(db, catalogue):
    with db.write() as s:  # branch C has staff and nobody else
        empty_branch, _ = new_branch(s, "C")
        empty_staff = new_staff(s, "C")
    refused = attempt(
        db,
        lambda s: create_broadcast(
            s, actor_id=empty_staff, branch_id=empty_branch, audience=Audience.both, text="x"
        ),
    )
    assert isinstance(refused, InvalidInput) and refused.key == "error.no_recipients"
    with db.read() as s:
        assert s.scalars(select(Broadcast)).all() == []


@pytest.mark.parametrize("text", ["", "   ", "长" * (MAX_TEXT + 1)])
def test_an_empty_or_too_long_text_is_refused(db, catalogue, text):
    w, _, _, _ = crowd(db, catalogue)
    refused = attempt(
        db,
        lambda s: create_broadcast(
            s, actor_id=w.staff_id, branch_id=w.branch_id, audience=Audience.members, text=text
        ),
    )
    assert isinstance(refused, InvalidInput) and refused.key == "invalid.broadcast"


def test_progress_starts_all_pending_and_is_for_the_branch_staff_only(db, catalogue):
    w, b, _, _ = crowd(db, catalogue)
    with db.write() as s:
        sent = create_broadcast(
            s, actor_id=w.staff_id, branch_id=w.branch_id, audience=Audience.members, text="开会"
        )
    with db.read() as s:
        now = progress(s, actor_id=w.staff_id, broadcast_id=sent.id)
    assert (now.recipients, now.pending, now.sent, now.failed, now.unreachable) == (3, 3, 0, 0, 0)
    assert not now.finished
    refused = attempt(db, lambda s: progress(s, actor_id=b.staff_id, broadcast_id=sent.id))
    assert isinstance(refused, NotAllowed)


def test_a_phone_or_house_number_in_a_broadcast_reaches_nobody_and_the_rest_does(db, catalogue):
    w, _, _, _ = crowd(db, catalogue)
    typed = "周六上午9:00停水，有事找王阿姨13812345678，住3栋2单元502"
    with db.write() as s:
        sent = create_broadcast(
            s, actor_id=w.staff_id, branch_id=w.branch_id, audience=Audience.both, text=typed
        )
    with db.read() as s:
        rows = s.scalars(select(Outbox.params).where(Outbox.broadcast_id == sent.id)).all()
        texts = {params["text"] for params in rows} | {s.get(Broadcast, sent.id).text}
    assert texts == {"周六上午9:00停水，有事找王阿姨**，住**"}
