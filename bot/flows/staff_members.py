"""Member registrations (在职党员报到审核) and member search: /members [NAME or PHONE]."""

from bot.flows import verbs
from bot.flows.context import Ctx
from bot.flows.io import Edit, Message, Output
from bot.flows.router import Router
from bot.flows.staff_common import branch_row, not_staff, pick_branch, refuse, scope
from models import MemberStatus, User
from services import people, queries
from services.branches import BranchRow
from services.privacy import mask_phone

router = Router()
CHOOSE = "mb"
FOUND = (MemberStatus.approved, MemberStatus.paused)


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
    return [Message("\n".join(lines))]


@router.button(verbs.APPROVE, verbs.DENY)
async def decide(ctx: Ctx) -> list[Output]:
    if not_staff(ctx) or not ctx.ids:
        return refuse(ctx)
    approve = ctx.callback.verb == verbs.APPROVE
    await people.decide_member(ctx.s, actor_id=ctx.user.id, member_user_id=ctx.ids[0], approve=approve)
    member = await ctx.s.get(User, ctx.ids[0])
    key = "members.approved" if approve else "members.denied"
    return [Edit(ctx.t(key, name=member.name or member.display_name))]
