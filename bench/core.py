"""Core benchmarks on a district-sized SQLite database.

    uv run python bench/core.py [--scale district|small] [--rank-wishes 50] [--rounds 5] [--cycles 200]

1. Seeds the scale into a temporary SQLite file, in a child process, so that
   the peak RSS reported below is the serving work's and not the seeding's.
2. Times the candidate ranking (services.matching.rank_candidates) for accepted
   wishes spread over the branches.
3. Times whole submit -> accept -> offer -> take -> complete -> rate cycles,
   each step in its own write transaction through the real services, one after
   another, and reports the median rate over the rounds.
4. Prints each figure beside its target (no pass/fail) and removes the file.
"""

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.sql_floor import Recorder, Replayer, checkpoint  # noqa: E402
from models import MemberProfile, MemberStatus, Priority, ResidentProfile, Staff, User, Wish  # noqa: E402
from models.enums import OPEN_STATUSES  # noqa: E402
from sandan.settings import DEFAULT_CATALOGUE  # noqa: E402
from services import dispatch, tasks, wishes  # noqa: E402
from services.catalogue import load_catalogue  # noqa: E402
from services.db import Database  # noqa: E402
from services.matching import rank_candidates  # noqa: E402

TARGET_RANK_MS = 20
TARGET_CYCLES = 300
TARGET_SHARE = 0.3  # of the raw-sqlite3 floor
TARGET_RSS_MB = 300


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# --- seeding (runs in a child process) ---------------------------------------------------------


