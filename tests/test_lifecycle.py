"""The transition table is the whole truth: every pair of statuses either moves or is refused."""

import itertools
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from models import (
    MemberProfile,
    Offer,
    OfferKind,
    Outbox,
    Rating,
    Wish,
    WishEvent,
    WishStatus,
)
from services import people
from services.actors import load_actor
from services.db import Database
from services.errors import DomainError, InvalidTransition, NotAllowed
from services.lifecycle import TERMINAL, TRANSITIONS, Party, move
from services.wishes import Limits, get_wish
from tests.factories import (
    HAS_MEMBER,
    USE_CASES,
    accepted,
    assigned,
    attempt,
    build_world,
    completed,
    fingerprint,
    last_ids,
    new_admin,
    new_branch,
    new_events,
    new_member,
    new_outbox,
    new_resident,
    new_staff,
    offered,
    posted,
    submit,
    try_use_case,
    use_case,
    wish_in,
)

S = WishStatus


def cast(w, frm: S, outsider: int) -> dict[str, tuple[int | None, set[Party]]]:
    """Each actor the test tries, with the parties they really are for a wish in `frm`."""
    first = {Party.branch_member}
    if frm == S.offered:
        first.add(Party.offeree)
    if frm in HAS_MEMBER:
        first.add(Party.assignee)
    return {
        "staff": (w.staff_id, {Party.staff}),
        "owner": (w.resident_id, {Party.owner}),
        "first member": (w.members[0], first),
        "other member": (w.members[1], {Party.branch_member}),
        "scheduler": (None, {Party.system}),
        "staff of another branch": (outsider, set()),
    }


def try_move(w, wish_id: int, frm: S, to: S, actor_id: int | None):
    def call(s):
        wish = get_wish(s, wish_id)
        actor = load_actor(s, actor_id) if actor_id is not None else None
        values = {}
        if to == S.assigned and frm in (S.offered, S.posted):
            values = {"assigned_member_id": actor_id}
        elif to == S.accepted and frm in HAS_MEMBER:
            values = {"assigned_member_id": None}
        offeree = w.members[0] if frm == S.offered else None
        return move(s, wish, to, actor=actor, offeree_id=offeree, values=values)

    return attempt(w.db, call)


def refusals_from(w, frm: S, actors: dict) -> list[str]:
    """Every move out of `frm` that the table refuses this actor: refused, and nothing changed."""
    problems = []
    stuck = wish_in(w, frm)  # every refusal aims at this wish, which must never change
    before = fingerprint(w.db, stuck.id)
    for to in S:
        allowed = TRANSITIONS.get((frm, to), frozenset())
        expected = NotAllowed if allowed else InvalidTransition
        for name, (actor_id, parties) in actors.items():
            if parties & allowed:
                continue
            result = try_move(w, stuck.id, frm, to, actor_id)
            if type(result) is not expected:
                problems.append(f"{frm}->{to} by {name}: {result!r}, not {expected.__name__}")
            elif fingerprint(w.db, stuck.id) != before:
                problems.append(f"{frm}->{to} by {name}: refused but changed the database")
    return problems


def moves_from(w, frm: S, actors: dict) -> list[str]:
    """Every move out of `frm` the table grants this actor: made, with one event, actor untold."""
    problems = []
    for (a, to), allowed in TRANSITIONS.items():
        for name, (actor_id, parties) in actors.items():
            if a != frm or not parties & allowed:
                continue
            wish = wish_in(w, frm)
            outbox_before, events_before = last_ids(w.db)
            result = try_move(w, wish.id, frm, to, actor_id)
            events = new_events(w.db, events_before)
            recipients = {uid for uid, _ in new_outbox(w.db, outbox_before)}
            if not isinstance(result, Wish) or result.status != to:
                problems.append(f"{frm}->{to} by {name}: {result!r}")
            elif [(e.wish_id, e.from_status, e.to_status, e.actor_id) for e in events] != [
                (wish.id, frm, to, actor_id)
            ]:
                problems.append(f"{frm}->{to} by {name}: events {events}")
            elif actor_id in recipients:
                problems.append(f"{frm}->{to} by {name}: the actor was notified")
    return problems


