"""Posting a wish (点单): category, description, preferred time, then confirm."""

from datetime import date, timedelta

from bot.flows import verbs
from bot.flows.common import is_resident
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import SKIP_BACK, STEPS, advancer, grid_of, in_form, question, stale
from bot.flows.io import Kind, Message, Output
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.texts import category_label, render_error, time_label
from models import TimeWindow
from services import wishes
from services.errors import InvalidInput
from services.validation import clean_text

router = Router()
FLOW = "wish"
STEPS[FLOW] = ["category", "describe", "time", "date", "confirm"]
SKIP_BACK[(FLOW, "date")] = lambda answers: answers.get("window") != TimeWindow.on_date
WINDOWS = [TimeWindow.asap, TimeWindow.this_week, TimeWindow.weekend, TimeWindow.on_date]
DATE_CHOICES = 7


@router.menu_item("menu.post")
def begin(ctx: Ctx) -> list[Output]:
    from bot.flows import resident_register

    if not is_resident(ctx):
        return resident_register.begin(ctx, then="wish")
    ctx.goto(FLOW, "category", {})
    return ask_category(ctx)


advance = advancer(router, FLOW)


@router.ask(FLOW, "category")
def ask_category(ctx: Ctx) -> list[Output]:
    codes = list(ctx.deps.catalogue.categories)
    labels = [category_label(ctx.lang, ctx.deps.catalogue, c) for c in codes]
    buttons = [ctx.raw_button(label, verbs.WISH_CATEGORY, i) for i, label in enumerate(labels)]
    return question(ctx, "wish.ask_category", grid_of(buttons), back=False)


@router.button(verbs.WISH_CATEGORY)
def got_category(ctx: Ctx) -> list[Output]:
    codes = list(ctx.deps.catalogue.categories)
    if not in_form(ctx, FLOW, "category") or not ctx.ids or ctx.ids[0] >= len(codes):
        return stale(ctx)
    return advance(ctx, "describe", category=codes[ctx.ids[0]])


@router.ask(FLOW, "describe")
def ask_describe(ctx: Ctx) -> list[Output]:
    label = category_label(ctx.lang, ctx.deps.catalogue, ctx.data["category"])
    return question(ctx, "wish.ask_describe", category=label)


@router.step(FLOW, "describe")
def got_description(ctx: Ctx) -> list[Output]:
    inp = ctx.input
    answers: dict = {}
    if inp.kind == Kind.photo:
        photos = [*ctx.data.get("photos", []), inp.file_id]
        if len(photos) > ctx.deps.limits.max_photos:
            too_many = Message(ctx.t("invalid.photos", max=ctx.deps.limits.max_photos))
            return [too_many, *ask_describe(ctx)]
        answers["photos"] = photos
        if not inp.text.strip():  # a photo without a caption: ask for words too
            ctx.goto(FLOW, "describe", {**ctx.data, **answers})
            return [Message(ctx.t("wish.photo_ok"))]
    elif inp.kind == Kind.voice:
        answers["voice"] = inp.file_id
        if not ctx.data.get("text"):
            answers["text"] = ""
        return advance(ctx, "time", **answers)
    elif inp.kind != Kind.text:
        raise Unexpected
    try:
        answers["text"] = clean_text(inp.text, field="wish_text", max_len=1000)
    except InvalidInput as exc:
        return [Message(render_error(ctx.lang, exc.key, exc.params)), *ask_describe(ctx)]
    return advance(ctx, "time", **answers)


@router.ask(FLOW, "time")
def ask_time(ctx: Ctx) -> list[Output]:
    labels = [
        time_label(ctx.lang, w) if w != TimeWindow.on_date else ctx.t("wish.pick_date") for w in WINDOWS
    ]
    rows = grid_of([ctx.raw_button(label, verbs.WISH_TIME, i) for i, label in enumerate(labels)])
    return question(ctx, "wish.ask_time", rows)


@router.button(verbs.WISH_TIME)
def got_time(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "time") or not ctx.ids or ctx.ids[0] >= len(WINDOWS):
        return stale(ctx)
    window = WINDOWS[ctx.ids[0]]
    if window == TimeWindow.on_date:
        return advance(ctx, "date", window=window.value)
    return advance(ctx, "confirm", window=window.value, date=None)


@router.ask(FLOW, "date")
def ask_date(ctx: Ctx) -> list[Output]:
    today = ctx.today()
    days = [today + timedelta(days=n) for n in range(1, DATE_CHOICES + 1)]
    buttons = [
        ctx.raw_button(f"{d:%m-%d} {ctx.t(f'weekday.{d.weekday()}')}", verbs.WISH_DATE, d.toordinal())
        for d in days
    ]
    return question(ctx, "wish.ask_date", grid_of(buttons, 3))


@router.button(verbs.WISH_DATE)
def got_date(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "date") or not ctx.ids:
        return stale(ctx)
    chosen = date.fromordinal(ctx.ids[0])
    return advance(ctx, "confirm", date=chosen.isoformat())


@router.ask(FLOW, "confirm")
def ask_confirm(ctx: Ctx) -> list[Output]:
    d = ctx.data
    text = d.get("text") or ctx.t("wish.voice_only")
    extras = []
    if d.get("photos"):
        extras.append(ctx.t("wish.with_photos", n=len(d["photos"])))
    if d.get("voice"):
        extras.append(ctx.t("wish.with_voice"))
    rows = [[ctx.button("btn.submit", verbs.WISH_SUBMIT), ctx.button("btn.edit", verbs.WISH_EDIT)]]
    return question(
        ctx,
        "wish.confirm",
        rows,
        category=category_label(ctx.lang, ctx.deps.catalogue, d["category"]),
        text=text,
        time=time_label(ctx.lang, d["window"], d.get("date")),
        extras="".join(f"\n{line}" for line in extras),
    )


@router.button(verbs.WISH_EDIT)
def edit(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "confirm"):
        return stale(ctx)
    return advance(ctx, "category")


@router.button(verbs.WISH_SUBMIT)
def submit(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, "confirm"):
        return stale(ctx)
    d = ctx.data
    draft = wishes.WishDraft(
        category=d["category"],
        text=d.get("text", ""),
        time_window=TimeWindow(d["window"]),
        preferred_date=date.fromisoformat(d["date"]) if d.get("date") else None,
        photo_file_ids=tuple(d.get("photos", [])),
        voice_file_id=d.get("voice"),
    )
    wish = wishes.submit_wish(
        ctx.s,
        actor_id=ctx.user.id,
        draft=draft,
        catalogue=ctx.deps.catalogue,
        limits=ctx.deps.limits,
        today=ctx.today(),
    )
    ctx.done()
    return [Message(ctx.t("reply.submitted", number=wish.number), keyboard=main_keyboard(ctx))]
