"""/export: a branch's wishes, member service ledger, ratings and rejections as a workbook.

Contact details follow DESIGN.md's privacy rule row by row: a resident's full name, phone and
address appear only for the staff of the wish's own branch. An admin who is not staff of
that branch gets the name and phone masked (张*, 138****1234) and no address.
"""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import Branch, Grid, Rating, ResidentProfile, User, Wish, WishEvent
from models.enums import WishStatus as S
from services.actors import Actor, load_actor
from services.catalogue import Catalogue
from services.privacy import mask_name, mask_phone
from services.reports.ledger import ledger_rows, ratings_in
from services.reports.periods import Period
from services.reports.stats import require_scope
from services.reports.workbook import Sheet, build_workbook

Tr = Callable[[str], str]
Member = aliased(User)

WISH_COLUMNS = (
    "number",
    "branch",
    "status",
    "category",
    "grid",
    "priority",
    "time",
    "submitted",
    "triaged",
    "assigned",
    "completed",
    "closed",
    "resident",
    "phone",
    "address",
    "text",
    "member",
    "hours",
    "rating",
    "comment",
    "completion_note",
    "reason",
    "reason_note",
    "timeline",
)
LEDGER_COLUMNS = ("date", "member", "work_unit", "number", "category", "grid", "hours", "rating", "points")
RATING_COLUMNS = ("rated_at", "number", "category", "member", "rating", "comment")
REJECTION_COLUMNS = (
    "number",
    "submitted",
    "triaged",
    "category",
    "reason",
    "referral",
    "reason_note",
    "text",
)


def _wish_query(branch_id: int | None, start: datetime, end: datetime):
    query = (
        select(Wish, Branch.code, Grid.name, User, ResidentProfile, Member.name, Rating.score, Rating.comment)
        .join(Branch, Branch.id == Wish.branch_id)
        .join(User, User.id == Wish.resident_id)
        .outerjoin(Grid, Grid.id == Wish.grid_id)
        .outerjoin(ResidentProfile, ResidentProfile.user_id == Wish.resident_id)
        .outerjoin(Member, Member.id == Wish.assigned_member_id)
        .outerjoin(Rating, Rating.wish_id == Wish.id)
        .where(Wish.submitted_at >= start, Wish.submitted_at < end)
        .order_by(Wish.branch_id, Wish.submitted_at, Wish.id)
    )
    return query.where(Wish.branch_id == branch_id) if branch_id is not None else query


async def _timelines(s: AsyncSession, branch_id: int | None, start, end, tz: ZoneInfo, tr: Tr) -> dict:
    query = (
        select(WishEvent.wish_id, WishEvent.at, WishEvent.to_status, WishEvent.note, User.name)
        .join(Wish, Wish.id == WishEvent.wish_id)
        .outerjoin(User, User.id == WishEvent.actor_id)
        .where(Wish.submitted_at >= start, Wish.submitted_at < end)
        .order_by(WishEvent.wish_id, WishEvent.at, WishEvent.id)
    )
    if branch_id is not None:
        query = query.where(Wish.branch_id == branch_id)
    lines: dict[int, list[str]] = {}
    for wish_id, at, to, note, name in await s.execute(query):
        who = f" ({mask_name(name)})" if name else ""
        tail = f": {note}" if note else ""
        line = f"{at.astimezone(tz):%Y-%m-%d %H:%M} {tr(f'staffwish.st.{to}')}{who}{tail}"
        lines.setdefault(wish_id, []).append(line)
    return lines


def _who(actor: Actor, branch_id: int, name: str | None) -> str | None:
    """A person's name in full for staff of that branch, else masked."""
    if not name:
        return None
    return name if branch_id in actor.staff_branches else mask_name(name)


