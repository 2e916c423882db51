"""Seeded random draws and the time units the seed modules share."""

import math
import random
from bisect import bisect
from datetime import UTC, datetime, timedelta
from itertools import accumulate

DAY = 86_400.0
HOUR = 3_600.0
LOCAL_OFFSET = timedelta(hours=8).total_seconds()  # Asia/Shanghai, for office hours and preferred dates


def cumulative(weights) -> list[float]:
    return list(accumulate(weights))


def pick(rng: random.Random, items, cum: list[float]):
    """One of `items`, drawn by the cumulative weights `cum`."""
    return items[bisect(cum, rng.random() * cum[-1])]


def share_out(total: int, weights: list[float]) -> list[int]:
    """Share `total` out in proportion to `weights` (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def lognormal(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(rng.gauss(0, sigma))))


def as_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def telegram_file_id(rng: random.Random, prefix: str) -> str:
    """A made-up Telegram file id: "AgAC…" for photos, "AwAC…" for voice notes."""
    return f"{prefix}{rng.getrandbits(64):016x}"
