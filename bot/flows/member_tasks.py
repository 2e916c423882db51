"""Members (党员) taking on a task: 接单 an offer, claim from the wall, 出发,
婉拒 an offer and 无法完成 (each with a reason).

办结 is in member_complete; the wall and a member's own record in member_record.
"""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, grid_of, in_form, invalid, question, stale
from bot.flows.io import Edit, Kind, Message, Output
from bot.flows.media import wish_media
from bot.flows.member_common import category, contact_params, settle, task_buttons, when
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.verbs import CLAIM, DECLINE, DROP, START, TAKE
from models import Wish
from models.enums import WishStatus as S
from services import dispatch, privacy, tasks, wishes
from services.actors import require_member
from services.errors import InvalidInput
from services.ownership import ACTIVE_TASK, own_task
from services.validation import clean_text

router = Router()
DECLINE_FLOW, DROP_FLOW = "decline", "drop"
STEPS[DECLINE_FLOW] = STEPS[DROP_FLOW] = ["reason", "other"]


def taken(ctx: Ctx, wish: Wish) -> Message:
    """The job is theirs: now, and only now, the resident's contact."""
    c = privacy.reveal_contact(ctx.s, actor_id=ctx.user.id, wish_id=wish.id)
    text = ctx.t(
        "task.taken",
        number=wish.number,
        category=category(ctx, wish),
        time=when(ctx, wish),
        text=wish.text,
        **contact_params(c),
    )
    return Message(text, buttons=task_buttons(ctx, wish), protect=True)


# --- 接单 an offer, claim from the wall, 出发 ---


@router.button(TAKE)
def take(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = wishes.get_wish(ctx.s, ctx.ids[0])
    mine = wish.assigned_member_id == ctx.user.id and ctx.actor.is_member_of(wish.branch_id)
    if mine and S(wish.status) in ACTIVE_TASK:
        return [*wish_media(wish), taken(ctx, wish)]  # a second tap on 接单: show the job again
    require_member(ctx.actor, wish.branch_id)  # say why (paused, suspended ...) before "the offer is gone"
    offer = dispatch.open_offer_for(ctx.s, wish_id=wish.id, member_id=ctx.user.id)
    wish = dispatch.take_offer(ctx.s, actor_id=ctx.user.id, offer_id=offer.id)
    return [Edit(ctx.t("task.taken_edit", number=wish.number)), *wish_media(wish), taken(ctx, wish)]


@router.button(CLAIM)
def claim(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = dispatch.claim_from_wall(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [*wish_media(wish), taken(ctx, wish)]


@router.button(START)
def start(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = tasks.start_task(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [Message(ctx.t("task.started"), buttons=task_buttons(ctx, wish))]


# --- 婉拒 and 无法完成: a reason from buttons, or typed ---


def _reason_form(flow: str, verb: str, reasons: list[str], ask_key: str, finish) -> None:
    @router.ask(flow, "reason")
    def ask(ctx: Ctx) -> list[Output]:
        rows = grid_of([ctx.button(f"task.reason.{r}", verb, i) for i, r in enumerate(reasons)])
        return question(ctx, ask_key, rows, back=False)

    @router.button(verb)
    def chosen(ctx: Ctx) -> list[Output]:
        if not in_form(ctx, flow, "reason") or not ctx.ids or ctx.ids[0] >= len(reasons):
            return stale(ctx)
        if reasons[ctx.ids[0]] == "other":
            ctx.goto(flow, "other")
            return ask_text(ctx)
        return finish(ctx, ctx.t(f"task.reason.{reasons[ctx.ids[0]]}"))

    @router.ask(flow, "other")
    def ask_text(ctx: Ctx) -> list[Output]:
        return question(ctx, "task.ask_reason_text")

    @router.step(flow, "reason", "other")
    def typed(ctx: Ctx) -> list[Output]:
        if ctx.input.kind != Kind.text:
            raise Unexpected
        try:
            reason = clean_text(ctx.input.text, field="reason_text", max_len=500)
        except InvalidInput as exc:
            return [invalid(ctx, exc), *router.asks[(flow, ctx.state.step)](ctx)]
        return finish(ctx, reason)


def _decline(ctx: Ctx, reason: str) -> list[Output]:
    wish_id = ctx.data["wish_id"]

    def call() -> Wish:
        offer = dispatch.open_offer_for(ctx.s, wish_id=wish_id, member_id=ctx.user.id)
        return dispatch.decline_offer(ctx.s, actor_id=ctx.user.id, offer_id=offer.id, reason=reason)

    wish, refused = settle(ctx, call)
    return refused or [Message(ctx.t("task.declined", number=wish.number), keyboard=main_keyboard(ctx))]


def _drop(ctx: Ctx, reason: str) -> list[Output]:
    wish_id = ctx.data["wish_id"]
    wish, refused = settle(
        ctx, lambda: dispatch.release_wish(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, reason=reason)
    )
    return refused or [Message(ctx.t("task.dropped", number=wish.number), keyboard=main_keyboard(ctx))]


_reason_form(
    DECLINE_FLOW,
    verbs.DECLINE_REASON,
    ["busy", "skill", "health", "far", "other"],
    "task.ask_decline",
    _decline,
)
_reason_form(DROP_FLOW, verbs.DROP_REASON, ["urgent", "health", "unable", "other"], "task.ask_drop", _drop)


@router.button(DECLINE)
def decline(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    # refuse a stale press now, not after the reason
    dispatch.open_offer_for(ctx.s, wish_id=ctx.ids[0], member_id=ctx.user.id)
    ctx.goto(DECLINE_FLOW, "reason", {"wish_id": ctx.ids[0]})
    return router.asks[(DECLINE_FLOW, "reason")](ctx)


@router.button(DROP)
def drop(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    own_task(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    ctx.goto(DROP_FLOW, "reason", {"wish_id": ctx.ids[0]})
    return router.asks[(DROP_FLOW, "reason")](ctx)
