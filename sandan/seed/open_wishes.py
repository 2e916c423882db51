"""Wish ids in a given status, spread over branches, for benchmarks that act on many wishes."""

from collections import defaultdict

from sqlalchemy import select

from models import Wish, WishStatus
from services.db import Database


def open_wish_ids(
    db: Database, status: WishStatus = WishStatus.accepted, limit: int | None = None
) -> list[int]:
    """Ids of wishes in `status`, spread over branches: each branch's first, then each one's second..."""
    with db.read() as s:
        rows = (
            s.execute(select(Wish.id, Wish.branch_id).where(Wish.status == status).order_by(Wish.id))
        ).all()
    by_branch: dict[int, list[int]] = defaultdict(list)
    for wid, bid in rows:
        by_branch[bid].append(wid)
    spread, queues = [], list(by_branch.values())
    depth = 0
    while queues and (limit is None or len(spread) < limit):
        queues = [q for q in queues if len(q) > depth]
        spread += [q[depth] for q in queues]
        depth += 1
    return spread[:limit] if limit is not None else spread
