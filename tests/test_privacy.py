"""A resident's phone and address are shown to the branch staff and the assigned member only."""

import pytest

from models import MemberStatus
from models import WishStatus as S
from services.errors import NotAllowed
from services.privacy import Contact, mask_name, mask_phone, reveal_contact
from services.queries import timeline
from tests.factories import (
    accepted,
    assigned,
    attempt,
    build_world,
    completed,
    new_admin,
    offered,
    submit,
    try_use_case,
)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧*"), ("  李四 ", "李*"), ("Ann", "A*"), ("", "*"), (None, "*")],
)
def test_a_listed_name_shows_only_its_first_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613812341234", "138****1234"),
        ("13812341234", "138****1234"),
        ("+14155552671", "141****2671"),
        ("12345", "****"),
        ("", "****"),
    ],
)
def test_a_listed_phone_number_hides_its_middle(phone, masked):
    assert mask_phone(phone) == masked


def contact(db, actor_id: int, wish_id: int):
    return attempt(db, lambda s: reveal_contact(s, actor_id=actor_id, wish_id=wish_id))


RESIDENTS_CONTACT = Contact("王秀英", "+8613812341234", "幸福小区", "3栋", "2单元", "502")


MASKED_CONTACT = Contact("王*", "138****1234", "", "", "", "", full=False)


def test_the_branch_staff_see_the_contact_at_every_stage_and_an_admin_only_masked(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        admin = new_admin(s)
    for wish in (submit(w), accepted(w), assigned(w), completed(w)):
        assert contact(db, w.staff_id, wish.id) == RESIDENTS_CONTACT
        assert contact(db, admin, wish.id) == MASKED_CONTACT
    assert RESIDENTS_CONTACT.address == "幸福小区 3栋 2单元 502" and MASKED_CONTACT.address == ""


def test_an_admin_who_is_also_staff_of_the_branch_sees_the_contact_in_full(db, catalogue):
    from models import User
    from services.branches import add_staff

    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    with db.write() as s:
        admin = new_admin(s)
        add_staff(s, telegram_id=s.get(User, admin).telegram_id, branch_code="A")
    assert contact(db, admin, submit(w).id) == RESIDENTS_CONTACT
    assert contact(db, admin, submit(other).id) == MASKED_CONTACT


def test_the_one_rule_shows_contacts_to_branch_staff_and_the_serving_member_never_for_being_admin():
    from services.actors import Actor
    from services.privacy import sees_contacts

    def actor(uid=1, admin=False, staff=(), member_of=None, status=MemberStatus.approved):
        return Actor(uid, admin, frozenset(staff), member_of, status if member_of else None)

    assert sees_contacts(actor(staff={7}), branch_id=7)
    assert not sees_contacts(actor(staff={8}), branch_id=7)
    assert not sees_contacts(actor(admin=True), branch_id=7)
    assert sees_contacts(actor(admin=True, staff={7}), branch_id=7)
    serving = actor(uid=5, member_of=7)
    assert sees_contacts(serving, branch_id=7, assigned_member_id=5, status=S.in_progress)
    assert not sees_contacts(serving, branch_id=7, assigned_member_id=5, status=S.confirmed)
    assert not sees_contacts(serving, branch_id=7, assigned_member_id=6, status=S.assigned)
    for lost in (actor(uid=5, member_of=7, status=MemberStatus.suspended), actor(uid=5, member_of=8)):
        assert not sees_contacts(lost, branch_id=7, assigned_member_id=5, status=S.completed)


def test_the_assigned_member_sees_the_contact_from_taking_until_the_wish_ends(db, catalogue):
    w = build_world(db, catalogue)
    member = w.members[0]
    wish, offer = offered(w, 0)
    seen = {"offered": contact(db, member, wish.id)}
    try_use_case(db, "take", member, wish.id, catalogue, offer_id=offer.id)
    seen["assigned"] = contact(db, member, wish.id)
    try_use_case(db, "start", member, wish.id, catalogue)
    seen["in_progress"] = contact(db, member, wish.id)
    try_use_case(db, "complete", member, wish.id, catalogue)
    seen["completed"] = contact(db, member, wish.id)
    try_use_case(db, "dispute", w.resident_id, wish.id, catalogue)
    seen["disputed"] = contact(db, member, wish.id)
    try_use_case(db, "resolve", w.staff_id, wish.id, catalogue, to=S.closed)
    seen["closed"] = contact(db, member, wish.id)
    shown = {status: isinstance(result, Contact) for status, result in seen.items()}
    assert shown == {
        "offered": False,
        "assigned": True,
        "in_progress": True,
        "completed": True,
        "disputed": True,
        "closed": False,
    }
    assert seen["assigned"] == RESIDENTS_CONTACT
    assert seen["offered"].key == "error.contact_hidden"


def test_the_member_no_longer_sees_the_contact_once_the_resident_has_rated(db, catalogue):
    w = build_world(db, catalogue)
    wish = completed(w, 0)
    try_use_case(db, "rate", w.resident_id, wish.id, catalogue, score=5)
    assert isinstance(contact(db, w.members[0], wish.id), NotAllowed)


def test_a_member_who_dropped_out_no_longer_sees_the_contact(db, catalogue):
    w = build_world(db, catalogue)
    wish = assigned(w, 0)
    assert isinstance(contact(db, w.members[0], wish.id), Contact)
    try_use_case(db, "release", w.members[0], wish.id, catalogue)
    assert isinstance(contact(db, w.members[0], wish.id), NotAllowed)


def test_other_members_and_staff_of_another_branch_never_see_the_contact(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    wish = assigned(w, 0)
    for who in (w.members[1], w.members[2], other.staff_id, other.members[0], other.resident_id):
        assert isinstance(contact(db, who, wish.id), NotAllowed), who


def test_a_timeline_names_people_only_by_a_masked_name(db, catalogue):
    w = build_world(db, catalogue)
    wish = assigned(w, 0)
    with db.read() as s:
        entries = timeline(s, actor_id=w.resident_id, wish_id=wish.id)
    names = [e.actor for e in entries]
    assert names[0] == "王*"  # the resident, who posted it
    assert names[-1] == "李*"  # the member, who took it
    assert all(len(name) <= 2 and name.endswith("*") for name in names)


def test_a_member_suspended_after_finishing_a_job_no_longer_sees_its_residents_contact(db, catalogue):
    from services import membership

    w = build_world(db, catalogue)
    wish = completed(w)
    assert contact(db, w.members[0], wish.id) == RESIDENTS_CONTACT
    suspended = attempt(
        db,
        lambda s: membership.suspend_member(
            s, actor_id=w.staff_id, member_user_id=w.members[0], reason="多次爽约"
        ),
    )
    assert suspended.tasks == []  # a finished job is not handed back, but its contact still ends
    assert isinstance(contact(db, w.members[0], wish.id), NotAllowed)
