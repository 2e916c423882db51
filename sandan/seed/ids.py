"""Explicit ids for seeded rows, continuing after whatever the database already holds."""

from dataclasses import dataclass

from sqlalchemy import func, select

from models import Branch, Grid, MemberProfile, Offer, Rating, ResidentProfile, Staff, User, Wish, WishEvent
from services.db import Database

SEEDED_MODELS = (Branch, Grid, User, Staff, ResidentProfile, MemberProfile, Wish, WishEvent, Offer, Rating)


class Ids:
    """The next id per table, handed out in order so that no insert needs RETURNING."""

    def __init__(self, last: dict[type, int]) -> None:
        self.last = last

    def next(self, model: type) -> int:
        self.last[model] += 1
        return self.last[model]


@dataclass(frozen=True)
class Existing:
    ids: Ids
    telegram_ids: set[int]
    branch_codes: set[str]


def read_existing(db: Database) -> Existing:
    """The highest id per seeded table, and the Telegram ids and branch codes already taken."""
    with db.read() as s:
        last = {}
        for model in SEEDED_MODELS:
            last[model] = (s.scalar(select(func.max(model.id)))) or 0
        telegram_ids = set(
            (s.scalars(select(User.telegram_id).where(User.telegram_id.is_not(None)))).all()
        )
        branch_codes = set((s.scalars(select(Branch.code))).all())
    return Existing(Ids(last), telegram_ids, branch_codes)
