"""Staff triage (受理 / 不予受理): /queue, then category, priority or a rejection reason."""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.forms import grid_of
from bot.flows.io import Edit, Message, Output
from bot.flows.router import Router
from bot.flows.staff_common import (
    branch_row,
    card,
    cat_label,
    not_staff,
    pick_branch,
    refuse,
    staff_status,
    triage_buttons,
)
from models import Priority, Wish
from models.enums import WishStatus as S
from services import queries, wishes
from services.actors import require_staff
from services.branches import BranchRow

router = Router()
NEXT, CHOOSE, BACK = verbs.QUEUE_NEXT, verbs.QUEUE_BRANCH, verbs.TRIAGE_BACK
CATEGORY, PRIORITY, REASON = verbs.TRIAGE_CATEGORY, verbs.TRIAGE_PRIORITY, verbs.TRIAGE_REASON
PAGE = 5
PRIORITIES = [Priority.urgent, Priority.normal, Priority.low]  # 紧急 / 普通 / 不急


# --- /queue ------------------------------------------------------------------------------------


@router.command("queue")
@router.menu_item("menu.queue")
def queue(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    branch, _, ask = pick_branch(ctx, CHOOSE)
    return ask if branch is None else page(ctx, branch, 0)


@router.button(CHOOSE, NEXT)
def pressed_page(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    branch = branch_row(ctx, ctx.ids[0])
    if branch is None:
        return refuse(ctx)
    return page(ctx, branch, after(ctx, branch.id, ctx.ids[1]) if len(ctx.ids) > 1 else 0)


def after(ctx: Ctx, branch_id: int, last_id: int) -> int:
    """The offset just past the last wish shown: wishes triaged meanwhile no longer count."""
    last = wishes.get_wish(ctx.s, last_id)
    return queries.queue_position(ctx.s, branch_id=branch_id, wish=last)


def page(ctx: Ctx, branch: BranchRow, offset: int) -> list[Output]:
    found = queries.wishes_for_staff(
        ctx.s,
        actor_id=ctx.user.id,
        branch_id=branch.id,
        statuses=(S.submitted,),
        offset=offset,
        limit=PAGE + 1,
    )
    if not found:
        return [Message(ctx.t("queue.empty", branch=branch.name))]
    out: list[Output] = [Message(ctx.t("queue.header", branch=branch.name, page=offset // PAGE + 1))]
    for wish in found[:PAGE]:
        out.append(Message(card(ctx, wish), buttons=triage_buttons(ctx, wish.id), notify=False))
    if len(found) > PAGE:
        more = [[ctx.button("queue.next", NEXT, branch.id, found[PAGE - 1].id)]]
        out.append(Message(ctx.t("queue.more"), buttons=more, notify=False))
    return out


# --- 受理: category, then priority -------------------------------------------------------------


def submitted_wish(ctx: Ctx) -> Wish | list[Output]:
    """The pressed wish if the actor may triage it and it still waits; else the refusal."""
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    wish = wishes.get_wish(ctx.s, ctx.ids[0])
    require_staff(ctx.actor, wish.branch_id)
    if wish.status != S.submitted:
        return refuse(ctx, "triage.done_already", number=wish.number, status=staff_status(ctx, wish.status))
    return wish


@router.button(verbs.ACCEPT)
def accept(ctx: Ctx) -> list[Output]:
    wish = submitted_wish(ctx)
    if isinstance(wish, list):
        return wish
    codes = list(ctx.deps.catalogue.categories)
    order = sorted(range(len(codes)), key=lambda i: codes[i] != wish.category)  # the current one first
    label = cat_label(ctx, wish.category)
    rows = grid_of([ctx.raw_button(cat_label(ctx, codes[i]), CATEGORY, wish.id, i) for i in order])
    rows.append([ctx.button("btn.back", BACK, wish.id)])
    return [Edit(ctx.t("triage.ask_category", number=wish.number, category=label), rows)]


@router.button(CATEGORY)
def chose_category(ctx: Ctx) -> list[Output]:
    wish = submitted_wish(ctx)
    if isinstance(wish, list):
        return wish
    codes = list(ctx.deps.catalogue.categories)
    if len(ctx.ids) < 2 or ctx.ids[1] >= len(codes):
        return refuse(ctx, "error.stale_button")
    label = cat_label(ctx, codes[ctx.ids[1]])
    rows = [
        [ctx.button(f"priority.{p}", PRIORITY, wish.id, ctx.ids[1], i) for i, p in enumerate(PRIORITIES)],
        [ctx.button("btn.back", verbs.ACCEPT, wish.id)],
    ]
    return [Edit(ctx.t("triage.ask_priority", number=wish.number, category=label), rows)]


@router.button(PRIORITY)
def chose_priority(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    codes = list(ctx.deps.catalogue.categories)
    if len(ctx.ids) < 3 or ctx.ids[1] >= len(codes) or ctx.ids[2] >= len(PRIORITIES):
        return refuse(ctx, "error.stale_button")
    priority = PRIORITIES[ctx.ids[2]]
    wish = wishes.accept_wish(
        ctx.s,
        actor_id=ctx.user.id,
        wish_id=ctx.ids[0],
        category=codes[ctx.ids[1]],
        priority=priority,
        catalogue=ctx.deps.catalogue,
    )
    text = ctx.t(
        "triage.accepted",
        number=wish.number,
        priority=ctx.t(f"priority.{priority}"),
        category=cat_label(ctx, wish.category),
    )
    return [Edit(text, [[ctx.button("dispatch.btn", verbs.DISPATCH, wish.id)]])]


@router.button(BACK)
def back_to_card(ctx: Ctx) -> list[Output]:
    wish = submitted_wish(ctx)
    if isinstance(wish, list):
        return wish
    return [Edit(card(ctx, wish), triage_buttons(ctx, wish.id))]


# --- 不予受理: a reason, with its referral -------------------------------------------------------


@router.button(verbs.REJECT)
def reject(ctx: Ctx) -> list[Output]:
    wish = submitted_wish(ctx)
    if isinstance(wish, list):
        return wish
    buttons = [
        ctx.raw_button(
            r.label.get(ctx.lang) + (ctx.t("triage.referral_mark") if r.referral else ""), REASON, wish.id, i
        )
        for i, r in enumerate(ctx.deps.catalogue.rejections.values())
    ]
    rows = [*grid_of(buttons, 1), [ctx.button("btn.back", BACK, wish.id)]]
    return [Edit(ctx.t("triage.ask_reason", number=wish.number), rows)]


@router.button(REASON)
def chose_reason(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    reasons = list(ctx.deps.catalogue.rejections.values())
    if len(ctx.ids) < 2 or ctx.ids[1] >= len(reasons):
        return refuse(ctx, "error.stale_button")
    reason = reasons[ctx.ids[1]]
    wish = wishes.reject_wish(
        ctx.s,
        actor_id=ctx.user.id,
        wish_id=ctx.ids[0],
        reason=reason.code,
        note=None,
        catalogue=ctx.deps.catalogue,
        expected=(S.submitted,),  # the card showed a new wish; a colleague may have moved it since
    )
    referral = ""
    if reason.referral:
        referral = ctx.t("triage.referral_line", referral=reason.referral.get(ctx.lang))
    text = ctx.t("triage.rejected", number=wish.number, reason=reason.label.get(ctx.lang), referral=referral)
    return [Edit(text)]
