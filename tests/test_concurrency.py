"""Races the database must decide: the first claim wins, and nobody gets a half-done wish."""

from sqlalchemy import func, select

from models import Offer, OfferStatus, Outbox, Wish, WishEvent
from models import WishStatus as S
from services import dispatch, people, wishes
from services.errors import Conflict, DomainError, NotAllowed
from services.revocation import Revoked
from tests.factories import (
    build_world,
    last_ids,
    new_events,
    new_member,
    new_outbox,
    offered,
    posted,
    race,
)


def offers_of(db, wish_id: int) -> list[tuple[OfferStatus, int | None]]:
    with db.read() as s:
        query = select(Offer.status, Offer.member_id).where(Offer.wish_id == wish_id)
        return [tuple(row) for row in s.execute(query.order_by(Offer.id)).all()]


def test_fifty_members_claiming_one_wall_posting_make_exactly_one_assignment(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        claimants = [
            new_member(s, catalogue, w.branch_id, w.grid_ids[0], w.staff_id, name=f"党员{i}")
            for i in range(50)
        ]
    wish, _ = posted(w)
    outbox_before, events_before = last_ids(db)

    def claim(member):
        return lambda s: dispatch.claim_from_wall(s, actor_id=member, wish_id=wish.id)

    results = race(db, *map(claim, claimants))

    won = [claimants[i] for i, r in enumerate(results) if isinstance(r, Wish)]
    lost = [r for r in results if not isinstance(r, Wish)]
    assert len(won) == 1, results
    assert len(lost) == 49
    assert {(type(r), r.key) for r in lost} == {(Conflict, "error.already_taken")}, lost
    with db.read() as s:
        stored = s.get(Wish, wish.id)
        assignments = s.scalar(
            select(func.count())
            .select_from(WishEvent)
            .where(WishEvent.wish_id == wish.id, WishEvent.to_status == S.assigned)
        )
    assert (stored.status, stored.assigned_member_id, assignments) == (S.assigned, won[0], 1)
    assert offers_of(db, wish.id) == [(OfferStatus.taken, won[0])]
    events = new_events(db, events_before)
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [(S.posted, S.assigned, won[0])]
    assert new_outbox(db, outbox_before) == [(w.resident_id, "resident.assigned")]


def test_the_same_member_pressing_take_twice_at_once_is_assigned_once(db, catalogue):
    w = build_world(db, catalogue)
    wish, offer = offered(w, 0)

    def take(s):
        return dispatch.take_offer(s, actor_id=w.members[0], offer_id=offer.id)

    results = race(db, take, take)

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Wish"]
    assert next(r for r in results if isinstance(r, Conflict)).key == "error.already_taken"
    with db.read() as s:
        events = s.scalar(
            select(func.count())
            .select_from(WishEvent)
            .where(WishEvent.wish_id == wish.id, WishEvent.to_status == S.assigned)
        )
        told = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.key == "resident.assigned"))
    assert (events, told) == (1, 1)
    assert offers_of(db, wish.id) == [(OfferStatus.taken, w.members[0])]


def test_only_the_offeree_can_win_a_race_for_a_direct_offer(db, catalogue):
    w = build_world(db, catalogue)
    wish, offer = offered(w, 0)

    def take(member):
        return lambda s: dispatch.take_offer(s, actor_id=member, offer_id=offer.id)

    results = race(db, *map(take, w.members))

    assert isinstance(results[0], Wish) and results[0].assigned_member_id == w.members[0]
    assert all(isinstance(r, NotAllowed) for r in results[1:]), results
    assert offers_of(db, wish.id) == [(OfferStatus.taken, w.members[0])]


def _settled(result) -> bool:
    """A use case either did its work or refused with a domain error; nothing else."""
    return isinstance(result, Wish | DomainError)


