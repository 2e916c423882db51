"""Commendation points (积分): only service the resident confirmed counts, weighted by the rating.

    points of a task = (BASE + PER_HOUR × min(hours, HOURS_CAP)) × stars / 5

Hours are those the member reported on completion. A task that was never confirmed (not
rated, disputed, closed without a rating) earns nothing, whatever hours it claims.
"""

BASE = 10
PER_HOUR = 5
HOURS_CAP = 8


def task_points(hours: float | None, score: int) -> float:
    """The points one confirmed task earns."""
    counted = min(max(hours or 0, 0), HOURS_CAP)
    return round((BASE + PER_HOUR * counted) * score / 5, 1)
