"""Posting a wish (点单) and registering: what is refused, and what a refusal leaves behind."""

from datetime import date, timedelta

from sqlalchemy import select, update

from models import Branch, MemberProfile, Outbox, OutboxStatus, ResidentProfile, TimeWindow, User
from services import people
from services.errors import InvalidInput
from services.wishes import Limits, WishDraft, submit_wish
from tests.factories import (
    at_once,
    attempt,
    build_world,
    new_resident,
    new_user,
    snapshot,
    submit,
    submit_draft,
    try_use_case,
)

TODAY = date.today()


def refused_submit(w, draft: WishDraft, resident_id=None) -> InvalidInput:
    """Submit, expecting a refusal that changes nothing; return the refusal."""
    before = snapshot(w.db)
    result = attempt(
        w.db,
        lambda s: submit_wish(
            s,
            actor_id=resident_id or w.resident_id,
            draft=draft,
            catalogue=w.catalogue,
            limits=w.limits,
            today=TODAY,
        ),
    )
    assert isinstance(result, InvalidInput), result
    assert snapshot(w.db) == before
    return result


INVALID_DRAFTS = {
    "unknown category": (WishDraft("plumbing", "水管漏水"), "invalid.category"),
    "empty text": (WishDraft("repairs", ""), "invalid.wish_text"),
    "blank text": (WishDraft("repairs", "   \n "), "invalid.wish_text"),
    "1001 characters": (WishDraft("repairs", "漏" * 1001), "invalid.wish_text"),
    "four photos": (WishDraft("repairs", "漏水", photo_file_ids=("a",) * 4), "invalid.photos"),
    "yesterday": (
        WishDraft("repairs", "漏水", TimeWindow.on_date, TODAY - timedelta(days=1)),
        "invalid.date",
    ),
    "91 days ahead": (
        WishDraft("repairs", "漏水", TimeWindow.on_date, TODAY + timedelta(days=91)),
        "invalid.date",
    ),
    "a date left out": (WishDraft("repairs", "漏水", TimeWindow.on_date, None), "invalid.date"),
}
VALID_DRAFTS = {
    "1000 characters, 3 photos": WishDraft("repairs", "漏" * 1000, photo_file_ids=("a",) * 3),
    "today": WishDraft("repairs", " 漏水 ", TimeWindow.on_date, TODAY),
    "90 days ahead": WishDraft("repairs", "漏水", TimeWindow.on_date, TODAY + timedelta(days=90)),
    "a voice message alone": WishDraft("repairs", "", voice_file_id="voice-1"),
}


def test_an_invalid_wish_is_refused_with_its_reason_and_leaves_nothing_behind(db, catalogue):
    w = build_world(db, catalogue)
    keys = {case: refused_submit(w, d).key for case, (d, _) in INVALID_DRAFTS.items()}
    assert keys == {case: key for case, (_, key) in INVALID_DRAFTS.items()}


def test_a_wish_right_at_the_limits_is_accepted(db, catalogue):
    w = build_world(db, catalogue)
    w.limits = Limits(max_open_wishes=10)
    posted = {case: submit_draft(w, draft) for case, draft in VALID_DRAFTS.items()}
    statuses = {case: wish.status for case, wish in posted.items()}
    assert statuses == dict.fromkeys(VALID_DRAFTS, "submitted")
    assert posted["today"].text == "漏水"
    assert posted["a voice message alone"].voice_file_id == "voice-1"


def test_the_sixth_open_wish_is_refused_until_one_is_finished(db, catalogue):
    w = build_world(db, catalogue)
    five = [submit(w, text=f"心愿{i}") for i in range(5)]
    refusal = refused_submit(w, WishDraft("repairs", "第六个"))
    assert (refusal.key, refusal.params["max"]) == ("invalid.too_many_open", 5)
    try_use_case(db, "cancel", w.resident_id, five[0].id, catalogue)
    assert submit(w, text="第六个").number == "A-0006"


def test_a_resident_racing_past_the_open_wish_limit_still_gets_only_five(db, catalogue):
    w = build_world(db, catalogue)
    for i in range(4):
        submit(w, text=f"心愿{i}")

    def one(i):
        with db.write() as s:
            draft = WishDraft("repairs", f"同时{i}")
            return submit_wish(
                s,
                actor_id=w.resident_id,
                draft=draft,
                catalogue=catalogue,
                limits=Limits(),
                today=TODAY,
            )

    results = at_once(*(lambda i=i: one(i) for i in range(3)))
    assert sorted(type(r).__name__ for r in results) == ["InvalidInput", "InvalidInput", "Wish"]


