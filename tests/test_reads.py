"""The read use cases behind the screens: each checks the actor itself and masks what it must."""

import pytest

from models import MemberStatus
from models import WishStatus as S
from services import dispatch, people
from services.errors import NotAllowed, NotFound
from services.reads.member_views import find_members, member_for_staff, pending_registrations
from services.reads.my_wishes import my_wish
from services.reads.queues import queue_card
from services.reads.wish_details import wish_details
from services.reads.wish_views import find_wishes, staff_wish, staff_wish_by_number
from tests.factories import (
    accepted,
    assigned,
    build_world,
    new_admin,
    new_member,
    new_resident,
    offered,
    submit,
)

PHONE_TEXT = "水管漏水，请打13812345678找我"
SCRUBBED_AWAY = "13812345678"


def read(db, call):
    """`call(session)` in a read transaction; its result or the DomainError it raised."""
    try:
        with db.read() as s:
            return call(s)
    except (NotAllowed, NotFound) as exc:
        return exc


@pytest.fixture
def town(db, catalogue):
    """Branch A with a wish in hand, branch B next door, and an admin who is staff of neither."""
    a = build_world(db, catalogue, "A")
    b = build_world(db, catalogue, "B")
    with db.write() as s:
        admin = new_admin(s)
        neighbour = new_resident(s, a.branch_id, a.grid_ids[0], name="孙大妈")
    return a, b, admin, neighbour


# --- one wish from 我的心愿: the read that used to hold only because of call order ---------------


def test_a_wish_is_refused_by_its_own_read_to_everyone_but_its_resident_staff_and_assignee(db, town):
    a, b, admin, neighbour = town
    wish = assigned(a, 0)
    outsiders = (neighbour, a.members[1], b.staff_id, b.members[0], b.resident_id)
    for who in outsiders:
        refused = read(db, lambda s, who=who: my_wish(s, actor_id=who, wish_id=wish.id))
        assert isinstance(refused, NotAllowed), who
    for who in (a.resident_id, a.staff_id, a.members[0], admin):
        assert read(db, lambda s, who=who: my_wish(s, actor_id=who, wish_id=wish.id).wish.id) == wish.id


def test_a_wish_that_does_not_exist_is_not_found_rather_than_refused(db, town):
    a, *_ = town
    missing = read(db, lambda s: my_wish(s, actor_id=a.resident_id, wish_id=987_654))
    assert isinstance(missing, NotFound) and missing.key == "error.no_wish"


def test_the_resident_reads_their_own_text_and_gets_no_contact_block(db, town):
    a, *_ = town
    wish = submit(a, text=PHONE_TEXT)
    mine = read(db, lambda s: my_wish(s, actor_id=a.resident_id, wish_id=wish.id))
    assert mine.text == PHONE_TEXT and mine.contact is None


def test_the_branch_staff_and_the_serving_member_read_the_contact_an_admin_only_scrubbed_text(db, town):
    a, _, admin, _ = town
    wish = assigned(a, 0)
    for who in (a.staff_id, a.members[0]):
        view = read(db, lambda s, who=who: my_wish(s, actor_id=who, wish_id=wish.id))
        assert view.contact is not None and view.contact.full and view.contact.name == "王秀英", who
    plain = submit(a, text=PHONE_TEXT)
    by_admin = read(db, lambda s: my_wish(s, actor_id=admin, wish_id=plain.id))
    assert by_admin.contact is None
    assert SCRUBBED_AWAY not in by_admin.text and by_admin.text.startswith("水管漏水")


def test_a_staff_note_reaches_staff_but_not_the_resident(db, town):
    a, *_ = town
    wish = assigned(a, 0)
    with db.write() as s:
        dispatch.release_wish(s, actor_id=a.staff_id, wish_id=wish.id, reason="党员临时出差，改派")
    staff = read(db, lambda s: my_wish(s, actor_id=a.staff_id, wish_id=wish.id))
    resident = read(db, lambda s: my_wish(s, actor_id=a.resident_id, wish_id=wish.id))
    assert "党员临时出差，改派" in [e.note for e in staff.events]
    assert all(e.note is None for e in resident.events if e.to_status == S.accepted)
    assert "党员临时出差，改派" not in [e.note for e in resident.events]


# --- the staff view of one wish -------------------------------------------------------------------


def test_the_staff_view_is_refused_on_its_own_to_other_branches_residents_and_members(db, town):
    a, b, _, _ = town
    wish = assigned(a, 0)
    for who in (b.staff_id, a.resident_id, a.members[0], a.members[1]):
        refused = read(db, lambda s, who=who: wish_details(s, actor_id=who, wish_id=wish.id))
        assert isinstance(refused, NotAllowed) and refused.key == "error.staff_only", who


def test_the_staff_view_shows_branch_staff_every_contact_and_masks_them_for_an_admin(db, town):
    a, _, admin, _ = town
    wish = assigned(a, 0)
    full = read(db, lambda s: wish_details(s, actor_id=a.staff_id, wish_id=wish.id))
    assert full.full and full.resident.full and full.resident.address == "幸福小区 3栋 2单元 502"
    assert full.member.name == "李建国" and full.member.phone.endswith("13900001111") and full.assigned
    masked = read(db, lambda s: wish_details(s, actor_id=admin, wish_id=wish.id))
    assert not masked.full and not masked.resident.full
    resident = masked.resident
    assert (resident.name, resident.phone, resident.address) == ("王*", "138****1234", "")
    assert (masked.member.name, masked.member.phone) == ("李*", "139****1111")


