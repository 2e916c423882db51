"""A hand-built month of wishes (March 2025, Asia/Shanghai) whose every figure is computed by hand.

Rows are written directly, with chosen timestamps: statistics read columns, not the lifecycle.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from models import Offer, OfferKind, OfferStatus, Rating, Wish
from tests.factories import World, build_world

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 4, 2, 12, 0, tzinfo=TZ).astimezone(UTC)


def local(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ).astimezone(UTC)


@dataclass
class March:
    a: World
    b: World
    wishes: dict[str, int]


_seq = iter(range(1, 10_000))


def add_wish(
    s,
    w: World,
    status: str,
    submitted: datetime,
    *,
    category: str = "repairs",
    triage_h: float | None = None,
    assign_h: float | None = None,
    complete_h: float | None = None,
    member: int | None = None,
    reason: str | None = None,
    score: int | None = None,
    hours: float | None = None,
    preferred: date | None = None,
    text: str = "厨房水管漏水",
    resident: int | None = None,
) -> Wish:
    def after(h):
        return submitted + timedelta(hours=h) if h is not None else None

    wish = Wish(
        number=f"T-{next(_seq):04d}",
        branch_id=w.branch_id,
        grid_id=w.grid_ids[0],
        resident_id=resident or w.resident_id,
        category=category,
        text=text,
        status=status,
        submitted_at=submitted,
        triaged_at=after(triage_h),
        assigned_at=after(assign_h),
        completed_at=after(complete_h),
        assigned_member_id=member,
        rejection_reason=reason,
        hours_spent=hours,
        preferred_date=preferred,
    )
    s.add(wish)
    s.flush()
    if score is not None:
        s.add(Rating(wish_id=wish.id, member_id=member, score=score, created_at=after(complete_h + 2)))
        s.flush()
    return wish


def build_march(db, catalogue) -> March:
    """Branch A's March 2025 (see the figures in test_report_stats), and a busy branch B."""
    a = build_world(db, catalogue, "A")
    b = build_world(db, catalogue, "B")
    m0, m1 = a.members[0], a.members[1]
    ids = {}
    with db.write() as s:

        def add(name, *args, **kw):
            ids[name] = add_wish(s, a, *args, **kw).id

        add("w1", "confirmed", local(2025, 3, 3, 9), triage_h=2, assign_h=4, complete_h=24, member=m0,
                  score=5, hours=2)  # fmt: skip
        add("w2", "confirmed", local(2025, 3, 4), triage_h=4, assign_h=10, complete_h=48, member=m1,
                  score=3, hours=1)  # fmt: skip
        add("w3", "rejected", local(2025, 3, 5), category="legal", triage_h=6, reason="benefits")
        add("w4", "rejected", local(2025, 3, 10, 8), category="legal", triage_h=1, reason="benefits")
        add("w5", "rejected", local(2025, 3, 11), category="other", triage_h=8, reason="duplicate")
        add("w6", "closed", local(2025, 3, 12), category="eldercare", triage_h=3, assign_h=6,
                  complete_h=30, member=m0, hours=5)  # fmt: skip
        add("w7", "accepted", local(2025, 3, 20), triage_h=2)
        add("w8", "submitted", local(2025, 3, 31, 23, 30), category="errands")  # still March in Beijing
        add("w9", "submitted", local(2025, 4, 1, 0, 30))  # April in Beijing, March in UTC
        add("w10", "submitted", local(2025, 2, 28, 23, 59))  # February
        add("w11", "cancelled", local(2025, 3, 15), category="other")
        add("w12", "disputed", local(2025, 3, 18), triage_h=2, assign_h=5, complete_h=20, member=m1,
                  hours=8)  # fmt: skip
        # Open now, submitted in January: they count as overdue (or not), never as March's.
        jan = local(2025, 1, 10)
        add("w13", "assigned", jan, triage_h=1, member=m0)
        add("w14", "in_progress", jan, triage_h=1, member=m0, preferred=date(2025, 4, 1))
        add("w15", "assigned", jan, triage_h=1, member=m0, preferred=date(2025, 4, 2))
        add("w16", "offered", jan, triage_h=1)
        add("w17", "posted", jan, triage_h=1)
        s.flush()
        for name, at in (("w13", local(2025, 3, 29)), ("w14", local(2025, 4, 1)), ("w15", local(2025, 4, 1))):
            s.get(Wish, ids[name]).assigned_at = at
        s.add(Offer(wish_id=ids["w16"], kind=OfferKind.direct, member_id=m1, created_at=local(2025, 4, 2, 8)))
        s.add(
            Offer(
                wish_id=ids["w17"],
                kind=OfferKind.wall,
                status=OfferStatus.open,
                created_at=local(2025, 3, 30),
            )
        )
        # Branch B: a confirmed, 5-star wish in March that A's figures must not see.
        member_b = b.members[0]
        add_wish(s, b, "confirmed", local(2025, 3, 6), triage_h=1, assign_h=2, complete_h=3,
                       member=member_b, score=5, hours=3)  # fmt: skip
        add_wish(s, b, "submitted", local(2025, 3, 30))  # overdue in B
    return March(a, b, ids)
