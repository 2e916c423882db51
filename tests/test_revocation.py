"""A change of a member's status ends their access at once: offers closed, tasks handed back."""

from sqlalchemy import select

from models import MemberProfile, Offer, OfferStatus, Outbox, User, Wish, WishEvent
from models import WishStatus as S
from services import people
from services.errors import DomainError, InvalidInput, InvalidTransition, NotAllowed
from services.privacy import reveal_contact
from services.revocation import FORGOTTEN, revoke_member
from tests.factories import (
    assigned,
    attempt,
    build_world,
    last_ids,
    new_admin,
    new_events,
    new_outbox,
    new_staff,
    offered,
    snapshot,
    try_use_case,
)

REASON = "多次爽约，请先和社区谈一谈"


def suspend(w, member: int, reason: str = REASON, actor: int | None = None):
    return attempt(
        w.db,
        lambda s: people.suspend_member(
            s, actor_id=actor or w.staff_id, member_user_id=member, reason=reason
        ),
    )


def wish_row(db, wish_id: int) -> Wish:
    with db.read() as s:
        return s.get(Wish, wish_id)


def profile(db, user_id: int) -> MemberProfile:
    with db.read() as s:
        return s.scalar(select(MemberProfile).where(MemberProfile.user_id == user_id))


def offer_status(db, offer_id: int) -> str:
    with db.read() as s:
        return s.get(Offer, offer_id).status


def params_of(db, key: str) -> list[dict]:
    with db.read() as s:
        return list(s.scalars(select(Outbox.params).where(Outbox.key == key)).all())