def test_every_status_pair_moves_only_as_the_table_says_and_refusals_change_nothing(db, catalogue):
    w = build_world(db, catalogue)
    w.limits = Limits(max_open_wishes=1000)
    with db.write() as s:
        new_branch(s, "B")
        outsider = new_staff(s, "B")
    problems = []
    for frm in S:
        actors = cast(w, frm, outsider)
        problems += refusals_from(w, frm, actors)
        problems += moves_from(w, frm, actors)
    assert problems == []


# Several use cases end in `accepted`; each may only start from its own statuses, or it would
# skip the other one's side effects (clearing the member, closing the wall posting, triage).
BORROWED_MOVES = [
    ("accept", S.posted),
    ("accept", S.assigned),
    ("accept", S.in_progress),
    ("accept", S.disputed),
    ("withdraw", S.assigned),
    ("withdraw", S.in_progress),
    ("withdraw", S.disputed),
    ("release", S.submitted),
    ("release", S.posted),
    ("release", S.disputed),
    ("resolve", S.submitted),
    ("resolve", S.posted),
    ("resolve", S.assigned),
]


def test_staff_cannot_use_one_use_case_to_make_another_ones_move(db, catalogue):
    w = build_world(db, catalogue)
    w.limits = Limits(max_open_wishes=1000)
    outcomes = {}
    for action, frm in BORROWED_MOVES:
        wish = wish_in(w, frm)
        before = fingerprint(db, wish.id)
        result = try_use_case(db, action, w.staff_id, wish.id, catalogue, to=S.accepted)
        unchanged = fingerprint(db, wish.id) == before
        outcomes[f"{action} on {frm}"] = (type(result).__name__, unchanged)
    assert outcomes == {case: ("InvalidTransition", True) for case in outcomes}


# The "who" table of DESIGN.md, transcribed. The one addition is the scheduler's auto-dispatch
# (accepted -> offered by the system), which services.dispatch.offer_wish documents.
_ST, _OW, _AS = Party.staff, Party.owner, Party.assignee
DESIGN_TABLE = {
    (S.submitted, S.accepted): {_ST},
    (S.submitted, S.rejected): {_ST},
    (S.submitted, S.cancelled): {_OW, _ST},
    (S.accepted, S.cancelled): {_OW, _ST},
    (S.offered, S.cancelled): {_OW, _ST},
    (S.posted, S.cancelled): {_OW, _ST},
    (S.accepted, S.offered): {_ST, Party.system},
    (S.accepted, S.posted): {_ST},
    (S.accepted, S.rejected): {_ST},
    (S.offered, S.assigned): {Party.offeree},
    (S.offered, S.accepted): {Party.offeree, Party.system},
    (S.posted, S.assigned): {Party.branch_member},
    (S.posted, S.accepted): {_ST},
    (S.assigned, S.in_progress): {_AS},
    (S.assigned, S.completed): {_AS},
    (S.assigned, S.accepted): {_AS, _ST, Party.system},
    (S.in_progress, S.accepted): {_AS, _ST, Party.system},
    (S.assigned, S.cancelled): {Party.system},
    (S.in_progress, S.cancelled): {Party.system},
    (S.in_progress, S.completed): {_AS},
    (S.completed, S.confirmed): {_OW},
    (S.completed, S.disputed): {_OW},
    (S.completed, S.closed): {Party.system},
    (S.disputed, S.assigned): {_ST},
    (S.disputed, S.accepted): {_ST},
    (S.disputed, S.closed): {_ST, Party.system},
}


def test_the_transition_table_is_the_one_in_the_design():
    assert {pair: set(parties) for pair, parties in TRANSITIONS.items()} == DESIGN_TABLE


def test_no_move_leaves_a_terminal_status_and_every_status_is_reachable():
    assert not [pair for pair in TRANSITIONS if pair[0] in TERMINAL]
    assert {S.submitted} | {to for _, to in TRANSITIONS} == set(S)


# --- Random use-case calls by random actors, checking the invariants after every step. ---

# What a real user would most likely do next, so that random walks get past triage.
NEXT = {
    S.submitted: ("accept", "accept", "accept", "reject", "cancel"),
    S.accepted: ("offer", "post", "offer", "post", "offer", "post", "reject", "cancel"),
    S.offered: ("take", "decline", "take", "cancel"),
    S.posted: ("claim", "withdraw", "claim", "cancel"),
    S.assigned: ("start", "complete", "release"),
    S.in_progress: ("complete", "complete", "release"),
    S.completed: ("rate", "dispute", "dispute", "close"),
    S.disputed: ("resolve",),
}


