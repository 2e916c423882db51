"""The offer lifecycle: one table of moves, one conditional close, one query for open offers."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Offer, OfferKind, OfferStatus
from models.types import utcnow
from services import offers, queries
from services.errors import Conflict, InvalidTransition, NotAllowed
from tests.factories import build_world, new_branch, new_staff, offered, posted

S = OfferStatus


def stored(db, offer_id: int) -> tuple:
    with db.read() as s:
        offer = s.get(Offer, offer_id)
        return offer.status, offer.member_id, offer.answered_at


def all_offers(db) -> list[tuple]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(Offer.id, Offer.status).order_by(Offer.id)).all()]


def test_the_table_lets_an_offer_leave_open_once_and_never_come_back():
    assert {frm for frm, _ in offers.OFFER_TRANSITIONS} == {S.open}
    assert {to for _, to in offers.OFFER_TRANSITIONS} == {S.taken, S.declined, S.expired, S.withdrawn}
    assert not offers.allowed(S.taken, S.open)
    with pytest.raises(InvalidTransition):
        offers.require_move(S.taken, S.open)
    with pytest.raises(InvalidTransition):
        offers.require_move(S.expired, S.withdrawn)


def test_closing_to_a_status_the_table_does_not_list_is_refused_and_changes_nothing(db, catalogue):
    w = build_world(db, catalogue)
    _wish, offer = offered(w, 0)
    before = all_offers(db)
    with db.write() as s, pytest.raises(InvalidTransition):
        offers.close_offers(s, offer_id=offer.id, to=S.open, now=utcnow())
    assert all_offers(db) == before == [(offer.id, S.open)]


def test_a_second_close_of_the_same_offer_changes_nothing_and_says_so(db, catalogue):
    w = build_world(db, catalogue)
    _wish, offer = offered(w, 0)
    first_at = utcnow()
    with db.write() as s:
        closed = offers.close_offers(s, offer_id=offer.id, to=S.withdrawn, now=first_at)
    assert [(c.id, c.member_id) for c in closed] == [(offer.id, w.members[0])]
    with db.write() as s:
        again = offers.close_offers(s, offer_id=offer.id, to=S.expired, now=first_at + timedelta(hours=1))
        with pytest.raises(Conflict) as refused:
            offers.close_offer(
                s, offer_id=offer.id, member_id=w.members[0], to=S.taken, now=first_at + timedelta(hours=2)
            )
    assert again == []
    assert refused.value.key == "error.already_taken"
    status, member, answered_at = stored(db, offer.id)
    assert (status, member) == (S.withdrawn, w.members[0])
    assert abs(answered_at - first_at) < timedelta(seconds=1)


def test_a_direct_offer_closes_only_for_the_member_it_was_made_to(db, catalogue):
    w = build_world(db, catalogue)
    _wish, offer = offered(w, 0)
    with db.write() as s, pytest.raises(Conflict) as refused:
        offers.close_offer(s, offer_id=offer.id, member_id=w.members[1], to=S.declined, now=utcnow())
    assert refused.value.key == "error.offer_gone"
    assert stored(db, offer.id)[0] == S.open


def test_closing_by_member_closes_only_that_members_open_offers(db, catalogue):
    w = build_world(db, catalogue)
    first, a = offered(w, 0)
    second, b = offered(w, 0)
    _other, c = offered(w, 1)
    _wall, posting = posted(w)
    with db.write() as s:
        closed = offers.close_offers(
            s, member_id=w.members[0], kind=OfferKind.direct, to=S.withdrawn, now=utcnow()
        )
        left = offers.open_offers(s, member_id=w.members[0])
    assert [(o.id, o.wish_id) for o in closed] == [(a.id, first.id), (b.id, second.id)]
    assert left == []
    assert all_offers(db) == [
        (a.id, S.withdrawn),
        (b.id, S.withdrawn),
        (c.id, S.open),
        (posting.id, S.open),
    ]


def test_a_claimed_wall_posting_records_its_claimant(db, catalogue):
    w = build_world(db, catalogue)
    wish, posting = posted(w)
    with db.write() as s:
        closed = offers.close_offers(
            s, wish_id=wish.id, kind=OfferKind.wall, claimant_id=w.members[2], to=S.taken, now=utcnow()
        )
    assert [(o.id, o.member_id) for o in closed] == [(posting.id, w.members[2])]
    assert stored(db, posting.id)[:2] == (S.taken, w.members[2])


def test_the_open_offer_of_a_wish_is_the_one_still_open(db, catalogue):
    w = build_world(db, catalogue)
    wish, offer = offered(w, 0)
    with db.read() as s:
        found = offers.open_offer(s, wish_id=wish.id, kind=OfferKind.direct)
        other_member = offers.open_offer(s, wish_id=wish.id, member_id=w.members[1])
        on_wall = offers.open_offer(s, wish_id=wish.id, kind=OfferKind.wall)
    assert (found.id, found.member_id, found.kind) == (offer.id, w.members[0], OfferKind.direct)
    assert other_member is None and on_wall is None


def test_closing_with_no_filter_is_refused_rather_than_closing_every_offer(db, catalogue):
    w = build_world(db, catalogue)
    _wish, offer = offered(w, 0)
    with db.write() as s, pytest.raises(ValueError):
        offers.close_offers(s, to=S.withdrawn, now=utcnow())
    assert all_offers(db) == [(offer.id, S.open)]


def test_only_staff_of_the_branch_learn_whom_an_open_offer_waits_on(db, catalogue):
    w = build_world(db, catalogue)
    wish, _offer = offered(w, 0)
    with db.write() as s:
        new_branch(s, "B")
        stranger = new_staff(s, "B")
    with db.read() as s:
        assert queries.offered_to(s, actor_id=w.staff_id, wish_id=wish.id) == w.members[0]
        with pytest.raises(NotAllowed):
            queries.offered_to(s, actor_id=stranger, wish_id=wish.id)
