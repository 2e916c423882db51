"""Steps both registrations share: phone (share-contact button or typed), branch and grid."""

from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import advancer, grid_of, in_form, question, stale
from bot.flows.io import Kind, Message, Output
from bot.flows.router import Router
from bot.texts import render_error
from services.branches import grids_of, list_branches
from services.errors import InvalidInput
from services.validation import normalise_phone


def ask_phone(ctx: Ctx) -> list[Output]:
    return [
        Message(
            ctx.t("reg.ask_phone"), contact_button=ctx.t("btn.share_phone"), keyboard=[[ctx.t("btn.cancel")]]
        )
    ]


def contact_steps(
    router: Router,
    flow: str,
    *,
    branch_verb: str,
    grid_verb: str,
    ask_branch_key: str,
    ask_grid_key: str,
    then: str,
) -> None:
    """Register the phone, branch and grid steps of `flow`; the form goes on at step `then`.

    `branch_verb` and `grid_verb` are the branch and grid buttons' verbs, which differ between forms.
    """

    advance = advancer(router, flow)

    def after_phone(ctx: Ctx, phone: str) -> list[Output]:
        if ctx.data.get("branch_id"):  # a deep link chose the branch
            return advance(ctx, "grid", phone=phone)
        branches = list_branches(ctx.s)
        if len(branches) == 1:  # nothing to choose
            return advance(ctx, "grid", phone=phone, branch_id=branches[0].id)
        return advance(ctx, "branch", phone=phone)

    @router.ask(flow, "phone")
    def ask(ctx: Ctx) -> list[Output]:
        return ask_phone(ctx)

    @router.step(flow, "phone")
    def got_phone(ctx: Ctx) -> list[Output]:
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
        return [Message(ctx.t("reg.phone_ok"), remove_keyboard=True), *after_phone(ctx, phone)]

    @router.ask(flow, "branch")
    def ask_branch(ctx: Ctx) -> list[Output]:
        rows = grid_of([ctx.raw_button(b.name, branch_verb, b.id) for b in list_branches(ctx.s)])
        return question(ctx, ask_branch_key, rows)

    @router.button(branch_verb)
    def got_branch(ctx: Ctx) -> list[Output]:
        if not in_form(ctx, flow, "branch") or not ctx.ids:
            return stale(ctx)
        return advance(ctx, "grid", branch_id=ctx.ids[0])

    @router.ask(flow, "grid")
    def ask_grid(ctx: Ctx) -> list[Output]:
        grids = grids_of(ctx.s, ctx.data["branch_id"])
        if not grids:
            return advance(ctx, then, grid_id=None)
        rows = grid_of([ctx.raw_button(g.name, grid_verb, g.id) for g in grids])
        rows.append([ctx.button("reg.grid_unknown", grid_verb, 0)])
        return question(ctx, ask_grid_key, rows)

    @router.button(grid_verb)
    def got_grid(ctx: Ctx) -> list[Output]:
        if not in_form(ctx, flow, "grid") or not ctx.ids:
            return stale(ctx)
        return advance(ctx, then, grid_id=ctx.ids[0] or None)
