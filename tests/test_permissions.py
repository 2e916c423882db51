"""Who may do what: roles, parties, and the branch boundary.

Each test tries a list of actions and compares the whole outcome at once, so that a failure
names every action that was wrongly allowed.
"""

from sqlalchemy import update

from models import MemberProfile, Wish
from models import WishStatus as S
from services import people
from services.branches import add_staff
from services.errors import DomainError, NotAllowed
from services.matching import rank_candidates
from services.privacy import reveal_contact
from services.queries import timeline, wishes_for_staff
from services.wishes import Limits
from tests.factories import (
    accepted,
    assigned,
    attempt,
    build_world,
    completed,
    fingerprint,
    new_admin,
    new_member,
    new_resident,
    offered,
    posted,
    submit,
    try_use_case,
)


def wish_made_in(w, status: S):
    """A wish brought to `status` through the use cases themselves."""
    w.limits = Limits(max_open_wishes=100)
    if status == S.submitted:
        return submit(w)
    if status == S.accepted:
        return accepted(w)
    if status == S.posted:
        return posted(w)[0]
    if status == S.assigned:
        return assigned(w)
    wish = completed(w)
    if status == S.disputed:
        try_use_case(w.db, "dispute", w.resident_id, wish.id, w.catalogue)
    return wish


def outcome(db, action, who, wish, catalogue, **args) -> str:
    """'refused' if NotAllowed and nothing changed; else what happened."""
    before = fingerprint(db, wish.id)
    result = try_use_case(db, action, who, wish.id, catalogue, **args)
    if isinstance(result, NotAllowed):
        return "refused" if fingerprint(db, wish.id) == before else "refused but changed"
    return type(result).__name__


STAFF_WORK = {
    "accept": S.submitted,
    "reject": S.submitted,
    "cancel": S.submitted,
    "offer": S.accepted,
    "post": S.accepted,
    "withdraw": S.posted,
    "release": S.assigned,
    "resolve": S.disputed,
}
READS = {
    "rank": lambda s, a, wish, w: rank_candidates(s, actor_id=a, wish_id=wish.id, catalogue=w.catalogue),
    "reveal contact": lambda s, a, wish, w: reveal_contact(s, actor_id=a, wish_id=wish.id),
    "timeline": lambda s, a, wish, w: timeline(s, actor_id=a, wish_id=wish.id),
    "list wishes": lambda s, a, wish, w: wishes_for_staff(
        s, actor_id=a, branch_id=w.branch_id, statuses=tuple(S)
    ),
}


def read_outcome(db, read: str, who: int, wish, w) -> str:
    result = attempt(db, lambda s: READS[read](s, who, wish, w))
    return "refused" if isinstance(result, NotAllowed) else type(result).__name__


