"""When wishes came in, where each one got to, and the moves that took it there.

Wishes from the last three weeks may still be open, the younger the likelier, in
statuses that fit their age; every open status appears at least once at any scale.
"""

import math
import random
from datetime import timedelta

from models import WishStatus as S
from models.enums import OPEN_STATUSES
from sandan.seed.draw import DAY, HOUR, LOCAL_OFFSET, cumulative, lognormal, pick
from sandan.seed.texts import (
    CANCEL_NOTES,
    DECLINE_REASONS,
    DISPUTE_CLOSE_NOTES,
    DISPUTE_NOTES,
    REJECTION_NOTES,
)

RATING_WINDOW = timedelta(days=7)  # a completed wish nobody rates is closed after this
HOUR_WEIGHTS = [1, 0, 0, 0, 0, 1, 2, 3, 6, 9, 10, 8, 4, 4, 7, 8, 8, 6, 5, 5, 4, 2, 1, 1]  # local time

# Which open statuses a wish of a given age may still be in, and how likely it is still open.
OPEN_BANDS = [  # (max age in days, chance still open, {status: weight})
    (2 / 24, 0.97, {S.submitted: 70, S.accepted: 25, S.offered: 5}),
    (
        1,
        0.85,
        {S.submitted: 25, S.accepted: 20, S.offered: 15, S.posted: 12, S.assigned: 18, S.in_progress: 10},
    ),
    (
        7,
        0.45,
        {
            S.submitted: 3,
            S.accepted: 10,
            S.offered: 8,
            S.posted: 10,
            S.assigned: 22,
            S.in_progress: 15,
            S.completed: 25,
            S.disputed: 7,
        },
    ),
    (21, 0.12, {S.accepted: 10, S.posted: 15, S.assigned: 30, S.in_progress: 25, S.disputed: 20}),
]
FINISHED_MIX = {S.confirmed: 72, S.closed: 13, S.rejected: 8, S.cancelled: 7}
MIN_AGE = {  # seconds a forced open status needs at least
    S.submitted: 0,
    S.accepted: HOUR,
    S.offered: HOUR,
    S.posted: HOUR,
    S.assigned: 3 * HOUR,
    S.in_progress: 4 * HOUR,
    S.completed: 6 * HOUR,
    S.disputed: 8 * HOUR,
}
REJECTION_WEIGHTS = {
    "benefits": 20,
    "enforcement": 12,
    "mediation": 12,
    "emergency": 2,
    "commercial": 18,
    "duplicate": 14,
    "unclear": 14,
    "out_of_area": 8,
}
REJECTION_REASONS = list(REJECTION_WEIGHTS)
REJECTION_CUM = cumulative(REJECTION_WEIGHTS.values())
CANCEL_STAGES = [S.submitted, S.accepted, S.offered, S.posted]
CANCEL_STAGE_CUM = cumulative([50, 30, 10, 10])

Step = tuple[S, str, float, object]  # (to, who, seconds after the last move or timestamp, note)


def submission_times(rng: random.Random, start: float, now: float, count: int) -> list[float]:
    """`count` whole-second timestamps between `start` and now, busier by day and lately."""
    span_days = int((now - start) / DAY)
    first_midnight = math.floor((start + LOCAL_OFFSET) / DAY) * DAY - LOCAL_OFFSET
    hours = list(range(24))
    hour_cum = cumulative(HOUR_WEIGHTS)
    times = []
    while len(times) < count:
        day = int(rng.random() ** 0.85 * span_days)  # a little busier lately
        ts = first_midnight + day * DAY + pick(rng, hours, hour_cum) * HOUR + rng.random() * HOUR
        if start <= ts < now - 60:
            times.append(float(int(ts)))
    times.sort()
    return times


def final_statuses(rng: random.Random, times: list[float], now: float) -> list[S]:
    """Where each wish submitted at `times` stands now."""
    statuses = []
    finished = list(FINISHED_MIX)
    finished_cum = cumulative(FINISHED_MIX.values())
    for ts in times:
        age = (now - ts) / DAY
        status = None
        for max_age, chance, mix in OPEN_BANDS:
            if age < max_age:
                if rng.random() < chance:
                    status = pick(rng, list(mix), cumulative(mix.values()))
                break
        if status is None:
            if age < 1:
                status = rng.choice([S.rejected, S.cancelled])
            elif age < 8:
                status = pick(rng, [S.confirmed, S.rejected, S.cancelled], cumulative([82, 10, 8]))
            else:
                status = pick(rng, finished, finished_cum)
        statuses.append(status)
    # Every open status appears at least once, even at the smallest scale.
    # Missing ones in declaration order (not set order, which varies with PYTHONHASHSEED).
    missing = [st for st in S if st in OPEN_STATUSES and st not in set(statuses)]
    for want in sorted(missing, key=lambda st: MIN_AGE[st]):
        for i in range(len(times) - 1, -1, -1):
            if statuses[i] not in OPEN_STATUSES and now - times[i] >= MIN_AGE[want] + 60:
                statuses[i] = want
                break
    return statuses


