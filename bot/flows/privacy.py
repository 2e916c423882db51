"""Data rights: /privacy (what is kept, who sees it, for how long), /mydata and /forgetme."""

from bot.flows.context import Ctx
from bot.flows.io import Edit, File, Message, Output
from bot.flows.router import Router
from bot.flows.verbs import FORGET
from services.forgetting import forget_user
from services.personal_data import export_json

router = Router()
YES, NO = 1, 0


@router.command("privacy")
def privacy(ctx: Ctx) -> list[Output]:
    keep = ctx.deps.retention
    return [Message(ctx.t("privacy.text", outbox_days=keep.outbox_days, form_days=keep.form_days))]


@router.command("mydata")
def my_data(ctx: Ctx) -> list[Output]:
    data = export_json(ctx.s, actor_id=ctx.user.id, tz=ctx.deps.tz)
    name = f"sandan-mydata-{ctx.today().isoformat()}.json"
    return [File(data, name, ctx.t("mydata.caption"), protect=True)]


@router.command("forgetme")
def forget_me(ctx: Ctx) -> list[Output]:
    """Explain what forgetting does to open wishes and tasks, and ask first."""
    rows = [[ctx.button("forgetme.btn.yes", FORGET, YES)], [ctx.button("forgetme.btn.no", FORGET, NO)]]
    return [Message(ctx.t("forgetme.confirm"), buttons=rows)]


@router.button(FORGET)
def forget_answer(ctx: Ctx) -> list[Output]:
    if ctx.ids != (YES,):
        return [Edit(ctx.t("forgetme.kept"))]
    ctx.done()  # the form is keyed by the Telegram id, which forgetting unlinks
    done = forget_user(ctx.s, actor_id=ctx.user.id, user_id=ctx.user.id)
    cancelled = ctx.t("forgetme.cancelled", numbers="、".join(done.cancelled)) if done.cancelled else ""
    return [Edit(ctx.t("forgetme.done", cancelled=cancelled))]
