"""Synthetic but realistic data: branches, people and two years of wishes.

`seed(db, scale="district")` fills an already migrated database with 100
branches, 20,000 members, 100,000 residents and 200,000 wishes whose statuses,
timestamps, offers, audit events, ratings and member totals agree with each
other, as if the service had run for two years. `scale="small"` does the same
in miniature, for quick tries and tests.

Rows go in through SQLAlchemy Core bulk inserts with explicit ids (no
RETURNING), all in one transaction: the district scale (about 1.9 million rows)
takes about a minute on SQLite or PostgreSQL on a 2-CPU machine. On PostgreSQL
the id sequences are moved past the seeded ids afterwards.

Everything is drawn from one seeded random generator, so the same `rng_seed`
and `now` give the same data. The modules, in the order a run uses them:
`ids` (what is already there), `names`, `places`, `people`, `members`,
`timeline` and `history` (via `wishes`), then `writer`; `seeder` ties them together.
"""

from datetime import datetime

from models.types import utcnow
from sandan.seed.open_wishes import open_wish_ids
from sandan.seed.scales import SCALES, Scale, SeedSummary
from sandan.seed.seeder import run_seed
from services.db import Database

__all__ = ["SCALES", "Scale", "SeedSummary", "open_wish_ids", "seed"]


def seed(
    db: Database, *, scale: str = "district", rng_seed: int = 1, now: datetime | None = None
) -> SeedSummary:
    """Fill a migrated database with `scale`'s branches, people and wishes, in one transaction.

    Meant for an empty database; ids continue after any rows already there, and a
    branch code that already exists stops it before anything is written.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose from {', '.join(SCALES)}")
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return run_seed(db, scale, rng_seed, now)
