"""The staff view of one wish (/wish NUMBER): contact, timeline and the actions its status allows.

Also /find, and the short form that asks staff for a reason or a note before
改派 (reassign) and before settling a dispute.
"""

from bot.flows import verbs, wish_form
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, grid_of, question
from bot.flows.io import Button, Edit, Kind, Message, Output
from bot.flows.media import wish_media
from bot.flows.router import Router
from bot.flows.staff_common import cat_label, not_staff, refuse, staff_status, triage_buttons
from bot.flows.staff_dispatch import VIEW, view_button
from bot.flows.staff_wish_view import details
from bot.texts import render_error
from models import Wish
from models.enums import WishStatus as S
from services import dispatch, tasks, wishes
from services.errors import DomainError, InvalidInput
from services.ownership import CANCELLABLE
from services.reads.wish_details import wish_details
from services.reads.wish_views import find_wishes, staff_wish, staff_wish_by_number

router = Router()
CANCEL, CANCEL_YES, NOTE = verbs.STAFF_CANCEL, verbs.STAFF_CANCEL_YES, verbs.STAFF_NOTE
WITHDRAW = verbs.WITHDRAW
FLOW = "snote"
ACTIONS = ["release", "redo", "redispatch", "close"]  # the steps of FLOW, each asking for one text
RESOLVE = {"redo": S.assigned, "redispatch": S.accepted, "close": S.closed}
STEPS[FLOW] = ACTIONS


@router.command("wish")
def wish_command(ctx: Ctx) -> list[Output]:
    """Staff: `/wish A-0042` shows the details. Anyone else (or no number) posts a wish."""
    if not ctx.input.text.strip() or not_staff(ctx):
        return wish_form.begin(ctx)
    wish = staff_wish_by_number(ctx.s, actor_id=ctx.user.id, number=ctx.input.text.split()[0])
    return view(ctx, wish.id)


@router.button(VIEW)
def view_pressed(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    edit = ctx.ids[1:2] == (1,)  # 返回 from a confirmation: show the wish in place
    return view(ctx, ctx.ids[0], edit=edit)


def view(ctx: Ctx, wish_id: int, *, edit: bool = False) -> list[Output]:
    d = wish_details(ctx.s, actor_id=ctx.user.id, wish_id=wish_id)  # refuses all but the branch staff
    wish, text = d.wish, details(ctx, d)
    protect = d.full  # it shows the resident's contact: no forwarding
    if edit:  # the message it replaces was sent protected, and an edit keeps that
        return [Edit(text, actions(ctx, wish), protect=protect)]
    return [*wish_media(wish, completion=True), Message(text, buttons=actions(ctx, wish), protect=protect)]


def actions(ctx: Ctx, wish: Wish) -> list[list[Button]]:
    """The buttons the wish's status allows."""
    status, rows = S(wish.status), []
    if status == S.submitted:
        rows += triage_buttons(ctx, wish.id)
    if status == S.accepted:
        rows.append([ctx.button("dispatch.btn", verbs.DISPATCH, wish.id)])
    if status == S.posted:
        rows.append([ctx.button("staffwish.withdraw", WITHDRAW, wish.id)])
    if status in (S.assigned, S.in_progress):
        rows.append([ctx.button("staffwish.release", NOTE, wish.id, ACTIONS.index("release"))])
    if status == S.disputed:
        rows += grid_of([ctx.button(f"staffwish.{a}", NOTE, wish.id, ACTIONS.index(a)) for a in RESOLVE], 1)
    if status in CANCELLABLE:
        rows.append([ctx.button("staffwish.cancel", CANCEL, wish.id)])
    return rows


@router.button(CANCEL)
def cancel(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    wish = staff_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    rows = [
        [ctx.button("staffwish.cancel_yes", CANCEL_YES, wish.id), ctx.button("btn.back", VIEW, wish.id, 1)]
    ]
    return [Edit(ctx.t("staffwish.cancel_confirm", number=wish.number), rows)]


@router.button(CANCEL_YES)
def cancel_confirmed(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    wish = wishes.cancel_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [Edit(ctx.t("staffwish.cancelled", number=wish.number), [[view_button(ctx, wish)]])]


@router.button(WITHDRAW)
def withdraw(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    wish = dispatch.withdraw_from_wall(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    return [
        Edit(
            ctx.t("staffwish.withdrawn", number=wish.number),
            [[ctx.button("dispatch.btn", verbs.DISPATCH, wish.id)]],
        )
    ]


# --- 改派 and settling a dispute: one typed reason or note, then the service ---------------------


@router.button(NOTE)
def ask_for_note(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or len(ctx.ids) < 2 or ctx.ids[1] >= len(ACTIONS):
        return refuse(ctx)
    wish = staff_wish(ctx.s, actor_id=ctx.user.id, wish_id=ctx.ids[0])
    ctx.goto(FLOW, ACTIONS[ctx.ids[1]], {"wish_id": wish.id, "number": wish.number})
    return ask(ctx)


def ask(ctx: Ctx) -> list[Output]:
    return question(ctx, f"staffwish.ask_{ctx.state.step}", back=False, number=ctx.data["number"])


for _action in ACTIONS:
    router.ask(FLOW, _action)(ask)


@router.step(FLOW, *ACTIONS)
def got_note(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    action, wish_id, text = ctx.state.step, ctx.data["wish_id"], ctx.input.text
    try:
        with ctx.s.begin_nested():  # a refusal must leave nothing half done
            if action == "release":
                wish = dispatch.release_wish(ctx.s, actor_id=ctx.user.id, wish_id=wish_id, reason=text)
            else:
                wish = tasks.resolve_dispute(
                    ctx.s, actor_id=ctx.user.id, wish_id=wish_id, to=RESOLVE[action], note=text
                )
    except DomainError as exc:
        refusal = Message(render_error(ctx.lang, exc.key, exc.params))
        if isinstance(exc, InvalidInput):  # the text will not do: ask again
            return [refusal, *ask(ctx)]
        ctx.done()  # the wish moved on meanwhile: leave the form
        return [refusal]
    ctx.done()
    rows = [[ctx.button("dispatch.btn", verbs.DISPATCH, wish.id)]] if wish.status == S.accepted else []
    rows.append([view_button(ctx, wish)])
    return [Message(ctx.t(f"staffwish.done_{action}", number=wish.number), buttons=rows)]


# --- /find -------------------------------------------------------------------------------------


@router.command("find")
def find(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    text = ctx.input.text.strip()
    if not text:
        return [Message(ctx.t("find.usage"))]
    found = find_wishes(ctx.s, actor_id=ctx.user.id, text=text)
    if not found:
        return [Message(ctx.t("find.none", text=text))]
    lines = [ctx.t("find.header", n=len(found))]
    lines += [
        ctx.t(
            "find.line",
            number=w.number,
            status=staff_status(ctx, w.status),
            text=w.text[:40],
            category=cat_label(ctx, w.category),
        )
        for w in found
    ]
    buttons = [ctx.raw_button(w.number, VIEW, w.id) for w in found]
    return [Message("\n".join(lines), buttons=grid_of(buttons, 3))]
