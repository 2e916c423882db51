"""Users and resident registration; member registration lives in services.membership."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ResidentProfile, User
from services.errors import InvalidInput

# Member use cases, re-exported: callers know them as people.register_member and so on.
from services.membership import (  # noqa: F401
    branch_and_grid,
    decide_member,
    register_member,
    reinstate_member,
    set_paused,
    suspend_member,
)
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
    await branch_and_grid(s, branch_id, grid_id)
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
