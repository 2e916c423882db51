"""Read-only checks that a button still fits a wish before a form starts.

A form (办结, 无法完成, 撤销, 没有办好) asks several questions before it calls a
use case; these checks refuse a stale or foreign press at once instead of after
the last answer. The use case still checks everything again when it runs.
"""

from sqlalchemy.orm import Session

from models import Wish
from models.enums import WishStatus as S
from services.errors import NotAllowed
from services.lifecycle import require_status
from services.wishes import get_wish

ACTIVE_TASK = (S.assigned, S.in_progress)
CANCELLABLE = (S.submitted, S.accepted, S.offered, S.posted)


def own_task(
    s: Session, *, actor_id: int, wish_id: int, statuses: tuple[S, ...] = ACTIVE_TASK
) -> Wish:
    """The wish, if the actor is its assigned member and it is in one of `statuses`."""
    wish = get_wish(s, wish_id)
    if wish.assigned_member_id != actor_id:
        raise NotAllowed()
    require_status(wish, *statuses)
    return wish


def own_wish(s: Session, *, actor_id: int, wish_id: int, statuses: tuple[S, ...]) -> Wish:
    """The wish, if the actor posted it and it is in one of `statuses`."""
    wish = get_wish(s, wish_id)
    if wish.resident_id != actor_id:
        raise NotAllowed()
    require_status(wish, *statuses)
    return wish