def _seed_child(path: Path, scale: str) -> dict:
    from sandan.migrate import upgrade
    from sandan.seed import seed

    db = Database(sqlite_url(path))
    started = time.perf_counter()
    upgrade(db)
    migrated = time.perf_counter()
    summary = seed(db, scale=scale)
    db.dispose()
    return {
        "migrate_s": round(migrated - started, 2),
        "seed_s": summary.seconds,
        "wall_s": round(time.perf_counter() - started, 2),
        "counts": {k: v for k, v in summary.__dict__.items() if k not in ("scale", "seconds")},
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def seed_in_child(path: Path, scale: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--seed-only", str(path), "--scale", scale],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def seeded_file(scale: str, name: str = "bench.db") -> Iterator[tuple[Path, dict]]:
    """A temporary SQLite file with the scale seeded into it (in a child process); then removed."""
    workdir = Path(tempfile.mkdtemp(prefix="sandan-bench-"))
    path = workdir / name
    try:
        print(f"Seeding scale {scale!r} into {path} (child process) ...", flush=True)
        seeded = seed_in_child(path, scale)
        print(
            f"  seed: {seeded['seed_s']:.1f} s (+ migrate {seeded['migrate_s']:.1f} s); "
            f"file {path.stat().st_size / 2**20:.0f} MiB; seeding process peak RSS {seeded['rss_mb']:.0f} MB"
        )
        print("  " + ", ".join(f"{k} {v:,}" for k, v in seeded["counts"].items()))
        yield path, seeded
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- what the benchmark works with -------------------------------------------------------------


def _cast(db: Database, branches: int) -> list[tuple[int, int, list[int], list[int]]]:
    """Per branch: (branch id, a staff user, reachable approved members, residents with nothing open)."""
    with db.read() as s:
        staff = dict(
            (
                s.execute(select(Staff.branch_id, func.min(Staff.user_id)).group_by(Staff.branch_id))
            ).all()
        )
        members: dict[int, list[int]] = {}
        for bid, uid in (
            s.execute(
                select(MemberProfile.branch_id, MemberProfile.user_id)
                .join(User, User.id == MemberProfile.user_id)
                # Staff may not offer a wish to a member who blocked the bot.
                .where(MemberProfile.status == MemberStatus.approved, User.unreachable.is_(False))
                .order_by(MemberProfile.id)
            )
        ).all():
            members.setdefault(bid, []).append(uid)
        busy = set(
            (s.scalars(select(Wish.resident_id).where(Wish.status.in_(OPEN_STATUSES)).distinct())).all()
        )
        residents: dict[int, list[int]] = {}
        for bid, uid in (
            s.execute(
                select(ResidentProfile.branch_id, ResidentProfile.user_id).order_by(ResidentProfile.id)
            )
        ).all():
            if uid not in busy:
                residents.setdefault(bid, []).append(uid)
    cast = [(bid, staff[bid], members[bid], residents[bid]) for bid in sorted(staff) if members.get(bid)]
    return cast[:branches]


# --- 1. ranking --------------------------------------------------------------------------------


def bench_rank(db: Database, catalogue, wish_count: int, repeats: int) -> dict:
    from sandan.seed import open_wish_ids

    wish_ids = open_wish_ids(db, limit=wish_count)
    with db.read() as s:
        branch_of = dict(
            (
                s.execute(select(Wish.id, Wish.branch_id).where(Wish.id.in_(wish_ids)))
            ).all()
        )
        staff = dict(
            (
                s.execute(select(Staff.branch_id, func.min(Staff.user_id)).group_by(Staff.branch_id))
            ).all()
        )
    jobs = [(wid, staff[branch_of[wid]]) for wid in wish_ids]

    def once(wid: int, actor: int) -> float:
        started = time.perf_counter()
        with db.read() as s:
            ranked = rank_candidates(s, actor_id=actor, wish_id=wid, catalogue=catalogue)
        elapsed = time.perf_counter() - started
        assert ranked, f"no candidates for wish {wid}"
        return elapsed

    for wid, actor in jobs[:5]:  # warm up the statement caches
        once(wid, actor)
    timings = [once(wid, actor) for _ in range(repeats) for wid, actor in jobs]
    timings_ms = sorted(t * 1000 for t in timings)
    return {
        "wishes": len(jobs),
        "branches": len(set(branch_of.values())),
        "runs": len(timings_ms),
        "median_ms": statistics.median(timings_ms),
        "p95_ms": timings_ms[int(len(timings_ms) * 0.95) - 1],
        "max_ms": timings_ms[-1],
    }


# --- 2. cycles ---------------------------------------------------------------------------------


def one_cycle(db: Database, catalogue, limits, staff_id: int, member_id: int, resident_id: int) -> None:
    today = date.today()
    with db.write() as s:
        wish = wishes.submit_wish(
            s,
            actor_id=resident_id,
            draft=wishes.WishDraft("repairs", "厨房水管漏水，想请人帮忙看看"),
            catalogue=catalogue,
            limits=limits,
            today=today,
        )
    with db.write() as s:
        wishes.accept_wish(
            s,
            actor_id=staff_id,
            wish_id=wish.id,
            category="repairs",
            priority=Priority.normal,
            catalogue=catalogue,
        )
    with db.write() as s:
        offer = dispatch.offer_wish(s, actor_id=staff_id, wish_id=wish.id, member_id=member_id)
    with db.write() as s:
        dispatch.take_offer(s, actor_id=member_id, offer_id=offer.id)
    with db.write() as s:
        tasks.complete_task(s, actor_id=member_id, wish_id=wish.id, note="已上门更换水管", hours=1.5)
    with db.write() as s:
        tasks.rate_wish(s, actor_id=resident_id, wish_id=wish.id, score=5, comment="谢谢")


def bench_cycles(db: Database, catalogue, rounds: int, cycles: int, db_path: Path) -> dict:
    cast = _cast(db, branches=100)
    limits = wishes.Limits()
    plan = []
    for i in range(rounds * cycles + 20):
        _, staff_id, members, residents = cast[i % len(cast)]
        turn = i // len(cast)
        plan.append((staff_id, members[turn % len(members)], residents[turn % len(residents)]))
    for job in plan[:20]:  # warm-up, not timed
        one_cycle(db, catalogue, limits, *job)
    # Each round runs three times over: timed on `db`, which nothing observes; recorded, untimed,
    # on a copy of it; and that recording replayed through sqlite3 alone on a third copy
    # (bench/sql_floor.py). Round by round, so the two timings see the same machine load.
    recorded_path, floor_path = db_path.with_name("recorded.db"), db_path.with_name("floor.db")
    checkpoint(db.engine, db_path, recorded_path)
    recorded = Database(sqlite_url(recorded_path))
    recorder = Recorder(recorded)
    recorder.start(recorded_path, floor_path)
    replay = Replayer(floor_path)
    rates, cpu_ms, floor, mark = [], [], [], 0
    try:
        for r in range(rounds):
            jobs = plan[20 + r * cycles : 20 + (r + 1) * cycles]
            started, cpu = time.perf_counter(), time.process_time()
            for job in jobs:
                one_cycle(db, catalogue, limits, *job)
            rates.append(cycles / (time.perf_counter() - started))
            cpu_ms.append((time.process_time() - cpu) * 1000 / cycles)
            for job in jobs:
                one_cycle(recorded, catalogue, limits, *job)
            floor.append(cycles / replay(recorder.log[mark:]))
            mark = len(recorder.log)
    finally:
        recorder.stop()
        recorded.dispose()
        replay.close()
    recorded_path.unlink()
    floor_path.unlink()
    statements = sum(kind in ("one", "many") for kind, _, _ in recorder.log) / (rounds * cycles)
    return {
        "rounds": rounds,
        "cycles": cycles,
        "rates": rates,
        "median": statistics.median(rates),
        "cpu_ms": statistics.median(cpu_ms),
        "floor": statistics.median(floor),
        "share": statistics.median(r / f for r, f in zip(rates, floor, strict=True)),
        "statements": statements,
    }


# --- report ------------------------------------------------------------------------------------


def run(args) -> None:
    with seeded_file(args.scale) as (path, seeded):
        catalogue = load_catalogue(DEFAULT_CATALOGUE)
        db = Database(sqlite_url(path))
        load_before = os.getloadavg()[0]
        try:
            rank = bench_rank(db, catalogue, args.rank_wishes, args.rank_repeats)
            cycles = bench_cycles(db, catalogue, args.rounds, args.cycles, path)
        finally:
            db.dispose()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load_after = os.getloadavg()[0]

    def row(label: str, measured: str, target: str = "") -> None:
        print(f"{label:<64} {measured:>14} {target:>10}")

    print()
    row("figure", "measured", "target")
    print("-" * 90)
    row(f"seed time, {args.scale} scale, fresh SQLite file (s)", f"{seeded['seed_s']:.1f}", "< 120")
    row(
        f"rank_candidates median (ms), {rank['runs']} runs",
        f"{rank['median_ms']:.2f}",
        f"< {TARGET_RANK_MS}",
    )
    row(
        f"  over {rank['wishes']} accepted wishes in {rank['branches']} branches: p95 / max (ms)",
        f"{rank['p95_ms']:.2f} / {rank['max_ms']:.2f}",
    )
    row(
        f"cycles/s, median of {cycles['rounds']} rounds x {cycles['cycles']} sequential cycles",
        f"{cycles['median']:.1f}",
        f">= {TARGET_CYCLES}",
    )
    row("  each round (cycles/s)", " ".join(f"{r:.0f}" for r in cycles["rates"]))
    row("  CPU time of this process per cycle, median of rounds (ms)", f"{cycles['cpu_ms']:.2f}")
    row("  SQL statements per cycle (and 6 BEGIN/COMMIT pairs)", f"{cycles['statements']:.1f}")
    row("  the same SQL through sqlite3 alone, replayed (cycles/s)", f"{cycles['floor']:.1f}")
    row("  Sandan's rate / that floor, median of rounds", f"{cycles['share']:.2f}", f">= {TARGET_SHARE}")
    row("peak RSS, benchmark process, serving work only (MB)", f"{rss_mb:.0f}", f"< {TARGET_RSS_MB}")
    print()
    print("SQLite driver: sqlite3 through a synchronous SQLAlchemy Session.")
    print(
        f"Machine: {os.cpu_count()} CPUs; 1-minute load average {load_before:.1f} before the timed work, "
        f"{load_after:.1f} after (other processes slow the figures down)."
    )
    print("A cycle is submit, accept, offer, take, complete and rate: six write transactions, one")
    print("after another, through the real services. Seeding ran in a child process, so its memory")
    print("is not in the RSS figure; the seeding process's own peak is printed with the seed time.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="district")
    parser.add_argument("--rank-wishes", type=int, default=50)
    parser.add_argument("--rank-repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        print(json.dumps(_seed_child(args.seed_only, args.scale)))
        return
    run(args)


if __name__ == "__main__":
    main()
