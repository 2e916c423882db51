"""Branches, grids, and appointing staff and admins."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Branch, Grid, Staff, User
from services.actors import load_actor
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from services.outbox import STAFF_CACHE

_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")


@dataclass(frozen=True)
class BranchRow:
    id: int
    code: str
    name: str
    grids: list[str]
    staff: int


def add_branch(s: Session, *, code: str, name: str, grids: list[str]) -> Branch:
    """Create a branch with its grids (an operator task, from the CLI)."""
    code = code.strip().upper()
    if not _CODE.match(code):
        raise InvalidInput("invalid.branch_code")
    if s.scalar(select(Branch.id).where(Branch.code == code)):
        raise Conflict("error.branch_exists", code=code)
    branch = Branch(code=code, name=name.strip() or code)
    s.add(branch)
    s.flush()
    s.add_all(Grid(branch_id=branch.id, name=g.strip()) for g in grids if g.strip())
    s.flush()
    return branch


def list_branches(s: Session) -> list[BranchRow]:
    """Every branch with its grids and number of staff."""
    branches = (s.scalars(select(Branch).order_by(Branch.code))).all()
    grids = (s.execute(select(Grid.branch_id, Grid.name).order_by(Grid.id))).all()
    staff = dict((s.execute(select(Staff.branch_id, func.count()).group_by(Staff.branch_id))).all())
    return [
        BranchRow(b.id, b.code, b.name, [g for bid, g in grids if bid == b.id], staff.get(b.id, 0))
        for b in branches
    ]


def branch_by_code(s: Session, code: str) -> Branch:
    """Find a branch by its code, or raise NotFound."""
    branch = s.scalar(select(Branch).where(Branch.code == code.strip().upper()))
    if branch is None:
        raise NotFound("error.no_branch", code=code)
    return branch


def set_auto_dispatch(s: Session, *, code: str, on: bool) -> Branch:
    """Turn automatic dispatch (自动派单) on or off for a branch."""
    branch = branch_by_code(s, code)
    branch.auto_dispatch = on
    s.flush()
    return branch


def set_notice_chat(s: Session, *, code: str, chat_id: int | None) -> Branch:
    """Set (or clear) the channel or group a branch's public notices (/publish) go to."""
    branch = branch_by_code(s, code)
    branch.notice_chat_id = chat_id
    s.flush()
    return branch


def grids_of(s: Session, branch_id: int) -> list[Grid]:
    """The grids of one branch, in the order they were added."""
    return list((s.scalars(select(Grid).where(Grid.branch_id == branch_id).order_by(Grid.id))).all())


def _user_by_telegram(s: Session, telegram_id: int) -> User:
    user = s.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        user = User(telegram_id=telegram_id)
        s.add(user)
        s.flush()
    return user


def add_admin(s: Session, *, telegram_id: int) -> User:
    """Make a user an admin. Only the operator (CLI or configuration) does this."""
    user = _user_by_telegram(s, telegram_id)
    user.is_admin = True
    s.flush()
    return user


def add_staff(
    s: Session, *, telegram_id: int, branch_code: str, actor_id: int | None = None
) -> User:
    """Appoint staff of a branch. `actor_id` None is the operator on the CLI; else an admin."""
    if actor_id is not None and not (load_actor(s, actor_id)).is_admin:
        raise NotAllowed("error.admin_only")
    branch = branch_by_code(s, branch_code)
    user = _user_by_telegram(s, telegram_id)
    exists = s.scalar(select(Staff.id).where(Staff.user_id == user.id, Staff.branch_id == branch.id))
    if not exists:
        s.add(Staff(user_id=user.id, branch_id=branch.id))
        s.flush()
        s.info.pop(STAFF_CACHE, None)
    return user
