"""Follow-up visits (回访) for staff: /visits lists what is open; 记录回访 asks what was found."""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, invalid, question
from bot.flows.io import Kind, Message, Output
from bot.flows.router import Router
from bot.flows.staff_common import cat_label, not_staff, refuse
from bot.flows.staff_dispatch import view_button
from services import visits
from services.errors import DomainError, InvalidInput

router = Router()
FLOW, NOTE = "visit", "note"
STEPS[FLOW] = [NOTE]


@router.command("visits")
def list_visits(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    open_ = visits.open_visits(ctx.s, actor_id=ctx.user.id)
    if not open_:
        return [Message(ctx.t("visits.none"))]
    out: list[Output] = [Message(ctx.t("visits.title", n=len(open_)))]
    for visit, wish in open_[:20]:
        text = ctx.t(
            "visits.item",
            number=wish.number,
            category=cat_label(ctx, wish.category),
            reason=ctx.t(f"visits.reason.{visit.reason}"),
            since=ctx.local(visit.created_at),
        )
        buttons = [[ctx.button("btn.visit", verbs.VISIT, visit.id), view_button(ctx, wish)]]
        out.append(Message(text, buttons=buttons))
    return out


@router.button(verbs.VISIT)
def start_note(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    visit, wish = visits.pending_visit(ctx.s, actor_id=ctx.user.id, visit_id=ctx.ids[0])
    ctx.goto(FLOW, NOTE, {"visit_id": visit.id, "number": wish.number})
    return ask_note(ctx)


@router.ask(FLOW, NOTE)
def ask_note(ctx: Ctx) -> list[Output]:
    return question(ctx, "visits.ask_note", back=False, number=ctx.data["number"])


@router.step(FLOW, NOTE)
def got_note(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    number = ctx.data["number"]
    try:  # a refusal writes nothing, so there is nothing to roll back
        visit_id, note = ctx.data["visit_id"], ctx.input.text
        visits.record_visit(ctx.s, actor_id=ctx.user.id, visit_id=visit_id, note=note)
    except InvalidInput as exc:  # the note will not do: ask again
        return [invalid(ctx, exc), *ask_note(ctx)]
    except DomainError as exc:  # someone else recorded it meanwhile
        ctx.done()
        return [invalid(ctx, exc)]
    ctx.done()
    return [Message(ctx.t("visits.done", number=number))]
