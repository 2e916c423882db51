"""Runs one input through the flows inside one transaction."""

import logging
from dataclasses import replace

from sqlalchemy.orm import Session

from bot.flows.callbacks import BadCallback
from bot.flows.context import Ctx, Deps, FormExpired
from bot.flows.io import Answer, Input, Kind, Later, Message, Output
from bot.flows.router import Handler, Router
from bot.i18n import LANGUAGES, pick_language, t
from bot.texts import render_error
from services.arrival import arrive
from services.errors import DomainError
from services.updates import first_time

log = logging.getLogger(__name__)


class Unexpected(Exception):
    """A form step got input it cannot use; the engine asks the question again."""


class Engine:
    def __init__(self, deps: Deps, router: Router, *, fallback: Handler) -> None:
        self.deps, self.router, self.fallback = deps, router, fallback
        self._menu = {t(lang, key): key for key in router.menu for lang in LANGUAGES}

    def handle(self, inp: Input) -> list[Output]:
        """Apply the input once and return what to show; a duplicate update returns nothing."""
        lang = pick_language(inp.who.language_code)  # until the user's own choice is loaded
        try:
            with self.deps.db.write() as s:
                if (ctx := self._arrive(s, inp)) is None:
                    return []
                lang = ctx.lang  # read now: the rollback below expires the user row
                outputs = self._route(ctx)
            if any(isinstance(o, Later) for o in outputs):
                outputs = self._later(ctx, outputs)
        except KeyError:
            # A bug: a missing saved answer raises FormExpired instead. The update's
            # transaction rolled back; say so in the log, with the traceback, and to the user.
            log.exception("update %s failed", inp.update_id)
            return [self._refusal(inp, t(lang, "error.generic"))]
        except (DomainError, BadCallback, FormExpired) as exc:
            # The refusal rolled back everything the update did, so record the update again,
            # with nothing but the refusal. Cheaper than a savepoint around every update.
            with self.deps.db.write() as s:
                if (ctx := self._arrive(s, inp)) is None:
                    return []
                outputs = [self._refused(ctx, exc)]
        if inp.kind == Kind.button and not any(isinstance(o, Answer) for o in outputs):
            outputs.append(Answer())
        return outputs

    def _later(self, ctx: Ctx, outputs: list[Output]) -> list[Output]:
        """Run the Later work, now that the update's transaction has committed, in one read."""

        def expand(c: Ctx, items: list[Output]) -> list[Output]:
            done: list[Output] = []
            for o in items:
                done += expand(c, o.work(c)) if isinstance(o, Later) else [o]
            return done

        try:
            with self.deps.db.read() as s:
                return expand(replace(ctx, s=s), outputs)
        except DomainError as exc:  # e.g. the branch was taken from the actor meanwhile
            return [self._refusal(ctx.input, render_error(ctx.lang, exc.key, exc.params))]

    def _arrive(self, s: Session, inp: Input) -> Ctx | None:
        """The context for a first delivery; None for a duplicate."""
        if inp.update_id is not None and not first_time(s, inp.update_id):
            return None
        who = arrive(
            s,
            telegram_id=inp.who.telegram_id,
            display_name=inp.who.display_name,
            language=inp.who.language_code,
        )
        return Ctx(s, self.deps, who.user, who.actor, inp, who.state)

    def _refused(self, ctx: Ctx, exc: Exception) -> Output:
        if isinstance(exc, DomainError):
            return self._refusal(ctx.input, render_error(ctx.lang, exc.key, exc.params))
        if isinstance(exc, BadCallback):
            return Answer(ctx.t("error.stale_button"), alert=True)
        # FormExpired: a form's saved answers lack what this step needs (an old button, or a
        # form saved by an older version of the bot). Close it rather than fail on every message.
        log.warning("closing a form whose answers lack %s", exc)
        ctx.done()
        return self._refusal(ctx.input, ctx.t("form.expired"))

    @staticmethod
    def _refusal(inp: Input, text: str) -> Output:
        return Answer(text, alert=True) if inp.kind == Kind.button else Message(text)

    def _route(self, ctx: Ctx) -> list[Output]:
        inp = ctx.input
        if inp.kind == Kind.command:
            handler = self.router.commands.get(inp.command or "")
            return (handler or self.fallback)(ctx)
        if inp.kind == Kind.button:
            ctx.callback = self.deps.codec.decode(inp.data)
            handler = self.router.buttons.get(ctx.callback.verb)
            if handler is None:
                raise BadCallback(inp.data)
            return handler(ctx)
        if inp.kind == Kind.text and inp.text.strip() in self._menu:
            key = self._menu[inp.text.strip()]
            if key != "btn.cancel":  # a menu press leaves any form; cancel must see it
                ctx.done()
            return self.router.menu[key](ctx)
        if ctx.state is not None:
            key = (ctx.state.flow, ctx.state.step)
            handler = self.router.steps.get(key)
            if key not in self.router.asks:  # a form from an older version of the bot
                ctx.done()
                return self.fallback(ctx)
            try:
                if handler is None:  # a step answered with buttons only
                    raise Unexpected
                return handler(ctx)
            except Unexpected:
                return [Message(ctx.t("form.hint")), *self.router.asks[key](ctx)]
        return self.fallback(ctx)
