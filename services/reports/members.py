"""Use cases on members' confirmed service: the ranking (表彰), the work-unit report
(在职党员双向反馈) and a member's own ledger."""

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.actors import load_actor
from services.catalogue import Catalogue
from services.errors import NotFound
from services.reports.ledger import Served, by_member, ledger_rows
from services.reports.periods import Period
from services.reports.stats import require_scope
from services.reports.workbook import Sheet, build_workbook

TOP = 20


async def ranking(
    s: AsyncSession, *, actor_id: int, branch_id: int | None, period: Period, tz: ZoneInfo, limit: int = TOP
) -> list[Served]:
    """Members ranked by points from confirmed tasks in the period (staff of the branch, or admins)."""
    require_scope(await load_actor(s, actor_id), branch_id)
    return by_member(await ledger_rows(s, branch_id=branch_id, period=period, tz=tz))[:limit]


@dataclass(frozen=True)
class UnitReport:
    units: dict[str, list[Served]]  # work unit -> its members who served, most points first
    workbook: bytes

    @property
    def totals(self) -> list[tuple[str, int, int, float]]:
        """Per work unit: the members who served, their confirmed tasks and their hours."""
        return _totals(self.units)


def _totals(units: dict[str, list[Served]]) -> list[tuple[str, int, int, float]]:
    return [
        (u, len(ms), sum(len(m.tasks) for m in ms), round(sum(m.hours for m in ms), 1))
        for u, ms in units.items()
    ]


async def unit_report(
    s: AsyncSession,
    *,
    actor_id: int,
    branch_id: int,
    month: Period,
    tz: ZoneInfo,
    catalogue: Catalogue,
    lang: str,
    tr: Callable[[str], str],
) -> UnitReport:
    """Per work unit, its members who served in the month, with one line per confirmed task."""
    require_scope(await load_actor(s, actor_id), branch_id)
    units: dict[str, list[Served]] = {}
    for served in by_member(await ledger_rows(s, branch_id=branch_id, period=month, tz=tz)):
        units.setdefault(served.work_unit or tr("report.no_unit"), []).append(served)
    units = dict(sorted(units.items()))
    cat = {code: c.label.get(lang) for code, c in catalogue.categories.items()}
    keys = ("member", "tasks", "hours", "average", "date", "category", "grid")
    headers = [tr(f"report.col.{k}") for k in keys]
    summary = Sheet(
        tr("report.sheet.summary"),
        [tr("report.col.unit"), tr("report.col.members"), tr("report.col.tasks"), tr("report.col.hours")],
        [list(total) for total in _totals(units)],
        [36, 12, 12, 12],
    )
    sheets = [summary]
    for unit, members in units.items():
        rows = []
        for m in members:
            for i, task in enumerate(m.tasks):
                head = [m.name, len(m.tasks), m.hours, m.average_rating] if i == 0 else [None] * 4
                rows.append(
                    [
                        *head,
                        task.completed_at.astimezone(tz).date(),
                        cat.get(task.category, task.category),
                        task.grid,
                    ]
                )
        sheets.append(Sheet(unit, headers, rows, [14, 12, 12, 12, 14, 16, 16]))
    return UnitReport(units, build_workbook(sheets, tz=tz))


@dataclass(frozen=True)
class MyLedger:
    month: Served | None
    year: Served | None
    rank: int | None  # in the branch this year, by points
    ranked: int  # members with points this year


async def my_ledger(s: AsyncSession, *, actor_id: int, month: Period, year: Period, tz: ZoneInfo) -> MyLedger:
    """A member's own confirmed service this month and this year, and their rank in the branch."""
    actor = await load_actor(s, actor_id)
    if actor.member_branch is None:
        raise NotFound("error.no_member")
    mine = by_member(
        await ledger_rows(s, branch_id=actor.member_branch, period=month, tz=tz, member_id=actor_id)
    )
    everyone = by_member(await ledger_rows(s, branch_id=actor.member_branch, period=year, tz=tz))
    rank = next((i for i, m in enumerate(everyone, start=1) if m.member_id == actor_id), None)
    this_year = everyone[rank - 1] if rank else None
    return MyLedger(mine[0] if mine else None, this_year, rank, len(everyone))