def timed_path(rng: random.Random, submitted: float, status: S, now: float) -> tuple[S, list[Step]]:
    """The moves to `status` at absolute times, squeezed so that every move lies before now.

    A wish closed unrated whose rating window would end after now is confirmed instead.
    """
    steps = _path(rng, status)
    room = now - 30 - submitted
    total = sum(step[2] for step in steps)
    factor = 1.0
    if total > room:
        if status == S.closed and steps[-1][1] == "system":
            return timed_path(rng, submitted, S.confirmed, now)
        factor = room * 0.9 / total
    out, t = [], submitted
    for i, (to, who, delta, note) in enumerate(steps):
        if i:
            t = max(t + 1, t + int(delta * factor))
        out.append((to, who, t, note))
    return status, out


def _path(rng: random.Random, status: S) -> list[Step]:
    """The moves that led a wish to `status`, with the seconds between them."""
    steps: list[Step] = [(S.submitted, "resident", 0.0, None)]
    if status == S.submitted:
        return steps
    triage = lognormal(rng, 2 * HOUR, 1.0, 300, 3 * DAY)
    if status == S.rejected:
        reason = pick(rng, REJECTION_REASONS, REJECTION_CUM)
        note = rng.choice(REJECTION_NOTES) if rng.random() < 0.3 else None
        if rng.random() < 0.8:
            return [*steps, (S.rejected, "staff", triage, (reason, note))]
        steps.append((S.accepted, "staff", triage, None))
        return [*steps, (S.rejected, "staff", lognormal(rng, HOUR, 1, 120, DAY), (reason, note))]
    if status == S.cancelled:
        stage = pick(rng, CANCEL_STAGES, CANCEL_STAGE_CUM)
        if stage != S.submitted:
            steps += _path(rng, stage)[1:]
        note = rng.choice(CANCEL_NOTES) if rng.random() < 0.5 else None
        return [*steps, (S.cancelled, "resident", lognormal(rng, 6 * HOUR, 1, 600, 3 * DAY), note)]
    steps.append((S.accepted, "staff", triage, None))
    if status == S.accepted:
        return steps
    dispatch = lognormal(rng, HOUR, 1.0, 120, 2 * DAY)
    if status == S.posted or (status != S.offered and rng.random() < 0.25):
        steps.append((S.posted, "staff", dispatch, None))
        if status == S.posted:
            return steps
        steps.append((S.assigned, "member", lognormal(rng, 2 * HOUR, 1.2, 60, 2 * DAY), None))
    else:
        if rng.random() < 0.08:  # the first member declined, or let the offer expire
            steps.append((S.offered, "member2", dispatch, None))
            if rng.random() < 0.75:
                answer = lognormal(rng, 3 * HOUR, 1, 300, DAY)
                steps.append((S.accepted, "member2", answer, rng.choice(DECLINE_REASONS)))
            else:
                steps.append((S.accepted, "system", DAY + rng.uniform(0, 600), None))
            dispatch = lognormal(rng, 30 * 60, 1, 60, 6 * HOUR)
        steps.append((S.offered, "staff", dispatch, None))
        if status == S.offered:
            return steps
        steps.append((S.assigned, "member", lognormal(rng, 40 * 60, 1.0, 60, DAY), None))
    if status == S.assigned:
        return steps
    if status == S.in_progress or rng.random() < 0.6:
        steps.append((S.in_progress, "member", lognormal(rng, 12 * HOUR, 1, 1_800, 3 * DAY), None))
        if status == S.in_progress:
            return steps
    steps.append((S.completed, "member", lognormal(rng, 3 * HOUR, 1, 1_800, 4 * DAY), None))
    if status == S.completed:
        return steps
    if status == S.disputed or (status == S.closed and rng.random() < 0.1):
        disputed = lognormal(rng, 10 * HOUR, 1, 3_600, 3 * DAY)
        steps.append((S.disputed, "resident", disputed, rng.choice(DISPUTE_NOTES)))
        if status == S.disputed:
            return steps
        closed = lognormal(rng, DAY, 1, 3_600, 5 * DAY)
        return [*steps, (S.closed, "staff", closed, rng.choice(DISPUTE_CLOSE_NOTES))]
    if status == S.closed:
        return [*steps, (S.closed, "system", RATING_WINDOW.total_seconds() + rng.uniform(0, HOUR), None)]
    return [*steps, (S.confirmed, "resident", lognormal(rng, 5 * HOUR, 1.2, 300, 6.5 * DAY), None)]
