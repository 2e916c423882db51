"""Staff look at their branch's members: waiting registrations, a search, and one member to act on."""

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import MemberProfile, MemberStatus, User
from services import queries
from services.actors import load_actor
from services.errors import NotAllowed
from services.privacy import mask_phone
from services.queries import MemberRow

# The members a search finds: those who have been approved, whatever they are now.
FOUND = (MemberStatus.approved, MemberStatus.paused, MemberStatus.suspended)


def pending_registrations(s: Session, *, actor_id: int, branch_id: int) -> list[MemberRow]:
    """A branch's registrations waiting for a decision, phones masked, for its staff or an admin."""
    rows = queries.members_of_branch(
        s, actor_id=actor_id, branch_id=branch_id, statuses=(MemberStatus.pending,)
    )
    return [replace(m, phone=mask_phone(m.phone)) for m in rows]


def find_members(s: Session, *, actor_id: int, branch_ids: list[int], text: str) -> list[MemberRow]:
    """Members of those branches whose name or phone contains `text`, phones masked; NotAllowed
    unless the actor is staff of every one of them or an admin."""
    found: list[MemberRow] = []
    for branch_id in branch_ids:
        found += queries.members_of_branch(
            s, actor_id=actor_id, branch_id=branch_id, statuses=FOUND, text=text
        )
    return [replace(m, phone=mask_phone(m.phone)) for m in found]


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    name: str  # in full: staff of the member's branch see their members' names
    status: MemberStatus


def member_for_staff(s: Session, *, actor_id: int, member_user_id: int) -> StaffMember:
    """A member for staff of their branch or an admin to act on; NotAllowed("error.staff_only") for
    anyone else, and when there is no such member, so that a forged id tells nothing."""
    row = s.execute(
        select(MemberProfile.branch_id, MemberProfile.status, User.name, User.display_name)
        .join(User, User.id == MemberProfile.user_id)
        .where(MemberProfile.user_id == member_user_id)
    ).one_or_none()
    if row is None or not load_actor(s, actor_id).is_staff_of(row.branch_id):
        raise NotAllowed("error.staff_only")
    return StaffMember(member_user_id, row.name or row.display_name, MemberStatus(row.status))
