"""Every threshold the sweeps use."""

from dataclasses import dataclass
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from services.quiet_hours import QuietHours

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SweepPolicy:
    """Thresholds, each a setting (see sandan.settings and .env.example)."""

    tz: ZoneInfo
    quiet: QuietHours
    triage_reminders: tuple[timedelta, ...] = (2 * HOUR, 8 * HOUR)
    triage_escalation: timedelta = 24 * HOUR
    offer_expiry: timedelta = 2 * HOUR
    wall_unclaimed: timedelta = 24 * HOUR
    task_overdue: timedelta = 72 * HOUR
    task_escalation: timedelta = 24 * HOUR
    rating_reminders: tuple[timedelta, ...] = (24 * HOUR, 72 * HOUR)
    close_unrated: timedelta = 7 * 24 * HOUR
    max_auto_offers: int = 3
    digest_at: time = time(8, 30)
    escalate_in_quiet_hours: bool = False
    candidates_suggested: int = 3

    @classmethod
    def default(cls, timezone: str = "Asia/Shanghai") -> "SweepPolicy":
        tz = ZoneInfo(timezone)
        return cls(tz=tz, quiet=QuietHours(tz))


DEFAULT_POLICY = SweepPolicy.default()  # for callers without settings: tests, benchmarks
