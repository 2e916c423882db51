"""Every flow module's router, merged into one, and the engine built on it."""

from bot.flows import (
    common,
    forms,
    member_complete,
    member_record,
    member_register,
    member_reports,
    member_tasks,
    my_wishes,
    privacy,
    rating,
    resident_register,
    staff_broadcast,
    staff_dispatch,
    staff_members,
    staff_notice,
    staff_queue,
    staff_reports,
    staff_visits,
    staff_wish,
    wish_form,
)
from bot.flows.context import Deps
from bot.flows.engine import Engine
from bot.flows.router import Router

ROUTER = Router()
for module in (
    common,
    forms,
    resident_register,
    wish_form,
    member_register,
    staff_queue,
    staff_dispatch,
    staff_wish,
    staff_members,
    staff_visits,
    member_tasks,
    member_complete,
    member_record,
    my_wishes,
    rating,
    staff_reports,
    member_reports,
    staff_notice,
    staff_broadcast,
    privacy,
):
    ROUTER.include(module.router)


def build_engine(deps: Deps) -> Engine:
    return Engine(deps, ROUTER, fallback=common.fallback)
