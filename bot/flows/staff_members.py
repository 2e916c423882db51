"""Member registrations (在职党员报到审核), member search (/members [NAME or PHONE]), and
suspending (暂停资格, with a reason) or reinstating (恢复资格) a member from the search results."""

from sqlalchemy import select

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.engine import Unexpected
from bot.flows.forms import STEPS, invalid, question
from bot.flows.io import Edit, Kind, Message, Output
from bot.flows.member_common import settle
from bot.flows.menus import main_keyboard
from bot.flows.router import Router
from bot.flows.staff_common import branch_row, not_staff, pick_branch, refuse, scope
from models import MemberProfile, MemberStatus, User
from services import people, queries
from services.branches import BranchRow
from services.errors import InvalidInput
from services.membership import SUSPENDABLE
from services.privacy import mask_phone
from services.validation import clean_text

router = Router()
CHOOSE, SUSPEND, REINSTATE = verbs.MEMBERS_BRANCH, verbs.SUSPEND, verbs.REINSTATE
FOUND = (MemberStatus.approved, MemberStatus.paused, MemberStatus.suspended)
SUSPEND_FLOW = "suspend"
STEPS[SUSPEND_FLOW] = ["reason"]


def skills_of(ctx: Ctx, codes: list[str]) -> str:
    skills = ctx.deps.catalogue.skills
    return ctx.t("list.sep").join(skills[c].get(ctx.lang) if c in skills else c for c in codes)


@router.command("members")
@router.menu_item("menu.members")
async def members(ctx: Ctx) -> list[Output]:
    if not_staff(ctx):
        return refuse(ctx)
    branch, text, ask = await pick_branch(ctx, CHOOSE)
    if text:
        return await search(ctx, [branch] if branch else await scope(ctx), text)
    return ask if branch is None else await pending(ctx, branch)


@router.button(CHOOSE)
async def chose_branch(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    branch = await branch_row(ctx, ctx.ids[0])
    return refuse(ctx) if branch is None else await pending(ctx, branch)


async def pending(ctx: Ctx, branch: BranchRow) -> list[Output]:
    """Each waiting registration as its own message with 通过 / 驳回."""
    rows = await queries.members_of_branch(
        ctx.s, actor_id=ctx.user.id, branch_id=branch.id, statuses=(MemberStatus.pending,)
    )
    if not rows:
        return [Message(ctx.t("members.empty", branch=branch.name))]
    out: list[Output] = [Message(ctx.t("members.header", branch=branch.name, n=len(rows)))]
    for m in rows:
        text = ctx.t(
            "members.card",
            name=m.name,
            phone=mask_phone(m.phone),
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


async def search(ctx: Ctx, branches: list[BranchRow], text: str) -> list[Output]:
    """Approved and paused members whose name or phone contains the text."""
    found = []
    for branch in branches:
        found += await queries.members_of_branch(
            ctx.s, actor_id=ctx.user.id, branch_id=branch.id, statuses=FOUND, text=text
        )
    if not found:
        return [Message(ctx.t("members.none", text=text))]
    lines = [ctx.t("members.found_header", n=len(found))]
    lines += [
        ctx.t(
            "members.row",
            name=m.name,
            phone=mask_phone(m.phone),
            unit=m.work_unit,
            skills=skills_of(ctx, m.skills),
            status=ctx.t(f"members.status.{m.status}"),
        )
        for m in found
    ]
    return [Message("\n".join(lines), buttons=[[_status_button(ctx, m)] for m in found])]


def _status_button(ctx: Ctx, m: queries.MemberRow):
    if m.status == MemberStatus.suspended:
        return ctx.button("members.btn.reinstate", REINSTATE, m.user_id, name=m.name)
    return ctx.button("members.btn.suspend", SUSPEND, m.user_id, name=m.name)


@router.button(verbs.APPROVE, verbs.DENY)
async def decide(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    approve = ctx.callback.verb == verbs.APPROVE
    await people.decide_member(ctx.s, actor_id=ctx.user.id, member_user_id=ctx.ids[0], approve=approve)
    member = await ctx.s.get(User, ctx.ids[0])
    key = "members.approved" if approve else "members.denied"
    return [Edit(ctx.t(key, name=member.name or member.display_name))]


async def _member(ctx: Ctx, user_id: int) -> tuple[MemberProfile | None, str]:
    """The member's profile and name, if the actor may act on them."""
    row = (
        await ctx.s.execute(
            select(MemberProfile, User.name, User.display_name)
            .join(User, User.id == MemberProfile.user_id)
            .where(MemberProfile.user_id == user_id)
        )
    ).one_or_none()
    if row is None or not ctx.actor.is_staff_of(row[0].branch_id):
        return None, ""
    return row[0], row[1] or row[2]


@router.button(SUSPEND)
async def ask_suspend(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    profile, name = await _member(ctx, ctx.ids[0])
    if profile is None:
        return refuse(ctx)
    if profile.status not in SUSPENDABLE:
        return refuse(ctx, "error.cannot_suspend")
    await ctx.goto(SUSPEND_FLOW, "reason", {"member_id": profile.user_id, "name": name})
    return await ask_reason(ctx)


@router.ask(SUSPEND_FLOW, "reason")
async def ask_reason(ctx: Ctx) -> list[Output]:
    return question(ctx, "members.ask_suspend_reason", back=False, name=ctx.data["name"])


@router.step(SUSPEND_FLOW, "reason")
async def got_reason(ctx: Ctx) -> list[Output]:
    if ctx.input.kind != Kind.text:
        raise Unexpected
    try:
        reason = clean_text(ctx.input.text, field="suspend_reason", max_len=500)
    except InvalidInput as exc:
        return [invalid(ctx, exc), *await ask_reason(ctx)]
    d = ctx.data

    def call():
        member = d["member_id"]
        return people.suspend_member(ctx.s, actor_id=ctx.user.id, member_user_id=member, reason=reason)

    revoked, refused = await settle(ctx, call)
    if refused:
        return refused
    done = ctx.t("members.suspended", name=d["name"], n=revoked.wishes)
    return [Message(done, keyboard=main_keyboard(ctx))]


@router.button(REINSTATE)
async def reinstate(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    profile, name = await _member(ctx, ctx.ids[0])
    if profile is None:
        return refuse(ctx)
    await people.reinstate_member(ctx.s, actor_id=ctx.user.id, member_user_id=profile.user_id)
    return [Message(ctx.t("members.reinstated", name=name))]