def test_a_cancel_racing_a_take_leaves_the_wish_either_cancelled_or_assigned(db, catalogue):
    w = build_world(db, catalogue)
    outcomes = set()
    for _ in range(4):
        wish, offer = offered(w, 0)
        results = race(
            db,
            lambda s, i=wish.id: wishes.cancel_wish(s, actor_id=w.resident_id, wish_id=i),
            lambda s, o=offer.id: dispatch.take_offer(s, actor_id=w.members[0], offer_id=o),
        )
        assert all(map(_settled, results)), results
        assert sum(isinstance(r, Wish) for r in results) == 1, results
        with db.read() as s:
            status = s.get(Wish, wish.id).status
        expected = {S.cancelled: OfferStatus.withdrawn, S.assigned: OfferStatus.taken}
        assert [o for o, _ in offers_of(db, wish.id)] == [expected[status]]
        outcomes.add(status)
    assert outcomes <= {S.cancelled, S.assigned}


def test_withdrawing_from_the_wall_racing_a_claim_leaves_one_consistent_outcome(db, catalogue):
    w = build_world(db, catalogue)
    for _ in range(4):
        wish, _ = posted(w)
        results = race(
            db,
            lambda s, i=wish.id: dispatch.withdraw_from_wall(s, actor_id=w.staff_id, wish_id=i),
            lambda s, i=wish.id: dispatch.claim_from_wall(s, actor_id=w.members[1], wish_id=i),
        )
        assert all(map(_settled, results)), results
        assert sum(isinstance(r, Wish) for r in results) == 1, results
        with db.read() as s:
            status = s.get(Wish, wish.id).status
        expected = {S.accepted: OfferStatus.withdrawn, S.assigned: OfferStatus.taken}
        assert [o for o, _ in offers_of(db, wish.id)] == [expected[status]]


def test_a_decline_racing_a_cancel_leaves_the_offer_closed_and_the_wish_consistent(db, catalogue):
    w = build_world(db, catalogue)
    for _ in range(4):
        wish, offer = offered(w, 0)

        def decline(s, o=offer.id):
            return dispatch.decline_offer(s, actor_id=w.members[0], offer_id=o, reason="忙")

        def cancel(s, i=wish.id):
            return wishes.cancel_wish(s, actor_id=w.staff_id, wish_id=i)

        declined, cancelled = race(db, decline, cancel)
        assert _settled(declined) and _settled(cancelled), (declined, cancelled)
        with db.read() as s:
            status = s.get(Wish, wish.id).status
        offer_status = [o for o, _ in offers_of(db, wish.id)]
        if isinstance(cancelled, Wish):  # declined first or not, it could still be cancelled
            closed = OfferStatus.declined if isinstance(declined, Wish) else OfferStatus.withdrawn
            assert (status, offer_status) == (S.cancelled, [closed])
        else:  # the decline changed the wish under the cancel, which says so
            assert isinstance(cancelled, Conflict) and isinstance(declined, Wish)
            assert (status, offer_status) == (S.accepted, [OfferStatus.declined])


def test_a_suspension_racing_a_take_never_leaves_the_job_with_the_suspended_member(db, catalogue):
    w = build_world(db, catalogue)
    w.limits = wishes.Limits(max_open_wishes=100)
    outcomes = set()
    for round_ in range(4):
        wish, offer = offered(w, 0)
        results = race(
            db,
            lambda s, o=offer.id: dispatch.take_offer(s, actor_id=w.members[0], offer_id=o),
            lambda s, why=f"第{round_}次": people.suspend_member(
                s, actor_id=w.staff_id, member_user_id=w.members[0], reason=why
            ),
        )
        assert all(isinstance(r, Wish | DomainError | Revoked) for r in results), results
        assert isinstance(results[1], Revoked), results
        with db.read() as s:
            stored = s.get(Wish, wish.id)
        assert (stored.status, stored.assigned_member_id) == (S.accepted, None)
        outcomes.add(type(results[0]).__name__)
        with db.write() as s:
            people.reinstate_member(s, actor_id=w.staff_id, member_user_id=w.members[0])
    assert outcomes <= {"Wish", "Conflict", "NotAllowed"}
