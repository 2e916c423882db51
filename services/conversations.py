"""Which step of which form a user is on, stored in the database."""

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ConversationState
from models.types import utcnow

# Built once: every update loads the state, and a statement built per call costs more to
# build and look up in the cache than to run.
_STATE = select(ConversationState).where(ConversationState.telegram_id == bindparam("telegram_id"))


async def load_state(s: AsyncSession, telegram_id: int) -> ConversationState | None:
    return (await s.execute(_STATE, {"telegram_id": telegram_id})).scalar_one_or_none()


async def save_state(
    s: AsyncSession,
    *,
    telegram_id: int,
    flow: str,
    step: str,
    data: dict,
    current: ConversationState | None = None,
) -> ConversationState:
    """Start or advance a form; the data is replaced whole. `current` saves a lookup."""
    state = current or await load_state(s, telegram_id)
    if state is None:
        state = ConversationState(telegram_id=telegram_id, flow=flow, step=step, data=dict(data))
        s.add(state)
    else:
        state.flow, state.step, state.data, state.updated_at = flow, step, dict(data), utcnow()
    await s.flush()
    return state


async def clear_state(s: AsyncSession, telegram_id: int) -> None:
    await s.execute(delete(ConversationState).where(ConversationState.telegram_id == telegram_id))
