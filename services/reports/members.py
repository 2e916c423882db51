"""Use cases on members' confirmed service: the ranking (表彰) and a member's own ledger.

The work-unit report (在职党员双向反馈) is in services.reports.units."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.actors import load_actor
from services.errors import NotFound
from services.reports.ledger import Served, by_member, ledger_rows
from services.reports.periods import Period
from services.reports.stats import require_scope

TOP = 20


def ranking(
    s: Session, *, actor_id: int, branch_id: int | None, period: Period, tz: ZoneInfo, limit: int = TOP
) -> list[Served]:
    """Members ranked by points from confirmed tasks in the period (staff of the branch, or admins)."""
    require_scope(load_actor(s, actor_id), branch_id)
    return by_member(ledger_rows(s, branch_id=branch_id, period=period, tz=tz))[:limit]


@dataclass(frozen=True)
class MyLedger:
    month: Served | None
    year: Served | None
    rank: int | None  # in the branch this year, by points
    ranked: int  # members with points this year


def my_ledger(s: Session, *, actor_id: int, month: Period, year: Period, tz: ZoneInfo) -> MyLedger:
    """A member's own confirmed service this month and this year, and their rank in the branch."""
    actor = load_actor(s, actor_id)
    if actor.member_branch is None:
        raise NotFound("error.no_member")
    mine = by_member(
        ledger_rows(s, branch_id=actor.member_branch, period=month, tz=tz, member_id=actor_id)
    )
    everyone = by_member(ledger_rows(s, branch_id=actor.member_branch, period=year, tz=tz))
    rank = next((i for i, m in enumerate(everyone, start=1) if m.member_id == actor_id), None)
    this_year = everyone[rank - 1] if rank else None
    return MyLedger(mine[0] if mine else None, this_year, rank, len(everyone))
