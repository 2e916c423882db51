"""Every flow module's router, merged into one, and the engine built on it."""

from bot.flows import common, forms, resident_register, wish_form
from bot.flows.context import Deps
from bot.flows.engine import Engine
from bot.flows.router import Router

ROUTER = Router()
for module in (common, forms, resident_register, wish_form):
    ROUTER.include(module.router)


def build_engine(deps: Deps) -> Engine:
    return Engine(deps, ROUTER, fallback=common.fallback)
