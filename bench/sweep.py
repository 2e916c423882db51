"""A full follow-up sweep over every rule, on the district-scale seed.

    uv run python bench/sweep.py [--scale district] [--open 10000] [--rounds 5]

1. Seeds the scale into a temporary SQLite file (in a child process, as bench/core.py does).
2. Turns `--open` historical wishes into open ones spread evenly over the five
   situations the sweep follows (untriaged, offered, on the wall, assigned,
   done but unrated); half are just past their threshold (due), half just short
   of it (nearly due). Everything else that was open is closed first.
3. Times `run_sweep` on a fresh copy of that file, `--rounds` times, and once
   more on an already-swept copy (the steady state: nothing new is due).
4. Prints EXPLAIN QUERY PLAN for every distinct query a sweep runs and flags
   any full scan of a large table.
"""

import argparse
import resource
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, update  # noqa: E402

from bench.core import seeded_file, sqlite_url  # noqa: E402
from models import Offer, OfferKind, OfferStatus, Wish  # noqa: E402
from models.enums import OPEN_STATUSES, TimeWindow  # noqa: E402
from models.enums import WishStatus as S  # noqa: E402
from sandan.settings import DEFAULT_CATALOGUE  # noqa: E402
from services.catalogue import load_catalogue  # noqa: E402
from services.db import Database  # noqa: E402
from services.sweeps.policy import SweepPolicy  # noqa: E402
from services.sweeps.sweep import run_sweep  # noqa: E402

TARGET_S = 1.0
BIG_TABLES = ("wish", "offer", "outbox", "sentreminder", "wishevent", "rating", "user", "memberprofile")


def sweep_moment() -> datetime:
    """Tomorrow 10:00 in Beijing: after all seeded history, outside quiet hours."""
    tz = ZoneInfo("Asia/Shanghai")
    tomorrow = datetime.now(tz).date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=tz).astimezone(UTC)


def stage(db: Database, policy: SweepPolicy, now: datetime, count: int) -> dict[str, int]:
    """Make `count` open wishes, half due and half nearly due, over the five followed situations."""
    with db.write() as s:
        s.execute(update(Offer).where(Offer.status == OfferStatus.open).values(status="withdrawn"))
        s.execute(update(Wish).where(Wish.status.in_(OPEN_STATUSES)).values(status=S.closed))
        rows = (
            s.execute(
                select(Wish.id, Wish.assigned_member_id)
                .where(Wish.assigned_member_id.is_not(None))
                .order_by(Wish.id.desc())
                .limit(count)
            )
        ).all()
        thresholds = {
            S.submitted: min(policy.triage_reminders),
            S.offered: policy.offer_expiry,
            S.posted: policy.wall_unclaimed,
            S.assigned: policy.task_overdue,
            S.completed: min(policy.rating_reminders),
        }
        situations = list(thresholds)
        made = dict.fromkeys((str(k) for k in situations), 0)
        offers = []
        for i, (wish_id, member_id) in enumerate(rows):
            status = situations[i % len(situations)]
            due = (i // len(situations)) % 2 == 0
            minutes = 1 + (i * 7) % 59
            at = now - thresholds[status] + timedelta(minutes=-minutes if due else minutes)
            values = {
                "status": status,
                "time_window": TimeWindow.asap,
                "preferred_date": None,
                "closed_at": None,
            }
            if status == S.submitted:
                values.update(submitted_at=at, triaged_at=None, assigned_member_id=None, assigned_at=None)
            elif status in (S.offered, S.posted):
                values.update(assigned_member_id=None, assigned_at=None, submitted_at=at - timedelta(hours=3))
                kind = OfferKind.direct if status == S.offered else OfferKind.wall
                member = member_id if kind == OfferKind.direct else None
                offers.append({"wish_id": wish_id, "kind": kind, "member_id": member, "created_at": at})
            elif status == S.assigned:
                values.update(assigned_at=at, submitted_at=at - timedelta(hours=5), completed_at=None)
            else:
                values.update(completed_at=at)
            s.execute(update(Wish).where(Wish.id == wish_id).values(**values))
            made[str(status)] += 1
        for i in range(0, len(offers), 500):
            s.execute(insert(Offer).values(offers[i : i + 500]))
    return made


def timed_sweep(path: Path, policy, catalogue, now) -> tuple[float, object]:
    db = Database(sqlite_url(path))
    try:
        started = time.perf_counter()
        report = run_sweep(db, policy=policy, catalogue=catalogue, now=now)
        return time.perf_counter() - started, report
    finally:
        db.dispose()


def query_plans(path: Path, policy, catalogue, now) -> list[tuple[str, list[str]]]:
    """EXPLAIN QUERY PLAN of each distinct SELECT a sweep runs, with the parameters it ran with."""
    db = Database(sqlite_url(path))
    seen: dict[str, tuple] = {}

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and statement not in seen:
            seen[statement] = parameters

    for engine in db.engines:  # the sweep's writes select too, on SQLite's writer engine
        event.listen(engine, "before_cursor_execute", capture)
    try:
        run_sweep(db, policy=policy, catalogue=catalogue, now=now)
        for engine in db.engines:
            event.remove(engine, "before_cursor_execute", capture)
        plans = []
        with db.read() as s:
            conn = s.connection()
            for statement, parameters in seen.items():
                result = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                plans.append((statement, [row[-1] for row in result]))
        return plans
    finally:
        db.dispose()


def full_scans(plan: list[str]) -> list[str]:
    return [
        line
        for line in plan
        if line.startswith("SCAN ") and line.split()[1] in BIG_TABLES and "USING" not in line
    ]


def run(args) -> None:
    catalogue = load_catalogue(DEFAULT_CATALOGUE)
    policy, now = SweepPolicy.default(), sweep_moment()
    with seeded_file(args.scale, "template.db") as (template, _seeded):
        work = template.with_name("work.db")
        db = Database(sqlite_url(template))
        made = stage(db, policy, now, args.open)
        db.dispose()  # closing the last connection checkpoints the WAL into the file we copy
        print(f"  staged {sum(made.values()):,} open wishes at {now.isoformat()}: {made}")
        timings, report = [], None
        for _ in range(args.rounds):
            shutil.copy(template, work)
            seconds, report = timed_sweep(work, policy, catalogue, now)
            timings.append(seconds)
        steady = [timed_sweep(work, policy, catalogue, now)[0] for _ in range(args.rounds)]
        shutil.copy(template, work)
        plans = query_plans(work, policy, catalogue, now)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(f"{'figure':<62} {'measured':>12} {'target':>8}")
    print("-" * 84)
    label = f"full sweep, fresh copy, median of {args.rounds} (s)"
    print(f"{label:<62} {statistics.median(timings):>12.3f} {'< ' + str(TARGET_S):>8}")
    print(f"{'  each round (s)':<62} {' '.join(f'{t:.2f}' for t in timings):>12}")
    print(f"{'sweep again, nothing new due, median (s)':<62} {statistics.median(steady):>12.3f}")
    print(f"{'peak RSS of this process (MB)':<62} {rss_mb:>12.0f}")
    print(f"a fresh sweep did: {report}")
    print()
    print(f"Query plans ({len(plans)} distinct SELECTs):")
    flagged = 0
    for statement, plan in plans:
        scans = full_scans(plan)
        flagged += bool(scans)
        print(("  FULL SCAN " if scans else "  ok        ") + " ".join(statement.split())[:140])
        for line in plan:
            print(f"      {line}")
    print(f"{flagged} of {len(plans)} queries scan a large table without an index.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="district")
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
