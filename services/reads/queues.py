"""A wish as a staff queue shows it: a short card with the resident masked."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from models import Grid, User, Wish
from services.actors import require_staff
from services.privacy import mask_name, shown_text
from services.wishes import get_wish_and_actor


@dataclass(frozen=True)
class QueueCard:
    wish: Wish
    resident: str  # masked (张*) even for staff, as every list shows names
    grid: str  # "" when the wish has none
    text: str | None  # scrubbed for an admin who is not staff of the branch


def queue_card(s: Session, *, actor_id: int, wish_id: int) -> QueueCard:
    """A wish's queue card for staff of its branch or an admin; NotAllowed for anyone else."""
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_staff(actor, wish.branch_id)
    resident = s.get(User, wish.resident_id)
    grid = s.get(Grid, wish.grid_id) if wish.grid_id else None
    return QueueCard(
        wish=wish,
        resident=mask_name(resident.name or resident.display_name),
        grid=grid.name if grid else "",
        text=shown_text(actor, wish, wish.text),
    )
