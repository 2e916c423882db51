"""What bench/bot.py prints: figures beside the issue's targets, no verdicts."""

import math
import statistics

from bench.actor import STEP_TIMEOUT, Shared
from bench.load import Sample, quantiles
from bench.slots import PROBE_EVERY, REPLY_GRACE, STATS_EVERY, OpenLoop

TARGET_P95_MS = 100  # at 100 updates/s while /stats all runs
TARGET_RATIO = 0.5  # Sandan's closed-loop throughput against the echo bot's
TARGET_RSS_MB = 120  # idle
HEADLINE = "100/s + /stats all"
_HEAD = f"{'p50':>6s} {'p95':>6s} {'p99':>6s} {'n':>6s}"


def _ms(value: float) -> str:
    return f"{'never':>6s}" if math.isinf(value) else f"{value:6.0f}"


def _q(samples: list[Sample]) -> str:
    """p50 p95 p99 n, 27 characters."""
    q = quantiles([s.ms for s in samples])
    if q is None:
        return f"{'too few':>20s} {len(samples):6d}"
    return f"{_ms(q[0])} {_ms(q[1])} {_ms(q[2])} {len(samples):6d}"


def _p95(samples: list[Sample]) -> str:
    q = quantiles([s.ms for s in samples])
    return f"{'-':>6s}" if q is None else _ms(q[1])


def _kinds(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    return [s for s in samples if s.kind == "button"], [s for s in samples if s.kind == "command"]


def _stats_runs(runs: list[float]) -> str:
    if not runs:
        return "-"
    return f"{len(runs)} × median {statistics.median(runs):.2f} s, max {max(runs):.2f} s"


def print_rss(pid: int, first_poll: float, idle_mb: float) -> None:
    print(
        f"sandan run (pid {pid}): first getUpdates {first_poll:.1f} s after start; "
        f"idle RSS {idle_mb:.1f} MB (target < {TARGET_RSS_MB} MB)",
        flush=True,
    )


def print_open(loop: OpenLoop, shared: Shared, unanswered: int) -> None:
    print(
        "\nOpen loop: one update per slot on a fixed schedule; one slot in "
        f"{PROBE_EVERY} (and any the mix cannot use) is a probe's /start or /help; with /stats all, the "
        f"admin sends it every {STATS_EVERY:.0f} s on top.\nLatency in ms from each update to its own "
        "reply: buttons to their answerCallbackQuery, probe commands to the probe's next message;\n"
        f"never: no reply within {REPLY_GRACE:.0f} s of the last phase's end (counted as the slowest)."
    )
    print(
        f"{'':19s} {'':>9s} {'slots':^11s} | {'buttons (ms)':^27s} | {'commands (ms)':^27s} | {'all':^6s} |"
    )
    print(
        f"{'phase':19s} {'offered':>9s} {'mix':>5s} {'probe':>5s} | {_HEAD} | {_HEAD} | {'p95':>6s} | "
        "cycles | CPU bot load | /stats all"
    )
    by_phase: dict[int, list[Sample]] = {}
    for sample in loop.samples:
        by_phase.setdefault(sample.phase, []).append(sample)
    for i, phase in enumerate(loop.phases):
        samples = by_phase.get(i, [])
        buttons, commands = _kinds(samples)
        print(
            f"{phase.name:19s} {phase.slots / phase.elapsed:7.1f}/s {phase.mix:5d} {phase.probes:5d} | "
            f"{_q(buttons)} | {_q(commands)} | {_p95(samples)} | {phase.cycles:6d} | "
            f"{phase.cpu[0]:7.0%} {phase.cpu[1]:4.0%} | {_stats_runs(phase.stats_runs)}"
        )
    print("Only the updates injected while a /stats all was running:")
    for i, phase in enumerate(loop.phases):
        if not phase.stats:
            continue
        during = [s for s in by_phase.get(i, []) if s.during_stats]
        buttons, commands = _kinds(during)
        print(f"{phase.name:19s} {'':9s} {'':5s} {'':5s} | {_q(buttons)} | {_q(commands)} | {_p95(during)} |")
    for i, phase in enumerate(loop.phases):
        if phase.name == HEADLINE:
            samples = by_phase.get(i, [])
            during = [s for s in samples if s.during_stats]
            print(
                f"p95 at 100 updates/s with /stats all: {_p95(samples).strip()} ms over the phase, "
                f"{_p95(during).strip()} ms for updates sent while it ran (target < {TARGET_P95_MS} ms)"
            )
    c = shared.count
    print(
        f"mix: {c['posted']} wishes posted, {c['accepted']} accepted and dispatched "
        f"({c['offered']} offered to a member, {c['walled']} put on the wall), {c['taken']} taken, "
        f"{c['claimed']} claimed from the wall, {c['completed']} completed, {c['rated']} rated "
        f"(completed cycles); {c['timeouts']} steps given up after {STEP_TIMEOUT:.0f} s; {unanswered} "
        f"measured updates not answered within {REPLY_GRACE:.0f} s of the end"
    )


def print_closed(results: list, seconds: float) -> None:
    print(
        f"\nClosed loop: {seconds:.0f} s per round, 200 users, each sending its next update once its "
        "reply came.\n  echo: bench/echo.py, a PTB telegram.Bot built as SandanBot builds it "
        "(AiohttpRequest), text -> sendMessage;\n  sandan: `sandan run`, probe users (not in the mix) "
        "sending /start and /help in turn."
    )
    ratios = []
    for n, (echo, sandan) in enumerate(results, 1):
        ratios.append(sandan[0] / echo[0] if echo[0] else 0.0)
        print(
            f"round {n}: echo {echo[0]:7.1f} updates/s (p50 {_median(echo[1])} ms, CPU bot {echo[2]:.0%} "
            f"load {echo[3]:.0%}), sandan {sandan[0]:6.1f} updates/s (p50 {_median(sandan[1])} ms, "
            f"CPU bot {sandan[2]:.0%} load {sandan[3]:.0%}); sandan / echo {ratios[-1]:.2f}"
        )
    echo_rate = statistics.median(r[0][0] for r in results)
    sandan_rate = statistics.median(r[1][0] for r in results)
    print(
        f"median of {len(results)}: echo {echo_rate:.1f} updates/s, sandan {sandan_rate:.1f} updates/s, "
        f"sandan / echo {statistics.median(ratios):.2f} (target >= {TARGET_RATIO})"
    )
    print(
        "  (CPU load: this process, the fake Bot API and the users; where it nears 100% it, not the "
        "bot, sets the pace)"
    )


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"
