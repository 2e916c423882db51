"""The alert budget: one person's actions reach each staff member or admin with at most
`BUDGET.per_hour` alerts an hour (see services.outbox). The last one allowed is
`staff.alerts_paused`, which says so; the rest are dropped. Staff actions and the scheduler
are never budgeted, and neither are a resident's complaints.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from models import Outbox, User
from services.note_keys import NoteKey
from services.privacy import mask_name

ALERT_PREFIXES = ("staff.", "admin.")  # the notes that alert staff and admins
# Never budgeted: a resident's complaint must reach staff however busy the hour was.
UNBUDGETED = frozenset({NoteKey.staff_disputed, NoteKey.staff_low_rating})
ALERTS_PAUSED = NoteKey.staff_alerts_paused
BUDGET_WINDOW = timedelta(hours=1)


@dataclass
class AlertBudget:
    """Alerts one resident or member may cause to each staff member or admin per hour.

    None (no budget) unless configured: `sandan run` sets it from STAFF_ALERTS_PER_HOUR.
    """

    per_hour: int | None = None


BUDGET = AlertBudget()


def limit_alerts(per_hour: int | None) -> None:
    """Set the alert budget (the bootstrap calls this with STAFF_ALERTS_PER_HOUR)."""
    BUDGET.per_hour = per_hour


_OUTBOX = Outbox.__table__
_SPENT = (  # per recipient: alerts this person caused in the window, and whether one said "paused"
    select(_OUTBOX.c.user_id, func.count(), func.count().filter(_OUTBOX.c.key == ALERTS_PAUSED))
    .where(
        _OUTBOX.c.caused_by == bindparam("caused_by"),
        _OUTBOX.c.created_at > bindparam("since"),
        _OUTBOX.c.user_id.in_(bindparam("user_ids", expanding=True)),
        or_(*(_OUTBOX.c.key.startswith(p, autoescape=True) for p in ALERT_PREFIXES)),
        _OUTBOX.c.key.notin_(sorted(UNBUDGETED)),
    )
    .group_by(_OUTBOX.c.user_id)
)
_NAME = select(User.name, User.display_name).where(User.id == bindparam("user_id"))


def _budgeted(key: str) -> bool:
    return key.startswith(ALERT_PREFIXES) and key not in UNBUDGETED


def within_budget(
    s: Session, rows: list[dict], *, caused_by: int, now: datetime, per_hour: int
) -> list[dict]:
    """The rows, with alerts beyond the causer's hourly budget per recipient dropped.

    The last alert the budget allows becomes `staff.alerts_paused`, so staff know why it went
    quiet, unless they were told so within the hour already. Rows deleted as pointless no
    longer count: staff never got them.
    """
    alerted = {r["user_id"] for r in rows if _budgeted(r["key"])}
    if not alerted:
        return rows
    params = {"caused_by": caused_by, "since": now - BUDGET_WINDOW, "user_ids": sorted(alerted)}
    found = (s.execute(_SPENT, params)).all()
    spent, told = {uid: n for uid, n, _ in found}, {uid for uid, _, paused in found if paused}
    kept, name = [], None
    for row in rows:
        uid = row["user_id"]
        if uid not in alerted or not _budgeted(row["key"]):
            kept.append(row)
            continue
        spent[uid] = spent.get(uid, 0) + 1
        if spent[uid] < per_hour or (spent[uid] == per_hour and uid in told):
            kept.append(row)
        elif spent[uid] == per_hour:
            if name is None:
                person = (s.execute(_NAME, {"user_id": caused_by})).one_or_none()
                name = mask_name((person and (person.name or person.display_name)) or "")
            params = {"name": name, "n": per_hour}
            kept.append({**row, "key": ALERTS_PAUSED, "params": params, "wish_id": None})
    return kept