def _contact(actor: Actor, wish: Wish, user: User, profile: ResidentProfile | None) -> tuple[str, str, str]:
    if wish.branch_id in actor.staff_branches:
        parts = (profile.compound, profile.building, profile.unit, profile.room) if profile else ()
        return user.name or user.display_name, user.phone, " ".join(p for p in parts if p)
    return mask_name(user.name or user.display_name), mask_phone(user.phone) if user.phone else "", ""


async def export_workbook(
    s: AsyncSession,
    *,
    actor_id: int,
    branch_id: int | None,
    period: Period,
    tz: ZoneInfo,
    catalogue: Catalogue,
    lang: str,
    tr: Tr,
) -> bytes:
    """The XLSX export of one branch (or of every branch, for admins) for the period."""
    actor = await load_actor(s, actor_id)
    require_scope(actor, branch_id)
    start, end = period.utc_bounds(tz)
    timelines = await _timelines(s, branch_id, start, end, tz, tr)
    cat = {code: c.label.get(lang) for code, c in catalogue.categories.items()}
    reasons = catalogue.rejections
    wishes, rejections = [], []
    for wish, code, grid, user, profile, member, score, comment in await s.execute(
        _wish_query(branch_id, start, end)
    ):
        name, phone, address = _contact(actor, wish, user, profile)
        reason = reasons.get(wish.rejection_reason or "")
        reason_label = reason.label.get(lang) if reason else wish.rejection_reason
        date_text = wish.preferred_date.isoformat() if wish.preferred_date else ""
        wishes.append(
            [
                wish.number,
                code,
                tr(f"staffwish.st.{wish.status}"),
                cat.get(wish.category, wish.category),
                grid,
                tr(f"priority.{wish.priority}"),
                tr(f"time.{wish.time_window}").format(date=date_text),
                wish.submitted_at,
                wish.triaged_at,
                wish.assigned_at,
                wish.completed_at,
                wish.closed_at,
                name,
                phone,
                address,
                wish.text,
                _who(actor, wish.branch_id, member),
                wish.hours_spent,
                score,
                comment,
                wish.completion_note,
                reason_label,
                wish.rejection_note,
                "\n".join(timelines.get(wish.id, [])),
            ]
        )
        if wish.status == S.rejected:
            referral = reason.referral.get(lang) if reason and reason.referral else ""
            rejections.append(
                [
                    wish.number,
                    wish.submitted_at,
                    wish.triaged_at,
                    cat.get(wish.category, wish.category),
                    reason_label,
                    referral,
                    wish.rejection_note,
                    wish.text,
                ]
            )
    ledger = await ledger_rows(s, branch_id=branch_id, period=period, tz=tz)
    ledger_sheet = [
        [
            r.completed_at,
            _who(actor, r.branch_id, r.name),
            r.work_unit,
            r.number,
            cat.get(r.category, r.category),
            r.grid,
            r.hours,
            r.score,
            r.points,
        ]
        for r in ledger
    ]
    ratings = [
        [
            r.rated_at,
            r.number,
            cat.get(r.category, r.category),
            _who(actor, r.branch_id, r.name),
            r.score,
            r.comment,
        ]
        for r in await ratings_in(s, branch_id=branch_id, start=start, end=end)
    ]

    def sheet(key: str, columns: tuple[str, ...], rows: list, wrap: tuple[str, ...] = ()) -> Sheet:
        wrapped = frozenset(columns.index(c) for c in wrap)
        widths = [40 if c in wrap else 0 for c in columns]  # the others fit their headers
        headers = [tr(f"export.col.{c}") for c in columns]
        return Sheet(tr(f"export.sheet.{key}"), headers, rows, widths, wrapped)

    return build_workbook(
        [
            sheet("wishes", WISH_COLUMNS, wishes, ("text", "completion_note", "timeline")),
            sheet("ledger", LEDGER_COLUMNS, ledger_sheet),
            sheet("ratings", RATING_COLUMNS, ratings, ("comment",)),
            sheet("rejections", REJECTION_COLUMNS, rejections, ("text", "reason_note")),
        ],
        tz=tz,
    )
