"""What every staff module shares: the staff-only guard and its refusal, the branches
one may act for and choosing one, the short card of a wish, and short status labels."""

from collections.abc import Callable

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.forms import grid_of
from bot.flows.io import Answer, Button, Kind, Message, Output
from bot.texts import category_label, time_label
from models import Wish
from services.branches import BranchRow, list_branches
from services.reads.queues import queue_card


def not_staff(ctx: Ctx) -> bool:
    return not (ctx.actor.staff_branches or ctx.actor.is_admin)


def refuse(ctx: Ctx, key: str = "error.staff_only", **params) -> list[Output]:
    """A polite refusal: an alert for a button press, a message otherwise."""
    text = ctx.t(key, **params)
    return [Answer(text, alert=True)] if ctx.input.kind == Kind.button else [Message(text)]


def args(ctx: Ctx) -> str:
    """What follows a command, e.g. `A 2025-03` after /stats."""
    return ctx.input.text.strip() if ctx.input.kind == Kind.command else ""


def in_scope(ctx: Ctx, rows: list[BranchRow]) -> list[BranchRow]:
    """Of `rows`, the branches the actor may act for: their own, or every one for an admin."""
    return rows if ctx.actor.is_admin else [b for b in rows if b.id in ctx.actor.staff_branches]


def scope(ctx: Ctx) -> list[BranchRow]:
    """The branches the actor may act for."""
    return in_scope(ctx, list_branches(ctx.s))


def own_or_choose(
    ctx: Ctx, rows: list[BranchRow], button: Callable[[BranchRow], Button], extra: list[Button] = ()
) -> tuple[BranchRow | None, list[Output]]:
    """The actor's one branch among `rows`, or a question with a `button` for each branch.

    Their own branches come first; an admin of none is offered all of `rows`. `extra` is
    a last row of buttons, such as one for every branch at once.
    """
    mine = [b for b in rows if b.id in ctx.actor.staff_branches] or rows
    if len(mine) == 1:
        return mine[0], []
    if not mine:
        return None, [Message(ctx.t("queue.no_branches"))]
    buttons = grid_of([button(b) for b in mine]) + ([list(extra)] if extra else [])
    return None, [Message(ctx.t("queue.choose_branch"), buttons=buttons)]


def pick_branch(
    ctx: Ctx, verb: str, extra: list[Button] = ()
) -> tuple[BranchRow | None, str, list[Output]]:
    """(branch, the rest of the arguments, outputs asking to choose when it is not clear).

    A first argument that is a branch code picks that branch; one branch of one's own is
    picked by itself; otherwise the staff choose with buttons that carry `verb`.
    """
    rows = scope(ctx)
    text = args(ctx)
    first, _, rest = text.partition(" ")
    chosen = next((b for b in rows if first and b.code == first.upper()), None)
    if chosen:
        return chosen, rest.strip(), []
    branch, ask = own_or_choose(ctx, rows, lambda b: ctx.raw_button(f"{b.code} {b.name}", verb, b.id), extra)
    return branch, text, ask


def branch_row(ctx: Ctx, branch_id: int) -> BranchRow | None:
    return next((b for b in scope(ctx) if b.id == branch_id), None)


def cat_label(ctx: Ctx, code: str) -> str:
    return category_label(ctx.lang, ctx.deps.catalogue, code)


def staff_status(ctx: Ctx, status: str) -> str:
    return ctx.t(f"staffwish.st.{status}")


def extras(ctx: Ctx, wish: Wish) -> str:
    """Photo and voice indications, each on its own line."""
    parts = [ctx.t("wish.with_photos", n=len(wish.photo_file_ids))] if wish.photo_file_ids else []
    if wish.voice_file_id:
        parts.append(ctx.t("wish.with_voice"))
    return "".join(f"\n📎 {p}" for p in parts)


def card(ctx: Ctx, wish: Wish) -> str:
    """A wish as a queue shows it: number, category, masked resident, time, text."""
    c = queue_card(ctx.s, actor_id=ctx.user.id, wish_id=wish.id)
    date = wish.preferred_date.isoformat() if wish.preferred_date else None
    return ctx.t(
        "queue.card",
        number=wish.number,
        category=cat_label(ctx, wish.category),
        resident=c.resident,
        grid=c.grid,
        at=ctx.local(wish.submitted_at),
        time=time_label(ctx.lang, wish.time_window, date),
        text=c.text,
        extras=extras(ctx, wish),
    )


def triage_buttons(ctx: Ctx, wish_id: int) -> list[list[Button]]:
    return [
        [
            ctx.button("triage.accept", verbs.ACCEPT, wish_id),
            ctx.button("triage.reject", verbs.REJECT, wish_id),
        ]
    ]
