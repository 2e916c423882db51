"""办结: the member reports a task done — a note, the hours spent, then a photo or 跳过."""

import unicodedata

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, advancer, grid_of, in_form, invalid, question, stale
from bot.flows.io import Kind, Message, Output
from bot.flows.member_common import settle
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.verbs import COMPLETE
from services import tasks
from services.errors import InvalidInput
from services.ownership import own_task
from services.validation import clean_text

router = Router()
DONE_FLOW = "done"
STEPS[DONE_FLOW] = ["note", "hours", "photo"]
HOURS = [0.5, 1, 1.5, 2, 3, 4]


@router.button(COMPLETE)
def complete(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = own_task(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    ctx.goto(DONE_FLOW, "note", {"wish_id": wish.id, "number": wish.number})
    return ask_note(ctx)


_advance = advancer(router, DONE_FLOW)


# --- the note ---


@router.ask(DONE_FLOW, "note")
def ask_note(ctx: Ctx) -> list[Output]:
    return question(ctx, "task.ask_note", back=False, number=ctx.data["number"])


@router.step(DONE_FLOW, "note")
def got_note(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        note = clean_text(ctx.input.text, field="completion_note", max_len=1000)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_note(ctx)]
    return _advance(ctx, "hours", note=note)


# --- the hours: a button or typed ---


@router.ask(DONE_FLOW, "hours")
def ask_hours(ctx: Ctx) -> list[Output]:
    buttons = [ctx.button("task.hours", verbs.COMPLETE_HOURS, i, hours=f"{h:g}") for i, h in enumerate(HOURS)]
    return question(ctx, "task.ask_hours", grid_of(buttons, 3))


def parse_hours(text: str) -> float | None:
    """'1.5', '１.５小时', '2 h' -> hours, or None unless 0 < hours <= the limit."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    for unit in ("小时", "个钟", "hours", "hour", "hrs", "h"):
        cleaned = cleaned.removesuffix(unit).strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if 0 < value <= tasks.MAX_HOURS else None


@router.button(verbs.COMPLETE_HOURS)
def hours_button(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DONE_FLOW, "hours") or not ctx.ids or ctx.ids[0] >= len(HOURS):
        return stale(ctx)
    return _advance(ctx, "photo", hours=HOURS[ctx.ids[0]])


@router.step(DONE_FLOW, "hours")
def typed_hours(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    hours = parse_hours(ctx.input.text)
    if hours is None:
        return [Message(ctx.t("invalid.hours", max=tasks.MAX_HOURS)), *ask_hours(ctx)]
    return _advance(ctx, "photo", hours=hours)


# --- the photo, or 跳过; then the service ---


@router.ask(DONE_FLOW, "photo")
def ask_photo(ctx: Ctx) -> list[Output]:
    return question(ctx, "task.ask_photo", [[ctx.button("task.btn.skip", verbs.COMPLETE_NO_PHOTO)]])


@router.button(verbs.COMPLETE_NO_PHOTO)
def skip_photo(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DONE_FLOW, "photo"):
        return stale(ctx)
    return _complete(ctx, None)


@router.step(DONE_FLOW, "photo")
def got_photo(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.photo:
        raise Unexpected
    return _complete(ctx, ctx.input.file_id)


def _complete(ctx: Ctx, photo: str | None) -> list[Output]:
    d = ctx.data
    wish, refused = settle(
        ctx,
        lambda: tasks.complete_task(
            ctx.s,
            actor_id=ctx.user.id,
            wish_id=d["wish_id"],
            note=d["note"],
            hours=d["hours"],
            photo_file_id=photo,
        ),
    )
    if refused:
        return refused
    text = ctx.t("reply.completed", number=wish.number, hours=f"{wish.hours_spent:g}")
    return [Message(text, keyboard=main_keyboard(ctx))]
