"""The phone question both registrations ask: the share-contact button, or typed digits."""

from collections.abc import Awaitable, Callable

from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.io import Kind, Message, Output
from bot.flows.router import Router
from bot.texts import render_error
from services.errors import InvalidInput
from services.validation import normalise_phone


def ask_phone(ctx: Ctx) -> list[Output]:
    return [
        Message(
            ctx.t("reg.ask_phone"), contact_button=ctx.t("btn.share_phone"), keyboard=[[ctx.t("btn.cancel")]]
        )
    ]


def phone_step(router: Router, flow: str, then: Callable[[Ctx, str], Awaitable[list[Output]]]) -> None:
    """Register the phone step of `flow`; `then` continues the form with the checked number."""

    @router.ask(flow, "phone")
    async def ask(ctx: Ctx) -> list[Output]:
        return ask_phone(ctx)

    @router.step(flow, "phone")
    async def got_phone(ctx: Ctx) -> list[Output]:
        inp = ctx.input
        if inp.kind == Kind.contact and inp.contact_user_id not in (None, ctx.user.telegram_id):
            return [Message(ctx.t("reg.own_phone_only")), *ask_phone(ctx)]
        if inp.kind not in (Kind.contact, Kind.text):
            raise Unexpected
        try:
            phone = normalise_phone(inp.phone or inp.text)
        except InvalidInput as exc:
            return [Message(render_error(ctx.lang, exc.key, exc.params)), *ask_phone(ctx)]
        # A separate message takes the contact keyboard away; the next question has inline buttons.
        return [Message(ctx.t("reg.phone_ok"), remove_keyboard=True), *await then(ctx, phone)]
