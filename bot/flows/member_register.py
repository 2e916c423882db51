"""Member registration (在职党员报到): name, phone, branch, work unit, skills, availability."""

from bot.flows import verbs
from bot.flows.contact_steps import contact_steps
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, advancer, grid_of, in_form, invalid, question, stale
from bot.flows.io import Kind, Message, Output
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.i18n import t
from bot.texts import display_phone
from models import Availability
from services import people
from services.errors import InvalidInput
from services.validation import clean_text

router = Router()
FLOW = "join"
STEPS[FLOW] = ["name", "phone", "branch", "grid", "work_unit", "skills", "availability", "confirm"]
SLOTS = list(Availability)


@router.command("join")
def join(ctx: Ctx) -> list[Output]:
    return begin(ctx, branch_id=None)


def begin(ctx: Ctx, *, branch_id: int | None) -> list[Output]:
    ctx.goto(FLOW, "name", {"branch_id": branch_id, "skills": [], "availability": []})
    return [Message(ctx.t("join.intro")), *ask_name(ctx)]


advance = advancer(router, FLOW)


@router.ask(FLOW, "name")
def ask_name(ctx: Ctx) -> list[Output]:
    return question(ctx, "reg.ask_name", back=False)


@router.step(FLOW, "name")
def got_name(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        return advance(ctx, "phone", name=clean_text(ctx.input.text, field="name", max_len=50))
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_name(ctx)]


contact_steps(
    router,
    FLOW,
    branch_verb=verbs.JOIN_BRANCH,
    grid_verb=verbs.JOIN_GRID,
    ask_branch_key="join.ask_branch",
    ask_grid_key="join.ask_grid",
    then="work_unit",
)


@router.ask(FLOW, "work_unit")
def ask_work_unit(ctx: Ctx) -> list[Output]:
    return question(ctx, "join.ask_work_unit")


@router.step(FLOW, "work_unit")
def got_work_unit(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        unit = clean_text(ctx.input.text, field="work_unit", max_len=200)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_work_unit(ctx)]
    return advance(ctx, "skills", work_unit=unit)


def _toggles(ctx: Ctx, verb: str, options: list[tuple[str, str]], chosen: list[str]) -> list[list]:
    buttons = [
        ctx.raw_button(("✅ " if code in chosen else "") + label, verb, i)
        for i, (code, label) in enumerate(options)
    ]
    return [*grid_of(buttons), [ctx.button("btn.done_choosing", verb, len(options))]]


def _skill_options(ctx: Ctx) -> list[tuple[str, str]]:
    return [(code, label.get(ctx.lang)) for code, label in ctx.deps.catalogue.skills.items()]


def _slot_options(ctx: Ctx) -> list[tuple[str, str]]:
    return [(slot.value, t(ctx.lang, f"availability.{slot.value}")) for slot in SLOTS]


@router.ask(FLOW, "skills")
def ask_skills(ctx: Ctx) -> list[Output]:
    return question(
        ctx, "join.ask_skills", _toggles(ctx, verbs.JOIN_SKILL, _skill_options(ctx), ctx.data["skills"])
    )


@router.ask(FLOW, "availability")
def ask_availability(ctx: Ctx) -> list[Output]:
    rows = _toggles(ctx, verbs.JOIN_SLOT, _slot_options(ctx), ctx.data["availability"])
    return question(ctx, "join.ask_availability", rows)


def _toggle(ctx: Ctx, field: str, options, following: str) -> list[Output]:
    if not in_form(ctx, FLOW, field) or not ctx.ids or ctx.ids[0] > len(options):
        return stale(ctx)
    chosen = list(ctx.data[field])
    if ctx.ids[0] == len(options):  # 选好了
        if not chosen:
            return [Message(ctx.t(f"invalid.{field}")), *router.asks[(FLOW, field)](ctx)]
        return advance(ctx, following)
    code = options[ctx.ids[0]][0]
    chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
    ctx.goto(FLOW, field, {**ctx.data, field: chosen})
    return router.asks[(FLOW, field)](ctx)


@router.button(verbs.JOIN_SKILL)
def toggle_skill(ctx: Ctx) -> list[Output]:
    return _toggle(ctx, "skills", _skill_options(ctx), "availability")


@router.button(verbs.JOIN_SLOT)
def toggle_slot(ctx: Ctx) -> list[Output]:
    return _toggle(ctx, "availability", _slot_options(ctx), "confirm")


@router.ask(FLOW, "confirm")
def ask_confirm(ctx: Ctx) -> list[Output]:
    d = ctx.data
    skills = ctx.t("list.sep").join(label for code, label in _skill_options(ctx) if code in d["skills"])
    slots = ctx.t("list.sep").join(label for code, label in _slot_options(ctx) if code in d["availability"])
    rows = [[ctx.button("btn.submit", verbs.JOIN_SUBMIT), ctx.button("btn.edit", verbs.JOIN_EDIT)]]
    return question(
        ctx,
        "join.confirm",
        rows,
        name=d["name"],
        phone=display_phone(d["phone"]),
        unit=d["work_unit"],
        skills=skills,
        slots=slots,
    )


@router.button(verbs.JOIN_EDIT)
def edit(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "confirm"):
        return stale(ctx)
    return advance(ctx, "name")


@router.button(verbs.JOIN_SUBMIT)
def save(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "confirm"):
        return stale(ctx)
    d = ctx.data
    people.register_member(
        ctx.s,
        actor_id=ctx.user.id,
        catalogue=ctx.deps.catalogue,
        name=d["name"],
        phone=d["phone"],
        branch_id=d["branch_id"],
        grid_id=d.get("grid_id"),
        work_unit=d["work_unit"],
        skills=d["skills"],
        availability=d["availability"],
    )
    ctx.done()
    return [Message(ctx.t("join.done"), keyboard=main_keyboard(ctx))]
