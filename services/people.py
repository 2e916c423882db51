"""Users, resident registration and member registration (在职党员报到)."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from models import Availability, Branch, Grid, MemberProfile, MemberStatus, ResidentProfile, User
from models.types import utcnow
from services.actors import load_actor, require_staff
from services.catalogue import Catalogue
from services.errors import InvalidInput, InvalidTransition, NotFound
from services.outbox import Note, queue, staff_of
from services.validation import clean_text, normalise_phone

LANGUAGES = ("zh", "en")


async def ensure_user(
    s: AsyncSession, *, telegram_id: int, display_name: str = "", language: str | None = None
) -> User:
    """Find the user for a Telegram account, creating them on first contact."""
    user = await s.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        return await add_user(s, telegram_id=telegram_id, display_name=display_name, language=language)
    refresh_contact(user, display_name)
    return user


async def add_user(s: AsyncSession, *, telegram_id: int, display_name: str, language: str | None) -> User:
    """A user for a Telegram account seen for the first time, in their Telegram language."""
    lang = "en" if (language or "").startswith("en") else "zh"
    user = User(telegram_id=telegram_id, display_name=display_name[:200], language=lang)
    s.add(user)
    await s.flush()
    return user


def refresh_contact(user: User, display_name: str) -> None:
    """Keep the Telegram name current; a user who writes to us has unblocked the bot."""
    if display_name and user.display_name != display_name[:200]:
        user.display_name = display_name[:200]
    if user.unreachable:
        user.unreachable = False


async def is_resident(s: AsyncSession, *, user_id: int) -> bool:
    """Whether the user has registered as a resident."""
    return await s.scalar(select(ResidentProfile.id).where(ResidentProfile.user_id == user_id)) is not None


async def set_language(s: AsyncSession, *, actor_id: int, language: str) -> None:
    """Remember the user's chosen language."""
    if language not in LANGUAGES:
        raise InvalidInput("invalid.language")
    user = await s.get(User, actor_id)
    user.language = language


async def _branch_and_grid(s: AsyncSession, branch_id: int, grid_id: int | None) -> Branch:
    branch = await s.get(Branch, branch_id)
    if branch is None:
        raise NotFound("error.no_branch", code=str(branch_id))
    if grid_id is not None:
        grid = await s.get(Grid, grid_id)
        if grid is None or grid.branch_id != branch_id:
            raise InvalidInput("invalid.grid")
    return branch


@dataclass(frozen=True)
class Address:
    compound: str
    building: str
    unit: str
    room: str


async def register_resident(
    s: AsyncSession,
    *,
    actor_id: int,
    name: str,
    phone: str,
    branch_id: int,
    grid_id: int | None,
    address: Address,
) -> ResidentProfile:
    """Register (or update) the actor as a resident of a branch."""
    user = await s.get(User, actor_id)
    user.name = clean_text(name, field="name", max_len=50)
    user.phone = normalise_phone(phone)
    await _branch_and_grid(s, branch_id, grid_id)
    parts = {
        "compound": clean_text(address.compound, field="compound", max_len=100),
        "building": clean_text(address.building, field="building", max_len=20),
        "unit": clean_text(address.unit, field="unit", max_len=20, min_len=0),
        "room": clean_text(address.room, field="room", max_len=20),
    }
    profile = await s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == actor_id))
    if profile is None:
        profile = ResidentProfile(user_id=actor_id, branch_id=branch_id)
        s.add(profile)
    profile.branch_id, profile.grid_id = branch_id, grid_id
    for attr, value in parts.items():
        setattr(profile, attr, value)
    await s.flush()
    return profile


async def register_member(
    s: AsyncSession,
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
) -> MemberProfile:
    """Register the actor as a member; the branch staff are asked to approve."""
    user = await s.get(User, actor_id)
    user.name = clean_text(name, field="name", max_len=50)
    user.phone = normalise_phone(phone)
    await _branch_and_grid(s, branch_id, grid_id)
    unit = clean_text(work_unit, field="work_unit", max_len=200)
    if not skills or set(skills) - catalogue.skills.keys():
        raise InvalidInput("invalid.skills")
    if not availability or set(availability) - {a.value for a in Availability}:
        raise InvalidInput("invalid.availability")
    profile = await s.scalar(select(MemberProfile).where(MemberProfile.user_id == actor_id))
    if profile is None:
        profile = MemberProfile(user_id=actor_id, branch_id=branch_id)
        s.add(profile)
    elif profile.status == MemberStatus.suspended:
        raise InvalidTransition("error.member_suspended")
    moved = profile.branch_id != branch_id
    profile.branch_id, profile.grid_id, profile.work_unit = branch_id, grid_id, unit
    profile.skills, profile.availability = sorted(set(skills)), sorted(set(availability))
    if profile.status in (MemberStatus.rejected, MemberStatus.pending) or moved:
        profile.status, profile.registered_at = MemberStatus.pending, utcnow()
        await s.flush()
        params = {"name": user.name, "member_id": actor_id}
        notes = [Note(uid, "staff.member_registered", params) for uid in await staff_of(s, branch_id)]
        await queue(s, notes, skip=actor_id)
    await s.flush()
    return profile


async def decide_member(
    s: AsyncSession, *, actor_id: int, member_user_id: int, approve: bool
) -> MemberProfile:
    """Staff approve or reject a pending registration; the member is told."""
    profile = await s.scalar(select(MemberProfile).where(MemberProfile.user_id == member_user_id))
    if profile is None:
        raise NotFound("error.no_member")
    require_staff(await load_actor(s, actor_id), profile.branch_id)
    decided = MemberStatus.approved if approve else MemberStatus.rejected
    await _change_status(
        s, profile, MemberStatus.pending, decided, "error.member_decided", decided_at=utcnow()
    )
    key = "member.approved" if approve else "member.registration_rejected"
    await queue(s, [Note(member_user_id, key)], skip=actor_id)
    return profile


async def _change_status(
    s: AsyncSession, profile: MemberProfile, frm: MemberStatus, to: MemberStatus, refusal: str, **values
) -> None:
    """Move a member's status only if it is still `frm`: two staff pressing at once get one result."""
    result = await s.execute(
        update(MemberProfile)
        .where(MemberProfile.id == profile.id, MemberProfile.status == frm)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(refusal)
    for attr, value in {"status": to, **values}.items():
        set_committed_value(profile, attr, value)


async def set_paused(s: AsyncSession, *, actor_id: int, paused: bool) -> MemberProfile:
    """A member stops (or restarts) receiving offers."""
    profile = await s.scalar(select(MemberProfile).where(MemberProfile.user_id == actor_id))
    frm, to = (
        (MemberStatus.approved, MemberStatus.paused)
        if paused
        else (MemberStatus.paused, MemberStatus.approved)
    )
    refusal = "error.cannot_pause" if paused else "error.cannot_resume"
    if profile is None:
        raise InvalidTransition(refusal)
    await _change_status(s, profile, frm, to, refusal)
    return profile
