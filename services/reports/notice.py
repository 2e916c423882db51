"""The public notice (公示): an anonymised summary of a branch's completed wishes.

Never a phone number, a house number or a full name: people appear as surname + 某, and the
residents' own words are scrubbed of names, phone numbers and house numbers before they go out.
"""

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, union
from sqlalchemy.orm import Session, aliased

from models import Branch, Grid, MemberProfile, ResidentProfile, User, Wish
from services.actors import load_actor
from services.errors import NotFound
from services.reports.aggregate import count_figures
from services.reports.figures import COMPLETED, Figures
from services.reports.periods import Period
from services.reports.stats import require_scope
from services.scrubbing import HIDDEN, scrub_contacts

MAX_ITEMS = 40
SHORT = 30  # characters of the description
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯")
# Public, so stricter than scrub_contacts: a bare room number (住在502) goes too, at the cost of
# the year of a date.
_LONG_NUMBER = re.compile(r"[0-9０-９]{3,}")


def surname_mou(name: str) -> str:
    """王秀英 -> 王某, 欧阳娜娜 -> 欧阳某; no name -> 某."""
    name = (name or "").strip()
    if not name:
        return "某"
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0]) + "某"


def scrub(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """Text fit for a public notice: known names as surname + 某, contacts and long numbers hidden."""
    known = sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True)
    if known:
        text = re.sub("|".join(map(re.escape, known)), lambda m: surname_mou(m[0]), text)
    return _LONG_NUMBER.sub(HIDDEN, scrub_contacts(text))


def shorten(text: str, limit: int = SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True)
class NoticeItem:
    number: str
    category: str
    grid: str
    resident: str  # surname + 某
    member: str  # surname + 某
    text: str  # scrubbed and shortened


@dataclass(frozen=True)
class Notice:
    branch_name: str
    chat_id: int
    period: Period
    figures: Figures
    items: list[NoticeItem]
    more: int  # completed wishes left off the list


def _branch_names(s: Session, branch_id: int) -> list[str]:
    """Every name and Telegram name of the branch's residents and members."""
    people = union(
        select(ResidentProfile.user_id.label("uid")).where(ResidentProfile.branch_id == branch_id),
        select(MemberProfile.user_id.label("uid")).where(MemberProfile.branch_id == branch_id),
    ).subquery()
    rows = (s.execute(select(User.name, User.display_name).join(people, people.c.uid == User.id))).all()
    return [n for row in rows for n in row if n]


def build_notice(
    s: Session, *, actor_id: int, branch_id: int, period: Period, tz: ZoneInfo
) -> Notice:
    """The anonymised notice of one branch for the period, for its staff to preview and post."""
    require_scope(load_actor(s, actor_id), branch_id)
    branch = s.get(Branch, branch_id)
    if branch is None:
        raise NotFound("error.no_branch", code="")
    if branch.notice_chat_id is None:
        raise NotFound("publish.no_channel", code=branch.code)
    figures = count_figures(s, period=period, tz=tz, branch_id=branch_id)[None]
    start, end = period.utc_bounds(tz)
    member = aliased(User)
    query = (
        select(Wish.number, Wish.category, Grid.name, User.name, member.name, Wish.text)
        .join(User, User.id == Wish.resident_id)
        .outerjoin(member, member.id == Wish.assigned_member_id)
        .outerjoin(Grid, Grid.id == Wish.grid_id)
        .where(Wish.branch_id == branch_id, Wish.submitted_at >= start, Wish.submitted_at < end)
        .where(Wish.status.in_(COMPLETED))
        .order_by(Wish.submitted_at, Wish.id)
    )
    rows = (s.execute(query)).all()
    names = _branch_names(s, branch_id) if rows else []
    items = [
        NoticeItem(
            number, cat, grid or "", surname_mou(resident), surname_mou(who), shorten(scrub(text, names))
        )
        for number, cat, grid, resident, who, text in rows[:MAX_ITEMS]
    ]
    return Notice(branch.name, branch.notice_chat_id, period, figures, items, max(0, len(rows) - MAX_ITEMS))
