"""Report benchmarks on a district-sized SQLite database.

    uv run python bench/reports.py [--scale district|small] [--repeats 5]

Seeds the scale into a temporary SQLite file in a child process (bench/core.py does the
same, so the peak RSS below is the reports' and not the seeding's), then times what the
commands run, data and rendering together:

1. /stats for one branch over a year: the figures (services.reports.stats) and the PNG chart;
2. /stats for all branches over a year (an admin): the same over every branch, and its two
   parts apart (the figures are SQL, the chart is matplotlib holding the GIL);
3. /export for one branch over a year: the whole XLSX workbook.

Prints the median of each beside its target, and the peak RSS of this process.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# The script's own folder holds bench/bot.py, which would hide the bot package.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from sqlalchemy import func, select  # noqa: E402

from bench.core import seeded_file, sqlite_url  # noqa: E402
from bot.flows.staff_reports import chart_labels  # noqa: E402
from bot.fonts import CJK_FAMILY, CJK_FONT  # noqa: E402
from bot.i18n import t  # noqa: E402
from models import Staff, User, Wish  # noqa: E402
from sandan.settings import DEFAULT_CATALOGUE  # noqa: E402
from services.catalogue import load_catalogue  # noqa: E402
from services.db import Database  # noqa: E402
from services.reports.chart import render_chart  # noqa: E402
from services.reports.export import export_workbook  # noqa: E402
from services.reports.periods import Period  # noqa: E402
from services.reports.stats import stats  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
TARGETS_MS = {"stats_branch": 300, "stats_all": 2000, "export_branch": 5000}
WHAT = {
    "stats_branch": "/stats, one branch, last 12 months (figures + chart); wishes",
    "stats_all": "/stats, all branches, last 12 months (figures + chart); wishes",
    "stats_all_data": "  of which the figures (services.reports.stats); wishes",
    "stats_all_chart": "  of which the chart (services.reports.chart); PNG bytes",
    "export_branch": "/export, one branch, last 12 months (workbook); bytes",
}
WIDTH = 72


class _Lang:
    """What chart_labels needs from a flow context: translation in one language."""

    lang = "zh"

    def t(self, key: str, **params) -> str:
        return t(self.lang, key, **params)


def _actors(db: Database) -> tuple[int, int, int]:
    """(the branch with most wishes, one of its staff, an admin)."""
    with db.read() as s:
        branch = s.scalar(
            select(Wish.branch_id).group_by(Wish.branch_id).order_by(func.count().desc()).limit(1)
        )
        staff = s.scalar(select(func.min(Staff.user_id)).where(Staff.branch_id == branch))
        admin = s.scalar(select(func.min(User.id)).where(User.is_admin))
    return branch, staff, admin


def run(args) -> None:
    with seeded_file(args.scale) as (path, _seeded):
        catalogue = load_catalogue(DEFAULT_CATALOGUE)
        db = Database(sqlite_url(path))
        branch, staff, admin = _actors(db)
        today = datetime.now(TZ).date()
        year = Period(today - timedelta(days=365), today + timedelta(days=1))  # the last twelve months
        now = datetime.now(UTC)
        labels = chart_labels(_Lang(), "幸福社区 每周心愿")

        def figures_for(actor: int, branch_id: int | None):
            with db.read() as s:
                return stats(s, actor_id=actor, branch_id=branch_id, period=year, tz=TZ, now=now)

        def chart_of(figures) -> int:
            return len(render_chart(figures.weeks, labels=labels, font_path=CJK_FONT, font_family=CJK_FAMILY))

        def stats_for(actor: int, branch_id: int | None) -> int:
            figures = figures_for(actor, branch_id)
            chart_of(figures)
            return figures.received

        def export_for(actor: int, branch_id: int) -> int:
            with db.read() as s:
                data = export_workbook(
                    s, actor_id=actor, branch_id=branch_id, period=year, tz=TZ, catalogue=catalogue,
                    lang="zh", tr=lambda key: t("zh", key),
                )  # fmt: skip
            return len(data)

        jobs = {
            "stats_branch": lambda: stats_for(staff, branch),
            "stats_all": lambda: stats_for(admin, None),
            "stats_all_data": lambda: figures_for(admin, None).received,
            "stats_all_chart": lambda: chart_of(every),  # the figures drawn again and again
            "export_branch": lambda: export_for(staff, branch),
        }
        results = {}
        try:
            every = figures_for(admin, None)
            for name, job in jobs.items():
                size = job()  # warm-up: imports, font registration, statement caches
                timings = []
                for _ in range(args.repeats):
                    started = time.perf_counter()
                    job()
                    timings.append((time.perf_counter() - started) * 1000)
                results[name] = (statistics.median(timings), min(timings), max(timings), size)
        finally:
            db.dispose()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(f"{'figure':<{WIDTH}} {'median ms':>10} {'min / max ms':>16} {'target':>9}")
    print("-" * (WIDTH + 38))
    for name, (median, low, high, size) in results.items():
        label = f"{WHAT[name]} {size:,}"
        target = f"< {TARGETS_MS[name]}" if name in TARGETS_MS else ""
        print(f"{label:<{WIDTH}} {median:>10.0f} {f'{low:.0f} / {high:.0f}':>16} {target:>9}")
    print(f"{'peak RSS, benchmark process (MB)':<{WIDTH}} {rss_mb:>10.0f}")
    print()
    print(f"Branch {branch} (the one with most wishes); {args.repeats} timed runs each after one warm-up.")
    print(f"Machine: {os.cpu_count()} CPUs; 1-minute load average {os.getloadavg()[0]:.1f}.")
    print(f"Period: {year.label}; SQLite, synchronous sessions in this one thread.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="district")
    parser.add_argument("--repeats", type=int, default=5)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
