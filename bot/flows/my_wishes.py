"""A resident's own wishes (我的心愿): the list, details and timeline, 撤销, rating, 没有办好."""

from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, grid_of, in_form, question, stale
from bot.flows.io import Button, Edit, Kind, Message, Output
from bot.flows.member_tasks import category, contact_params, invalid, settle, task_buttons, when
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.verbs import DISPUTE, RATE, VIEW
from bot.texts import status_label
from models import Wish
from models.enums import WishStatus as S
from services import privacy, queries, tasks, wishes
from services.errors import InvalidInput
from services.ownership import CANCELLABLE, own_wish
from services.queries import TimelineEntry
from services.validation import clean_text

router = Router()
RATE_FLOW, DISPUTE_FLOW = "rate", "dispute"
STEPS[RATE_FLOW] = ["comment"]
STEPS[DISPUTE_FLOW] = ["note", "confirm"]
# Notes on these moves are the outcome, which the resident may read; other notes are for staff.
OUTCOMES = frozenset({S.rejected, S.completed, S.confirmed, S.disputed, S.closed, S.cancelled})


@router.command("mywishes")
@router.menu_item("menu.mine")
async def my_wishes(ctx: Ctx) -> list[Output]:
    found = await queries.wishes_of_resident(ctx.s, actor_id=ctx.user.id)
    if not found:
        return [Message(ctx.t("mine.empty"), keyboard=main_keyboard(ctx))]
    lines = [ctx.t("mine.header")] + [
        ctx.t("mine.item", number=w.number, category=category(ctx, w),
              status=status_label(ctx.lang, w.status))
        for w in found
    ]
    rows = grid_of([ctx.button("mine.btn.view", VIEW, w.id, number=w.number) for w in found])
    return [Message("\n\n".join(lines), buttons=rows)]


def rate_rows(ctx: Ctx, wish_id: int) -> list[list[Button]]:
    """Five stars first, the most likely answer, then 没有办好."""
    stars = [ctx.raw_button("★" * n, RATE, wish_id, n) for n in range(5, 0, -1)]
    return [stars[:2], stars[2:], [ctx.button("rate.btn.dispute", DISPUTE, wish_id)]]


def _event(ctx: Ctx, wish: Wish, e: TimelineEntry, *, staff: bool) -> str:
    shown = e.note and (staff or e.to_status in OUTCOMES) and e.note != wish.rejection_reason
    return ctx.t(
        "mine.event", at=ctx.local(e.at), status=status_label(ctx.lang, e.to_status),
        by=ctx.t("mine.event_by", name=e.actor) if e.actor else "",
        note=ctx.t("mine.event_note", note=e.note) if shown else "",
    )


def _rejection(ctx: Ctx, wish: Wish) -> str:
    reason = ctx.deps.catalogue.rejections.get(wish.rejection_reason or "")
    if reason is None:
        return ""
    referral = ctx.t("note.referral", referral=reason.referral.get(ctx.lang)) if reason.referral else ""
    return ctx.t("mine.rejected_reason", reason=reason.label.get(ctx.lang), referral=referral)


@router.button(VIEW)
async def view(ctx: Ctx) -> list[Output]:
    """Details and timeline for the owner, branch staff or the assignee; contact only for those allowed."""
    if not ctx.ids:
        return stale(ctx)
    events = await queries.timeline(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])  # checks who may look
    wish = await wishes.get_wish(ctx.s, ctx.ids[0])
    status = S(wish.status)
    parts = [ctx.t("mine.detail", number=wish.number, category=category(ctx, wish), text=wish.text,
                   time=when(ctx, wish), status=status_label(ctx.lang, status))]
    if status == S.rejected and (why := _rejection(ctx, wish)):
        parts.append(why)
    if privacy.may_see_contact(ctx.actor, wish):
        contact = await privacy.reveal_contact(ctx.s, actor_id=ctx.user.id, wish_id=wish.id)
        parts.append(ctx.t("mine.contact", **contact_params(contact)))
    staff = ctx.actor.is_staff_of(wish.branch_id)
    parts.append("\n".join([ctx.t("mine.timeline"), *(_event(ctx, wish, e, staff=staff) for e in events)]))
    rows: list[list[Button]] = []
    if ctx.user.id == wish.resident_id and status in CANCELLABLE:
        rows = [[ctx.button("mine.btn.cancel", "wcx", wish.id)]]
    elif ctx.user.id == wish.resident_id and status == S.completed:
        rows = rate_rows(ctx, wish.id)
    elif ctx.user.id == wish.assigned_member_id:
        rows = task_buttons(ctx, wish)
    return [Message("\n\n".join(parts), buttons=rows)]