def cast_of_the_walk(db: Database, catalogue) -> dict:
    """Branch A with its people, a neighbour who is also a member, branch B's staff and member,
    an admin; and, made through the use cases, one wish in each status that is not final."""
    w = build_world(db, catalogue)
    w.limits = Limits(max_open_wishes=1000)
    with db.write() as s:
        b_id, b_grids = new_branch(s, "B")
        staff_b = new_staff(s, "B")
        member_b = new_member(s, catalogue, b_id, b_grids[0], staff_b, name="孙丽")
        neighbour = new_resident(s, w.branch_id, w.grid_ids[1], name="刘桂兰")
        people.register_member(
            s,
            actor_id=neighbour,
            catalogue=catalogue,
            name="刘桂兰",
            phone="13700001111",
            branch_id=w.branch_id,
            grid_id=None,
            work_unit="街道",
            skills=["repair"],
            availability=["weekend"],
        )
        people.decide_member(s, actor_id=w.staff_id, member_user_id=neighbour, approve=True)
        admin = new_admin(s)
    submit(w)
    accepted(w)
    offered(w, 1)
    posted(w)
    assigned(w, 2)
    started = assigned(w, 0)
    disputed = completed(w, 1)
    completed(w, 0)
    with db.write() as s:
        use_case(s, "start", w.members[0], started.id, {}, catalogue)
        use_case(s, "dispute", w.resident_id, disputed.id, {}, catalogue)
    return {
        "staff": w.staff_id,
        "admin": admin,
        "residents": [w.resident_id, neighbour],
        "members": [*w.members, member_b, neighbour],
        "everyone": [w.resident_id, neighbour, w.staff_id, staff_b, admin, *w.members, member_b],
    }


def state(db: Database) -> dict:
    """Every wish, offer and rating, and tallies of the rest."""

    def tally(column):
        return select(func.coalesce(column, 0)).scalar_subquery()

    wishes = select(
        Wish.id,
        Wish.status,
        Wish.assigned_member_id,
        Wish.resident_id,
        Wish.category,
        Wish.priority,
        Wish.closed_at,
    ).order_by(Wish.id)
    offers = select(Offer.id, Offer.wish_id, Offer.kind, Offer.status, Offer.member_id)
    last = select(
        tally(func.max(WishEvent.id)),
        tally(func.max(Outbox.id)),
        tally(func.count(Outbox.id)),
        tally(func.sum(MemberProfile.tasks_confirmed)),
    )
    with db.read() as s:
        return {
            "wishes": {row[0]: tuple(row) for row in s.execute(wishes).all()},
            "offers": [tuple(row) for row in s.execute(offers.order_by(Offer.id)).all()],
            "rated": sorted(s.scalars(select(Rating.wish_id)).all()),
            "last": tuple(s.execute(last).one()),
        }


MODES = ("likely", "likely", "likely", "anyone", "any action")  # mostly make progress


