"""Quiet hours (免打扰时段): a nightly window when residents and members are left in peace."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """A nightly window, in local time, when residents and members are left in peace."""

    tz: ZoneInfo
    start: time = time(21, 0)
    end: time = time(8, 0)

    def active(self, now: datetime) -> bool:
        local = now.astimezone(self.tz).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, now: datetime) -> datetime:
        """When the quiet window around `now` ends (now itself if it is not quiet)."""
        if not self.active(now):
            return now
        local = now.astimezone(self.tz)
        end = datetime.combine(local.date(), self.end, tzinfo=self.tz)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(now.tzinfo)

    def awake_time(self, since: datetime, now: datetime) -> timedelta:
        """How much of [since, now] lies outside quiet hours: the time a member could have answered."""
        total, cursor = timedelta(0), since
        while cursor < now:
            if self.active(cursor):
                cursor = min(self.ends_after(cursor), now)
                continue
            nxt = self._next_start(cursor)
            total += min(nxt, now) - cursor
            cursor = nxt
        return total

    def _next_start(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.tz)
        start = datetime.combine(local.date(), self.start, tzinfo=self.tz)
        if start <= local:
            start += timedelta(days=1)
        return start.astimezone(moment.tzinfo)
