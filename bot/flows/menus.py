"""The persistent main menu: big buttons, so nobody has to type a command."""

from bot.flows.context import Ctx
from models import MemberStatus


def main_keyboard(ctx: Ctx) -> list[list[str]]:
    rows = [[ctx.t("menu.post"), ctx.t("menu.mine")]]
    if ctx.actor.member_status in (MemberStatus.approved, MemberStatus.paused):
        rows.append([ctx.t("menu.wall"), ctx.t("menu.tasks")])
    if ctx.actor.staff_branches or ctx.actor.is_admin:
        rows.append([ctx.t("menu.queue"), ctx.t("menu.members")])
    rows.append([ctx.t("menu.help")])
    return rows
