"""Staff reports: /stats [CODE|all|compare] [period] (text and a chart), /export (a workbook)
and, for admins, /branches (each branch's open, overdue, resolution and satisfaction)."""

from typing import TYPE_CHECKING

from bot.flows.context import Ctx
from bot.flows.io import File, Message, Output
from bot.flows.report_common import (
    COMPARE_WORDS,
    branch_command,
    chosen,
    off_the_write_lock,
    pct,
    span,
    stars,
    target,
)
from bot.flows.router import Router
from bot.flows.staff_common import args, cat_label, not_staff, refuse
from bot.flows.verbs import EXPORT, STATS
from bot.fonts import CJK_FAMILY, CJK_FONT
from services.branches import BranchRow
from services.reports import stats as report_stats
from services.reports.export import export_workbook
from services.reports.figures import Figures
from services.reports.periods import Period, parse_period

if TYPE_CHECKING:  # the chart module brings matplotlib: imported where a chart is drawn
    from services.reports.chart import ChartLabels

router = Router()


def stats_text(ctx: Ctx, title: str, period: Period, f: Figures) -> str:
    reasons = ctx.deps.catalogue.rejections
    sep = ctx.t("list.sep")
    top_reasons = sep.join(
        ctx.t("stats.count", label=reasons[r].label.get(ctx.lang) if r in reasons else r, n=n)
        for r, n in f.top_rejections
    )
    top_categories = sep.join(ctx.t("stats.count", label=cat_label(ctx, c), n=n) for c, n in f.top_categories)
    return ctx.t(
        "stats.text",
        title=title,
        period=period.label,
        received=f.received,
        accepted=f.accepted,
        rejected=f.rejected,
        reasons=top_reasons or ctx.t("stats.none"),
        completed=f.completed,
        confirmed=f.confirmed,
        rate=pct(ctx, f.resolution_rate),
        triage=span(ctx, f.median_triage_h),
        assign=span(ctx, f.median_assign_h),
        complete=span(ctx, f.median_complete_h),
        average=stars(ctx, f.average_rating),
        satisfaction=pct(ctx, f.satisfaction),
        rated=f.rated,
        overdue=f.overdue_now,
        categories=top_categories or ctx.t("stats.none"),
    )


def chart_labels(ctx: Ctx, title: str) -> "ChartLabels":
    from services.reports.chart import ChartLabels  # matplotlib: loaded on first /stats, not at start

    return ChartLabels(
        title=title,
        completed=ctx.t("chart.completed"),
        in_hand=ctx.t("chart.in_hand"),
        unserved=ctx.t("chart.unserved"),
        satisfaction=ctx.t("chart.satisfaction"),
        wishes=ctx.t("chart.wishes"),
    )


@off_the_write_lock
def show_stats(ctx: Ctx, branch: BranchRow | None, period: Period) -> list[Output]:
    """The figures as text and the weekly chart as a photo; branch None is every branch."""
    from services.reports.chart import render_chart  # matplotlib: loaded on first /stats, not at start

    figures = report_stats.stats(
        ctx.s,
        actor_id=ctx.user.id,
        branch_id=branch.id if branch else None,
        period=period,
        tz=ctx.deps.tz,
        now=ctx.now(),
        policy=ctx.deps.sweeps,
    )
    title = branch.name if branch else ctx.t("report.all_branches")
    labels = chart_labels(ctx, ctx.t("chart.title", branch=title, period=period.label))
    png = render_chart(figures.weeks, labels=labels, font_path=CJK_FONT, font_family=CJK_FAMILY)
    caption = ctx.t("chart.caption", branch=title, period=period.label)
    return [
        Message(stats_text(ctx, title, period, figures)),
        File(png, "sandan-stats.png", caption, photo=True),
    ]


def branch_lines(ctx: Ctx, lines: list[report_stats.BranchLine], key: str) -> list[str]:
    return [
        ctx.t(
            key,
            code=line.code,
            name=line.name,
            received=line.figures.received,
            open=line.open_now,
            overdue=line.overdue_now,
            rate=pct(ctx, line.figures.resolution_rate),
            satisfaction=pct(ctx, line.figures.satisfaction),
        )
        for line in lines
    ]


@off_the_write_lock
def compare(ctx: Ctx, period: Period, header: str, key: str) -> list[Output]:
    lines = report_stats.compare(
        ctx.s, actor_id=ctx.user.id, period=period, tz=ctx.deps.tz, now=ctx.now(), policy=ctx.deps.sweeps
    )
    body = branch_lines(ctx, lines, key) or [ctx.t("queue.no_branches")]
    return [Message("\n".join([ctx.t(header, period=period.label, n=len(lines)), *body]))]


@router.command("stats")
def stats_cmd(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    first, _, rest = args(ctx).partition(" ")
    if first.lower() in COMPARE_WORDS:
        if not ctx.actor.is_admin:
            return refuse(ctx, "error.admin_only")
        return compare(
            ctx, parse_period(rest, today=ctx.today()), "stats.compare_header", "stats.compare_row"
        )
    branch, every, period, ask = target(ctx, STATS)
    return show_stats(ctx, branch, period) if (branch or every) else ask


@router.button(STATS)
def stats_chosen(ctx: Ctx) -> list[Output]:
    picked = chosen(ctx)
    return refuse(ctx) if picked is None else show_stats(ctx, *picked)


@off_the_write_lock
def send_export(ctx: Ctx, branch: BranchRow | None, period: Period) -> list[Output]:
    data = export_workbook(
        ctx.s,
        actor_id=ctx.user.id,
        branch_id=branch.id if branch else None,
        period=period,
        tz=ctx.deps.tz,
        catalogue=ctx.deps.catalogue,
        lang=ctx.lang,
        tr=ctx.t,
    )
    code = branch.code if branch else "ALL"
    name = f"sandan-{code}-{period.start:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    title = branch.name if branch else ctx.t("report.all_branches")
    return [File(data, name, ctx.t("export.caption", branch=title, period=period.label))]


branch_command(router, "export", EXPORT, send_export)


@router.command("branches")
def branches_cmd(ctx: Ctx) -> list[Output]:
    if not ctx.actor.is_admin:
        return refuse(ctx, "error.admin_only")
    period = parse_period(args(ctx), today=ctx.today())
    return compare(ctx, period, "branches.header", "branches.row")
