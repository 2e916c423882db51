"""When an assigned task counts as overdue."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.enums import TimeWindow

GRACE = timedelta(hours=12)


def preferred_deadline(
    window: TimeWindow, preferred_date, submitted_at: datetime, tz: ZoneInfo
) -> datetime | None:
    """The end of the resident's preferred time, or None for 尽快 (as soon as possible)."""
    submitted = submitted_at.astimezone(tz).date()
    if window == TimeWindow.on_date and preferred_date:
        day = preferred_date
    elif window == TimeWindow.this_week:
        day = submitted + timedelta(days=6 - submitted.weekday())  # that week's Sunday
    elif window == TimeWindow.weekend:
        day = submitted + timedelta(days=(6 - submitted.weekday()) % 7)  # the coming Sunday
    else:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def task_deadline(
    *,
    window: TimeWindow,
    preferred_date,
    submitted_at: datetime,
    assigned_at: datetime,
    limit: timedelta,
    tz: ZoneInfo,
) -> datetime:
    """The earlier of the preferred time's end and `limit` after assignment.

    A member who took the job after the preferred time had passed still gets
    GRACE before the first reminder, rather than one the moment they take it.
    """
    latest = assigned_at + limit
    preferred = preferred_deadline(window, preferred_date, submitted_at, tz)
    if preferred is None:
        return latest
    return min(latest, max(preferred, assigned_at + GRACE))


def min_task_age(limit: timedelta) -> timedelta:
    """No task is overdue sooner than this after it was taken."""
    return min(GRACE, limit)
