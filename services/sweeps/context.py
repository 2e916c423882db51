"""What one sweep knows: the moment, the thresholds, and lookups it repeats per branch."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import SentReminder, WishEvent, WishStatus
from services.catalogue import Catalogue
from services.outbox import admins, load_staff
from services.sweeps.policy import SweepPolicy


@dataclass
class Sweep:
    now: datetime
    policy: SweepPolicy
    catalogue: Catalogue
    _staff: dict[int, list[int]] | None = None
    _admins: list[int] | None = None

    @property
    def quiet(self) -> bool:
        """Quiet hours now: only escalations that the settings exempt may go out."""
        return self.policy.quiet.active(self.now)

    def may_send(self, *, escalation: bool) -> bool:
        return not self.quiet or (escalation and self.policy.escalate_in_quiet_hours)

    def staff(self, s: Session, branch_id: int) -> list[int]:
        """The branch's staff; every branch's are read at the first call, once per sweep."""
        if self._staff is None:
            self._staff = load_staff(s)
        return self._staff.get(branch_id, [])

    def admins(self, s: Session) -> list[int]:
        if self._admins is None:
            self._admins = admins(s)
        return self._admins


def reminded(s: Session, kind: str, wish_ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """Per wish, the highest sequence number of `kind` already sent, and when."""
    found: dict[int, tuple[int, datetime]] = {}
    r = SentReminder
    for i in range(0, len(wish_ids), 900):  # stay under SQLite's bound-parameter limit
        rows = s.execute(
            select(r.wish_id, func.max(r.seq), func.max(r.sent_at))
            .where(r.kind == kind, r.wish_id.in_(wish_ids[i : i + 900]))
            .group_by(r.wish_id)
        )
        found.update({w: (seq, at) for w, seq, at in rows})
    return found


def assignment_turns(s: Session, wish_ids: list[int]) -> dict[int, int]:
    """Per wish, how many times it has been assigned (taken, claimed, or handed back for a redo)."""
    turns: dict[int, int] = {}
    e = WishEvent
    for i in range(0, len(wish_ids), 900):
        rows = s.execute(
            select(e.wish_id, func.count())
            .where(e.to_status == WishStatus.assigned, e.wish_id.in_(wish_ids[i : i + 900]))
            .group_by(e.wish_id)
        )
        turns.update(dict(rows.all()))
    return turns
