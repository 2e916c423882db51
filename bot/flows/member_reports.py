"""Members' confirmed service for staff: /report YYYY-MM (per work unit, 在职党员双向反馈)
and /top [period] (the commendation ranking, 表彰)."""

from bot.flows.context import Ctx
from bot.flows.io import File, Message, Output
from bot.flows.report_common import branch_command, chosen, target
from bot.flows.router import Router
from bot.flows.staff_common import args, not_staff, refuse
from services.branches import BranchRow
from services.reports import members
from services.reports.periods import Period, parse_month

router = Router()
REPORT, TOP = "ru", "rk"


async def send_report(ctx: Ctx, branch: BranchRow, month: Period) -> list[Output]:
    report = await members.unit_report(
        ctx.s,
        actor_id=ctx.user.id,
        branch_id=branch.id,
        month=month,
        tz=ctx.deps.tz,
        catalogue=ctx.deps.catalogue,
        lang=ctx.lang,
        tr=ctx.t,
    )
    label = f"{month.start:%Y-%m}"
    if not report.units:
        return [Message(ctx.t("report.empty", branch=branch.name, month=label))]
    lines = [ctx.t("report.header", branch=branch.name, month=label, n=len(report.units))]
    for unit, people, tasks, hours in report.totals:
        lines.append(ctx.t("report.unit", unit=unit, members=people, tasks=tasks, hours=f"{hours:g}"))
    name = f"sandan-{branch.code}-{month.start:%Y%m}-units.xlsx"
    return [Message("\n".join(lines)), File(report.workbook, name, ctx.t("report.caption", month=label))]


@router.command("report")
async def report_cmd(ctx: Ctx) -> list[Output]:
    """`/report 2025-03` or `/report A 2025-03`: the month may come before or after the code."""
    if not_staff(ctx):
        return refuse(ctx)
    words = args(ctx).split()
    month_word = next((w for w in words if "-" in w), "")
    month = parse_month(month_word)  # a missing or bad month is refused with the usage
    rest = " ".join(w for w in words if w != month_word)
    branch, _, _, ask = await target(ctx, REPORT, text=rest, when=lambda _: month, allow_all=False)
    return await send_report(ctx, branch, month) if branch else ask


@router.button(REPORT)
async def report_chosen(ctx: Ctx) -> list[Output]:
    picked = await chosen(ctx)
    if picked is None or picked[0] is None:
        return refuse(ctx)
    return await send_report(ctx, *picked)


async def show_top(ctx: Ctx, branch: BranchRow | None, period: Period) -> list[Output]:
    ranked = await members.ranking(
        ctx.s, actor_id=ctx.user.id, branch_id=branch.id if branch else None, period=period, tz=ctx.deps.tz
    )
    title = branch.name if branch else ctx.t("report.all_branches")
    if not ranked:
        return [Message(ctx.t("top.empty", branch=title, period=period.label))]
    lines = [ctx.t("top.header", branch=title, period=period.label)]
    lines += [
        ctx.t(
            "top.row",
            rank=i,
            name=m.name,
            unit=m.work_unit or ctx.t("report.no_unit"),
            points=f"{m.points:g}",
            tasks=len(m.tasks),
            hours=f"{m.hours:g}",
            rating=f"{m.average_rating:.1f}",
        )
        for i, m in enumerate(ranked, start=1)
    ]
    lines.append(ctx.t("points.formula"))
    return [Message("\n".join(lines))]


branch_command(router, "top", TOP, show_top)
