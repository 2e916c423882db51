"""Which step of which form a user is on, stored in the database."""

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models import ConversationState
from models.types import utcnow


def save_state(
    s: Session,
    *,
    telegram_id: int,
    flow: str,
    step: str,
    data: dict,
    current: ConversationState | None,
) -> ConversationState:
    """Start or advance a form; the data is replaced whole.

    `current` is the user's state as loaded with the update (services.arrival), None if
    they are in no form.
    """
    if current is None:
        current = ConversationState(telegram_id=telegram_id, flow=flow, step=step, data=dict(data))
        s.add(current)
    else:
        current.flow, current.step, current.data, current.updated_at = flow, step, dict(data), utcnow()
    s.flush()
    return current


def clear_state(s: Session, telegram_id: int) -> None:
    s.execute(delete(ConversationState).where(ConversationState.telegram_id == telegram_id))