def test_the_staff_view_scrubs_the_text_and_notes_for_an_admin_who_is_not_staff_there(db, town):
    a, _, admin, _ = town
    wish = accepted(a, text=PHONE_TEXT)
    for who, scrubbed in ((a.staff_id, False), (admin, True)):
        view = read(db, lambda s, who=who: wish_details(s, actor_id=who, wish_id=wish.id))
        assert (SCRUBBED_AWAY not in view.text) is scrubbed, who


def test_the_staff_view_names_the_member_an_open_offer_waits_on(db, town):
    a, *_ = town
    wish, _offer = offered(a, 1)
    view = read(db, lambda s: wish_details(s, actor_id=a.staff_id, wish_id=wish.id))
    assert view.member.name == "赵红梅" and not view.assigned


def test_staff_look_a_wish_up_by_id_or_number_only_in_their_own_branch(db, town):
    a, b, admin, _ = town
    wish = submit(a)
    assert read(db, lambda s: staff_wish(s, actor_id=a.staff_id, wish_id=wish.id).number) == wish.number
    by_number = read(db, lambda s: staff_wish_by_number(s, actor_id=admin, number=wish.number.lower()))
    assert by_number.id == wish.id
    for refused in (
        read(db, lambda s: staff_wish(s, actor_id=b.staff_id, wish_id=wish.id)),
        read(db, lambda s: staff_wish(s, actor_id=a.resident_id, wish_id=wish.id)),
        read(db, lambda s: staff_wish_by_number(s, actor_id=a.resident_id, number=wish.number)),
    ):
        assert isinstance(refused, NotAllowed) and refused.key == "error.staff_only"
    unknown = read(db, lambda s: staff_wish_by_number(s, actor_id=b.staff_id, number=wish.number))
    assert isinstance(unknown, NotFound)  # another branch's number is not even admitted to exist


# --- searching and queue cards --------------------------------------------------------------------


def test_staff_find_only_their_branch_and_an_admin_finds_every_branch_scrubbed(db, town):
    a, b, admin, _ = town
    ours, theirs = submit(a, text=PHONE_TEXT), submit(b, text=PHONE_TEXT)
    staff_found = read(db, lambda s: find_wishes(s, actor_id=a.staff_id, text="水管"))
    assert [f.id for f in staff_found] == [ours.id] and SCRUBBED_AWAY in staff_found[0].text
    admin_found = read(db, lambda s: find_wishes(s, actor_id=admin, text="水管"))
    assert [f.id for f in admin_found] == [theirs.id, ours.id]  # newest first
    assert all(SCRUBBED_AWAY not in f.text for f in admin_found)
    refused = read(db, lambda s: find_wishes(s, actor_id=a.resident_id, text="水管"))
    assert isinstance(refused, NotAllowed) and refused.key == "error.staff_only"


def test_a_queue_card_masks_the_resident_and_is_refused_to_another_branch(db, town):
    a, b, _, _ = town
    wish = submit(a)
    card = read(db, lambda s: queue_card(s, actor_id=a.staff_id, wish_id=wish.id))
    assert (card.resident, card.grid, card.wish.id) == ("王*", "一网格", wish.id)
    refused = read(db, lambda s: queue_card(s, actor_id=b.staff_id, wish_id=wish.id))
    assert isinstance(refused, NotAllowed)


# --- members --------------------------------------------------------------------------------------


def test_a_member_to_act_on_is_refused_alike_to_other_branches_and_for_an_unknown_id(db, town):
    a, b, admin, _ = town
    mine = read(db, lambda s: member_for_staff(s, actor_id=a.staff_id, member_user_id=a.members[0]))
    assert (mine.name, mine.status) == ("李建国", MemberStatus.approved)
    by_admin = read(db, lambda s: member_for_staff(s, actor_id=admin, member_user_id=a.members[0]))
    assert by_admin.name == "李建国"
    other = read(db, lambda s: member_for_staff(s, actor_id=b.staff_id, member_user_id=a.members[0]))
    unknown = read(db, lambda s: member_for_staff(s, actor_id=a.staff_id, member_user_id=987_654))
    not_a_member = read(db, lambda s: member_for_staff(s, actor_id=a.staff_id, member_user_id=a.resident_id))
    for refused in (other, unknown, not_a_member):
        assert isinstance(refused, NotAllowed) and refused.key == "error.staff_only"


def test_member_lists_mask_phones_and_refuse_another_branchs_staff(db, town, catalogue):
    a, b, _, _ = town
    with db.write() as s:
        waiting = new_member(s, catalogue, a.branch_id, a.grid_ids[0], a.staff_id, name="周敏", approve=False)
    pending = read(db, lambda s: pending_registrations(s, actor_id=a.staff_id, branch_id=a.branch_id))
    assert [(m.user_id, m.phone) for m in pending] == [(waiting, "139****1111")]
    found = read(db, lambda s: find_members(s, actor_id=a.staff_id, branch_ids=[a.branch_id], text="赵"))
    assert [(m.name, m.phone) for m in found] == [("赵红梅", "139****1111")]
    both = [b.branch_id, a.branch_id]
    for refused in (
        read(db, lambda s: pending_registrations(s, actor_id=b.staff_id, branch_id=a.branch_id)),
        read(db, lambda s: find_members(s, actor_id=b.staff_id, branch_ids=both, text="")),
    ):
        assert isinstance(refused, NotAllowed)
    with db.write() as s:
        people.decide_member(s, actor_id=a.staff_id, member_user_id=waiting, approve=True)
    assert read(db, lambda s: pending_registrations(s, actor_id=a.staff_id, branch_id=a.branch_id)) == []
