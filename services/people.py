"""Users and resident registration; member registration lives in services.membership."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def ensure_user(
    s: Session, *, telegram_id: int, display_name: str = "", language: str | None = None
) -> User:
    """Find the user for a Telegram account, creating them on first contact."""
    user = s.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        return add_user(s, telegram_id=telegram_id, display_name=display_name, language=language)
    refresh_contact(user, display_name)
    return user


def add_user(s: Session, *, telegram_id: int, display_name: str, language: str | None) -> User:
    """A user for a Telegram account seen for the first time, in their Telegram language."""
    lang = "en" if (language or "").startswith("en") else "zh"
    user = User(telegram_id=telegram_id, display_name=display_name[:200], language=lang)
    s.add(user)
    s.flush()
    return user


def refresh_contact(user: User, display_name: str) -> None:
    """Keep the Telegram name current; a user who writes to us has unblocked the bot."""
    if display_name and user.display_name != display_name[:200]:
        user.display_name = display_name[:200]
    if user.unreachable:
        user.unreachable = False


def is_resident(s: Session, *, user_id: int) -> bool:
    """Whether the user has registered as a resident."""
    return s.scalar(select(ResidentProfile.id).where(ResidentProfile.user_id == user_id)) is not None


def set_language(s: Session, *, actor_id: int, language: str) -> None:
    """Remember the user's chosen language."""
    if language not in LANGUAGES:
        raise InvalidInput("invalid.language")
    user = s.get(User, actor_id)
    user.language = language


@dataclass(frozen=True)
class Address:
    compound: str
    building: str
    unit: str
    room: str


def register_resident(
    s: Session,
    *,
    actor_id: int,
    name: str,
    phone: str,
    branch_id: int,
    grid_id: int | None,
    address: Address,
) -> ResidentProfile:
    """Register (or update) the actor as a resident of a branch."""
    user = s.get(User, actor_id)
    user.name = clean_text(name, field="name", max_len=50)
    user.phone = normalise_phone(phone)
    branch_and_grid(s, branch_id, grid_id)
    parts = {
        "compound": clean_text(address.compound, field="compound", max_len=100),
        "building": clean_text(address.building, field="building", max_len=20),
        "unit": clean_text(address.unit, field="unit", max_len=20, min_len=0),
        "room": clean_text(address.room, field="room", max_len=20),
    }
    profile = s.scalar(select(ResidentProfile).where(ResidentProfile.user_id == actor_id))
    if profile is None:
        profile = ResidentProfile(user_id=actor_id, branch_id=branch_id)
        s.add(profile)
    profile.branch_id, profile.grid_id = branch_id, grid_id
    for attr, value in parts.items():
        setattr(profile, attr, value)
    s.flush()
    return profile
