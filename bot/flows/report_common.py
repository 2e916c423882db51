"""What the report flows share: which branch and period a command means, and number formats.

`/stats [CODE] [period]`: a first word that is a branch code picks that branch (the service
then checks the actor may see it); otherwise one's own branch, or buttons to choose one that
carry the period along. Admins may say `all` (全部) instead of a code.
"""

import functools
from collections.abc import Callable
from datetime import date

from bot.flows.context import Ctx
from bot.flows.io import Later, Output
from bot.flows.router import Router
from bot.flows.staff_common import args, branch_row, in_scope, not_staff, own_or_choose, refuse
from services.branches import BranchRow, list_branches
from services.reports.periods import Period, parse_period

ALL_WORDS = {"all", "全部", "所有"}
COMPARE_WORDS = {"compare", "对比", "比较"}
ALL = 0  # branch id meaning every branch, in button data


def period_ids(period: Period) -> tuple[int, int]:
    return period.start.toordinal(), period.end.toordinal()


def period_of(ids: tuple[int, ...]) -> Period:
    """The period carried by a button as two day ordinals."""
    return Period(date.fromordinal(ids[0]), date.fromordinal(ids[1]))


def target(
    ctx: Ctx,
    verb: str,
    *,
    text: str | None = None,
    when: Callable[[str], Period] | None = None,
    allow_all: bool = True,
) -> tuple[BranchRow | None, bool, Period, list[Output]]:
    """(branch, every branch?, period, outputs asking to choose), from the command's arguments.

    `when` reads the period from what follows the branch code (parse_period by default); a bad
    period raises InvalidInput, which the engine turns into a polite message.
    """
    text = args(ctx) if text is None else text
    when = when or (lambda rest: parse_period(rest, today=ctx.today()))
    first, _, rest = text.partition(" ")
    if allow_all and first.lower() in ALL_WORDS:
        return None, True, when(rest), []
    everywhere = list_branches(ctx.s)  # naming another's branch is refused by the report
    chosen = next((b for b in everywhere if first and b.code == first.upper()), None)
    period = when(rest if chosen else text)
    if chosen:
        return chosen, False, period, []
    ids = period_ids(period)
    extra = [ctx.button("report.all_branches", verb, ALL, *ids)] if allow_all and ctx.actor.is_admin else []
    branch, ask = own_or_choose(
        ctx,
        in_scope(ctx, everywhere),
        lambda b: ctx.raw_button(f"{b.code} {b.name}", verb, b.id, *ids),
        extra,
    )
    return branch, False, period, ask


def chosen(ctx: Ctx) -> tuple[BranchRow | None, Period] | None:
    """The branch (None: all) and period a choice button carries, if the actor may use it."""
    if not (ctx.actor.staff_branches or ctx.actor.is_admin) or len(ctx.ids) != 3:
        return None
    if ctx.ids[0] == ALL:
        return (None, period_of(ctx.ids[1:])) if ctx.actor.is_admin else None
    branch = branch_row(ctx, ctx.ids[0])
    return None if branch is None else (branch, period_of(ctx.ids[1:]))


Show = Callable[[Ctx, BranchRow | None, Period], list[Output]]


def off_the_write_lock(show: Callable[..., list[Output]]) -> Callable[..., list[Output]]:
    """`show` runs after the update's transaction, in a read of its own (see io.Later): a report
    over every branch takes a second or more, and other people's updates must not wait for it."""

    @functools.wraps(show)
    def later(ctx: Ctx, *args) -> list[Output]:
        return [Later(lambda read: show(read, *args))]

    return later


def branch_command(router: Router, name: str, verb: str, show: Show, *, allow_all: bool = True) -> None:
    """`/name [CODE|all] [period]` and its branch-choice button `verb`, both ending in `show`."""

    @router.command(name)
    def command(ctx: Ctx) -> list[Output]:
        if not_staff(ctx):
            return refuse(ctx)
        branch, every, period, ask = target(ctx, verb, allow_all=allow_all)
        return show(ctx, branch, period) if (branch or every) else ask

    @router.button(verb)
    def button(ctx: Ctx) -> list[Output]:
        picked = chosen(ctx)
        if picked is None or (picked[0] is None and not allow_all):
            return refuse(ctx)
        return show(ctx, *picked)


def pct(ctx: Ctx, share: float | None) -> str:
    return ctx.t("stats.none") if share is None else f"{share * 100:.1f}%"


def span(ctx: Ctx, hours: float | None) -> str:
    if hours is None:
        return ctx.t("stats.none")
    if hours >= 48:
        return ctx.t("stats.days", n=f"{hours / 24:.1f}")
    return ctx.t("stats.hours", n=f"{hours:.1f}")


def stars(ctx: Ctx, average: float | None) -> str:
    return ctx.t("stats.none") if average is None else f"{average:.2f}"