def test_suspending_a_member_closes_their_open_offer_and_gives_the_wish_back_to_staff(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        other_staff = new_staff(s, "A")
    wish, offer = offered(w, 0)
    outbox_before, events_before = last_ids(db)

    revoked = suspend(w, w.members[0])

    assert revoked.offers == [wish.number] and revoked.tasks == []
    stored = wish_row(db, wish.id)
    assert (stored.status, stored.assigned_member_id) == (S.accepted, None)
    assert offer_status(db, offer.id) == OfferStatus.withdrawn
    member = profile(db, w.members[0])
    assert (member.status, member.status_note) == ("suspended", REASON)
    events = new_events(db, events_before)
    assert [(e.from_status, e.to_status, e.actor_id, e.note) for e in events] == [
        (S.offered, S.accepted, None, REASON)
    ]
    assert new_outbox(db, outbox_before) == [
        (other_staff, "staff.returned_suspended"),  # the staff member who suspended sees the reply
        (w.members[0], "member.suspended"),
    ]


def test_suspending_a_member_hands_their_task_back_and_tells_staff_and_the_resident(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        other_staff = new_staff(s, "A")
    wish = assigned(w, 0)
    outbox_before, _ = last_ids(db)

    revoked = suspend(w, w.members[0])

    assert revoked.tasks == [wish.number]
    stored = wish_row(db, wish.id)
    assert (stored.status, stored.assigned_member_id, stored.assigned_at) == (S.accepted, None, None)
    sent = new_outbox(db, outbox_before)
    # the suspending staff member sees the result as a reply; the other one gets the alert
    assert sorted(sent) == sorted(
        [
            (w.resident_id, "resident.rearranging"),
            (other_staff, "staff.returned_suspended"),
            (w.members[0], "member.suspended"),
        ]
    )
    (alert,) = params_of(db, "staff.returned_suspended")
    assert alert["number"] == wish.number and alert["note"] == REASON and alert["member"] == "李建国"
    (told,) = params_of(db, "member.suspended")
    assert told == {"reason": REASON}


def test_a_suspended_member_can_no_longer_see_start_or_complete_the_task(db, catalogue):
    w = build_world(db, catalogue)
    wish = assigned(w, 0)
    suspend(w, w.members[0])
    contact = attempt(db, lambda s: reveal_contact(s, actor_id=w.members[0], wish_id=wish.id))
    assert isinstance(contact, NotAllowed)
    before = snapshot(db)
    for action in ("start", "complete"):
        assert isinstance(try_use_case(db, action, w.members[0], wish.id, catalogue), DomainError)
    assert snapshot(db) == before


def test_the_reason_a_member_reads_is_scrubbed_of_phone_and_house_numbers(db, catalogue):
    w = build_world(db, catalogue)
    suspend(w, w.members[0], reason="去3栋2单元502王阿姨家（13812341234）没有到")
    (told,) = params_of(db, "member.suspended")
    assert "13812341234" not in told["reason"] and "502" not in told["reason"]
    assert "没有到" in told["reason"]
    assert "13812341234" not in profile(db, w.members[0]).status_note


def test_only_staff_of_the_members_branch_or_an_admin_may_suspend_or_reinstate(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    offered(w, 0)
    before = snapshot(db)
    for intruder in (other.staff_id, w.members[1], w.resident_id):
        assert isinstance(suspend(w, w.members[0], actor=intruder), NotAllowed)
    assert snapshot(db) == before
    with db.write() as s:
        admin = new_admin(s)
    suspend(w, w.members[0], actor=admin)
    assert profile(db, w.members[0]).status == "suspended"

    def reinstate(actor):
        return lambda s: people.reinstate_member(s, actor_id=actor, member_user_id=w.members[0])

    assert isinstance(attempt(db, reinstate(other.staff_id)), NotAllowed)
    assert attempt(db, reinstate(w.staff_id)).status == "approved"
    assert profile(db, w.members[0]).status_note is None


def test_suspending_twice_or_reinstating_an_active_member_is_refused_and_changes_nothing(db, catalogue):
    w = build_world(db, catalogue)
    suspend(w, w.members[0])
    before = snapshot(db)
    again = suspend(w, w.members[0])
    assert isinstance(again, InvalidTransition) and again.key == "error.cannot_suspend"
    result = attempt(
        db, lambda s: people.reinstate_member(s, actor_id=w.staff_id, member_user_id=w.members[1])
    )
    assert isinstance(result, InvalidTransition) and result.key == "error.cannot_reinstate"
    assert snapshot(db) == before


def test_an_empty_suspension_reason_is_refused_and_changes_nothing(db, catalogue):
    w = build_world(db, catalogue)
    before = snapshot(db)
    refused = suspend(w, w.members[0], reason="   ")
    assert isinstance(refused, InvalidInput) and refused.key == "invalid.suspend_reason"
    assert snapshot(db) == before


def test_pausing_hands_back_the_members_offers_and_tasks(db, catalogue):
    w = build_world(db, catalogue)
    offered_wish, offer = offered(w, 0)
    task = assigned(w, 0)
    outbox_before, _ = last_ids(db)

    with db.write() as s:
        people.set_paused(s, actor_id=w.members[0], paused=True)

    assert wish_row(db, offered_wish.id).status == S.accepted
    assert offer_status(db, offer.id) == OfferStatus.withdrawn
    stored = wish_row(db, task.id)
    assert (stored.status, stored.assigned_member_id) == (S.accepted, None)
    sent = new_outbox(db, outbox_before)
    assert sorted(sent) == sorted(
        [
            (w.staff_id, "staff.returned_paused"),
            (w.resident_id, "resident.rearranging"),
            (w.staff_id, "staff.returned_paused"),
        ]
    )  # the member paused, so they are the one not told: they see the reply


def test_re_registering_at_another_branch_ends_the_old_branchs_task_and_contact(db, catalogue):
    a = build_world(db, catalogue, "A")
    b = build_world(db, catalogue, "B")
    wish = assigned(a, 0)
    member = a.members[0]

    with db.write() as s:
        people.register_member(
            s,
            actor_id=member,
            catalogue=catalogue,
            name="李建国",
            phone="13900001111",
            branch_id=b.branch_id,
            grid_id=None,
            work_unit="区供电公司",
            skills=["repair"],
            availability=["weekend"],
        )

    stored = wish_row(db, wish.id)
    assert (stored.status, stored.assigned_member_id) == (S.accepted, None)
    assert profile(db, member).status == "pending"
    assert isinstance(attempt(db, lambda s: reveal_contact(s, actor_id=member, wish_id=wish.id)), NotAllowed)
    (alert,) = params_of(db, "staff.returned_moved")
    assert alert["number"] == wish.number


def test_revoking_without_an_actor_tells_staff_as_forgetting_a_member_needs(db, catalogue):
    w = build_world(db, catalogue)
    wish = assigned(w, 0)
    _, offer = offered(w, 0)
    outbox_before, _ = last_ids(db)
    with db.write() as s:
        revoked = revoke_member(s, member_id=w.members[0], actor=None, note=FORGOTTEN)
    assert revoked.wishes == 2
    sent = new_outbox(db, outbox_before)
    assert sent.count((w.staff_id, "staff.returned_forgotten")) == 2
    assert (w.resident_id, "resident.rearranging") in sent
    assert all(uid != w.members[0] for uid, _ in sent)
    with db.read() as s:
        notes = s.scalars(select(WishEvent.note).where(WishEvent.wish_id == wish.id)).all()
        assert (s.get(User, w.members[0])) is not None
    assert notes[-1] == FORGOTTEN
    assert offer_status(db, offer.id) == OfferStatus.withdrawn
