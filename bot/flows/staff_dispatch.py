"""Dispatch (派单): the ranked members for an accepted wish, an offer to one, or the wall."""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.io import Edit, Message, Output
from bot.flows.router import Router
from bot.flows.staff_common import not_staff, refuse, staff_status
from bot.texts import category_label, render_reason
from models import Wish
from models.enums import WishStatus as S
from services import dispatch, matching
from services.reads.member_views import member_for_staff
from services.reads.wish_views import staff_wish, staff_wish_by_number

router = Router()
OFFER, WALL = verbs.OFFER, verbs.WALL
VIEW = verbs.STAFF_VIEW
SHOWN = 5


def view_button(ctx: Ctx, wish: Wish):
    return ctx.button("staffwish.open", VIEW, wish.id, number=wish.number)


@router.command("dispatch")
def dispatch_command(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    number = ctx.input.text.strip()
    if not number:
        return [Message(ctx.t("dispatch.usage"))]
    return ranked(ctx, staff_wish_by_number(ctx.s, actor_id=ctx.user.id, number=number.split()[0]))


@router.button(verbs.DISPATCH)
def dispatch_pressed(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    return ranked(ctx, staff_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0]))


def ranked(ctx: Ctx, wish: Wish) -> list[Output]:
    """The top members, each with score, reason and an offer button; then the wall.

    `wish` comes from a read that let only the branch staff have it."""
    if wish.status != S.accepted:
        text = ctx.t("dispatch.not_now", number=wish.number, status=staff_status(ctx, wish.status))
        return [Message(text, buttons=[[view_button(ctx, wish)]])]
    found = matching.rank_candidates(
        ctx.s, actor_id=ctx.user.id, wish_id=wish.id, catalogue=ctx.deps.catalogue, limit=SHOWN
    )
    category = category_label(ctx.lang, ctx.deps.catalogue, wish.category)
    wall = [ctx.button("dispatch.wall_btn", WALL, wish.id)]
    if not found:
        return [Message(ctx.t("dispatch.nobody", number=wish.number, category=category), buttons=[wall])]
    lines = [ctx.t("dispatch.header", number=wish.number, category=category)]
    for i, c in enumerate(found, 1):
        reason = render_reason(ctx.lang, c)
        lines.append(ctx.t("dispatch.line", i=i, name=c.name, score=f"{c.score:g}", reason=reason))
    lines.append(ctx.t("dispatch.footer"))
    rows = [[ctx.button("dispatch.offer_btn", OFFER, wish.id, c.member_id, name=c.name)] for c in found]
    return [Message("\n".join(lines), buttons=[*rows, wall])]


@router.button(OFFER)
def offer(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or len(ctx.ids) < 2:
        return refuse(ctx)
    wish_id, member_id = ctx.ids[:2]
    dispatch.offer_wish(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, member_id=member_id)
    wish = staff_wish(ctx.s, actor_id=ctx.user.id, wish_id=wish_id)
    member = member_for_staff(ctx.s, actor_id=ctx.user.id, member_user_id=member_id)
    text = ctx.t("reply.offered", number=wish.number, name=member.name)
    return [Edit(text, [[view_button(ctx, wish)]])]


@router.button(WALL)
def to_wall(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    dispatch.post_to_wall(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    wish = staff_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [Edit(ctx.t("reply.posted", number=wish.number), [[view_button(ctx, wish)]])]
