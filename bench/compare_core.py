"""The core cycle of this checkout beside an earlier commit's, in one run, turn by turn.

    uv run python bench/compare_core.py --base af2d80b [--turns 3] [--scale small] [--cycles 200]

Checks the base commit out into a temporary git worktree with its own environment
(`uv run --project`), then runs each side's bench/core.py in turn, `--turns` times, so
both see the same machine load. Prints every turn's figures and the medians; the ratio
of medians is the figure to quote, since this machine's speed varies from minute to minute.
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "cycles": re.compile(r"^cycles/s, median .*?\s([\d.]+)\s+>=", re.M),
    "floor": re.compile(r"replayed \(cycles/s\)\s+([\d.]+)", re.M),
    "share": re.compile(r"that floor, median of rounds\s+([\d.]+)", re.M),
    "cpu_ms": re.compile(r"CPU time of this process per cycle.*?\s([\d.]+)[ \t]*$", re.M),
}


def one(project: Path, args) -> dict[str, float]:
    out = subprocess.run(
        [
            "uv",
            "run",
            "--quiet",
            "--project",
            str(project),
            "python",
            str(project / "bench" / "core.py"),
            "--scale",
            args.scale,
            "--rounds",
            str(args.rounds),
            "--cycles",
            str(args.cycles),
        ],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = {name: p.search(out) for name, p in FIGURES.items()}
    missing = [name for name, m in found.items() if m is None]
    if missing:
        raise SystemExit(f"{project}: no {', '.join(missing)} in its output:\n{out}")
    return {name: float(m.group(1)) for name, m in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--scale", default="small")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sandan-base-") as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base), args.base],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            sides = {"base": base, "this": ROOT}
            results: dict[str, list[dict]] = {name: [] for name in sides}
            for turn in range(args.turns):
                for name, project in sides.items():
                    figures = one(project, args)
                    results[name].append(figures)
                    print(
                        f"turn {turn + 1} {name:<5} " + "  ".join(f"{k} {v:.2f}" for k, v in figures.items())
                    )
                    sys.stdout.flush()
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    print()
    print(f"{'median':<14}{'base ' + args.base:>22}{'this checkout':>16}{'this / base':>14}")
    for k in FIGURES:
        b = statistics.median(r[k] for r in results["base"])
        t = statistics.median(r[k] for r in results["this"])
        print(f"{k:<14}{b:>22.2f}{t:>16.2f}{t / b:>14.2f}")


if __name__ == "__main__":
    main()
