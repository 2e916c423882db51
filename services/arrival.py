"""Who sent an update: their user row, roles and open form, loaded together."""

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models import ConversationState, User
from services.actors import ROLE_COLUMNS, Actor, actor_of, with_profiles
from services.people import add_user, refresh_contact

_STATE = ConversationState.__table__
# One statement for what every update needs first: each statement costs far more in the
# database layer than SQLite takes to run it. One row per branch the user is staff of.
_ARRIVAL = (
    select(User, ConversationState, *ROLE_COLUMNS)
    .select_from(with_profiles(User.__table__).outerjoin(_STATE, _STATE.c.telegram_id == User.telegram_id))
    .where(User.telegram_id == bindparam("telegram_id"))
)


@dataclass
class Arrival:
    user: User
    actor: Actor
    state: ConversationState | None


def arrive(
    s: Session, *, telegram_id: int, display_name: str = "", language: str | None = None
) -> Arrival:
    """The sender of an update, created on first contact, with their roles and form state."""
    rows = (s.execute(_ARRIVAL, {"telegram_id": telegram_id})).all()
    if not rows:
        user = add_user(s, telegram_id=telegram_id, display_name=display_name, language=language)
        return Arrival(user, Actor(user.id, False, frozenset(), None, None), None)
    user, state = rows[0][0], rows[0][1]
    refresh_contact(user, display_name)
    return Arrival(user, actor_of(rows), state)
