"""/broadcast [CODE|all]: staff send a notice (通知) to the branch's members, residents or both.

The branch (chosen first by staff of several branches and by admins, who may also pick every
branch), then the audience with buttons, then the text; a preview shows the message exactly as
recipients will get it, with the head count, and 确认发送 queues it. A progress message with 刷新
follows; the outbox sender tells the staff member the tally when the last message has settled.
"""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, advancer, in_form, invalid, question, stale
from bot.flows.io import Button, Edit, Kind, Message, Output
from bot.flows.report_common import ALL, ALL_WORDS
from bot.flows.router import Router
from bot.flows.staff_common import args, branch_row, not_staff, pick_branch, refuse
from bot.texts import render_note
from models import Audience
from services import broadcasts
from services.broadcasts import Progress
from services.errors import InvalidInput

router = Router()
PICK, WHO = verbs.BROADCAST_BRANCH, verbs.BROADCAST_AUDIENCE  # branch id; audience index
SEND, REFRESH = verbs.BROADCAST_SEND, verbs.BROADCAST_REFRESH  # -; broadcast id
FLOW, AUDIENCE, TEXT, CONFIRM = "broadcast", "audience", "text", "confirm"
STEPS[FLOW] = [AUDIENCE, TEXT, CONFIRM]
AUDIENCES = list(Audience)
advance = advancer(router, FLOW)


@router.command("broadcast")
def broadcast_cmd(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    if ctx.actor.is_admin and args(ctx).lower() in ALL_WORDS:
        return begin(ctx, ALL)
    every = [ctx.button("report.all_branches", PICK, ALL)] if ctx.actor.is_admin else []
    branch, _, ask = pick_branch(ctx, PICK, every)
    return begin(ctx, branch.id) if branch is not None else ask


@router.button(PICK)
def branch_chosen(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or len(ctx.ids) != 1:
        return refuse(ctx)
    return begin(ctx, ctx.ids[0])


def begin(ctx: Ctx, branch_id: int) -> list[Output]:
    """Start the form for one branch, or for every branch (ALL, admins only)."""
    if branch_id == ALL:
        if not ctx.actor.is_admin:
            return refuse(ctx)
        name = None
    else:
        branch = branch_row(ctx, branch_id)
        if branch is None:
            return refuse(ctx)
        name = branch.name
    ctx.goto(FLOW, AUDIENCE, {"branch_id": branch_id, "branch": name})
    return ask_audience(ctx)


def _branch_id(data: dict) -> int | None:
    return None if data["branch_id"] == ALL else data["branch_id"]


def _audience_label(ctx: Ctx) -> str:
    return ctx.t(f"bcast.to.{ctx.data['audience']}")


@router.ask(FLOW, AUDIENCE)
def ask_audience(ctx: Ctx) -> list[Output]:
    rows = [[ctx.button(f"bcast.to.{a}", WHO, i)] for i, a in enumerate(AUDIENCES)]
    branch = ctx.data["branch"] or ctx.t("report.all_branches")
    return question(ctx, "bcast.ask_audience", rows, back=False, branch=branch)


@router.button(WHO)
def got_audience(ctx: Ctx) -> list[Output]:
    if not in_form(ctx, FLOW, AUDIENCE) or not ctx.ids or ctx.ids[0] >= len(AUDIENCES):
        return stale(ctx)
    return advance(ctx, TEXT, audience=AUDIENCES[ctx.ids[0]].value)


@router.ask(FLOW, TEXT)
def ask_text(ctx: Ctx) -> list[Output]:
    return question(ctx, "bcast.ask_text", max=broadcasts.MAX_TEXT)


@router.step(FLOW, TEXT)
def got_text(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        text = broadcasts.clean_broadcast_text(ctx.input.text)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_text(ctx)]
    masked = text != ctx.input.text.strip()  # the preview says so, as staff may wonder
    return advance(ctx, CONFIRM, text=text, masked=masked)


def _as_sent(ctx: Ctx) -> str:
    """The notice exactly as recipients will see it (in the reader's language)."""
    key, params = broadcasts.message_of(ctx.data["branch"], ctx.data["text"])
    return render_note(ctx.lang, ctx.deps.catalogue, key, params)


@router.ask(FLOW, CONFIRM)
def preview(ctx: Ctx) -> list[Output]:
    reach = broadcasts.count_recipients(
        ctx.s, actor_id=ctx.user.id, branch_id=_branch_id(ctx.data), audience=Audience(ctx.data["audience"])
    )
    if reach.recipients == 0:  # nobody to tell: choose another audience
        ctx.goto(FLOW, AUDIENCE)
        return [Message(ctx.t("error.no_recipients")), *ask_audience(ctx)]
    lines = [ctx.t("bcast.preview", audience=_audience_label(ctx), n=reach.recipients)]
    if reach.skipped:
        lines.append(ctx.t("bcast.skipped", n=reach.skipped))
    if ctx.data.get("masked"):
        lines.append(ctx.t("bcast.masked"))
    lines.append(ctx.t("bcast.quiet"))
    buttons = [
        [ctx.button("bcast.send", SEND), ctx.button("btn.cancel", verbs.CANCEL)],
        [ctx.button("btn.back", verbs.BACK)],
    ]
    return [Message("\n".join(lines)), Message(_as_sent(ctx), buttons=buttons)]


@router.button(SEND)
def send(ctx: Ctx) -> list[Output]:
    """Queue it (permission and audience checked again), then show the progress."""
    if not in_form(ctx, FLOW, CONFIRM):
        return stale(ctx)
    sent = broadcasts.create_broadcast(
        ctx.s,
        actor_id=ctx.user.id,
        branch_id=_branch_id(ctx.data),
        audience=Audience(ctx.data["audience"]),
        text=ctx.data["text"],
    )
    shown = _as_sent(ctx)  # the preview loses its buttons and stays in the chat as a record
    ctx.done()
    now = broadcasts.progress(ctx.s, actor_id=ctx.user.id, broadcast_id=sent.id)
    return [Edit(shown), Message(*progress_view(ctx, now))]


@router.button(REFRESH)
def refresh(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or len(ctx.ids) != 1:
        return refuse(ctx)
    now = broadcasts.progress(ctx.s, actor_id=ctx.user.id, broadcast_id=ctx.ids[0])
    return [Edit(*progress_view(ctx, now))]


def progress_view(ctx: Ctx, p: Progress) -> tuple[str, list[list[Button]]]:
    """The figures so far, with 刷新 until nothing is left to send."""
    counts = {"sent": p.sent, "pending": p.pending, "failed": p.failed, "unreachable": p.unreachable}
    at = ctx.now().strftime("%H:%M:%S")  # an edit must change the text, or Telegram refuses it
    text = ctx.t("bcast.progress", id=p.broadcast_id, recipients=p.recipients, at=at, **counts)
    text += "\n" + ctx.t("bcast.finished" if p.finished else "bcast.running")
    buttons = [] if p.finished else [[ctx.button("bcast.refresh", REFRESH, p.broadcast_id)]]
    return text, buttons