# --- 撤销, with a confirm step ---

@router.button("wcx")
async def ask_cancel(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await own_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0], statuses=CANCELLABLE)
    rows = [[ctx.button("mine.btn.cancel_yes", "wcxy", wish.id),
             ctx.button("mine.btn.cancel_no", "wcxn", wish.id)]]
    return [Message(ctx.t("mine.ask_cancel", number=wish.number), buttons=rows)]


@router.button("wcxy")
async def cancel(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await wishes.cancel_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [Edit(ctx.t("mine.cancelled", number=wish.number))]


@router.button("wcxn")
async def keep(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await own_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0], statuses=tuple(S))
    return [Edit(ctx.t("mine.kept", number=wish.number))]


# --- rating, then an optional comment ---

@router.button(RATE)
async def rate(ctx: Ctx) -> list[Output]:
    if len(ctx.ids) != 2:
        return stale(ctx)
    wish_id, stars = ctx.ids
    wish = await tasks.rate_wish(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, score=stars)
    await ctx.goto(RATE_FLOW, "comment", {"wish_id": wish.id})
    return [Edit(ctx.t("rate.given", number=wish.number, stars="★" * stars)), *await ask_comment(ctx)]


@router.ask(RATE_FLOW, "comment")
async def ask_comment(ctx: Ctx) -> list[Output]:
    return [Message(ctx.t("rate.ask_comment"), buttons=[[ctx.button("rate.btn.skip", "rtskip")]])]


@router.button("rtskip")
async def skip_comment(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, RATE_FLOW, "comment"):
        return stale(ctx)
    await ctx.done()
    return [Message(ctx.t("reply.rated"), keyboard=main_keyboard(ctx))]


@router.step(RATE_FLOW, "comment")
async def got_comment(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        comment = clean_text(ctx.input.text, field="comment", max_len=500)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *await ask_comment(ctx)]
    wish_id = ctx.data["wish_id"]
    _, refused = await settle(
        ctx, lambda: tasks.comment_rating(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, comment=comment)
    )
    return refused or [Message(ctx.t("rate.thanks"), keyboard=main_keyboard(ctx))]


# --- 没有办好: what was not done, confirm, then staff follow up ---

@router.button(DISPUTE)
async def dispute(ctx: Ctx) -> list[Output]:
    if not ctx.ids:
        return stale(ctx)
    wish = await own_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0], statuses=(S.completed,))
    await ctx.goto(DISPUTE_FLOW, "note", {"wish_id": wish.id, "number": wish.number, "note": ""})
    return await ask_dispute(ctx)


@router.ask(DISPUTE_FLOW, "note")
async def ask_dispute(ctx: Ctx) -> list[Output]:
    return question(ctx, "mine.ask_dispute", [[ctx.button("mine.btn.dispute_plain", "dpplain")]], back=False)


async def _to_confirm(ctx: Ctx, note: str) -> list[Output]:
    await ctx.goto(DISPUTE_FLOW, "confirm", {**ctx.data, "note": note})
    return await ask_confirm(ctx)


@router.button("dpplain")
async def without_note(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DISPUTE_FLOW, "note"):
        return stale(ctx)
    return await _to_confirm(ctx, "")


@router.step(DISPUTE_FLOW, "note")
async def got_dispute_note(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        note = clean_text(ctx.input.text, field="note", max_len=500)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *await ask_dispute(ctx)]
    return await _to_confirm(ctx, note)


@router.ask(DISPUTE_FLOW, "confirm")
async def ask_confirm(ctx: Ctx) -> list[Output]:
    d = ctx.data
    note = ctx.t("mine.dispute_note", note=d["note"]) if d["note"] else ""
    rows = [[ctx.button("btn.confirm", "dpok")]]
    return question(ctx, "mine.confirm_dispute", rows, number=d["number"], note=note)


@router.step(DISPUTE_FLOW, "confirm")
async def confirm_needs_a_button(ctx: Ctx) -> list[Output]:
    raise Unexpected


@router.button("dpok")
async def send_dispute(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, DISPUTE_FLOW, "confirm"):
        return stale(ctx)
    d = ctx.data
    wish, refused = await settle(ctx, lambda: tasks.dispute_wish(
        ctx.s, actor_id=ctx.user.id, wish_id=d["wish_id"], note=d["note"] or None
    ))
    return refused or [Message(ctx.t("mine.disputed", number=wish.number), keyboard=main_keyboard(ctx))]
