"""What follows when Telegram says a person blocked the bot (403)."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Outbox, OutboxStatus, User, Wish
from services.outbox import BLOCKED, Note, queue, staff_of


async def mark_unreachable(s: AsyncSession, *, outbox_id: int, user_id: int, wish_id: int | None) -> None:
    """Fail the row, remember the block, and tell the branch staff when a wish depends on this person."""
    await s.execute(
        update(Outbox).where(Outbox.id == outbox_id).values(status=OutboxStatus.failed, last_error=BLOCKED)
    )
    await s.execute(update(User).where(User.id == user_id).values(unreachable=True))
    wish = await s.get(Wish, wish_id) if wish_id else None
    staff = await staff_of(s, wish.branch_id) if wish is not None else []
    if wish is not None and user_id not in staff:  # the resident, or a member offered or assigned it
        role = "resident" if user_id == wish.resident_id else "member"
        params = {"number": wish.number, "role": role}
        await queue(s, [Note(uid, "staff.unreachable", params, wish.id) for uid in staff])
