"""A resident's word on a finished wish: stars and an optional comment, or 没有办好
(what was not done, confirmed, then staff follow up)."""

from bot.flows import verbs
from bot.flows.callbacks import CallbackCodec
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, in_form, invalid, question, stale
from bot.flows.io import Button, Edit, Kind, Message, Output
from bot.flows.member_common import settle
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.verbs import DISPUTE, RATE
from bot.i18n import t
from models.enums import WishStatus as S
from services import tasks
from services.errors import InvalidInput
from services.ownership import own_wish
from services.validation import clean_text

router = Router()
RATE_FLOW, DISPUTE_FLOW = "rate", "dispute"
STEPS[RATE_FLOW] = ["comment"]
STEPS[DISPUTE_FLOW] = ["note", "confirm"]


def star_rows(lang: str, codec: CallbackCodec, wish_id: int) -> list[list[Button]]:
    """Five stars first, the most likely answer, then 没有办好."""
    stars = [Button("★" * n, codec.encode(RATE, wish_id, n)) for n in range(5, 0, -1)]
    return [stars[:2], stars[2:], [Button(t(lang, "rate.btn.dispute"), codec.encode(DISPUTE, wish_id))]]


def rate_rows(ctx: Ctx, wish_id: int) -> list[list[Button]]:
    return star_rows(ctx.lang, ctx.deps.codec, wish_id)


# --- rating, then an optional comment ---


@router.button(RATE)
def rate(ctx: Ctx) -> list[Output]:
    if len(ctx.ids) != 2:
        return stale(ctx)
    wish_id, stars = ctx.ids
    wish = tasks.rate_wish(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, score=stars)
    ctx.goto(RATE_FLOW, "comment", {"wish_id": wish.id})
    return [Edit(ctx.t("rate.given", number=wish.number, stars="★" * stars)), *ask_comment(ctx)]


@router.ask(RATE_FLOW, "comment")
def ask_comment(ctx: Ctx) -> list[Output]:
    return [
        Message(ctx.t("rate.ask_comment"), buttons=[[ctx.button("rate.btn.skip", verbs.RATE_NO_COMMENT)]])
    ]


@router.button(verbs.RATE_NO_COMMENT)
def skip_comment(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, RATE_FLOW, "comment"):
        return stale(ctx)
    ctx.done()
    return [Message(ctx.t("reply.rated"), keyboard=main_keyboard(ctx))]


@router.step(RATE_FLOW, "comment")
def got_comment(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        comment = clean_text(ctx.input.text, field="comment", max_len=500)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_comment(ctx)]
    wish_id = ctx.data["wish_id"]
    _, refused = settle(
        ctx, lambda: tasks.comment_rating(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, comment=comment)
    )
    return refused or [Message(ctx.t("rate.thanks"), keyboard=main_keyboard(ctx))]


# --- 没有办好: what was not done, confirm, then staff follow up ---


@router.button(DISPUTE)
def dispute(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = own_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0], statuses=(S.completed,))
    ctx.goto(DISPUTE_FLOW, "note", {"wish_id": wish.id, "number": wish.number, "note": ""})
    return ask_dispute(ctx)


@router.ask(DISPUTE_FLOW, "note")
def ask_dispute(ctx: Ctx) -> list[Output]:
    return question(
        ctx, "mine.ask_dispute", [[ctx.button("mine.btn.dispute_plain", verbs.DISPUTE_PLAIN)]], back=False
    )


def _to_confirm(ctx: Ctx, note: str) -> list[Output]:
    ctx.goto(DISPUTE_FLOW, "confirm", {**ctx.data, "note": note})
    return ask_confirm(ctx)


@router.button(verbs.DISPUTE_PLAIN)
def without_note(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DISPUTE_FLOW, "note"):
        return stale(ctx)
    return _to_confirm(ctx, "")


@router.step(DISPUTE_FLOW, "note")
def got_dispute_note(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        note = clean_text(ctx.input.text, field="note", max_len=500)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_dispute(ctx)]
    return _to_confirm(ctx, note)


@router.ask(DISPUTE_FLOW, "confirm")
def ask_confirm(ctx: Ctx) -> list[Output]:
    d = ctx.data
    note = ctx.t("mine.dispute_note", note=d["note"]) if d["note"] else ""
    rows = [[ctx.button("btn.confirm", verbs.DISPUTE_CONFIRM)]]
    return question(ctx, "mine.confirm_dispute", rows, number=d["number"], note=note)


@router.step(DISPUTE_FLOW, "confirm")
def confirm_needs_a_button(ctx: Ctx) -> list[Output]:
    raise Unexpected


@router.button(verbs.DISPUTE_CONFIRM)
def send_dispute(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DISPUTE_FLOW, "confirm"):
        return stale(ctx)
    d = ctx.data
    wish, refused = settle(
        ctx,
        lambda: tasks.dispute_wish(ctx.s, actor_id=ctx.user.id, wish_id=d["wish_id"], note=d["note"] or None),
    )
    return refused or [Message(ctx.t("mine.disputed", number=wish.number), keyboard=main_keyboard(ctx))]
