"""/mydata: everything Sandan keeps about the asking user, as one JSON document.

Only their own data: the people around their wishes appear as the user may already see them
(the member who served them and the staff who acted as 张*), and notes others wrote reach them
only where the bot already shows them (outcomes) and scrubbed of contact details.
"""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models import Branch, Grid, MemberProfile, Rating, ResidentProfile, User, Wish, WishEvent
from models.enums import WishStatus as S
from models.types import utcnow
from services.actors import load_actor
from services.privacy import mask_name
from services.reports.points import task_points
from services.scrubbing import scrub_contacts

FORMAT = 1  # bump when the layout changes
# Notes on these moves are the outcome the resident is told; other notes are between staff.
OUTCOMES = frozenset({S.rejected, S.completed, S.confirmed, S.disputed, S.closed, S.cancelled})


def _when(moment: datetime | date | None, tz: ZoneInfo) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(tz).isoformat(timespec="minutes")
    return moment.isoformat()


def _place(s: Session, branch_id: int, grid_id: int | None) -> tuple[str, str]:
    branch = s.scalar(select(Branch.name).where(Branch.id == branch_id))
    grid = s.scalar(select(Grid.name).where(Grid.id == grid_id)) if grid_id else None
    return branch or "", grid or ""


def _person(name: str | None, display: str | None) -> str:
    return mask_name(name or display or "") if (name or display) else ""


def _events(s: Session, *, wish_id: int, me: int, tz: ZoneInfo) -> list[dict]:
    actor = aliased(User)
    rows = s.execute(
        select(WishEvent, actor.name, actor.display_name)
        .outerjoin(actor, actor.id == WishEvent.actor_id)
        .where(WishEvent.wish_id == wish_id)
        .order_by(WishEvent.at, WishEvent.id)
    )
    out = []
    for event, name, display in rows.all():
        mine = event.actor_id == me
        shown = (
            event.note
            if mine
            else (scrub_contacts(event.note) if event.note and event.to_status in OUTCOMES else None)
        )
        by = "me" if mine else ("system" if event.actor_id is None else _person(name, display))
        out.append(
            {
                "at": _when(event.at, tz),
                "from": event.from_status,
                "to": event.to_status,
                "by": by,
                "note": shown,
            }
        )
    return out


def _wishes(s: Session, *, me: int, tz: ZoneInfo) -> list[dict]:
    member = aliased(User)
    rows = s.execute(
        select(Wish, member.name, member.display_name, Rating.score, Rating.comment)
        .outerjoin(member, member.id == Wish.assigned_member_id)
        .outerjoin(Rating, Rating.wish_id == Wish.id)
        .where(Wish.resident_id == me)
        .order_by(Wish.id)
    )
    out = []
    for wish, name, display, score, comment in rows.all():
        out.append(
            {
                "number": wish.number,
                "category": wish.category,
                "text": wish.text,
                "status": wish.status,
                "time_window": wish.time_window,
                "preferred_date": _when(wish.preferred_date, tz),
                "photo_file_ids": list(wish.photo_file_ids),
                "voice_file_id": wish.voice_file_id,
                "submitted_at": _when(wish.submitted_at, tz),
                "completed_at": _when(wish.completed_at, tz),
                "closed_at": _when(wish.closed_at, tz),
                "member": _person(name, display),
                "completion_note": scrub_contacts(wish.completion_note) if wish.completion_note else None,
                "hours_spent": wish.hours_spent,
                "rating": {"score": score, "comment": comment} if score else None,
                "events": _events(s, wish_id=wish.id, me=me, tz=tz),
            }
        )
    return out


def _member(s: Session, *, me: int, tz: ZoneInfo) -> dict | None:
    profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == me))
    if profile is None:
        return None
    branch, grid = _place(s, profile.branch_id, profile.grid_id)
    rows = s.execute(
        select(Wish, Grid.name, Rating.score)
        .outerjoin(Grid, Grid.id == Wish.grid_id)
        .outerjoin(Rating, Rating.wish_id == Wish.id)
        .where(Wish.assigned_member_id == me)
        .order_by(Wish.assigned_at, Wish.id)
    )
    ledger = [
        {
            "number": wish.number,  # the task, never the resident's name or contact
            "category": wish.category,
            "grid": grid_name or "",
            "status": wish.status,
            "assigned_at": _when(wish.assigned_at, tz),
            "completed_at": _when(wish.completed_at, tz),
            "hours": wish.hours_spent,
            "score": score,
            "points": task_points(wish.hours_spent, score) if wish.status == S.confirmed and score else 0,
        }
        for wish, grid_name, score in rows.all()
    ]
    return {
        "branch": branch,
        "grid": grid,
        "work_unit": profile.work_unit,
        "skills": list(profile.skills),
        "availability": list(profile.availability),
        "status": profile.status,
        "registered_at": _when(profile.registered_at, tz),
        "hours_total": profile.hours_total,
        "tasks_confirmed": profile.tasks_confirmed,
        "ledger": ledger,
    }


def _resident(s: Session, *, me: int) -> dict | None:
    profile = s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == me))
    if profile is None:
        return None
    branch, grid = _place(s, profile.branch_id, profile.grid_id)
    parts = {k: getattr(profile, k) for k in ("compound", "building", "unit", "room")}
    return {"branch": branch, "grid": grid, **parts}


def export_json(s: Session, *, actor_id: int, tz: ZoneInfo) -> bytes:
    """The actor's own data, UTF-8 JSON; times in `tz`."""
    actor = load_actor(s, actor_id)
    user = s.get(User, actor_id)
    ratings = s.execute(
        select(Wish.number, Rating.score, Rating.comment, Rating.created_at)
        .join(Wish, Wish.id == Rating.wish_id)
        .where(Wish.resident_id == actor_id)
        .order_by(Rating.created_at)
    )
    document = {
        "format": FORMAT,
        "exported_at": _when(utcnow(), tz),
        "profile": {
            "telegram_id": user.telegram_id,
            "name": user.name,
            "telegram_name": user.display_name,
            "phone": user.phone,
            "language": user.language,
            "roles": sorted(actor.roles),
            "created_at": _when(user.created_at, tz),
        },
        "resident": _resident(s, me=actor_id),
        "member": _member(s, me=actor_id, tz=tz),
        "wishes": _wishes(s, me=actor_id, tz=tz),
        "ratings_given": [
            {"number": n, "score": score, "comment": comment, "at": _when(at, tz)}
            for n, score, comment, at in ratings.all()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()
