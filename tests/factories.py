"""Builders for the people and wishes the tests need, made through the services."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import count

from sqlalchemy import func, insert, select, update

from models import (
    MemberProfile,
    MemberStatus,
    Offer,
    OfferKind,
    OfferStatus,
    Outbox,
    Priority,
    Rating,
    User,
    Wish,
    WishEvent,
    WishStatus,
)
from models.types import utcnow
from services import dispatch, people, tasks, wishes
from services.branches import add_admin, add_branch, add_staff, grids_of
from services.db import Database
from services.errors import DomainError

_ids = count(10_000)


@dataclass
class World:
    """One branch with two grids, its staff, a resident and three members."""

    db: Database
    catalogue: object
    branch_id: int
    grid_ids: list[int]
    staff_id: int
    resident_id: int
    members: list[int]
    limits: wishes.Limits = field(default_factory=wishes.Limits)


def new_user(s, name: str = "") -> int:
    user = people.ensure_user(s, telegram_id=next(_ids), display_name=name)
    return user.id


def new_branch(s, code: str) -> tuple[int, list[int]]:
    branch = add_branch(s, code=code, name=f"{code}社区", grids=["一网格", "二网格"])
    return branch.id, [g.id for g in grids_of(s, branch.id)]


def new_staff(s, code: str) -> int:
    user = add_staff(s, telegram_id=next(_ids), branch_code=code)
    return user.id


def new_resident(s, branch_id: int, grid_id: int | None, name: str = "王秀英") -> int:
    uid = new_user(s, name)
    address = people.Address("幸福小区", "3栋", "2单元", "502")
    people.register_resident(
        s,
        actor_id=uid,
        name=name,
        phone="13812341234",
        branch_id=branch_id,
        grid_id=grid_id,
        address=address,
    )
    return uid


def new_member(
    s,
    catalogue,
    branch_id: int,
    grid_id: int | None,
    staff_id: int,
    *,
    name: str = "李建国",
    skills=("repair",),
    availability=("weekend",),
    approve: bool = True,
) -> int:
    uid = new_user(s, name)
    people.register_member(
        s,
        actor_id=uid,
        catalogue=catalogue,
        name=name,
        phone="13900001111",
        branch_id=branch_id,
        grid_id=grid_id,
        work_unit="区供电公司",
        skills=list(skills),
        availability=list(availability),
    )
    if approve:
        people.decide_member(s, actor_id=staff_id, member_user_id=uid, approve=True)
    return uid


def build_world(db: Database, catalogue, code: str = "A") -> World:
    with db.write() as s:
        branch_id, grids = new_branch(s, code)
        staff_id = new_staff(s, code)
        resident_id = new_resident(s, branch_id, grids[0])
        members = [
            new_member(s, catalogue, branch_id, grids[0], staff_id, name="李建国"),
            new_member(s, catalogue, branch_id, grids[1], staff_id, name="赵红梅"),
            new_member(s, catalogue, branch_id, grids[1], staff_id, name="陈志强", skills=("tutoring",)),
        ]
    return World(db, catalogue, branch_id, grids, staff_id, resident_id, members)


def submit(w: World, text: str = "厨房水管漏水", category: str = "repairs", resident_id=None) -> Wish:
    return submit_draft(w, wishes.WishDraft(category, text), resident_id=resident_id)


def accepted(w: World, **kw) -> Wish:
    wish = submit(w, **kw)
    with w.db.write() as s:
        return wishes.accept_wish(
            s,
            actor_id=w.staff_id,
            wish_id=wish.id,
            category=wish.category,
            priority=Priority.normal,
            catalogue=w.catalogue,
        )


def assigned(w: World, member_index: int = 0) -> Wish:
    _wish, offer = offered(w, member_index)
    with w.db.write() as s:
        return dispatch.take_offer(s, actor_id=w.members[member_index], offer_id=offer.id)


def completed(w: World, member_index: int = 0) -> Wish:
    wish = assigned(w, member_index)
    with w.db.write() as s:
        return tasks.complete_task(
            s, actor_id=w.members[member_index], wish_id=wish.id, note="换了水管", hours=1.5
        )


# --- Helpers added for the service-level suite. ---


def add_members(s, branch_id: int, telegram_ids: list[int]) -> list[int]:
    """Approved members in bulk, in two statements and without the registration chatter."""
    now = utcnow()  # a Core insert leaves out the models' default factories
    people_ = [{"telegram_id": t, "display_name": f"党员{t}", "created_at": now} for t in telegram_ids]
    s.execute(insert(User), people_)
    ids = list(s.scalars(select(User.id).where(User.telegram_id.in_(telegram_ids))).all())
    approved = {"branch_id": branch_id, "status": MemberStatus.approved, "registered_at": now}
    profiles = [{"user_id": uid, "skills": [], "availability": [], **approved} for uid in ids]
    s.execute(insert(MemberProfile), profiles)
    return ids


def new_admin(s) -> int:
    user = add_admin(s, telegram_id=next(_ids))
    return user.id


def submit_draft(w: World, draft: wishes.WishDraft, resident_id=None) -> Wish:
    with w.db.write() as s:
        return wishes.submit_wish(
            s,
            actor_id=resident_id or w.resident_id,
            draft=draft,
            catalogue=w.catalogue,
            limits=w.limits,
            today=date.today(),
        )


def offered(w: World, member_index: int = 0) -> tuple[Wish, Offer]:
    """An accepted wish offered to one member."""
    wish = accepted(w)
    with w.db.write() as s:
        offer = dispatch.offer_wish(
            s, actor_id=w.staff_id, wish_id=wish.id, member_id=w.members[member_index]
        )
        return wishes.get_wish(s, wish.id), offer


def posted(w: World) -> tuple[Wish, Offer]:
    """An accepted wish posted on the wall."""
    wish = accepted(w)
    with w.db.write() as s:
        posting = dispatch.post_to_wall(s, actor_id=w.staff_id, wish_id=wish.id)
        return wishes.get_wish(s, wish.id), posting


def attempt(db: Database, call):
    """Run `call(session)` in its own write transaction; return its result or the DomainError."""
    try:
        with db.write() as s:
            return call(s)
    except DomainError as exc:
        return exc


RACE_TIMEOUT = 120.0  # seconds: a race that has not finished by then has hung


def at_once(*calls: Callable[[], object], return_exceptions: bool = True) -> list:
    """Run each call in its own thread, all released together; results (or exceptions) in order.

    The threads wait at a barrier until every one of them is ready, so their transactions really
    overlap: each opens its own connection and the database decides who goes first.
    """
    start = threading.Barrier(len(calls), timeout=RACE_TIMEOUT)

    def one(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls), thread_name_prefix="race") as pool:
        futures = [pool.submit(one, call) for call in calls]
        results = []
        for future in futures:
            try:
                results.append(future.result(timeout=RACE_TIMEOUT))
            except Exception as exc:
                if not return_exceptions:
                    raise
                results.append(exc)
    return results


def race(db: Database, *calls: Callable) -> list:
    """Run each `call(session)` in its own write transaction, all at once; results or exceptions."""

    def one(call):
        with db.write() as s:
            return call(s)

    return at_once(*(lambda call=call: one(call) for call in calls))


def snapshot(db: Database) -> dict:
    """Everything a refused call must leave alone, in comparable form."""
    with db.read() as s:
        wish_rows = s.scalars(select(Wish).order_by(Wish.id)).all()
        offers = select(Offer.id, Offer.status, Offer.member_id).order_by(Offer.id)
        members = select(MemberProfile.user_id, MemberProfile.status, MemberProfile.tasks_confirmed).order_by(
            MemberProfile.user_id
        )
        return {
            "wishes": [
                (x.id, x.status, x.assigned_member_id, x.category, x.priority, x.closed_at) for x in wish_rows
            ],
            "events": s.scalars(select(WishEvent.id).order_by(WishEvent.id)).all(),
            "outbox": s.scalars(select(Outbox.id).order_by(Outbox.id)).all(),
            "offers": s.execute(offers).all(),
            "ratings": s.scalars(select(Rating.id)).all(),
            "members": s.execute(members).all(),
        }


def new_outbox(db: Database, since: int = 0) -> list[tuple[int, str]]:
    """(recipient user_id, key) of outbox rows with id > since, in order."""
    query = select(Outbox.user_id, Outbox.key).where(Outbox.id > since).order_by(Outbox.id)
    with db.read() as s:
        return [tuple(row) for row in s.execute(query).all()]


def new_events(db: Database, since: int = 0) -> list[WishEvent]:
    """WishEvents with id > since, in order."""
    query = select(WishEvent).where(WishEvent.id > since).order_by(WishEvent.id)
    with db.read() as s:
        return list(s.scalars(query).all())


def last_ids(db: Database) -> tuple[int, int]:
    """The highest Outbox id and WishEvent id so far."""
    with db.read() as s:
        return (
            s.scalar(select(func.coalesce(func.max(Outbox.id), 0))),
            s.scalar(select(func.coalesce(func.max(WishEvent.id), 0))),
        )


# The statuses in which a wish has an assigned member. Closed follows completed or disputed, so
# the member who did the work stays on record, as in confirmed.
HAS_MEMBER = frozenset(
    {
        WishStatus.assigned,
        WishStatus.in_progress,
        WishStatus.completed,
        WishStatus.disputed,
        WishStatus.confirmed,
        WishStatus.closed,
    }
)


def wish_in(w: World, status: WishStatus, member_index: int = 0) -> Wish:
    """Setup: a fresh wish forced into `status` with the offer or member that status implies.

    The offer (direct) goes to, and the assignment is of, `w.members[member_index]`.
    """
    wish = submit(w)
    member = w.members[member_index]
    with w.db.write() as s:
        values = {"status": status}
        if status in HAS_MEMBER:
            values.update(assigned_member_id=member, assigned_at=utcnow())
        s.execute(update(Wish).where(Wish.id == wish.id).values(**values))
        if status == WishStatus.offered:
            s.add(Offer(wish_id=wish.id, kind=OfferKind.direct, member_id=member))
        if status == WishStatus.posted:
            s.add(Offer(wish_id=wish.id, kind=OfferKind.wall))
        return wishes.get_wish(s, wish.id)


def fingerprint(db: Database, wish_id: int) -> tuple:
    """One wish's row and the numbers of events, outbox rows and open offers, in one query."""

    def count(model, *where):
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    query = select(
        Wish.status,
        Wish.assigned_member_id,
        Wish.closed_at,
        Wish.triaged_at,
        Wish.category,
        count(WishEvent),
        count(Outbox),
        count(Offer, Offer.status == OfferStatus.open),
    ).where(Wish.id == wish_id)
    with db.read() as s:
        return tuple(s.execute(query).one())


