"""The work-unit report (在职党员双向反馈): one workbook per work unit, to forward to that unit.

Each file holds one unit's members and their confirmed tasks that month, and nothing about any
other unit or any resident, so staff can hand it to that employer as it is.
"""

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.actors import load_actor
from services.catalogue import Catalogue
from services.reports.ledger import Served, by_member, ledger_rows
from services.reports.periods import Period
from services.reports.stats import require_scope

ALL_UNITS = 0  # the unit key that asks for every unit, one file each
COLUMNS = ("member", "tasks", "hours", "average", "date", "category", "grid")


def unit_key(work_unit: str) -> int:
    """A unit's id in buttons: a checksum of its name as stored, never 0 (ALL_UNITS).

    Work units are free text, so a button carries this rather than a position in a list that
    a new confirmed task could reorder.
    """
    return zlib.crc32(work_unit.encode()) or 1


@dataclass(frozen=True)
class Unit:
    key: int
    name: str  # as shown: members without a unit are grouped under report.no_unit
    members: list[Served]  # most points first

    @property
    def tasks(self) -> int:
        return sum(len(m.tasks) for m in self.members)

    @property
    def hours(self) -> float:
        return round(sum(m.hours for m in self.members), 1)


@dataclass(frozen=True)
class UnitFile:
    unit: Unit
    workbook: bytes


def work_units(
    s: Session, *, actor_id: int, branch_id: int, month: Period, tz: ZoneInfo, tr: Callable[[str], str]
) -> list[Unit]:
    """The branch's work units with members who served in the month, by name (staff or admins)."""
    require_scope(load_actor(s, actor_id), branch_id)
    grouped: dict[str, list[Served]] = {}
    for served in by_member(ledger_rows(s, branch_id=branch_id, period=month, tz=tz)):
        grouped.setdefault(served.work_unit, []).append(served)
    units = [Unit(unit_key(raw), raw or tr("report.no_unit"), ms) for raw, ms in grouped.items()]
    return sorted(units, key=lambda u: u.name)


def _workbook(unit: Unit, *, tz: ZoneInfo, cat: dict, tr: Callable[[str], str]) -> bytes:
    # Here, not at the top: the workbook brings openpyxl, which `sandan run` loads on first use only.
    from services.reports.workbook import Sheet, build_workbook

    summary = Sheet(
        tr("report.sheet.summary"),
        [tr("report.col.unit"), tr("report.col.members"), tr("report.col.tasks"), tr("report.col.hours")],
        [[unit.name, len(unit.members), unit.tasks, unit.hours]],
        [36, 12, 12, 12],
    )
    rows = []
    for m in unit.members:
        for i, task in enumerate(m.tasks):
            head = [m.name, len(m.tasks), m.hours, m.average_rating] if i == 0 else [None] * 4
            date = task.completed_at.astimezone(tz).date()
            rows.append([*head, date, cat.get(task.category, task.category), task.grid])
    headers = [tr(f"report.col.{k}") for k in COLUMNS]
    tasks = Sheet(unit.name, headers, rows, [14, 12, 12, 12, 14, 16, 16])
    return build_workbook([summary, tasks], tz=tz)


def unit_files(
    s: Session,
    *,
    actor_id: int,
    branch_id: int,
    month: Period,
    tz: ZoneInfo,
    catalogue: Catalogue,
    lang: str,
    tr: Callable[[str], str],
    key: int,
) -> list[UnitFile]:
    """The workbook of the unit `key`, or one per unit for ALL_UNITS; none if it has gone."""
    units = work_units(s, actor_id=actor_id, branch_id=branch_id, month=month, tz=tz, tr=tr)
    cat = {code: c.label.get(lang) for code, c in catalogue.categories.items()}
    return [UnitFile(u, _workbook(u, tz=tz, cat=cat, tr=tr)) for u in units if key in (ALL_UNITS, u.key)]
