"""What each piece of the core's statement plumbing saves, beside plain SQLAlchemy.

    uv run python bench/statements.py [--scale small] [--rounds 7] [--calls 400]

The hot use cases build their statements once, with bound parameters, and create rows
without the ORM's unit of work (services/inserts.py). Each piece is timed here beside
the plain SQLAlchemy way of doing the same thing, on one seeded SQLite file, turn and
turn about within each round, inside write transactions that are rolled back (so both
sides see the same rows). Prints microseconds per call, the difference, and what that
difference comes to in one core cycle (bench/core.py: how often the cycle calls it, over
the cycle's time measured here too). A piece that saves a few percent of a cycle at most
is not worth a reader's trouble.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select, update  # noqa: E402

from bench.core import _cast, one_cycle, seeded_file, sqlite_url  # noqa: E402
from models import Offer, OfferKind, Wish  # noqa: E402
from models.enums import WishStatus as S  # noqa: E402
from models.types import utcnow  # noqa: E402
from sandan.settings import DEFAULT_CATALOGUE  # noqa: E402
from services import lifecycle, wishes  # noqa: E402
from services.catalogue import load_catalogue  # noqa: E402
from services.db import Database  # noqa: E402
from services.inserts import insert_new  # noqa: E402

_WISH = Wish.__table__


# Each piece: (name, calls per core cycle, the plumbing's way, the plain way). Each way gets
# a session inside a transaction and a wish id, and does the thing once.


def built_once_update(s, wish_id):
    s.execute(
        lifecycle._move_statement(("status", "triaged_at")),
        {"set_status": S.accepted, "set_triaged_at": utcnow(), "wish_id": wish_id, "expected": S.submitted},
    )


def built_per_call_update(s, wish_id):
    s.execute(
        update(_WISH)
        .where(_WISH.c.id == wish_id, _WISH.c.status == S.submitted)
        .values(status=S.accepted, triaged_at=utcnow())
    )


def built_once_select(s, wish_id):
    wishes.get_wish_and_actor(s, wish_id, 1)


def built_per_call_select(s, wish_id):
    from services.actors import ROLE_COLUMNS, actor_of, with_roles

    rows = s.execute(
        select(Wish, *ROLE_COLUMNS).select_from(with_roles(_WISH, 1)).where(Wish.id == wish_id)
    ).all()
    rows[0][0], actor_of(rows)


def _offer(wish_id):
    return Offer(wish_id=wish_id, kind=OfferKind.wall, offered_by=1, created_at=utcnow())


def insert_without_unit_of_work(s, wish_id):
    insert_new(s, _offer(wish_id))


def add_and_flush(s, wish_id):
    s.add(_offer(wish_id))
    s.flush()


PIECES = [
    ("UPDATE built once (lifecycle._move_statement)", 5, built_once_update, built_per_call_update),
    ("SELECT built once (wishes.get_wish_and_actor)", 4, built_once_select, built_per_call_select),
    ("INSERT without the unit of work (inserts.insert_new)", 2, insert_without_unit_of_work, add_and_flush),
]


def time_calls(db: Database, fn, wish_ids: list[int]) -> float:
    """Microseconds per call, in transactions of 50 calls that are rolled back."""
    started = time.perf_counter()
    for i in range(0, len(wish_ids), 50):
        with db.write() as s:
            for wish_id in wish_ids[i : i + 50]:
                fn(s, wish_id)
            s.rollback()
    return (time.perf_counter() - started) * 1e6 / len(wish_ids)


def cycle_us(db: Database, plan, catalogue) -> float:
    started = time.perf_counter()
    for job in plan:
        one_cycle(db, catalogue, wishes.Limits(), *job)
    return (time.perf_counter() - started) * 1e6 / len(plan)


def run(args) -> None:
    with seeded_file(args.scale) as (path, _):
        db = Database(sqlite_url(path))
        catalogue = load_catalogue(DEFAULT_CATALOGUE)
        with db.read() as s:
            wish_ids = list(s.scalars(select(Wish.id).order_by(Wish.id).limit(args.calls)))
        cast = _cast(db, branches=100)
        plan = [(st, ms[i % len(ms)], rs[i % len(rs)]) for i, (_, st, ms, rs) in enumerate(cast * 20)][:60]
        results = {name: ([], []) for name, *_ in PIECES}
        cycles = []
        for _ in range(args.rounds):
            cycles.append(cycle_us(db, plan, catalogue))
            for name, _, plumbing, plain in PIECES:
                results[name][0].append(time_calls(db, plumbing, wish_ids))
                results[name][1].append(time_calls(db, plain, wish_ids))
        db.dispose()
    cycle = statistics.median(cycles)
    print(f"\ncore cycle here: {cycle:.0f} us (median of {args.rounds} rounds of {len(plan)} cycles)\n")
    print(f"{'piece':<54} {'plumbing us':>11} {'plain us':>9} {'saves us':>9} {'x/cycle':>8} {'% cycle':>8}")
    for name, per_cycle, *_ in PIECES:
        ours, plain = (statistics.median(v) for v in results[name])
        saved = plain - ours
        print(
            f"{name:<54} {ours:>11.1f} {plain:>9.1f} {saved:>9.1f} {per_cycle:>8} "
            f"{100 * saved * per_cycle / cycle:>7.1f}%"
        )
    print("\nMedians of rounds; each round times both ways of each piece one after the other.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="small")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=400)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
