"""Who is acting, and what they may do, loaded fresh inside each transaction."""

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import MemberProfile, MemberStatus, Staff, User
from services.errors import NotAllowed, NotFound


@dataclass(frozen=True)
class Actor:
    user_id: int
    is_admin: bool
    staff_branches: frozenset[int]
    member_branch: int | None
    member_status: MemberStatus | None

    def is_staff_of(self, branch_id: int) -> bool:
        """Staff of that branch, or an admin, who acts across all branches."""
        return self.is_admin or branch_id in self.staff_branches

    def is_member_of(self, branch_id: int) -> bool:
        """An approved member of that branch, who may take its wishes."""
        return self.member_branch == branch_id and self.member_status == MemberStatus.approved

    @property
    def roles(self) -> frozenset[str]:
        roles = set()
        if self.is_admin:
            roles.add("admin")
        if self.staff_branches:
            roles.add("staff")
        if self.member_status is not None:
            roles.add("member")
        return frozenset(roles)


_ROLES = (  # built once: it runs at the start of nearly every use case
    select(User.is_admin, Staff.branch_id, MemberProfile.branch_id, MemberProfile.status)
    .outerjoin(Staff, Staff.user_id == User.id)
    .outerjoin(MemberProfile, MemberProfile.user_id == User.id)
    .where(User.id == bindparam("user_id"))
)


async def load_actor(s: AsyncSession, user_id: int) -> Actor:
    """Load the acting user's roles in one query."""
    rows = (await s.execute(_ROLES, {"user_id": user_id})).all()
    if not rows:
        raise NotFound("error.unknown_user")
    is_admin, _, member_branch, member_status = rows[0]
    staff = frozenset(row[1] for row in rows if row[1] is not None)
    return Actor(user_id, is_admin, staff, member_branch, member_status)


def require_staff(actor: Actor, branch_id: int) -> None:
    """Refuse unless the actor is staff of that branch or an admin."""
    if not actor.is_staff_of(branch_id):
        raise NotAllowed("error.staff_only")
