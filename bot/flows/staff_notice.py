"""/publish [period]: staff preview the branch's public notice (公示), then post it to the
branch's channel or group with 确认发布, or drop it with 取消."""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.io import Edit, Message, Output, Post
from bot.flows.report_common import branch_command, chosen, pct, period_ids
from bot.flows.router import Router
from bot.flows.staff_common import cat_label, refuse
from services import group_posts
from services.branches import BranchRow
from services.reports.notice import Notice, build_notice
from services.reports.periods import Period

router = Router()
PICK, POST, DROP = verbs.NOTICE_BRANCH, verbs.NOTICE_POST, verbs.NOTICE_DROP


def notice_text(ctx: Ctx, n: Notice) -> str:
    """The post exactly as the channel will see it."""
    f = n.figures
    lines = [
        ctx.t(
            "notice.head",
            branch=n.branch_name,
            period=n.period.label,
            received=f.received,
            completed=f.completed,
            rate=pct(ctx, f.resolution_rate),
            satisfaction=pct(ctx, f.satisfaction),
        )
    ]
    lines += [
        ctx.t(
            "notice.item",
            number=i.number,
            category=cat_label(ctx, i.category),
            grid=i.grid or ctx.t("wall.no_grid"),
            resident=i.resident,
            member=i.member,
            text=i.text,
        )
        for i in n.items
    ]
    if n.more:
        lines.append(ctx.t("notice.more", n=n.more))
    if not n.items:
        lines.append(ctx.t("notice.none"))
    lines.append(ctx.t("notice.foot"))
    return "\n".join(lines)


def _notice(ctx: Ctx, branch_id: int, period: Period) -> Notice:
    return build_notice(ctx.s, actor_id=ctx.user.id, branch_id=branch_id, period=period, tz=ctx.deps.tz)


def preview(ctx: Ctx, branch: BranchRow, period: Period) -> list[Output]:
    notice = _notice(ctx, branch.id, period)
    ids = (branch.id, *period_ids(period))
    buttons = [[ctx.button("publish.confirm", POST, *ids), ctx.button("publish.drop", DROP, *ids)]]
    return [Message(ctx.t("publish.preview")), Message(notice_text(ctx, notice), buttons=buttons)]


branch_command(router, "publish", PICK, preview, allow_all=False)


@router.button(POST)
def publish_confirmed(ctx: Ctx) -> list[Output]:
    """Build the notice again (permission and channel re-checked) and post it."""
    picked = chosen(ctx)
    if picked is None or picked[0] is None:
        return refuse(ctx)
    branch, period = picked
    notice = _notice(ctx, branch.id, period)
    if not group_posts.reserve(ctx.s, chat_id=notice.chat_id):  # Telegram's limit for one group
        return [Edit(ctx.t("publish.too_fast", n=group_posts.PER_MINUTE))]
    return [
        Edit(ctx.t("publish.posting", branch=branch.name, period=period.label)),
        Post(notice.chat_id, notice_text(ctx, notice), ctx.t("publish.done"), ctx.t("publish.failed")),
    ]


@router.button(DROP)
def publish_dropped(ctx: Ctx) -> list[Output]:
    return [Edit(ctx.t("publish.dropped"))]
