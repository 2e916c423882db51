"""Members (党员) at work: offers, the wall, start, 办结, 无法完成, and their own record."""

import unicodedata

from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, grid_of, in_form, question, stale
from bot.flows.io import Answer, Button, Edit, Kind, Message, Output
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.verbs import CLAIM, COMPLETE, DECLINE, DROP, START, TAKE
from bot.texts import category_label, render_error, time_label
from models import MemberStatus, Wish
from models.enums import WishStatus as S
from services import dispatch, people, privacy, queries, tasks, wishes
from services.branches import grids_of
from services.errors import DomainError, InvalidInput
from services.ownership import ACTIVE_TASK, own_task
from services.validation import clean_text

router = Router()
DECLINE_FLOW, DROP_FLOW, DONE_FLOW = "decline", "drop", "done"
STEPS[DECLINE_FLOW] = STEPS[DROP_FLOW] = ["reason", "other"]
STEPS[DONE_FLOW] = ["note", "hours", "photo"]
HOURS = [0.5, 1, 1.5, 2, 3, 4]


# --- helpers shared with my_wishes ---

def when(ctx: Ctx, wish: Wish) -> str:
    day = wish.preferred_date.isoformat() if wish.preferred_date else None
    return time_label(ctx.lang, wish.time_window, day)


def category(ctx: Ctx, wish: Wish) -> str:
    return category_label(ctx.lang, ctx.deps.catalogue, wish.category)


def contact_params(c: privacy.Contact) -> dict:
    return {"name": c.name, "phone": c.phone.removeprefix("+86"), "address": c.address}


def task_buttons(ctx: Ctx, wish: Wish) -> list[list[Button]]:
    """What the assigned member can do next, for the wish's status."""
    finish = [ctx.button("task.btn.complete", COMPLETE, wish.id), ctx.button("task.btn.drop", DROP, wish.id)]
    if S(wish.status) == S.assigned:
        return [[ctx.button("task.btn.start", START, wish.id)], finish]
    return [finish] if S(wish.status) == S.in_progress else []


def invalid(ctx: Ctx, exc: DomainError) -> Message:
    return Message(render_error(ctx.lang, exc.key, exc.params))


def refusal(ctx: Ctx, exc: DomainError) -> Output:
    text = render_error(ctx.lang, exc.key, exc.params)
    if ctx.input.kind == Kind.button:
        return Answer(text, alert=True)
    return Message(text, keyboard=main_keyboard(ctx))


async def settle(ctx: Ctx, call) -> tuple[Wish | None, list[Output]]:
    """Leave the form, then run the use case in its own savepoint: a refusal still ends the form."""
    await ctx.done()
    try:
        async with ctx.s.begin_nested():
            return await call(), []
    except DomainError as exc:
        return None, [refusal(ctx, exc)]


def not_serving(ctx: Ctx) -> list[Output]:
    """A polite word for anyone who is not an approved member; empty for those who are."""
    key = {
        MemberStatus.approved: None, MemberStatus.paused: "wall.paused", MemberStatus.pending: "task.pending",
        MemberStatus.suspended: "error.member_suspended",
    }.get(ctx.actor.member_status, "task.not_member")
    return [Message(ctx.t(key), keyboard=main_keyboard(ctx))] if key else []


async def taken(ctx: Ctx, wish: Wish) -> Message:
    """The job is theirs: now, and only now, the resident's contact."""
    c = await privacy.reveal_contact(ctx.s, actor_id=ctx.user.id, wish_id=wish.id)
    text = ctx.t("task.taken", number=wish.number, category=category(ctx, wish), time=when(ctx, wish),
                 text=wish.text, **contact_params(c))
    return Message(text, buttons=task_buttons(ctx, wish))


# --- offers and the wall ---

