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


async def branch_with(db, catalogue, *specs: dict) -> World:
    """A branch whose resident lives in grid 0, with one approved member per spec."""
    async with db.write() as s:
        branch_id, grids = await new_branch(s, "R")
        staff = await new_staff(s, "R")
        resident = await new_resident(s, branch_id, grids[0])
        members = [
            await new_member(
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


async def ranked(w: World, wish_id: int, **kw):
    async with w.db.read() as s:
        return await rank_candidates(
            s, actor_id=w.staff_id, wish_id=wish_id, catalogue=w.catalogue, limit=50, **kw
        )


async def test_a_member_whose_skills_fit_the_category_ranks_first(db, catalogue):
    w = await branch_with(db, catalogue, {"skills": ("tutoring",)}, {"skills": ("repair",)})
    wish = await accepted(w, category="repairs")
    first, second = await ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.skill_fit, second.skill_fit, first.score - second.score) == (True, False, 40)


async def test_a_member_living_in_the_wishs_grid_ranks_first(db, catalogue):
    w = await branch_with(db, catalogue, {"grid": 1}, {"grid": 0})
    wish = await accepted(w)
    first, second = await ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.same_grid, second.same_grid, first.score - second.score) == (True, False, 20)


async def test_a_member_available_at_the_preferred_time_ranks_first(db, catalogue):
    w = await branch_with(
        db, catalogue, {"availability": ("weekday_evening",)}, {"availability": ("weekend",)}
    )
    wish = await submit_draft(w, WishDraft("repairs", "周末来修", TimeWindow.weekend))
    first, second = await ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.available, second.available, first.score - second.score) == (True, False, 10)


async def test_a_chosen_weekday_suits_weekday_availability(db, catalogue):
    w = await branch_with(db, catalogue, {"availability": ("weekend",)}, {"availability": ("weekday_day",)})
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    wish = await submit_draft(w, WishDraft("repairs", "周一上午", TimeWindow.on_date, monday))
    first, second = await ranked(w, wish.id)
    assert (first.member_id, first.available, second.available) == (w.members[1], True, False)


async def test_a_member_with_a_pending_offer_ranks_below_a_free_one(db, catalogue):
    w = await branch_with(db, catalogue, {}, {})
    elsewhere = await accepted(w, text="另一个心愿")
    async with db.write() as s:
        await dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=elsewhere.id, member_id=w.members[0])
    wish = await accepted(w)
    first, second = await ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.load, second.load, first.score - second.score) == (0, 1, 8)


async def test_an_open_task_counts_as_load_after_the_fairness_window(db, catalogue):
    w = await branch_with(db, catalogue, {}, {})
    elsewhere = await accepted(w, text="另一个心愿")
    async with db.write() as s:
        offer = await dispatch.offer_wish(
            s, actor_id=w.staff_id, wish_id=elsewhere.id, member_id=w.members[0]
        )
    async with db.write() as s:
        await dispatch.take_offer(s, actor_id=w.members[0], offer_id=offer.id)
    wish = await accepted(w)
    first, second = await ranked(w, wish.id, now=utcnow() + timedelta(days=31))
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (second.load, second.recent, first.score - second.score) == (1, 0, 8)


async def test_a_member_who_served_recently_ranks_below_one_who_has_not(db, catalogue):
    w = await branch_with(db, catalogue, {}, {})
    for index in (0, 1):
        done = await completed(w, index)
        async with db.write() as s:
            await tasks.rate_wish(s, actor_id=w.resident_id, wish_id=done.id, score=4)
        if index == 1:  # the second member's task was long ago, the first's this week
            async with db.write() as s:
                long_ago = utcnow() - timedelta(days=40)
                await s.execute(update(Wish).where(Wish.id == done.id).values(assigned_at=long_ago))
    wish = await accepted(w)
    first, second = await ranked(w, wish.id)
    assert (first.member_id, second.member_id) == (w.members[1], w.members[0])
    assert (first.recent, second.recent, first.rating, second.rating) == (0, 1, 4.0, 4.0)
    assert first.score - second.score == 2


async def test_a_better_rated_member_ranks_first(db, catalogue):
    w = await branch_with(db, catalogue, {}, {})
    for index, score in ((0, 2), (1, 5)):
        done = await completed(w, index)
        async with db.write() as s:
            await tasks.rate_wish(s, actor_id=w.resident_id, wish_id=done.id, score=score)
    wish = await accepted(w)
    first, second = await ranked(w, wish.id)
    assert (first.member_id, first.rating, second.rating) == (w.members[1], 5.0, 2.0)
    assert first.score - second.score == 12


async def test_suspended_paused_pending_and_rejected_members_never_appear(db, catalogue):
    w = await branch_with(db, catalogue, {}, {}, {}, {})
    suspended, paused, *fine = w.members
    async with db.write() as s:
        suspend = update(MemberProfile).where(MemberProfile.user_id == suspended)
        await s.execute(suspend.values(status=MemberStatus.suspended))
        await people.set_paused(s, actor_id=paused, paused=True)
        grid = w.grid_ids[0]
        await new_member(s, catalogue, w.branch_id, grid, w.staff_id, approve=False)  # pending
        rejected = await new_member(s, catalogue, w.branch_id, grid, w.staff_id, approve=False)
        await people.decide_member(s, actor_id=w.staff_id, member_user_id=rejected, approve=False)
    wish = await accepted(w)
    assert [c.member_id for c in await ranked(w, wish.id)] == fine
    async with db.write() as s:
        await people.set_paused(s, actor_id=paused, paused=False)
    assert [c.member_id for c in await ranked(w, wish.id)] == [paused, *fine]


async def test_a_member_who_declined_this_wish_is_not_offered_it_again(db, catalogue):
    w = await branch_with(db, catalogue, {}, {})
    wish = await accepted(w)
    async with db.write() as s:
        offer = await dispatch.offer_wish(s, actor_id=w.staff_id, wish_id=wish.id, member_id=w.members[0])
    async with db.write() as s:
        await dispatch.decline_offer(s, actor_id=w.members[0], offer_id=offer.id, reason="出差")
    assert [c.member_id for c in await ranked(w, wish.id)] == [w.members[1]]
    other = await accepted(w, text="另一个心愿")
    assert {c.member_id for c in await ranked(w, other.id)} == set(w.members)


async def test_the_resident_never_appears_for_their_own_wish(db, catalogue):
    w = await branch_with(db, catalogue, {})
    async with db.write() as s:
        await people.register_member(
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
        await people.decide_member(s, actor_id=w.staff_id, member_user_id=w.resident_id, approve=True)
    wish = await accepted(w)
    assert [c.member_id for c in await ranked(w, wish.id)] == [w.members[0]]