class WishWalk(RuleBasedStateMachine):
    """A subclass sets `template` (a SQLite file with the cast in it) and `cast`.

    Every change goes through `_step`, so `self.now` (the state after the last step) stays true.
    """

    template: Path
    cast: dict
    catalogue = None

    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        shutil.copy(self.template, self.dir / "t.db")
        self.db = Database(f"sqlite:///{self.dir / 't.db'}")
        self.now = state(self.db)
        self.new_events: list[WishEvent] = []

    def teardown(self):
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def wish_ids(self) -> list[int]:
        return list(self.now["wishes"])

    @property
    def live(self) -> list[int]:
        return [wid for wid, row in self.now["wishes"].items() if row[1] not in TERMINAL]

    def _step(self, call, actor_id: int | None) -> None:
        before = self.now
        result = attempt(self.db, call)
        self.now = after = state(self.db)
        if isinstance(result, DomainError):
            assert after == before, f"refused with {result!r} but changed"
            return
        with self.db.read() as s:
            events = select(WishEvent).where(WishEvent.id > before["last"][0])
            self.new_events = s.scalars(events).all()
            told = select(Outbox.user_id).where(Outbox.id > before["last"][1])
            told = set(s.scalars(told).all())
        assert [e.actor_id for e in self.new_events] == [actor_id], self.new_events
        changed = [row[:2] for wid, row in after["wishes"].items() if before["wishes"].get(wid) != row]
        event = self.new_events[0]
        assert changed == [(event.wish_id, event.to_status)], (changed, event)
        assert actor_id not in told

    def _plan(self, wish_id: int, action: str | None, pick: int) -> tuple[str, int, dict]:
        """The action (the likely next one if None), its likely actor, and its arguments."""
        _, status, assigned, resident, *_ = self.now["wishes"][wish_id]
        offers = [o for o in self.now["offers"] if o[1] == wish_id and o[2] == OfferKind.direct]
        offer_id, offeree = offers[-1][0::4] if offers else (-1, None)
        likely = NEXT.get(S(status), ("cancel",))
        action = action or likely[pick % len(likely)]
        members, staff = self.cast["members"], (self.cast["staff"], self.cast["admin"])[pick % 2]
        member = members[pick % len(members)]
        assignee = assigned or member
        who = {
            "cancel": (resident, staff)[pick % 2],
            "rate": resident,
            "dispute": resident,
            "take": offeree or member,
            "decline": offeree or member,
            "claim": member,
            "start": assignee,
            "complete": assignee,
            "release": (assignee, staff)[pick % 2],
            "close": None,
        }.get(action, staff)
        resolution = (S.assigned, S.accepted, S.closed)[pick % 3]
        args = {"member_id": member, "offer_id": offer_id, "score": 1 + pick % 5, "to": resolution}
        return action, who, args

    @precondition(lambda self: len(self.live) < 8)
    @rule(resident=st.integers(0, 1))
    def a_resident_submits(self, resident):
        who = self.cast["residents"][resident]
        self._step(lambda s: use_case(s, "submit", who, None, {}, self.catalogue), who)

    @precondition(lambda self: self.wish_ids)
    @rule(data=st.data(), pick=st.integers(0, 59), mode=st.sampled_from(MODES))
    def someone_acts_on_a_wish(self, data, pick, mode):
        """The likely next step by the likely person; or by anyone; or any use case by anyone.

        "close" is the scheduler closing a completed wish once the rating window has passed.
        """
        wish_id = data.draw(st.sampled_from(self.live or self.wish_ids), label="wish")
        action = None
        if mode == "any action":
            action = data.draw(st.sampled_from((*USE_CASES, "close")), label="action")
        action, who, args = self._plan(wish_id, action, pick)
        if mode != "likely" and action != "close":
            who = data.draw(st.sampled_from(self.cast["everyone"]), label="who")

        def call(s):
            if action == "close":
                return move(s, get_wish(s, wish_id), S.closed, actor=None)
            return use_case(s, action, who, wish_id, args, self.catalogue)

        self._step(call, who)

    @invariant()
    def every_wish_is_consistent(self):
        if not self.new_events:  # nothing changed since the last check
            return
        self.new_events = []

        with self.db.read() as s:
            query = select(WishEvent.wish_id, WishEvent.from_status, WishEvent.to_status)
            events = s.execute(query.order_by(WishEvent.id)).all()
        for wish_id, status, member_id, *_ in self.now["wishes"].values():
            status = S(status)
            open_kinds = [o[2] for o in self.now["offers"] if o[1] == wish_id and o[3] == "open"]
            expected = {S.offered: [OfferKind.direct], S.posted: [OfferKind.wall]}.get(status, [])
            assert open_kinds == expected, (wish_id, status, open_kinds)
            assert (member_id is not None) == (status in HAS_MEMBER), (wish_id, status, member_id)
            path = [(frm, to) for wid, frm, to in events if wid == wish_id]
            assert path[0] == (None, S.submitted)
            assert all(b == c for (_, b), (c, _) in itertools.pairwise(path)), path
            assert all(pair in TRANSITIONS for pair in path[1:]), path
            assert path[-1][1] == status
            assert (wish_id in self.now["rated"]) == (status == S.confirmed), (wish_id, status)


def test_random_use_cases_by_random_actors_keep_every_wish_consistent(sqlite_template, catalogue, tmp_path):
    template = tmp_path / "cast.db"
    shutil.copy(sqlite_template, template)

    db = Database(f"sqlite:///{template}")
    cast = cast_of_the_walk(db, catalogue)
    db.dispose()
    walk = type("Walk", (WishWalk,), {"template": template, "cast": cast, "catalogue": catalogue})
    run_state_machine_as_test(walk, settings=settings(max_examples=30, stateful_step_count=10, deadline=None))
