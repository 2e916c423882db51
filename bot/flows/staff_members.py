"""Member registrations (在职党员报到审核), member search (/members [NAME or PHONE]), and
suspending (暂停资格, with a reason) or reinstating (恢复资格) a member from the search results."""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, invalid, question
from bot.flows.io import Edit, Kind, Message, Output
from bot.flows.member_common import settle
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.staff_common import branch_row, not_staff, pick_branch, refuse, scope
from models import MemberStatus
from services import people
from services.branches import BranchRow
from services.errors import InvalidInput
from services.membership import SUSPENDABLE
from services.queries import MemberRow
from services.reads.member_views import find_members, member_for_staff, pending_registrations
from services.validation import clean_text

router = Router()
CHOOSE, SUSPEND, REINSTATE = verbs.MEMBERS_BRANCH, verbs.SUSPEND, verbs.REINSTATE
SUSPEND_FLOW = "suspend"
STEPS[SUSPEND_FLOW] = ["reason"]


def skills_of(ctx: Ctx, codes: list[str]) -> str:
    skills = ctx.deps.catalogue.skills
    return ctx.t("list.sep").join(skills[c].get(ctx.lang) if c in skills else c for c in codes)


@router.command("members")
@router.menu_item("menu.members")
def members(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    branch, text, ask = pick_branch(ctx, CHOOSE)
    if text:
        return search(ctx, [branch] if branch else scope(ctx), text)
    return ask if branch is None else pending(ctx, branch)


@router.button(CHOOSE)
def chose_branch(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    branch = branch_row(ctx, ctx.ids[0])
    return refuse(ctx) if branch is None else pending(ctx, branch)


def pending(ctx: Ctx, branch: BranchRow) -> list[Output]:
    """Each waiting registration as its own message with 通过 / 驳回."""
    rows = pending_registrations(ctx.s, actor_id=ctx.user.id, branch_id=branch.id)
    if not rows:
        return [Message(ctx.t("members.empty", branch=branch.name))]
    out: list[Output] = [Message(ctx.t("members.header", branch=branch.name, n=len(rows)))]
    for m in rows:
        text = ctx.t(
            "members.card",
            name=m.name,
            phone=m.phone,
            unit=m.work_unit,
            skills=skills_of(ctx, m.skills),
        )
        buttons = [
            [
                ctx.button("members.approve", verbs.APPROVE, m.user_id),
                ctx.button("members.deny", verbs.DENY, m.user_id),
            ]
        ]
        out.append(Message(text, buttons=buttons, notify=False))
    return out


def search(ctx: Ctx, branches: list[BranchRow], text: str) -> list[Output]:
    """Approved and paused members whose name or phone contains the text."""
    found = find_members(ctx.s, actor_id=ctx.user.id, branch_ids=[b.id for b in branches], text=text)
    if not found:
        return [Message(ctx.t("members.none", text=text))]
    lines = [ctx.t("members.found_header", n=len(found))]
    lines += [
        ctx.t(
            "members.row",
            name=m.name,
            phone=m.phone,
            unit=m.work_unit,
            skills=skills_of(ctx, m.skills),
            status=ctx.t(f"members.status.{m.status}"),
        )
        for m in found
    ]
    return [Message("\n".join(lines), buttons=[[_status_button(ctx, m)] for m in found])]


def _status_button(ctx: Ctx, m: MemberRow):
    if m.status == MemberStatus.suspended:
        return ctx.button("members.btn.reinstate", REINSTATE, m.user_id, name=m.name)
    return ctx.button("members.btn.suspend", SUSPEND, m.user_id, name=m.name)


@router.button(verbs.APPROVE, verbs.DENY)
def decide(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    approve = ctx.callback.verb == verbs.APPROVE
    people.decide_member(ctx.s, actor_id=ctx.user.id, member_user_id=ctx.ids[0], approve=approve)
    member = member_for_staff(ctx.s, actor_id=ctx.user.id, member_user_id=ctx.ids[0])
    key = "members.approved" if approve else "members.denied"
    return [Edit(ctx.t(key, name=member.name))]


@router.button(SUSPEND)
def ask_suspend(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    member = member_for_staff(ctx.s, actor_id=ctx.user.id, member_user_id=ctx.ids[0])
    if member.status not in SUSPENDABLE:
        return refuse(ctx, "error.cannot_suspend")
    ctx.goto(SUSPEND_FLOW, "reason", {"member_id": member.user_id, "name": member.name})
    return ask_reason(ctx)


@router.ask(SUSPEND_FLOW, "reason")
def ask_reason(ctx: Ctx) -> list[Output]:
    return question(ctx, "members.ask_suspend_reason", back=False, name=ctx.data["name"])


@router.step(SUSPEND_FLOW, "reason")
def got_reason(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        reason = clean_text(ctx.input.text, field="suspend_reason", max_len=500)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *ask_reason(ctx)]
    d = ctx.data

    def call():
        member = d["member_id"]
        return people.suspend_member(ctx.s, actor_id=ctx.user.id, member_user_id=member, reason=reason)

    revoked, refused = settle(ctx, call)
    if refused:
        return refused
    done = ctx.t("members.suspended", name=d["name"], n=revoked.wishes)
    return [Message(done, keyboard=main_keyboard(ctx))]


@router.button(REINSTATE)
def reinstate(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    member = member_for_staff(ctx.s, actor_id=ctx.user.id, member_user_id=ctx.ids[0])
    people.reinstate_member(ctx.s, actor_id=ctx.user.id, member_user_id=member.user_id)
    return [Message(ctx.t("members.reinstated", name=member.name))]
