"""Staff look up one wish, by id or number, or search their branches' wishes."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Wish
from models.enums import WishStatus as S
from services import queries
from services.actors import load_actor, require_staff
from services.errors import NotAllowed
from services.privacy import shown_text
from services.wishes import get_wish_and_actor


def staff_wish(s: Session, *, actor_id: int, wish_id: int) -> Wish:
    """A wish for staff of its branch or an admin to view or act on; NotAllowed for anyone else."""
    wish, actor = get_wish_and_actor(s, wish_id, actor_id)
    require_staff(actor, wish.branch_id)
    return wish


def staff_wish_by_number(s: Session, *, actor_id: int, number: str) -> Wish:
    """A wish by its number (A-0042) for staff of its branch or an admin; NotAllowed for anyone else."""
    wish = queries.find_by_number(s, actor_id=actor_id, number=number)
    require_staff(load_actor(s, actor_id), wish.branch_id)
    return wish


@dataclass(frozen=True)
class FoundWish:
    id: int
    number: str
    status: S
    category: str
    text: str  # as the actor may see it: scrubbed for an admin who is not staff of its branch


def find_wishes(s: Session, *, actor_id: int, text: str, limit: int = queries.PAGE) -> list[FoundWish]:
    """The newest wishes of the actor's branches (every branch for an admin) whose number or text
    contains `text`; NotAllowed for anyone who is neither staff nor admin."""
    actor = load_actor(s, actor_id)
    if not (actor.staff_branches or actor.is_admin):
        raise NotAllowed("error.staff_only")
    pattern = f"%{text.strip()}%"
    query = select(Wish).where(Wish.number.ilike(pattern) | Wish.text.ilike(pattern))
    if not actor.is_admin:
        query = query.where(Wish.branch_id.in_(actor.staff_branches))
    found = s.scalars(query.order_by(Wish.id.desc()).limit(limit)).all()
    return [
        FoundWish(w.id, w.number, S(w.status), w.category, shown_text(actor, w, w.text) or "") for w in found
    ]
