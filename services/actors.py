"""Who is acting, and what they may do, loaded fresh inside each transaction."""

from dataclasses import dataclass

from sqlalchemy import FromClause, Join, bindparam, select
from sqlalchemy.orm import Session

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


# Built on the tables, not the ORM entities: a Core statement skips the ORM's execution and
# loading steps, and this one runs at the start of nearly every use case.
_USER, _STAFF, _MEMBER = User.__table__, Staff.__table__, MemberProfile.__table__
ROLE_COLUMNS = (
    _USER.c.id.label("actor_id"),
    _USER.c.is_admin,
    _STAFF.c.branch_id,
    _MEMBER.c.branch_id,
    _MEMBER.c.status,
)


def with_profiles(left: FromClause) -> Join:
    """`left`, which holds the users table, with their staff and member profiles joined on."""
    return left.outerjoin(_STAFF, _STAFF.c.user_id == _USER.c.id).outerjoin(
        _MEMBER, _MEMBER.c.user_id == _USER.c.id
    )


def with_roles(left: FromClause, user_id) -> Join:
    """`left` with the roles of the user `user_id` joined on, to select ROLE_COLUMNS from.

    It gives one row per branch the user is staff of, so that one statement can load the
    actor together with what they act on.
    """
    return with_profiles(left.outerjoin(_USER, _USER.c.id == user_id))


def actor_of(rows) -> Actor:
    """The actor from rows that end in ROLE_COLUMNS."""
    if not rows or rows[0][-5] is None:
        raise NotFound("error.unknown_user")
    user_id, is_admin, _, member_branch, status = rows[0][-5:]
    staff = frozenset(row[-3] for row in rows if row[-3] is not None)
    return Actor(user_id, is_admin, staff, member_branch, MemberStatus(status) if status else None)


_ROLES = select(*ROLE_COLUMNS).select_from(with_profiles(_USER)).where(_USER.c.id == bindparam("user_id"))


def load_actor(s: Session, user_id: int) -> Actor:
    """Load the acting user's roles in one query."""
    return actor_of((s.execute(_ROLES, {"user_id": user_id})).all())


# Why someone may not take or do a branch's work now, by their member status in that branch.
NOT_SERVING = {
    MemberStatus.pending: "error.member_pending",
    MemberStatus.paused: "error.member_paused",
    MemberStatus.suspended: "error.member_suspended",
}


def require_member(actor: Actor, branch_id: int) -> None:
    """Refuse unless the actor is an approved member of that branch now, whatever they were before."""
    if actor.is_member_of(branch_id):
        return
    key = NOT_SERVING.get(actor.member_status) if actor.member_branch == branch_id else None
    raise NotAllowed(key or "error.not_branch_member")


def require_staff(actor: Actor, branch_id: int) -> None:
    """Refuse unless the actor is staff of that branch or an admin."""
    if not actor.is_staff_of(branch_id):
        raise NotAllowed("error.staff_only")