USE_CASES = (
    "accept",
    "reject",
    "cancel",
    "offer",
    "post",
    "withdraw",
    "take",
    "decline",
    "claim",
    "start",
    "complete",
    "rate",
    "dispute",
    "resolve",
    "release",
)


def latest_direct_offer(s, wish_id: int) -> int:
    """The id of the wish's newest direct offer, whatever its status; -1 if none."""
    query = select(func.max(Offer.id)).where(Offer.wish_id == wish_id, Offer.kind == OfferKind.direct)
    return s.scalar(query) or -1


def use_case(s, name: str, actor_id: int, wish_id: int | None, args: dict, catalogue):
    """Call one use case by name with plausible arguments (`args` may override them)."""
    ids = {"actor_id": actor_id, "wish_id": wish_id}
    match name:
        case "submit":
            draft = args.get("draft") or wishes.WishDraft("repairs", "水龙头坏了")
            limits = args.get("limits") or wishes.Limits(max_open_wishes=1000)
            return wishes.submit_wish(
                s,
                actor_id=actor_id,
                draft=draft,
                catalogue=catalogue,
                limits=limits,
                today=date.today(),
            )
        case "accept":
            return wishes.accept_wish(
                s, **ids, category="repairs", priority=Priority.normal, catalogue=catalogue
            )
        case "reject":
            return wishes.reject_wish(
                s, **ids, reason=args.get("reason", "unclear"), note=None, catalogue=catalogue
            )
        case "cancel":
            return wishes.cancel_wish(s, **ids)
        case "offer":
            return dispatch.offer_wish(s, **ids, member_id=args["member_id"])
        case "post":
            return dispatch.post_to_wall(s, **ids)
        case "withdraw":
            return dispatch.withdraw_from_wall(s, **ids)
        case "take":
            return dispatch.take_offer(s, actor_id=actor_id, offer_id=args["offer_id"])
        case "decline":
            return dispatch.decline_offer(s, actor_id=actor_id, offer_id=args["offer_id"], reason="这周出差")
        case "claim":
            return dispatch.claim_from_wall(s, **ids)
        case "start":
            return tasks.start_task(s, **ids)
        case "complete":
            return tasks.complete_task(s, **ids, note="办好了", hours=1)
        case "rate":
            return tasks.rate_wish(s, **ids, score=args.get("score", 5))
        case "dispute":
            return tasks.dispute_wish(s, **ids, note="没修好")
        case "resolve":
            return tasks.resolve_dispute(s, **ids, to=args["to"], note="回访后处理")
        case "release":
            return dispatch.release_wish(s, **ids, reason="临时有事")
    raise ValueError(f"unknown use case {name}")


def try_use_case(db: Database, name: str, actor_id, wish_id, catalogue, **args):
    """`use_case` in its own write transaction: its result, or the DomainError it raised."""
    return attempt(db, lambda s: use_case(s, name, actor_id, wish_id, args, catalogue))
