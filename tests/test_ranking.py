"""Ranking candidates for a wish: each factor of the documented score moves a member up or down.

Each test builds two members alike in all but one fact. The one the factor should favour is
registered second, so that the tie-break (lower user id first) alone would put them last.
"""

from datetime import date, timedelta

from sqlalchemy import update

from models import MemberProfile, MemberStatus, TimeWindow, Wish
from models.types import utcnow
from services import dispatch, people, tasks
from services.matching import rank_candidates
from services.wishes import WishDraft
from tests.factories import (
    World,
    accepted,
    completed,
    new_branch,
    new_member,
    new_resident,
    new_staff,
    submit_draft,
)


def branch_with(db, catalogue, *specs: dict) -> World:
    """A branch whose resident lives in grid 0, with one approved member per spec."""
    with db.write() as s:
        branch_id, grids = new_branch(s, "R")
        staff = new_staff(s, "R")
        resident = new_resident(s, branch_id, grids[0])
        members = [
            new_member(
                s,
                catalogue,
                branch_id,
                grids[spec.get("grid", 0)],
                staff,
                name=f"党员{i}",
                skills=spec.get("skills", ("repair",)),
                availability=spec.get("availability", ("weekend",)),
            )
            for i, spec in enumerate(specs)
        ]
    return World(db, catalogue, branch_id, grids, staff, resident, members)


def ranked(w: World, wish_id: int, **kw):
    with w.db.read() as s:
        return rank_candidates(s, actor_id=w.staff_id, wish_id=wish_id, catalogue=w.catalogue, limit=50, **kw)


def test_a_member_whose_skills_fit_the_category_ranks_first(db, catalogue):
    w = branch_with(db, catalogue, {"skills": ("tutoring",)}, {"skills": ("repair",)})
    wish = accepted(w, category="repairs")
    first, second = ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.skill_fit, second.skill_fit, first.score - second.score) == (True, False, 40)


def test_a_member_living_in_the_wishs_grid_ranks_first(db, catalogue):
    w = branch_with(db, catalogue, {"grid": 1}, {"grid": 0})
    wish = accepted(w)
    first, second = ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.same_grid, second.same_grid, first.score - second.score) == (True, False, 20)


def test_a_member_available_at_the_preferred_time_ranks_first(db, catalogue):
    w = branch_with(db, catalogue, {"availability": ("weekday_evening",)}, {"availability": ("weekend",)})
    wish = submit_draft(w, WishDraft("repairs", "周末来修", TimeWindow.weekend))
    first, second = ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.available, second.available, first.score - second.score) == (True, False, 10)


def test_a_chosen_weekday_suits_weekday_availability(db, catalogue):
    w = branch_with(db, catalogue, {"availability": ("weekend",)}, {"availability": ("weekday_day",)})
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    wish = submit_draft(w, WishDraft("repairs", "周一上午", TimeWindow.on_date, monday))
    first, second = ranked(w, wish.id)
    assert (first.member_id, first.available, second.available) == (w.members[1], True, False)


def test_a_member_with_a_pending_offer_ranks_below_a_free_one(db, catalogue):
    w = branch_with(db, catalogue, {}, {})
    elsewhere = accepted(w, text="另一个心愿")
    with db.write() as s:
        dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=elsewhere.id, member_id=w.members[0])
    wish = accepted(w)
    first, second = ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.load, second.load, first.score - second.score) == (0, 1, 8)


def test_an_open_task_counts_as_load_after_the_fairness_window(db, catalogue):
    w = branch_with(db, catalogue, {}, {})
    elsewhere = accepted(w, text="另一个心愿")
    with db.write() as s:
        offer = dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=elsewhere.id, member_id=w.members[0])
    with db.write() as s:
        dispatch.take_offer(s, actor_id=w.members[0], offer_id=offer.id)
    wish = accepted(w)
    first, second = ranked(w, wish.id, now=utcnow() + timedelta(days=31))
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (second.load, second.recent, first.score - second.score) == (1, 0, 8)


def test_a_member_who_served_recently_ranks_below_one_who_has_not(db, catalogue):
    w = branch_with(db, catalogue, {}, {})
    for index in (0, 1):
        done = completed(w, index)
        with db.write() as s:
            tasks.rate_wish(s, actor_id=w.resident_id, wish_id=done.id, score=4)
        if index == 1:  # the second member's task was long ago, the first's this week
            with db.write() as s:
                long_ago = utcnow() - timedelta(days=40)
                s.execute(update(Wish).where(Wish.id == done.id).values(assigned_at=long_ago))
    wish = accepted(w)
    first, second = ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.recent, second.recent, first.rating, second.rating) == (0, 1, 4.0, 4.0)
    assert first.score - second.score == 2


def test_a_better_rated_member_ranks_first(db, catalogue):
    w = branch_with(db, catalogue, {}, {})
    for index, score in ((0, 2), (1, 5)):
        done = completed(w, index)
        with db.write() as s:
            tasks.rate_wish(s, actor_id=w.resident_id, wish_id=done.id, score=score)
    wish = accepted(w)
    first, second = ranked(w, wish.id)
    assert (first.member_id, first.rating, second.rating) == (w.members[1], 5.0, 2.0)
    assert first.score - second.score == 12


def test_suspended_paused_pending_and_rejected_members_never_appear(db, catalogue):
    w = branch_with(db, catalogue, {}, {}, {}, {})
    suspended, paused, *fine = w.members
    with db.write() as s:
        suspend = update(MemberProfile).where(MemberProfile.user_id == suspended)
        s.execute(suspend.values(status=MemberStatus.suspended))
        people.set_paused(s, actor_id=paused, paused=True)
        grid = w.grid_ids[0]
        new_member(s, catalogue, w.branch_id, grid, w.staff_id, approve=False)  # pending
        rejected = new_member(s, catalogue, w.branch_id, grid, w.staff_id, approve=False)
        people.decide_member(s, actor_id=w.staff_id, member_user_id=rejected, approve=False)
    wish = accepted(w)
    assert [c.member_id for c in ranked(w, wish.id)] == fine
    with db.write() as s:
        people.set_paused(s, actor_id=paused, paused=False)
    assert [c.member_id for c in ranked(w, wish.id)] == [paused, *fine]


def test_a_member_who_declined_this_wish_is_not_offered_it_again(db, catalogue):
    w = branch_with(db, catalogue, {}, {})
    wish = accepted(w)
    with db.write() as s:
        offer = dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=w.members[0])
    with db.write() as s:
        dispatch.decline_offer(s, actor_id=w.members[0], offer_id=offer.id, reason="出差")
    assert [c.member_id for c in ranked(w, wish.id)] == [w.members[1]]
    other = accepted(w, text="另一个心愿")
    assert {c.member_id for c in ranked(w, other.id)} == set(w.members)


def test_the_resident_never_appears_for_their_own_wish(db, catalogue):
    w = branch_with(db, catalogue, {})
    with db.write() as s:
        people.register_member(
            s,
            actor_id=w.resident_id,
            catalogue=catalogue,
            name="王秀英",
            phone="13812341234",
            branch_id=w.branch_id,
            grid_id=w.grid_ids[0],
            work_unit="退休",
            skills=["repair"],
            availability=["weekend"],
        )
        people.decide_member(s, actor_id=w.staff_id, member_user_id=w.resident_id, approve=True)
    wish = accepted(w)
    assert [c.member_id for c in ranked(w, wish.id)] == [w.members[0]]
