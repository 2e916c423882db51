"""Members' confirmed service for staff: /report YYYY-MM (per work unit, 在职党员双向反馈)
and /top [period] (the commendation ranking, 表彰).

/report lists the month's work units; staff then get one file per unit, each holding that
unit's members only, so that it can go to that employer without showing them anyone else.
"""

import re

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.forms import grid_of
from bot.flows.io import File, Message, Output
from bot.flows.report_common import branch_command, chosen, off_the_write_lock, period_ids, period_of, target
from bot.flows.router import Router
from bot.flows.staff_common import args, branch_row, not_staff, refuse
from services.branches import BranchRow
from services.reports import members, units
from services.reports.periods import Period, parse_month

router = Router()
REPORT, REPORT_UNIT, TOP = verbs.REPORT_BRANCH, verbs.REPORT_UNIT, verbs.TOP_BRANCH


UNIT_BUTTONS = 30  # more units than this: the all-units button still sends every file
LABEL = 30  # characters of a unit's name on its button
FILE_NAME = re.compile(r"[^\w-]+")  # a unit's name is user text: keep letters and digits only


@off_the_write_lock
def send_report(ctx: Ctx, branch: BranchRow, month: Period) -> list[Output]:
    """The month's units with their totals, and a button per unit (or the one unit's file)."""
    found = units.work_units(
        ctx.s, actor_id=ctx.user.id, branch_id=branch.id, month=month, tz=ctx.deps.tz, tr=ctx.t
    )
    label = f"{month.start:%Y-%m}"
    if not found:
        return [Message(ctx.t("report.empty", branch=branch.name, month=label))]
    lines = [ctx.t("report.header", branch=branch.name, month=label, n=len(found))]
    for u in found:
        people, hours = len(u.members), f"{u.hours:g}"
        lines.append(ctx.t("report.unit", unit=u.name, members=people, tasks=u.tasks, hours=hours))
    if len(found) == 1:
        return [Message("\n".join(lines)), *unit_files(ctx, branch, month, found[0].key)]
    ids = (branch.id, *period_ids(month))
    rows = grid_of(
        [ctx.raw_button(u.name[:LABEL], REPORT_UNIT, *ids, u.key) for u in found[:UNIT_BUTTONS]], 2
    )
    rows.append([ctx.button("report.btn.all_units", REPORT_UNIT, *ids, units.ALL_UNITS)])
    lines.append(ctx.t("report.choose_unit"))
    return [Message("\n".join(lines), buttons=rows)]


@off_the_write_lock
def unit_files(ctx: Ctx, branch: BranchRow, month: Period, key: int) -> list[Output]:
    """One file per unit asked for, each with only that unit's members, its caption naming it."""
    files = units.unit_files(
        ctx.s,
        actor_id=ctx.user.id,
        branch_id=branch.id,
        month=month,
        tz=ctx.deps.tz,
        catalogue=ctx.deps.catalogue,
        lang=ctx.lang,
        tr=ctx.t,
        key=key,
    )
    if not files:  # that unit has no confirmed service that month any more
        return [Message(ctx.t("report.unit_gone"))]
    label = f"{month.start:%Y-%m}"
    return [
        File(
            f.workbook,
            f"sandan-{branch.code}-{month.start:%Y%m}-{FILE_NAME.sub('_', f.unit.name)[:40]}.xlsx",
            ctx.t("report.caption_unit", unit=f.unit.name, month=label),
            # Made to be forwarded to that unit: it holds only its own members and no resident data.
            protect=False,
        )
        for f in files
    ]


@router.command("report")
def report_cmd(ctx: Ctx) -> list[Output]:
    """`/report 2025-03` or `/report A 2025-03`: the month may come before or after the code."""
    if not_staff(ctx):
        return refuse(ctx)
    words = args(ctx).split()
    month_word = next((w for w in words if "-" in w), "")
    month = parse_month(month_word)  # a missing or bad month is refused with the usage
    rest = " ".join(w for w in words if w != month_word)
    branch, _, _, ask = target(ctx, REPORT, text=rest, when=lambda _: month, allow_all=False)
    return send_report(ctx, branch, month) if branch else ask


@router.button(REPORT)
def report_chosen(ctx: Ctx) -> list[Output]:
    picked = chosen(ctx)
    if picked is None or picked[0] is None:
        return refuse(ctx)
    return send_report(ctx, *picked)


@router.button(REPORT_UNIT)
def unit_chosen(ctx: Ctx) -> list[Output]:
    """A unit's button (branch, month as two day ordinals, unit key; key 0: every unit)."""
    if not_staff(ctx) or len(ctx.ids) != 4:
        return refuse(ctx)
    branch = branch_row(ctx, ctx.ids[0])
    if branch is None:
        return refuse(ctx)
    return unit_files(ctx, branch, period_of(ctx.ids[1:3]), ctx.ids[3])


@off_the_write_lock
def show_top(ctx: Ctx, branch: BranchRow | None, period: Period) -> list[Output]:
    ranked = members.ranking(
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
