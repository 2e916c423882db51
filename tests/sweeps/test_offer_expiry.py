"""Unanswered offers lapse; with auto-dispatch the next member is asked, and after 3 staff take over."""

from sqlalchemy import select

from models import Offer, OfferStatus, Wish, WishStatus
from services.branches import set_auto_dispatch
from tests.factories import accepted, build_world, offered
from tests.sweeps.helpers import T0, H, beijing, clock, settled, sweep


async def _status(db, wish_id):
    async with db.read() as s:
        return await s.scalar(select(Wish.status).where(Wish.id == wish_id))


async def _offers(db, wish_id):
    async with db.read() as s:
        return [
            tuple(r)
            for r in await s.execute(
                select(Offer.member_id, Offer.status).where(Offer.wish_id == wish_id).order_by(Offer.id)
            )
        ]


async def test_an_unanswered_offer_lapses_after_two_hours_and_goes_back_to_staff(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        wish, _ = await offered(w)
    await settled(db)
    assert (await sweep(db, catalogue, T0 + 1.9 * H))[1] == []
    report, rows = await sweep(db, catalogue, T0 + 2 * H)
    assert report.expired == 1
    assert sorted(rows) == sorted(
        [(w.staff_id, "staff.offer_expired"), (w.members[0], "member.offer_expired")]
    )
    assert await _status(db, wish.id) == WishStatus.accepted
    assert await _offers(db, wish.id) == [(w.members[0], OfferStatus.expired)]
    assert (await sweep(db, catalogue, T0 + 2 * H))[1] == []


async def test_quiet_hours_do_not_count_towards_an_offers_two_hours(db, catalogue):
    evening = beijing(23, 20, 30)
    with clock(evening):
        w = await build_world(db, catalogue)
        await offered(w)
    await settled(db)
    assert (await sweep(db, catalogue, beijing(23, 23, 0)))[0].expired == 0  # 30 awake minutes
    assert (await sweep(db, catalogue, beijing(24, 9, 29)))[0].expired == 0  # 1 h 59 min
    assert (await sweep(db, catalogue, beijing(24, 9, 31)))[0].expired == 1


async def test_auto_dispatch_walks_down_the_ranking_and_hands_back_to_staff_after_three(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        async with db.write() as s:
            await set_auto_dispatch(s, code="A", on=True)
        wish = await accepted(w)
    await settled(db)
    asked = []
    moment = T0
    for _ in range(3):
        _, rows = await sweep(db, catalogue, moment)
        offers = await _offers(db, wish.id)
        assert offers[-1][1] == OfferStatus.open and await _status(db, wish.id) == WishStatus.offered
        lapsed = [(asked[-1], "member.offer_expired")] if asked else []
        asked.append(offers[-1][0])
        assert sorted(rows) == sorted([*lapsed, (asked[-1], "member.offer")])  # staff hear nothing yet
        moment += 2 * H
    assert sorted(asked) == sorted(w.members)  # each member once, best first
    _, rows = await sweep(db, catalogue, moment)  # the third offer lapses: back to staff
    assert await _status(db, wish.id) == WishStatus.accepted
    assert sorted(rows) == sorted(
        [(asked[-1], "member.offer_expired"), (w.staff_id, "staff.auto_dispatch_failed")]
    )
    assert (await sweep(db, catalogue, moment + 2 * H))[1] == []  # it stays with staff


async def test_auto_dispatch_offers_the_best_ranked_member_first(db, catalogue):
    from services.matching import rank_candidates

    with clock(T0):
        w = await build_world(db, catalogue)
        async with db.write() as s:
            await set_auto_dispatch(s, code="A", on=True)
        wish = await accepted(w)
        async with db.read() as s:
            best = (await rank_candidates(s, actor_id=None, wish_id=wish.id, catalogue=catalogue, limit=1))[0]
    report, _ = await sweep(db, catalogue, T0 + H)
    assert report.auto_offered == 1
    assert (await _offers(db, wish.id)) == [(best.member_id, OfferStatus.open)]


async def test_without_auto_dispatch_accepted_wishes_wait_for_staff(db, catalogue):
    with clock(T0):
        w = await build_world(db, catalogue)
        wish = await accepted(w)
    await sweep(db, catalogue, T0 + H)
    assert await _offers(db, wish.id) == [] and await _status(db, wish.id) == WishStatus.accepted
