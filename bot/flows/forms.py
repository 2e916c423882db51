"""Shared pieces of every form: the step order, 返回 / 取消, and re-asking."""

from collections.abc import Callable

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.io import Answer, Button, Message, Output
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.texts import render_error
from services.errors import DomainError

router = Router()

# The order of each form's steps, for 返回 (back). Flow modules register theirs.
STEPS: dict[str, list[str]] = {}
# Steps that 返回 passes over when the answers so far made them unnecessary.
SKIP_BACK: dict[tuple[str, str], Callable[[dict], bool]] = {}


def nav(ctx: Ctx, *, back: bool = True) -> list[Button]:
    """The 返回 / 取消 row every question carries."""
    row = [ctx.button("btn.back", verbs.BACK)] if back else []
    return [*row, ctx.button("btn.cancel", verbs.CANCEL)]


def question(
    ctx: Ctx, key: str, rows: list[list[Button]] | None = None, *, back: bool = True, **params
) -> list[Output]:
    """One question, its answer buttons, then the navigation row."""
    return [Message(ctx.t(key, **params), buttons=[*(rows or []), nav(ctx, back=back)])]


def advancer(router: Router, flow: str) -> Callable[..., list[Output]]:
    """`advance(ctx, step, **answers)` for one form: save the answers, then ask `step`'s question."""

    def advance(ctx: Ctx, step: str, **answers) -> list[Output]:
        ctx.goto(flow, step, {**ctx.data, **answers})
        return router.asks[(flow, step)](ctx)

    return advance


def invalid(ctx: Ctx, exc: DomainError) -> Message:
    """A refused answer, said politely; the caller asks the question again."""
    return Message(render_error(ctx.lang, exc.key, exc.params))


def in_form(ctx: Ctx, flow: str, step: str | None = None) -> bool:
    """Whether a form button still belongs to the form the user is in."""
    state = ctx.state
    return state is not None and state.flow == flow and (step is None or state.step == step)


def stale(ctx: Ctx) -> list[Output]:
    """The polite refusal for a button whose moment has passed."""
    return [Answer(ctx.t("error.stale_button"), alert=True)]


def grid_of(buttons: list[Button], per_row: int = 2) -> list[list[Button]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def ask_current(ctx: Ctx) -> list[Output]:
    from bot.flows.registry import ROUTER  # the merged router, built after every module

    return ROUTER.asks[(ctx.state.flow, ctx.state.step)](ctx)


@router.button(verbs.BACK)
def go_back(ctx: Ctx) -> list[Output]:
    if ctx.state is None:
        return [Message(ctx.t("form.nothing_to_cancel"), keyboard=main_keyboard(ctx))]
    flow, order = ctx.state.flow, STEPS.get(ctx.state.flow, [])
    i = order.index(ctx.state.step) if ctx.state.step in order else 0
    earlier = [step for step in order[:i] if not SKIP_BACK.get((flow, step), lambda _d: False)(ctx.data)]
    ctx.goto(flow, earlier[-1] if earlier else (order[0] if order else ctx.state.step))
    return ask_current(ctx)


@router.button(verbs.CANCEL)
@router.command("cancel")
@router.menu_item("btn.cancel")
def cancel(ctx: Ctx) -> list[Output]:
    had_form = ctx.state is not None
    ctx.done()
    key = "form.cancelled" if had_form else "form.nothing_to_cancel"
    return [Message(ctx.t(key), keyboard=main_keyboard(ctx))]