def test_someone_who_has_not_registered_cannot_post(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        stranger = new_user(s, "路人")
    refusal = refused_submit(w, WishDraft("repairs", "漏水"), resident_id=stranger)
    assert refusal.key == "error.register_first"


def test_wish_numbers_count_up_per_branch(db, catalogue):
    a = build_world(db, catalogue, "A")
    b = build_world(db, catalogue, "B")
    refused_submit(a, WishDraft("nope", "漏水"))  # a refusal spends no number
    numbers = [submit(w).number for w in (a, a, b, a, b)]
    assert numbers == ["A-0001", "A-0002", "B-0001", "A-0003", "B-0002"]
    with db.read() as s:
        seqs = s.execute(select(Branch.code, Branch.wish_seq).order_by(Branch.code)).all()
    assert [tuple(r) for r in seqs] == [("A", 3), ("B", 2)]


def test_residents_posting_at_once_get_distinct_consecutive_numbers(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        residents = [new_resident(s, w.branch_id, None, name=f"居民{i}") for i in range(8)]
    results = at_once(*(lambda r=r: submit(w, resident_id=r) for r in residents), return_exceptions=False)
    assert sorted(x.number for x in results) == [f"A-{i:04d}" for i in range(1, 9)]


def register_member(s, w, uid, **changes):
    fields = {
        "name": "李建国",
        "phone": "13900001111",
        "branch_id": w.branch_id,
        "grid_id": None,
        "work_unit": "区供电公司",
        "skills": ["repair"],
        "availability": ["weekend"],
        **changes,
    }
    return people.register_member(s, actor_id=uid, catalogue=w.catalogue, **fields)


def register_resident(s, w, uid, **changes):
    fields = {
        "name": "王秀英",
        "phone": "13812341234",
        "branch_id": w.branch_id,
        "grid_id": None,
        "address": people.Address("幸福小区", "3栋", "2单元", "502"),
        **changes,
    }
    return people.register_resident(s, actor_id=uid, **fields)


BAD_PHONES = ["12345", "abc", "1381234123", "+86 138 1234 12345", "", "110"]


def test_an_invalid_phone_number_is_refused_and_nothing_is_kept(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        uid = new_user(s, "新人")
    keys = {
        (register.__name__, phone): getattr(
            attempt(db, lambda s, r=register, p=phone: r(s, w, uid, phone=p)), "key", None
        )
        for register in (register_member, register_resident)
        for phone in BAD_PHONES
    }
    assert set(keys.values()) == {"invalid.phone"}, keys
    with db.read() as s:
        user = s.get(User, uid)
        profiles = [
            s.scalar(select(model).where(model.user_id == uid)) for model in (MemberProfile, ResidentProfile)
        ]
    assert (user.name, user.phone, profiles) == ("", "", [None, None])


def test_phone_numbers_are_stored_in_one_form_however_they_are_typed(db, catalogue):
    w = build_world(db, catalogue)
    stored = set()
    for typed in ("138 1234 1234", "+86 138-1234-1234", "(0)13812341234", "+8613812341234"):
        with db.write() as s:
            uid = new_user(s, "新人")
            register_resident(s, w, uid, phone=typed)
            stored.add(s.get(User, uid).phone)
    assert stored == {"+8613812341234"}


def test_a_grid_of_another_branch_is_refused(db, catalogue):
    w = build_world(db, catalogue, "A")
    other = build_world(db, catalogue, "B")
    with db.write() as s:
        uid = new_user(s, "新人")
    for register in (register_member, register_resident):
        result = attempt(db, lambda s, r=register: r(s, w, uid, grid_id=other.grid_ids[0]))
        assert isinstance(result, InvalidInput) and result.key == "invalid.grid", register
    with db.write() as s:
        profile = register_member(s, w, uid, grid_id=w.grid_ids[1])
    assert (profile.grid_id, profile.status) == (w.grid_ids[1], "pending")


BAD_MEMBER_FIELDS = {
    "unknown skill": ({"skills": ["juggling"]}, "invalid.skills"),
    "one unknown skill": ({"skills": ["repair", "juggling"]}, "invalid.skills"),
    "no skill": ({"skills": []}, "invalid.skills"),
    "unknown availability": ({"availability": ["midnight"]}, "invalid.availability"),
    "no availability": ({"availability": []}, "invalid.availability"),
}


def test_a_member_registration_with_unknown_skills_or_times_is_refused(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        uid = new_user(s, "新人")
    before = snapshot(db)
    keys = {}
    for case, (changes, _) in BAD_MEMBER_FIELDS.items():
        result = attempt(db, lambda s, c=changes: register_member(s, w, uid, **c))
        keys[case] = getattr(result, "key", result)
    assert keys == {case: key for case, (_, key) in BAD_MEMBER_FIELDS.items()}
    assert snapshot(db) == before


# --- Registration alerts are coalesced (fault matrix row 18, notification spam) ---


def registration_alerts(db, member: int) -> list[tuple[int, str, str | None]]:
    """(staff user id, outbox status, last_error) of every "member registered" alert about `member`."""
    query = (
        select(Outbox.user_id, Outbox.status, Outbox.last_error)
        .where(Outbox.key == "staff.member_registered", Outbox.params["member_id"].as_integer() == member)
        .order_by(Outbox.id)
    )
    with db.read() as s:
        return [tuple(row) for row in s.execute(query).all()]


def deliver_everything(db) -> None:
    """Stand in for the sender: every pending row is sent."""
    with db.write() as s:
        s.execute(
            update(Outbox).where(Outbox.status == OutboxStatus.pending).values(status=OutboxStatus.sent)
        )


def test_re_registering_while_pending_at_the_same_branch_alerts_staff_only_once(db, catalogue):
    w = build_world(db, catalogue)
    with db.write() as s:
        uid = new_user(s, "新人")
    for i in range(20):
        with db.write() as s:
            register_member(s, w, uid, work_unit=f"单位{i}")
        if i == 5:
            deliver_everything(db)  # staff were told; telling them again is spam
    assert registration_alerts(db, uid) == [(w.staff_id, "sent", None)]
    with db.read() as s:
        newest = select(Outbox.caused_by).where(Outbox.key == "staff.member_registered")
        caused_by = s.scalar(newest.order_by(Outbox.id.desc()).limit(1))
    assert caused_by == uid  # counted against the member's own alert budget


def test_fifty_re_registrations_alternating_two_branches_alert_each_branch_at_most_once(db, catalogue):
    a = build_world(db, catalogue, "A")
    b = build_world(db, catalogue, "B")
    with db.write() as s:
        uid = new_user(s, "新人")
    for i in range(50):
        with db.write() as s:
            register_member(s, a if i % 2 == 0 else b, uid)
    # nothing sent meanwhile: the old branch's unsent alert is withdrawn at each move
    alerts = registration_alerts(db, uid)
    assert len(alerts) == 2
    assert (b.staff_id, "pending", None) in alerts and (a.staff_id, "failed", "withdrawn") in alerts
    for i in range(50):  # now with the sender delivering between re-registrations
        with db.write() as s:
            register_member(s, a if i % 2 == 0 else b, uid)
        deliver_everything(db)
    assert sorted(registration_alerts(db, uid)) == sorted(
        [(a.staff_id, "sent", None), (b.staff_id, "sent", None)]
    )
    with db.read() as s:
        profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == uid))
    assert (profile.branch_id, profile.status) == (b.branch_id, "pending")


def test_a_member_who_moves_branch_after_approval_is_announced_to_the_new_branch(db, catalogue):
    a = build_world(db, catalogue, "A")
    b = build_world(db, catalogue, "B")
    member = a.members[0]
    deliver_everything(db)
    with db.write() as s:
        register_member(s, b, member)
    assert (b.staff_id, "pending", None) in registration_alerts(db, member)
    with db.write() as s:  # a rejected registration may ask again, and is heard again
        people.decide_member(s, actor_id=b.staff_id, member_user_id=member, approve=False)
    deliver_everything(db)
    with db.write() as s:
        register_member(s, b, member)
    assert registration_alerts(db, member).count((b.staff_id, "pending", None)) == 1