def test_staff_of_another_branch_cannot_change_a_wish(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    outcomes = {}
    for action, status in STAFF_WORK.items():
        wish = wish_made_in(w, status)
        args = {"member_id": w.members[1], "to": S.accepted}
        outcomes[action] = outcome(db, action, other.staff_id, wish, catalogue, **args)
    assert outcomes == dict.fromkeys(STAFF_WORK, "refused")


def test_staff_of_another_branch_cannot_see_a_wish_but_its_own_staff_can(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    wish = assigned(w)
    seen = {read: read_outcome(db, read, other.staff_id, wish, w) for read in READS}
    assert seen == dict.fromkeys(READS, "refused")
    seen = {read: read_outcome(db, read, w.staff_id, wish, w) for read in READS}
    assert "refused" not in seen.values()


def test_staff_of_another_branch_cannot_approve_a_member(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    with db.write() as s:
        pending = new_member(s, catalogue, w.branch_id, None, w.staff_id, approve=False)

    def decide(staff):
        return lambda s: people.decide_member(s, actor_id=staff, member_user_id=pending, approve=True)

    assert isinstance(attempt(db, decide(other.staff_id)), NotAllowed)
    assert attempt(db, decide(w.staff_id)).status == "approved"


def test_an_admin_can_act_in_every_branch(db, catalogue):
    a = build_world(db, catalogue, "A")
    b = build_world(db, catalogue, "B")
    with db.write() as s:
        admin = new_admin(s)
    for w in (a, b):
        wish = submit(w)
        assert outcome(db, "accept", admin, wish, catalogue) == "Wish"
        seen = {read: read_outcome(db, read, admin, wish, w) for read in READS}
        assert "refused" not in seen.values(), seen
        offer = try_use_case(db, "offer", admin, wish.id, catalogue, member_id=w.members[0])
        assert offer.member_id == w.members[0]


def test_a_member_cannot_take_or_decline_an_offer_made_to_someone_else(db, catalogue):
    w = build_world(db, catalogue)
    wish, offer = offered(w, 0)
    for action in ("take", "decline"):
        result = outcome(db, action, w.members[1], wish, catalogue, offer_id=offer.id)
        assert result == "refused", action
    taken = try_use_case(db, "take", w.members[0], wish.id, catalogue, offer_id=offer.id)
    assert (taken.status, taken.assigned_member_id) == (S.assigned, w.members[0])


def test_only_approved_members_of_the_branch_may_claim_and_never_their_own_wish(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    with db.write() as s:
        pending = new_member(s, catalogue, w.branch_id, None, w.staff_id, approve=False)
        people.register_member(
            s,
            actor_id=w.resident_id,
            catalogue=catalogue,
            name="王秀英",
            phone="13812341234",
            branch_id=w.branch_id,
            grid_id=None,
            work_unit="退休",
            skills=["repair"],
            availability=["weekend"],
        )
        people.decide_member(s, actor_id=w.staff_id, member_user_id=w.resident_id, approve=True)
    wish, _ = posted(w)
    claimants = {
        "a member of another branch": other.members[0],
        "a pending member": pending,
        "the resident, who is a member too": w.resident_id,
        "staff": w.staff_id,
    }
    outcomes = {who: outcome(db, "claim", uid, wish, catalogue) for who, uid in claimants.items()}
    assert outcomes == dict.fromkeys(claimants, "refused")
    assert outcome(db, "claim", w.members[2], wish, catalogue) == "Wish"


def test_a_resident_cannot_rate_dispute_or_cancel_someone_elses_wish(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        neighbour = new_resident(s, w.branch_id, w.grid_ids[0], name="刘桂兰")
    tries = {"rate": S.completed, "dispute": S.completed, "cancel": S.accepted}
    outcomes = {}
    for action, status in tries.items():
        wish = wish_made_in(w, status)
        outcomes[action] = outcome(db, action, neighbour, wish, catalogue)
        assert outcome(db, action, w.resident_id, wish, catalogue) == "Wish"
    assert outcomes == dict.fromkeys(tries, "refused")


def test_a_resident_cannot_do_staff_work_even_on_their_own_wish(db, catalogue):
    w = build_world(db, catalogue)
    tries = {action: STAFF_WORK[action] for action in ("accept", "reject", "offer", "post")}
    outcomes = {}
    for action, status in tries.items():
        wish = wish_made_in(w, status)
        args = {"member_id": w.members[0]}
        outcomes[action] = outcome(db, action, w.resident_id, wish, catalogue, **args)
        for read in ("rank", "list wishes"):
            outcomes[read] = read_outcome(db, read, w.resident_id, wish, w)
    assert outcomes == dict.fromkeys([*tries, "rank", "list wishes"], "refused")


def test_only_the_assigned_member_starts_completes_or_drops_out_of_the_job(db, catalogue):
    w = build_world(db, catalogue)
    outcomes = {}
    for action in ("start", "complete", "release"):
        wish = assigned(w, 0)
        for who, uid in {"another member": w.members[1], "the resident": w.resident_id}.items():
            outcomes[action, who] = outcome(db, action, uid, wish, catalogue)
        outcomes[action, "the member"] = outcome(db, action, w.members[0], wish, catalogue)
    assert outcomes == {key: "Wish" if key[1] == "the member" else "refused" for key in outcomes}


def test_staff_cannot_do_the_members_job_or_the_residents_rating(db, catalogue):
    w = build_world(db, catalogue)
    wish = assigned(w, 0)
    done = completed(w, 1)
    outcomes = {
        "start": outcome(db, "start", w.staff_id, wish, catalogue),
        "complete": outcome(db, "complete", w.staff_id, wish, catalogue),
        "rate": outcome(db, "rate", w.staff_id, done, catalogue),
        "dispute": outcome(db, "dispute", w.staff_id, done, catalogue),
    }
    assert outcomes == dict.fromkeys(outcomes, "refused")


def test_only_an_admin_appoints_staff(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        admin = new_admin(s)

    def appoint(actor):
        return lambda s: add_staff(s, telegram_id=777, branch_code="A", actor_id=actor)

    assert isinstance(attempt(db, appoint(w.staff_id)), NotAllowed)
    appointed = attempt(db, appoint(admin))
    with db.read() as s:
        listed = wishes_for_staff(s, actor_id=appointed.id, branch_id=w.branch_id, statuses=(S.submitted,))
    assert appointed.telegram_id == 777 and listed == []


# --- A change of a member's status after an offer or an assignment (fault matrix row 17) ---


def _suspend(w, member):
    return lambda s: people.suspend_member(
        s, actor_id=w.staff_id, member_user_id=member, reason="暂停一段时间"
    )


def _pause(w, member):
    return lambda s: people.set_paused(s, actor_id=member, paused=True)


def _move(other):
    def change(w, member):
        return lambda s: people.register_member(
            s,
            actor_id=member,
            catalogue=w.catalogue,
            name="李建国",
            phone="13900001111",
            branch_id=other.branch_id,
            grid_id=None,
            work_unit="区供电公司",
            skills=["repair"],
            availability=["weekend"],
        )

    return change


def refusal(db, action, who, wish, catalogue, **args) -> str:
    """'refused' if any domain error left the wish as it was; else what happened."""
    before = fingerprint(db, wish.id)
    result = try_use_case(db, action, who, wish.id, catalogue, **args)
    if isinstance(result, DomainError):
        return "refused" if fingerprint(db, wish.id) == before else "refused but changed"
    return type(result).__name__


def _contact(db, member, wish) -> str:
    result = attempt(db, lambda s: reveal_contact(s, actor_id=member, wish_id=wish.id))
    return "refused" if isinstance(result, NotAllowed) else "seen"


def _changes(db, catalogue):
    w = build_world(db, catalogue, "A")
    w.limits = Limits(max_open_wishes=100)
    other = build_world(db, catalogue, "B")
    return w, {"suspended": _suspend, "paused": _pause, "moved to another branch": _move(other)}


def test_a_member_suspended_paused_or_moved_after_an_offer_can_neither_take_it_nor_claim(db, catalogue):
    w, changes = _changes(db, catalogue)
    outcomes = {}
    for member, (change, make) in zip(w.members, changes.items(), strict=True):
        wish, offer = offered(w, w.members.index(member))
        wall, _ = posted(w)
        attempt(db, make(w, member))
        outcomes[change, "take"] = refusal(db, "take", member, wish, catalogue, offer_id=offer.id)
        outcomes[change, "claim"] = refusal(db, "claim", member, wall, catalogue)
        outcomes[change, "contact"] = _contact(db, member, wish)
        with db.read() as s:
            outcomes[change, "wish back with staff"] = s.get(Wish, wish.id).status == S.accepted
    expected = {key: key[1] == "wish back with staff" or "refused" for key in outcomes}
    assert outcomes == expected


def test_a_member_suspended_paused_or_moved_after_taking_a_job_loses_it_and_its_contact(db, catalogue):
    w, changes = _changes(db, catalogue)
    outcomes = {}
    for i, (change, make) in enumerate(changes.items()):
        member = w.members[i]
        wish = assigned(w, i)
        assert _contact(db, member, wish) == "seen"
        attempt(db, make(w, member))
        for action in ("start", "complete", "release"):
            outcomes[change, action] = refusal(db, action, member, wish, catalogue)
        outcomes[change, "contact"] = _contact(db, member, wish)
        with db.read() as s:
            stored = s.get(Wish, wish.id)
        outcomes[change, "wish back with staff"] = (stored.status, stored.assigned_member_id)
    expected = {
        key: (S.accepted, None) if key[1] == "wish back with staff" else "refused" for key in outcomes
    }
    assert outcomes == expected


RAW_STATUSES = {"suspended": "suspended", "paused": "paused", "pending": "pending"}


def test_the_services_refuse_a_member_who_is_not_approved_now_whatever_came_first(db, catalogue):
    """Even if a status changed with no revocation (a direct edit, a seed), nothing is taken or done."""
    w = build_world(db, catalogue, "A")
    w.limits = Limits(max_open_wishes=100)
    other = build_world(db, catalogue, "B")
    outcomes = {}
    for status in (*RAW_STATUSES, "another branch"):
        wish, offer = offered(w, 0)
        wall, _ = posted(w)
        job = assigned(w, 1)
        values = {"branch_id": other.branch_id} if status == "another branch" else {"status": status}
        with db.write() as s:
            members = update(MemberProfile).where(MemberProfile.user_id.in_(w.members[:2]))
            s.execute(members.values(**values))
        outcomes[status, "take"] = refusal(db, "take", w.members[0], wish, catalogue, offer_id=offer.id)
        outcomes[status, "claim"] = refusal(db, "claim", w.members[0], wall, catalogue)
        outcomes[status, "start"] = refusal(db, "start", w.members[1], job, catalogue)
        outcomes[status, "complete"] = refusal(db, "complete", w.members[1], job, catalogue)
        with db.write() as s:  # approved again, in branch A, for the next round
            s.execute(members.values(status="approved", branch_id=w.branch_id))
    assert outcomes == dict.fromkeys(outcomes, "refused")


def test_a_reinstated_member_can_be_offered_a_wish_and_take_it_again(db, catalogue):
    w = build_world(db, catalogue)
    attempt(db, _suspend(w, w.members[0]))
    wish = accepted(w)
    assert refusal(db, "offer", w.staff_id, wish, catalogue, member_id=w.members[0]) == "refused"
    attempt(db, lambda s: people.reinstate_member(s, actor_id=w.staff_id, member_user_id=w.members[0]))
    offer = try_use_case(db, "offer", w.staff_id, wish.id, catalogue, member_id=w.members[0])
    taken = try_use_case(db, "take", w.members[0], wish.id, catalogue, offer_id=offer.id)
    assert (taken.status, taken.assigned_member_id) == (S.assigned, w.members[0])
    assert _contact(db, w.members[0], taken) == "seen"


def test_a_member_of_another_branch_can_neither_be_offered_nor_take_nor_do_its_wishes(db, catalogue):
    """Fault matrix row 11: the branch boundary holds for members as it does for staff."""
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    wish = accepted(w)
    outcomes = {"offer": refusal(db, "offer", w.staff_id, wish, catalogue, member_id=other.members[0])}
    job = assigned(w, 0)
    for action in ("start", "complete", "release"):
        outcomes[action] = refusal(db, action, other.members[0], job, catalogue)
    outcomes["contact"] = _contact(db, other.members[0], job)
    assert outcomes == dict.fromkeys(outcomes, "refused")
