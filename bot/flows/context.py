"""What a flow step gets: the session, the user, their roles, the input and helpers."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.flows.callbacks import Callback, CallbackCodec
from bot.flows.io import Button, Input
from bot.i18n import t
from models import ConversationState, User
from services import conversations
from services.actors import Actor
from services.catalogue import Catalogue
from services.db import Database
from services.retention import DEFAULT_RETENTION, RetentionPolicy
from services.sweeps.policy import DEFAULT_POLICY, SweepPolicy
from services.wishes import Limits


class FormExpired(Exception):
    """A step needs an answer its saved form lacks: an old button, or a form from an older bot."""


class Answers(dict):
    """A form's answers so far; reading one that was never saved means the form has expired.

    Only this counts as expiry: a KeyError from anywhere else is a bug, and the engine says so.
    """

    def __missing__(self, key):
        raise FormExpired(key)


@dataclass(frozen=True)
class Deps:
    """Everything flows need from outside, wired once by the bootstrap."""

    db: Database
    catalogue: Catalogue
    limits: Limits
    tz: ZoneInfo
    codec: CallbackCodec
    sweeps: SweepPolicy = DEFAULT_POLICY  # the scheduler's thresholds, which also define "overdue"
    retention: RetentionPolicy = DEFAULT_RETENTION  # what /privacy says of how long things are kept


@dataclass
class Ctx:
    s: Session
    deps: Deps
    user: User
    actor: Actor
    input: Input
    state: ConversationState | None
    callback: Callback | None = None

    @property
    def ids(self) -> tuple[int, ...]:
        """The ids carried by the pressed button."""
        return self.callback.ids if self.callback else ()

    @property
    def lang(self) -> str:
        return self.user.language

    def t(self, key: str, /, **params) -> str:
        return t(self.lang, key, **params)

    def button(self, key: str, verb: str, *ids: int, **params) -> Button:
        return Button(self.t(key, **params), self.deps.codec.encode(verb, *ids))

    def raw_button(self, label: str, verb: str, *ids: int) -> Button:
        return Button(label, self.deps.codec.encode(verb, *ids))

    @property
    def data(self) -> Answers:
        """The answers given so far in the current form."""
        return Answers(self.state.data if self.state else {})

    def goto(self, flow: str, step: str, data: dict | None = None) -> None:
        """Move the user to a form step, keeping (or replacing) the answers."""
        self.state = conversations.save_state(
            self.s,
            telegram_id=self.user.telegram_id,
            flow=flow,
            step=step,
            data=self.data if data is None else data,
            current=self.state,
        )

    def done(self) -> None:
        """Leave the current form."""
        if self.state is not None:  # loaded with the update and kept current: no row, no DELETE
            conversations.clear_state(self.s, self.user.telegram_id)
            self.state = None

    def now(self) -> datetime:
        return datetime.now(self.deps.tz)

    def today(self) -> date:
        return self.now().date()

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.deps.tz).strftime("%Y-%m-%d %H:%M")
