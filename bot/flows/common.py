"""/start, /help, /language, and what happens when input fits nowhere."""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.io import Kind, Message, Output
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from services import people
from services.branches import branch_by_code
from services.errors import NotFound

router = Router()


def is_resident(ctx: Ctx) -> bool:
    return people.is_resident(ctx.s, user_id=ctx.user.id)


@router.command("start")
def start(ctx: Ctx) -> list[Output]:
    """Greet; a deep link b_<code> or m_<code> pre-selects the branch."""
    from bot.flows import member_register, resident_register

    payload = ctx.input.text.strip()
    kind, _, code = payload.partition("_")
    if kind in ("b", "m") and code:
        try:
            branch = branch_by_code(ctx.s, code)
        except NotFound:
            branch = None
        if branch is not None and kind == "m":
            return member_register.begin(ctx, branch_id=branch.id)
        if branch is not None and not is_resident(ctx):
            return resident_register.begin(ctx, branch_id=branch.id)
    ctx.done()
    key = "start.staff" if ctx.actor.staff_branches or ctx.actor.is_admin else "start.greeting"
    return [Message(ctx.t(key, name=ctx.user.name or ctx.user.display_name), keyboard=main_keyboard(ctx))]


@router.command("help")
@router.menu_item("menu.help")
def help_(ctx: Ctx) -> list[Output]:
    parts = [ctx.t("help.resident")]
    if ctx.actor.member_status is not None:
        parts.append(ctx.t("help.member"))
    if ctx.actor.staff_branches or ctx.actor.is_admin:
        parts.append(ctx.t("help.staff"))
        parts.append(ctx.t("help.reports"))
    if ctx.actor.is_admin:
        parts.append(ctx.t("help.admin"))
    return [Message("\n\n".join(parts), keyboard=main_keyboard(ctx))]


@router.command("language")
def language(ctx: Ctx) -> list[Output]:
    rows = [[ctx.raw_button("中文", verbs.LANGUAGE, 0), ctx.raw_button("English", verbs.LANGUAGE, 1)]]
    return [Message(ctx.t("language.choose"), buttons=rows)]


@router.button(verbs.LANGUAGE)
def set_language(ctx: Ctx) -> list[Output]:
    choice = "en" if ctx.ids == (1,) else "zh"
    people.set_language(ctx.s, actor_id=ctx.user.id, language=choice)
    return [Message(ctx.t("language.set"), keyboard=main_keyboard(ctx))]


def fallback(ctx: Ctx) -> list[Output]:
    """Input that fits no form or command: say what can be done, with the menu."""
    kind = ctx.input.kind
    if kind == Kind.command:
        key = "fallback.command"
    elif kind in (Kind.text, Kind.contact):
        key = "fallback.text"
    else:
        key = "fallback.other"
    return [Message(ctx.t(key), keyboard=main_keyboard(ctx))]
