"""Unanswered offers lapse; with auto-dispatch the next member is asked, and after 3 staff take over."""

from sqlalchemy import select

from models import Offer, OfferStatus, Wish, WishStatus
from services.branches import set_auto_dispatch
from tests.factories import accepted, build_world, offered
from tests.sweeps.helpers import T0, H, beijing, clock, settled, sweep


def _status(db, wish_id):
    with db.read() as s:
        return s.scalar(select(Wish.status).where(Wish.id == wish_id))


def _offers(db, wish_id):
    with db.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(Offer.member_id, Offer.status).where(Offer.wish_id == wish_id).order_by(Offer.id)
            )
        ]


def test_an_unanswered_offer_lapses_after_two_hours_and_goes_back_to_staff(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        wish, _ = offered(w)
    settled(db)
    assert sweep(db, catalogue, T0 + 1.9 * H)[1] == []
    report, rows = sweep(db, catalogue, T0 + 2 * H)
    assert report.expired == 1
    assert sorted(rows) == sorted(
        [(w.staff_id, "staff.offer_expired"), (w.members[0], "member.offer_expired")]
    )
    assert _status(db, wish.id) == WishStatus.accepted
    assert _offers(db, wish.id) == [(w.members[0], OfferStatus.expired)]
    assert sweep(db, catalogue, T0 + 2 * H)[1] == []


def test_quiet_hours_do_not_count_towards_an_offers_two_hours(db, catalogue):
    evening = beijing(23, 20, 30)
    with clock(evening):
        w = build_world(db, catalogue)
        offered(w)
    settled(db)
    assert sweep(db, catalogue, beijing(23, 23, 0))[0].expired == 0  # 30 awake minutes
    assert sweep(db, catalogue, beijing(24, 9, 29))[0].expired == 0  # 1 h 59 min
    assert sweep(db, catalogue, beijing(24, 9, 31))[0].expired == 1


def test_auto_dispatch_walks_down_the_ranking_and_hands_back_to_staff_after_three(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        with db.write() as s:
            set_auto_dispatch(s, code="A", on=True)
        wish = accepted(w)
    settled(db)
    asked = []
    moment = T0
    for _ in range(3):
        _, rows = sweep(db, catalogue, moment)
        offers = _offers(db, wish.id)
        assert offers[-1][1] == OfferStatus.open and _status(db, wish.id) == WishStatus.offered
        lapsed = [(asked[-1], "member.offer_expired")] if asked else []
        asked.append(offers[-1][0])
        assert sorted(rows) == sorted([*lapsed, (asked[-1], "member.offer")])  # staff hear nothing yet
        moment += 2 * H
    assert sorted(asked) == sorted(w.members)  # each member once, best first
    _, rows = sweep(db, catalogue, moment)  # the third offer lapses: back to staff
    assert _status(db, wish.id) == WishStatus.accepted
    assert sorted(rows) == sorted(
        [(asked[-1], "member.offer_expired"), (w.staff_id, "staff.auto_dispatch_failed")]
    )
    assert sweep(db, catalogue, moment + 2 * H)[1] == []  # it stays with staff


def test_auto_dispatch_offers_the_best_ranked_member_first(db, catalogue):
    from services.matching import rank_candidates

    with clock(T0):
        w = build_world(db, catalogue)
        with db.write() as s:
            set_auto_dispatch(s, code="A", on=True)
        wish = accepted(w)
        with db.read() as s:
            best = rank_candidates(s, actor_id=None, wish_id=wish.id, catalogue=catalogue, limit=1)[0]
    report, _ = sweep(db, catalogue, T0 + H)
    assert report.auto_offered == 1
    assert (_offers(db, wish.id)) == [(best.member_id, OfferStatus.open)]


def test_without_auto_dispatch_accepted_wishes_wait_for_staff(db, catalogue):
    with clock(T0):
        w = build_world(db, catalogue)
        wish = accepted(w)
    sweep(db, catalogue, T0 + H)
    assert _offers(db, wish.id) == [] and _status(db, wish.id) == WishStatus.accepted
