"""Pieces the member flows share with each other and with a resident's own wishes.

How a wish reads (its time, category, the resident's contact), the buttons of a task,
and how a refused use case ends a form.
"""

from bot.flows.context import Ctx
from bot.flows.io import Answer, Button, Kind, Message, Output
from bot.flows.menus import main_keyboard
from bot.flows.verbs import COMPLETE, DROP, START
from bot.texts import category_label, display_phone, render_error, time_label
from models import MemberStatus, Wish
from models.enums import WishStatus as S
from services import privacy
from services.errors import DomainError


def when(ctx: Ctx, wish: Wish) -> str:
    day = wish.preferred_date.isoformat() if wish.preferred_date else None
    return time_label(ctx.lang, wish.time_window, day)


def category(ctx: Ctx, wish: Wish) -> str:
    return category_label(ctx.lang, ctx.deps.catalogue, wish.category)


def contact_params(c: privacy.Contact) -> dict:
    return {"name": c.name, "phone": display_phone(c.phone), "address": c.address}


def task_buttons(ctx: Ctx, wish: Wish) -> list[list[Button]]:
    """What the assigned member can do next, for the wish's status."""
    finish = [ctx.button("task.btn.complete", COMPLETE, wish.id), ctx.button("task.btn.drop", DROP, wish.id)]
    if S(wish.status) == S.assigned:
        return [[ctx.button("task.btn.start", START, wish.id)], finish]
    return [finish] if S(wish.status) == S.in_progress else []


def refusal(ctx: Ctx, exc: DomainError) -> Output:
    text = render_error(ctx.lang, exc.key, exc.params)
    if ctx.input.kind == Kind.button:
        return Answer(text, alert=True)
    return Message(text, keyboard=main_keyboard(ctx))


def settle(ctx: Ctx, call) -> tuple[Wish | None, list[Output]]:
    """Leave the form, then run the use case in its own savepoint: a refusal still ends the form."""
    ctx.done()
    try:
        with ctx.s.begin_nested():
            return call(), []
    except DomainError as exc:
        return None, [refusal(ctx, exc)]


def not_serving(ctx: Ctx) -> list[Output]:
    """A polite word for anyone who is not an approved member; empty for those who are."""
    key = {
        MemberStatus.approved: None,
        MemberStatus.paused: "wall.paused",
        MemberStatus.pending: "task.pending",
        MemberStatus.suspended: "error.member_suspended",
    }.get(ctx.actor.member_status, "task.not_member")
    return [Message(ctx.t(key), keyboard=main_keyboard(ctx))] if key else []
