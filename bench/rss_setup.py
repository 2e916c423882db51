"""What bench/rss.py starts `sandan run` with: its database, fresh (one branch) or seeded at a
scale, and its environment.

Idle memory depends on the database: at district scale the first sweep, which runs at start,
reads across hundreds of MiB of tables and ranks members for the wall reminders, so a fresh
database alone would flatter the figure.
"""

import contextlib
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sandan.fakebot import FakeUser
from sandan.settings import Settings

ADMIN = FakeUser(777, "管理员")  # seeded Telegram ids start at 100,000,000
TOKEN = "424242:RSS-BENCH"

TIMEOUT = 60.0  # seconds the fresh database's preparation may take


def prepare(env: dict[str, str], path: Path, scale: str | None) -> str:
    """Make the database at `path` and say what it holds."""
    if scale is None:
        # One branch, so that /stats and /export have something to report on.
        subprocess.run(
            [sys.executable, "-m", "sandan.cli", "branch", "add", "A", "幸福社区", "-g", "一网格"],
            env=env,
            cwd=path.parent,
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
        return "fresh: one branch, no wishes"
    # Seeded in a child of its own (it peaks at hundreds of MB), by the code bench/core.py uses.
    # bench.core is imported here only: it loads the services, which the fresh case needs not.
    from bench.core import seed_in_child

    print(f"seeding scale {scale!r} (child process) ...", flush=True)
    seeded = seed_in_child(path, scale)
    counts = seeded["counts"]
    size = path.stat().st_size / 2**20
    return (
        f"{scale}: {counts['branches']:,} branches, {counts['members']:,} members, "
        f"{counts['wishes']:,} wishes; file {size:.0f} MiB; seeded in {seeded['wall_s']:.0f} s"
    )


def accepted_wish(path: Path) -> str | None:
    """The number of an accepted wish in a branch that staff dispatch by hand, or None.

    Read with the standard library's sqlite3, outside the measured process; by hand, so that
    the sweep will not have offered it on before /dispatch asks for its ranking."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT wish.number FROM wish JOIN branch ON branch.id = wish.branch_id"
            " WHERE wish.status = 'accepted' AND NOT branch.auto_dispatch ORDER BY wish.id LIMIT 1"
        ).fetchone()
    return row[0] if row else None


def with_source(env: dict[str, str], source: Path | None) -> dict[str, str]:
    """`env`, with `source` ahead of the editable install's path to this checkout."""
    if not source:
        return env
    return {**env, "PYTHONPATH": os.pathsep.join(p for p in (str(source), env.get("PYTHONPATH")) if p)}


def quiet_hours(*, night: bool) -> str:
    """Quiet hours that hold now (`night`) or that lie half a day away, in the bot's zone.

    By day the first sweep sends its reminders, and so ranks members for the wall ones (numpy);
    in the quiet hours it leaves them out. Either is set, so the figure is not the clock's."""
    zone = ZoneInfo(os.environ.get("TIMEZONE", Settings.model_fields["timezone"].default))
    now = datetime.now(zone)
    start, end = (now - timedelta(hours=6), now + timedelta(hours=6)) if night else (
        now + timedelta(hours=12), now + timedelta(hours=12, minutes=1))  # fmt: skip
    return f"{start:%H:%M}-{end:%H:%M}"


def launch_env(api_url: str, folder: Path, *, night: bool, source: Path | None) -> dict[str, str]:
    """The environment of `sandan run`: the fake Bot API, the database in `folder`, one admin."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "DATABASE_URL": f"sqlite:///{folder / 'rss.db'}",
        "ADMIN_TELEGRAM_IDS": str(ADMIN.id),
        "LOG_LEVEL": "WARNING",
        "QUIET_HOURS": quiet_hours(night=night),
    }
    return with_source(env, source)
