"""The rows of /export's wishes and rejections sheets, each shown as the privacy rule allows.

Every person and every piece of free text goes through services.privacy with the wish it
belongs to: in full for the staff of the wish's branch, masked and scrubbed for anyone else
(an admin who is not staff of that branch).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import Branch, Grid, Rating, ResidentProfile, User, Wish, WishEvent
from models.enums import WishStatus as S
from services.actors import Actor
from services.catalogue import Catalogue
from services.privacy import mask_name, shown_contact, shown_name, shown_text

Tr = Callable[[str], str]
Member = aliased(User)


@dataclass
class WishRows:
    wishes: list[list] = field(default_factory=list)
    rejections: list[list] = field(default_factory=list)


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


def _timelines(s: Session, branch_id: int | None, start, end) -> dict[int, list[tuple]]:
    """Per wish, its moves: (time, status, masked actor, note), oldest first."""
    query = (
        select(WishEvent.wish_id, WishEvent.at, WishEvent.to_status, WishEvent.note, User.name)
        .join(Wish, Wish.id == WishEvent.wish_id)
        .outerjoin(User, User.id == WishEvent.actor_id)
        .where(Wish.submitted_at >= start, Wish.submitted_at < end)
        .order_by(WishEvent.wish_id, WishEvent.at, WishEvent.id)
    )
    if branch_id is not None:
        query = query.where(Wish.branch_id == branch_id)
    moves: dict[int, list[tuple]] = {}
    for wish_id, at, to, note, name in s.execute(query):
        moves.setdefault(wish_id, []).append((at, to, mask_name(name) if name else None, note))
    return moves


def wish_rows(
    s: Session,
    actor: Actor,
    *,
    branch_id: int | None,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    catalogue: Catalogue,
    lang: str,
    tr: Tr,
) -> WishRows:
    """The wishes submitted in [start, end), and the rejected ones among them, as sheet rows."""
    moves = _timelines(s, branch_id, start, end)
    cat = {code: c.label.get(lang) for code, c in catalogue.categories.items()}
    out = WishRows()
    for wish, code, grid, user, profile, member, score, comment in s.execute(
        _wish_query(branch_id, start, end)
    ):

        def text(value: str | None, wish: Wish = wish) -> str | None:
            return shown_text(actor, wish, value)

        contact = shown_contact(actor, wish, user, profile)
        reason = catalogue.rejections.get(wish.rejection_reason or "")
        reason_label = reason.label.get(lang) if reason else wish.rejection_reason
        date_text = wish.preferred_date.isoformat() if wish.preferred_date else ""
        timeline = [
            f"{at.astimezone(tz):%Y-%m-%d %H:%M} {tr(f'staffwish.st.{to}')}"
            + (f" ({who})" if who else "")
            + (f": {text(note)}" if note else "")
            for at, to, who, note in moves.get(wish.id, [])
        ]
        out.wishes.append(
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
                contact.name,
                contact.phone,
                contact.address,
                text(wish.text),
                shown_name(actor, wish, member),
                wish.hours_spent,
                score,
                text(comment),
                text(wish.completion_note),
                reason_label,
                text(wish.rejection_note),
                "\n".join(timeline),
            ]
        )
        if wish.status == S.rejected:
            referral = reason.referral.get(lang) if reason and reason.referral else ""
            out.rejections.append(
                [
                    wish.number,
                    wish.submitted_at,
                    wish.triaged_at,
                    cat.get(wish.category, wish.category),
                    reason_label,
                    referral,
                    text(wish.rejection_note),
                    text(wish.text),
                ]
            )
    return out
