"""What a member looks at: the wall (/wall), their tasks (/mytasks), their record (/me),
and /pause or /resume."""

from bot.flows.context import Ctx
from bot.flows.forms import grid_of
from bot.flows.io import Message, Output
from bot.flows.member_common import category, contact_params, not_serving, task_buttons, when
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.verbs import CLAIM
from bot.texts import category_label
from models import MemberStatus, Wish
from models.enums import WishStatus as S
from services import people, privacy, queries
from services.branches import grids_of
from services.ownership import ACTIVE_TASK
from services.reports.members import my_ledger
from services.reports.periods import month_period, parse_period
from services.scrubbing import scrub_contacts

router = Router()


@router.command("wall")
@router.menu_item("menu.wall")
def wall(ctx: Ctx) -> list[Output]:
    if refused := not_serving(ctx):
        return refused
    found = queries.wall(ctx.s, actor_id=ctx.user.id)
    if not found:
        return [Message(ctx.t("wall.empty"), keyboard=main_keyboard(ctx))]
    grids = {g.id: g.name for g in grids_of(ctx.s, ctx.actor.member_branch)}
    lines = [ctx.t("wall.header")] + [
        ctx.t(
            "wall.item",
            number=w.number,
            category=category(ctx, w),
            time=when(ctx, w),
            grid=grids.get(w.grid_id) or ctx.t("wall.no_grid"),
            text=_wall_text(w),
        )
        for w in found
    ]
    rows = grid_of([ctx.button("wall.btn.claim", CLAIM, w.id, number=w.number) for w in found])
    return [Message("\n\n".join(lines), buttons=rows)]


def _wall_text(wish: Wish) -> str:
    """Every member of the branch reads the wall: no contact the resident typed, and short."""
    text = scrub_contacts(wish.text)
    return text if len(text) <= 60 else text[:60] + "…"


def task_text(ctx: Ctx, wish: Wish) -> str:
    text = ctx.t(
        "task.item",
        number=wish.number,
        category=category(ctx, wish),
        time=when(ctx, wish),
        text=wish.text,
        status=ctx.t(f"task.status.{wish.status}"),
    )
    if S(wish.status) in ACTIVE_TASK:
        c = privacy.reveal_contact(ctx.s, actor_id=ctx.user.id, wish_id=wish.id)
        text += "\n" + ctx.t("task.item_contact", **contact_params(c))
    return text


@router.command("mytasks")
@router.menu_item("menu.tasks")
def my_tasks(ctx: Ctx) -> list[Output]:
    if ctx.actor.member_status in (None, MemberStatus.pending, MemberStatus.rejected):
        return not_serving(ctx)
    found = queries.tasks_of_member(ctx.s, actor_id=ctx.user.id)
    if not found:
        return [Message(ctx.t("task.none"), keyboard=main_keyboard(ctx))]
    return [Message(ctx.t("task.header", n=len(found)), keyboard=main_keyboard(ctx))] + [
        # A task in hand shows the resident's contact: not to be forwarded or saved.
        Message(
            task_text(ctx, wish), buttons=task_buttons(ctx, wish), protect=S(wish.status) in ACTIVE_TASK
        )
        for wish in found
    ]


@router.command("me")
def me(ctx: Ctx) -> list[Output]:
    if ctx.actor.member_status is None:
        return not_serving(ctx)
    r = queries.member_record(ctx.s, actor_id=ctx.user.id)
    rated = r.average_rating is not None
    rating = ctx.t("me.rating", r=f"{r.average_rating:.1f}") if rated else ctx.t("rank.unrated")
    text = ctx.t(
        "me.record",
        status=ctx.t(f"me.status.{r.status}"),
        hours=f"{r.hours:g}",
        confirmed=r.confirmed,
        rating=rating,
        open=r.open_tasks,
    )
    return [Message(text + "\n\n" + ledger_text(ctx), keyboard=main_keyboard(ctx))]


def ledger_text(ctx: Ctx) -> str:
    """This month's confirmed service, line by line, this year's points and rank, and the formula."""
    today = ctx.today()
    month, year = month_period(today.year, today.month), parse_period("year", today=today)
    mine = my_ledger(ctx.s, actor_id=ctx.user.id, month=month, year=year, tz=ctx.deps.tz)
    if mine.month is None:
        lines = [ctx.t("me.ledger_none")]
    else:
        m = mine.month
        lines = [ctx.t("me.ledger_month", tasks=len(m.tasks), hours=f"{m.hours:g}", points=f"{m.points:g}")]
        lines += [
            ctx.t(
                "me.ledger_line",
                date=task.completed_at.astimezone(ctx.deps.tz).strftime("%m-%d"),
                category=category_label(ctx.lang, ctx.deps.catalogue, task.category),
                grid=task.grid or ctx.t("wall.no_grid"),
                points=f"{task.points:g}",
            )
            for task in m.tasks
        ]
    if mine.year is not None:
        lines.append(ctx.t("me.ledger_year", points=f"{mine.year.points:g}", rank=mine.rank, of=mine.ranked))
    lines.append(ctx.t("points.formula"))
    return "\n".join(lines)


@router.command("pause", "resume")
def pause(ctx: Ctx) -> list[Output]:
    paused = ctx.input.command == "pause"
    people.set_paused(ctx.s, actor_id=ctx.user.id, paused=paused)
    return [Message(ctx.t("me.paused" if paused else "me.resumed"), keyboard=main_keyboard(ctx))]
