"""Resident registration: name, phone, branch, grid and address, one question at a time."""

from bot.flows import verbs
from bot.flows.contact_steps import contact_steps
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, advancer, in_form, invalid, question, stale
from bot.flows.io import Kind, Message, Output
from bot.flows.router import Router
from bot.texts import display_phone
from services import people
from services.errors import InvalidInput
from services.validation import clean_text

router = Router()
FLOW = "reg"
STEPS[FLOW] = ["name", "phone", "branch", "grid", "compound", "building", "unit", "room", "confirm"]
TEXT_LIMITS = {"compound": 100, "building": 20, "unit": 20, "room": 20}


def begin(ctx: Ctx, *, branch_id: int | None = None, then: str | None = None) -> list[Output]:
    """Start registering; `then` names a flow to continue with afterwards."""
    ctx.goto(FLOW, "name", {"branch_id": branch_id, "then": then})
    return [Message(ctx.t("reg.intro")), *ask_name(ctx)]


advance = advancer(router, FLOW)


@router.ask(FLOW, "name")
def ask_name(ctx: Ctx) -> list[Output]:
    shown = ctx.user.display_name.strip()
    rows = [[ctx.button("reg.use_name", verbs.REG_NAME, name=shown)]] if shown else []
    return question(ctx, "reg.ask_name", rows, back=False)


@router.button(verbs.REG_NAME)
def use_display_name(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "name"):
        return stale(ctx)
    return advance(ctx, "phone", name=ctx.user.display_name.strip()[:50])


@router.step(FLOW, "name")
def got_name(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        name = clean_text(ctx.input.text, field="name", max_len=50)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_name(ctx)]
    return advance(ctx, "phone", name=name)


contact_steps(
    router,
    FLOW,
    branch_verb=verbs.REG_BRANCH,
    grid_verb=verbs.REG_GRID,
    ask_branch_key="reg.ask_branch",
    ask_grid_key="reg.ask_grid",
    then="compound",
)


def _text_step(step: str, following: str):
    @router.ask(FLOW, step)
    def ask(ctx: Ctx) -> list[Output]:
        rows = [[ctx.button("reg.no_unit", verbs.REG_NO_UNIT)]] if step == "unit" else []
        return question(ctx, f"reg.ask_{step}", rows)

    @router.step(FLOW, step)
    def got(ctx: Ctx) -> list[Output]:
        if ctx.input.kind != Kind.text:
            raise Unexpected
        try:
            value = clean_text(ctx.input.text, field=step, max_len=TEXT_LIMITS[step])
        except InvalidInput as exc:
            return [invalid(ctx, exc), *ask(ctx)]
        return advance(ctx, following, **{step: value})


for _step, _next in (("compound", "building"), ("building", "unit"), ("unit", "room"), ("room", "confirm")):
    _text_step(_step, _next)


@router.button(verbs.REG_NO_UNIT)
def no_unit(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "unit"):
        return stale(ctx)
    return advance(ctx, "room", unit="")


@router.ask(FLOW, "confirm")
def ask_confirm(ctx: Ctx) -> list[Output]:
    d = ctx.data
    address = " ".join(p for p in (d["compound"], d["building"], d.get("unit", ""), d["room"]) if p)
    rows = [[ctx.button("btn.confirm", verbs.REG_CONFIRM), ctx.button("btn.edit", verbs.REG_EDIT)]]
    return question(
        ctx, "reg.confirm", rows, name=d["name"], phone=display_phone(d["phone"]), address=address
    )


@router.button(verbs.REG_EDIT)
def edit(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "confirm"):
        return stale(ctx)
    return advance(ctx, "name")


@router.button(verbs.REG_CONFIRM)
def save(ctx: Ctx) -> list[Output]:
    from bot.flows import wish_form
    from bot.flows.menus import main_keyboard

    if not in_form(ctx, FLOW, "confirm"):
        return stale(ctx)
    d = ctx.data
    people.register_resident(
        ctx.s,
        actor_id=ctx.user.id,
        name=d["name"],
        phone=d["phone"],
        branch_id=d["branch_id"],
        grid_id=d.get("grid_id"),
        address=people.Address(d["compound"], d["building"], d.get("unit", ""), d["room"]),
    )
    ctx.done()
    done = Message(ctx.t("reg.done"), keyboard=main_keyboard(ctx))
    if d.get("then") == "wish":
        return [done, *wish_form.begin(ctx)]
    return [done]