@router.button(TAKE)
async def take(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await wishes.get_wish(ctx.s, ctx.ids[0])
    if wish.assigned_member_id == ctx.user.id and S(wish.status) in ACTIVE_TASK:
        return [await taken(ctx, wish)]  # a second tap on 接单: show the job again
    offer = await dispatch.open_offer_for(ctx.s, wish_id=wish.id, member_id=ctx.user.id)
    wish = await dispatch.take_offer(ctx.s, actor_id=ctx.user.id, offer_id=offer.id)
    return [Edit(ctx.t("task.taken_edit", number=wish.number)), await taken(ctx, wish)]


@router.button(CLAIM)
async def claim(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await dispatch.claim_from_wall(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [await taken(ctx, wish)]


@router.command("wall")
@router.menu_item("menu.wall")
async def wall(ctx: Ctx) -> list[Output]:
    if refused := not_serving(ctx):
        return refused
    found = await queries.wall(ctx.s, actor_id=ctx.user.id)
    if not found:
        return [Message(ctx.t("wall.empty"), keyboard=main_keyboard(ctx))]
    grids = {g.id: g.name for g in await grids_of(ctx.s, ctx.actor.member_branch)}
    lines = [ctx.t("wall.header")] + [
        ctx.t("wall.item", number=w.number, category=category(ctx, w), time=when(ctx, w),
              grid=grids.get(w.grid_id) or ctx.t("wall.no_grid"),
              text=w.text if len(w.text) <= 60 else w.text[:60] + "…")
        for w in found
    ]
    rows = grid_of([ctx.button("wall.btn.claim", CLAIM, w.id, number=w.number) for w in found])
    return [Message("\n\n".join(lines), buttons=rows)]


# --- 婉拒 and 无法完成: a reason from buttons, or typed ---

def _reason_form(flow: str, verb: str, reasons: list[str], ask_key: str, finish) -> None:
    @router.ask(flow, "reason")
    async def ask(ctx: Ctx) -> list[Output]:
        rows = grid_of([ctx.button(f"task.reason.{r}", verb, i) for i, r in enumerate(reasons)])
        return question(ctx, ask_key, rows, back=False)

    @router.button(verb)
    async def chosen(ctx: Ctx) -> list[Output]:
        if not in_form(ctx, flow, "reason") or not ctx.ids or ctx.ids[0] >= len(reasons):
            return stale(ctx)
        if reasons[ctx.ids[0]] == "other":
            await ctx.goto(flow, "other")
            return await ask_text(ctx)
        return await finish(ctx, ctx.t(f"task.reason.{reasons[ctx.ids[0]]}"))

    @router.ask(flow, "other")
    async def ask_text(ctx: Ctx) -> list[Output]:
        return question(ctx, "task.ask_reason_text")

    @router.step(flow, "reason", "other")
    async def typed(ctx: Ctx) -> list[Output]:
        if ctx.input.kind != Kind.text:
            raise Unexpected
        try:
            reason = clean_text(ctx.input.text, field="reason_text", max_len=500)
        except InvalidInput as exc:
            return [invalid(ctx, exc), *await router.asks[(flow, ctx.state.step)](ctx)]
        return await finish(ctx, reason)


async def _decline(ctx: Ctx, reason: str) -> list[Output]:
    wish_id = ctx.data["wish_id"]

    async def call() -> Wish:
        offer = await dispatch.open_offer_for(ctx.s, wish_id=wish_id, member_id=ctx.user.id)
        return await dispatch.decline_offer(ctx.s, actor_id=ctx.user.id, offer_id=offer.id, reason=reason)

    wish, refused = await settle(ctx, call)
    return refused or [Message(ctx.t("task.declined", number=wish.number), keyboard=main_keyboard(ctx))]


async def _drop(ctx: Ctx, reason: str) -> list[Output]:
    wish_id = ctx.data["wish_id"]
    wish, refused = await settle(
        ctx, lambda: dispatch.release_wish(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, reason=reason)
    )
    return refused or [Message(ctx.t("task.dropped", number=wish.number), keyboard=main_keyboard(ctx))]


_reason_form(DECLINE_FLOW, "dcr", ["busy", "skill", "health", "far", "other"], "task.ask_decline", _decline)
_reason_form(DROP_FLOW, "drr", ["urgent", "health", "unable", "other"], "task.ask_drop", _drop)


@router.button(DECLINE)
async def decline(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    # refuse a stale press now, not after the reason
    await dispatch.open_offer_for(ctx.s, wish_id=ctx.ids[0], member_id=ctx.user.id)
    await ctx.goto(DECLINE_FLOW, "reason", {"wish_id": ctx.ids[0]})
    return await router.asks[(DECLINE_FLOW, "reason")](ctx)


@router.button(DROP)
async def drop(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    await own_task(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    await ctx.goto(DROP_FLOW, "reason", {"wish_id": ctx.ids[0]})
    return await router.asks[(DROP_FLOW, "reason")](ctx)


# --- 出发 and 办结 ---

@router.button(START)
async def start(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await tasks.start_task(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [Message(ctx.t("task.started"), buttons=task_buttons(ctx, wish))]


@router.button(COMPLETE)
async def complete(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await own_task(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    await ctx.goto(DONE_FLOW, "note", {"wish_id": wish.id, "number": wish.number})
    return await ask_note(ctx)


async def _advance(ctx: Ctx, step: str, **answers) -> list[Output]:
    await ctx.goto(DONE_FLOW, step, {**ctx.data, **answers})
    return await router.asks[(DONE_FLOW, step)](ctx)


@router.ask(DONE_FLOW, "note")
async def ask_note(ctx: Ctx) -> list[Output]:
    return question(ctx, "task.ask_note", back=False, number=ctx.data["number"])


@router.step(DONE_FLOW, "note")
async def got_note(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        note = clean_text(ctx.input.text, field="completion_note", max_len=1000)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *await ask_note(ctx)]
    return await _advance(ctx, "hours", note=note)


@router.ask(DONE_FLOW, "hours")
async def ask_hours(ctx: Ctx) -> list[Output]:
    buttons = [ctx.button("task.hours", "cph", i, hours=f"{h:g}") for i, h in enumerate(HOURS)]
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


@router.button("cph")
async def hours_button(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DONE_FLOW, "hours") or not ctx.ids or ctx.ids[0] >= len(HOURS):
        return stale(ctx)
    return await _advance(ctx, "photo", hours=HOURS[ctx.ids[0]])


@router.step(DONE_FLOW, "hours")
async def typed_hours(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    hours = parse_hours(ctx.input.text)
    if hours is None:
        return [Message(ctx.t("invalid.hours", max=tasks.MAX_HOURS)), *await ask_hours(ctx)]
    return await _advance(ctx, "photo", hours=hours)


@router.ask(DONE_FLOW, "photo")
async def ask_photo(ctx: Ctx) -> list[Output]:
    return question(ctx, "task.ask_photo", [[ctx.button("task.btn.skip", "cpskip")]])


@router.button("cpskip")
async def skip_photo(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DONE_FLOW, "photo"):
        return stale(ctx)
    return await _complete(ctx, None)


@router.step(DONE_FLOW, "photo")
async def got_photo(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.photo:
        raise Unexpected
    return await _complete(ctx, ctx.input.file_id)


async def _complete(ctx: Ctx, photo: str | None) -> list[Output]:
    d = ctx.data
    wish, refused = await settle(ctx, lambda: tasks.complete_task(
        ctx.s, actor_id=ctx.user.id, wish_id=d["wish_id"], note=d["note"], hours=d["hours"],
        photo_file_id=photo,
    ))
    if refused:
        return refused
    text = ctx.t("reply.completed", number=wish.number, hours=f"{wish.hours_spent:g}")
    return [Message(text, keyboard=main_keyboard(ctx))]


# --- my tasks and my record ---

async def task_text(ctx: Ctx, wish: Wish) -> str:
    text = ctx.t("task.item", number=wish.number, category=category(ctx, wish), time=when(ctx, wish),
                 text=wish.text, status=ctx.t(f"task.status.{wish.status}"))
    if S(wish.status) in ACTIVE_TASK:
        c = await privacy.reveal_contact(ctx.s, actor_id=ctx.user.id, wish_id=wish.id)
        text += "\n" + ctx.t("task.item_contact", **contact_params(c))
    return text


@router.command("mytasks")
@router.menu_item("menu.tasks")
async def my_tasks(ctx: Ctx) -> list[Output]:
    if ctx.actor.member_status in (None, MemberStatus.pending, MemberStatus.rejected):
        return not_serving(ctx)
    found = await queries.tasks_of_member(ctx.s, actor_id=ctx.user.id)
    if not found:
        return [Message(ctx.t("task.none"), keyboard=main_keyboard(ctx))]
    return [Message(ctx.t("task.header", n=len(found)), keyboard=main_keyboard(ctx))] + [
        Message(await task_text(ctx, wish), buttons=task_buttons(ctx, wish)) for wish in found
    ]


@router.command("me")
async def me(ctx: Ctx) -> list[Output]:
    if ctx.actor.member_status is None:
        return not_serving(ctx)
    r = await queries.member_record(ctx.s, actor_id=ctx.user.id)
    rated = r.average_rating is not None
    rating = ctx.t("me.rating", r=f"{r.average_rating:.1f}") if rated else ctx.t("rank.unrated")
    text = ctx.t("me.record", status=ctx.t(f"me.status.{r.status}"), hours=f"{r.hours:g}",
                 confirmed=r.confirmed, rating=rating, open=r.open_tasks)
    return [Message(text, keyboard=main_keyboard(ctx))]


@router.command("pause", "resume")
async def pause(ctx: Ctx) -> list[Output]:
    paused = ctx.input.command == "pause"
    await people.set_paused(ctx.s, actor_id=ctx.user.id, paused=paused)
    return [Message(ctx.t("me.paused" if paused else "me.resumed"), keyboard=main_keyboard(ctx))]
