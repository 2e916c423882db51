"""A resident's own wishes (我的心愿): the list, details and timeline, and 撤销.

Rating a finished wish and 没有办好 are in rating.
"""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.forms import grid_of, stale
from bot.flows.io import Button, Edit, Message, Output
from bot.flows.member_common import category, contact_params, task_buttons, when
from bot.flows.menus import main_keyboard
from bot.flows.rating import rate_rows
from bot.flows.router import Router
from bot.flows.verbs import VIEW
from bot.texts import status_label
from models import Wish
from models.enums import WishStatus as S
from services import queries, wishes
from services.ownership import CANCELLABLE, own_wish
from services.queries import TimelineEntry
from services.reads.my_wishes import my_wish

router = Router()


@router.command("mywishes")
@router.menu_item("menu.mine")
def my_wishes(ctx: Ctx) -> list[Output]:
    found = queries.wishes_of_resident(ctx.s, actor_id=ctx.user.id)
    if not found:
        return [Message(ctx.t("mine.empty"), keyboard=main_keyboard(ctx))]
    lines = [ctx.t("mine.header")] + [
        ctx.t(
            "mine.item", number=w.number, category=category(ctx, w), status=status_label(ctx.lang, w.status)
        )
        for w in found
    ]
    rows = grid_of([ctx.button("mine.btn.view", VIEW, w.id, number=w.number) for w in found])
    return [Message("\n\n".join(lines), buttons=rows)]


def _event(ctx: Ctx, e: TimelineEntry) -> str:
    """One line of the timeline; the read left in only the notes this actor may read."""
    return ctx.t(
        "mine.event",
        at=ctx.local(e.at),
        status=status_label(ctx.lang, e.to_status),
        by=ctx.t("mine.event_by", name=e.actor) if e.actor else "",
        note=ctx.t("mine.event_note", note=e.note) if e.note else "",
    )


def _rejection(ctx: Ctx, wish: Wish) -> str:
    reason = ctx.deps.catalogue.rejections.get(wish.rejection_reason or "")
    if reason is None:
        return ""
    referral = ctx.t("note.referral", referral=reason.referral.get(ctx.lang)) if reason.referral else ""
    return ctx.t("mine.rejected_reason", reason=reason.label.get(ctx.lang), referral=referral)


@router.button(VIEW)
def view(ctx: Ctx) -> list[Output]:
    """Details and timeline for the owner, branch staff or the assignee; contact only for those allowed."""
    if not ctx.ids:
        return stale(ctx)
    mine = my_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])  # refuses anyone else
    wish, status = mine.wish, S(mine.wish.status)
    parts = [
        ctx.t(
            "mine.detail",
            number=wish.number,
            category=category(ctx, wish),
            text=mine.text,
            time=when(ctx, wish),
            status=status_label(ctx.lang, status),
        )
    ]
    if status == S.rejected and (why := _rejection(ctx, wish)):
        parts.append(why)
    if mine.contact:
        parts.append(ctx.t("mine.contact", **contact_params(mine.contact)))
    parts.append("\n".join([ctx.t("mine.timeline"), *(_event(ctx, e) for e in mine.events)]))
    rows: list[list[Button]] = []
    if ctx.user.id == wish.resident_id and status in CANCELLABLE:
        rows = [[ctx.button("mine.btn.cancel", verbs.WISH_CANCEL, wish.id)]]
    elif ctx.user.id == wish.resident_id and status == S.completed:
        rows = rate_rows(ctx, wish.id)
    elif ctx.user.id == wish.assigned_member_id:
        rows = task_buttons(ctx, wish)
    protect = mine.contact is not None  # it shows the resident's contact: no forwarding it
    return [Message("\n\n".join(parts), buttons=rows, protect=protect)]


# --- 撤销, with a confirm step ---


@router.button(verbs.WISH_CANCEL)
def ask_cancel(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = own_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0], statuses=CANCELLABLE)
    rows = [
        [
            ctx.button("mine.btn.cancel_yes", verbs.WISH_CANCEL_YES, wish.id),
            ctx.button("mine.btn.cancel_no", verbs.WISH_CANCEL_NO, wish.id),
        ]
    ]
    return [Message(ctx.t("mine.ask_cancel", number=wish.number), buttons=rows)]


@router.button(verbs.WISH_CANCEL_YES)
def cancel(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = wishes.cancel_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [Edit(ctx.t("mine.cancelled", number=wish.number))]


@router.button(verbs.WISH_CANCEL_NO)
def keep(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = own_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0], statuses=tuple(S))
    return [Edit(ctx.t("mine.kept", number=wish.number))]
