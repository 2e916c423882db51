"""Handler registries; each flow module fills one, the engine merges them."""

from collections.abc import Callable

from bot.flows.context import Ctx
from bot.flows.io import Output

Handler = Callable[[Ctx], list[Output]]


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Handler] = {}
        self.buttons: dict[str, Handler] = {}
        self.steps: dict[tuple[str, str], Handler] = {}
        self.menu: dict[str, Handler] = {}  # message key of a main-menu label
        self.asks: dict[tuple[str, str], Handler] = {}  # the question of each form step

    def command(self, *names: str):
        def register(fn: Handler) -> Handler:
            for name in names:
                self.commands[name] = fn
            return fn

        return register

    def button(self, *verbs: str):
        def register(fn: Handler) -> Handler:
            for verb in verbs:
                self.buttons[verb] = fn
            return fn

        return register

    def step(self, flow: str, *steps: str):
        def register(fn: Handler) -> Handler:
            for step in steps:
                self.steps[(flow, step)] = fn
            return fn

        return register

    def ask(self, flow: str, step: str):
        def register(fn: Handler) -> Handler:
            self.asks[(flow, step)] = fn
            return fn

        return register

    def menu_item(self, key: str):
        def register(fn: Handler) -> Handler:
            self.menu[key] = fn
            return fn

        return register

    def include(self, other: "Router") -> None:
        for mine, theirs in (
            (self.commands, other.commands),
            (self.buttons, other.buttons),
            (self.steps, other.steps),
            (self.menu, other.menu),
            (self.asks, other.asks),
        ):
            clash = mine.keys() & theirs.keys()
            if clash:
                raise ValueError(f"handlers registered twice: {clash}")
            mine.update(theirs)
