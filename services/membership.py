"""Members (在职党员报到): registering, approval, pausing, suspension and reinstatement.

Every change that ends a member's right to serve (suspended, paused, moved to another branch)
revokes their offers and tasks in the same transaction (services.revocation).
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import Availability, Branch, Grid, MemberProfile, MemberStatus, User
from models.types import utcnow
from services.actors import load_actor, require_staff
from services.catalogue import Catalogue
from services.errors import InvalidInput, InvalidTransition, NotFound
from services.note_keys import NoteKey
from services.outbox import Note, queue
from services.registration_alerts import alert_registration
from services.revocation import MOVED, PAUSED, SUSPENDED, Revoked, revoke_member
from services.scrubbing import scrub_contacts
from services.validation import clean_text, normalise_phone

# Who may be suspended: those who serve or could serve again at once.
SUSPENDABLE = (MemberStatus.approved, MemberStatus.paused)


def branch_and_grid(s: Session, branch_id: int, grid_id: int | None) -> Branch:
    """The branch, checking that the grid (if any) belongs to it."""
    branch = s.get(Branch, branch_id)
    if branch is None:
        raise NotFound("error.no_branch", code=str(branch_id))
    if grid_id is not None:
        grid = s.get(Grid, grid_id)
        if grid is None or grid.branch_id != branch_id:
            raise InvalidInput("invalid.grid")
    return branch


def register_member(
    s: Session,
    *,
    actor_id: int,
    catalogue: Catalogue,
    name: str,
    phone: str,
    branch_id: int,
    grid_id: int | None,
    work_unit: str,
    skills: list[str],
    availability: list[str],
    now: datetime | None = None,
) -> MemberProfile:
    """Register the actor as a member; the branch staff are asked to approve, once per branch."""
    now = now or utcnow()
    user = s.get(User, actor_id)
    user.name = clean_text(name, field="name", max_len=50)
    user.phone = normalise_phone(phone)
    branch_and_grid(s, branch_id, grid_id)
    unit = clean_text(work_unit, field="work_unit", max_len=200)
    if not skills or set(skills) - catalogue.skills.keys():
        raise InvalidInput("invalid.skills")
    if not availability or set(availability) - {a.value for a in Availability}:
        raise InvalidInput("invalid.availability")
    profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == actor_id))
    if profile is None:
        profile = MemberProfile(user_id=actor_id, branch_id=branch_id, registered_at=now)
        s.add(profile)
    elif profile.status == MemberStatus.suspended:
        raise InvalidTransition("error.member_suspended")
    moved = profile.branch_id != branch_id
    profile.branch_id, profile.grid_id, profile.work_unit = branch_id, grid_id, unit
    profile.skills, profile.availability = sorted(set(skills)), sorted(set(availability))
    if profile.status != MemberStatus.pending and (moved or profile.status == MemberStatus.rejected):
        profile.status, profile.registered_at = MemberStatus.pending, now  # a new wait for approval
    s.flush()
    if moved:  # the old branch's work and its residents' contacts are no longer theirs
        revoke_member(s, member_id=actor_id, actor=load_actor(s, actor_id), note=MOVED, now=now)
    if profile.status == MemberStatus.pending:
        alert_registration(
            s, member_id=actor_id, name=user.name, branch_id=branch_id, since=profile.registered_at, now=now
        )
    return profile


def decide_member(
    s: Session, *, actor_id: int, member_user_id: int, approve: bool
) -> MemberProfile:
    """Staff approve or reject a pending registration; the member is told."""
    profile = _profile(s, member_user_id)
    require_staff(load_actor(s, actor_id), profile.branch_id)
    decided = MemberStatus.approved if approve else MemberStatus.rejected
    _change_status(
        s, profile, (MemberStatus.pending,), decided, "error.member_decided", decided_at=utcnow()
    )
    key = NoteKey.member_approved if approve else NoteKey.member_registration_rejected
    queue(s, [Note(member_user_id, key)], skip=actor_id)
    return profile


def suspend_member(
    s: Session, *, actor_id: int, member_user_id: int, reason: str, now: datetime | None = None
) -> Revoked:
    """Staff of the member's branch, or an admin, suspend a member with a reason; their work goes back."""
    now = now or utcnow()
    profile = _profile(s, member_user_id)
    actor = load_actor(s, actor_id)
    require_staff(actor, profile.branch_id)
    # The member reads the reason, and may not see residents' contacts.
    reason = scrub_contacts(clean_text(reason, field="suspend_reason", max_len=500))
    values = {"status_note": reason, "decided_at": now}
    _change_status(s, profile, SUSPENDABLE, MemberStatus.suspended, "error.cannot_suspend", **values)
    revoked = revoke_member(
        s, member_id=member_user_id, actor=actor, note=reason, why=SUSPENDED, now=now
    )
    queue(
        s, [Note(member_user_id, NoteKey.member_suspended, {"reason": reason})], skip=actor_id, now=now
    )
    return revoked


def reinstate_member(
    s: Session, *, actor_id: int, member_user_id: int, now: datetime | None = None
) -> MemberProfile:
    """Staff of the member's branch, or an admin, give a suspended member back the right to serve."""
    now = now or utcnow()
    profile = _profile(s, member_user_id)
    require_staff(load_actor(s, actor_id), profile.branch_id)
    values = {"status_note": None, "decided_at": now}
    _change_status(
        s, profile, (MemberStatus.suspended,), MemberStatus.approved, "error.cannot_reinstate", **values
    )
    queue(s, [Note(member_user_id, NoteKey.member_reinstated)], skip=actor_id, now=now)
    return profile


def set_paused(s: Session, *, actor_id: int, paused: bool) -> MemberProfile:
    """A member stops (or restarts) receiving offers; pausing hands back their offers and tasks."""
    profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == actor_id))
    frm, to = (
        (MemberStatus.approved, MemberStatus.paused)
        if paused
        else (MemberStatus.paused, MemberStatus.approved)
    )
    refusal = "error.cannot_pause" if paused else "error.cannot_resume"
    if profile is None:
        raise InvalidTransition(refusal)
    _change_status(s, profile, (frm,), to, refusal)
    if paused:
        revoke_member(s, member_id=actor_id, actor=load_actor(s, actor_id), note=PAUSED)
    return profile


def _profile(s: Session, user_id: int) -> MemberProfile:
    profile = s.scalar(select(MemberProfile).where(MemberProfile.user_id == user_id))
    if profile is None:
        raise NotFound("error.no_member")
    return profile


def _change_status(
    s: Session,
    profile: MemberProfile,
    frm: tuple[MemberStatus, ...],
    to: MemberStatus,
    refusal: str,
    **values,
) -> None:
    """Move a member's status only if it is still one of `frm`: two staff pressing at once get one result."""
    result = s.execute(
        update(MemberProfile)
        .where(MemberProfile.id == profile.id, MemberProfile.status.in_(frm))
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(refusal)
    for attr, value in {"status": to, **values}.items():
        set_committed_value(profile, attr, value)
