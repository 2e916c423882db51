"""Scrubbing a forgotten person out of the free text that stays behind for the statistics."""

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import FollowUp, Offer, Rating, Wish, WishEvent
from services.scrubbing import HIDDEN, scrub_contacts


def erase(text: str | None, *, names: list[str], phone: str) -> str | None:
    """`text` without the person's names (surname + 某), their phone number, or any contact detail."""
    if not text:
        return text
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2:  # one character would also hit other words
            text = text.replace(name, f"{name[0]}某")
    local = phone.removeprefix("+86") if phone else ""
    if len(local) >= 7:  # the exact number, in case a spelling escapes the general scrubber
        text = text.replace(local, HIDDEN)
    return scrub_contacts(text)


def _scrub(s: Session, column, key, where, *, names: list[str], phone: str) -> int:
    """Rewrite `column` where it changes; the number of rows changed."""
    changed = 0
    for row_id, text in (s.execute(select(key, column).where(where, column.is_not(None)))).all():
        new = erase(text, names=names, phone=phone)
        if new != text:
            s.execute(update(key.class_).where(key == row_id).values({column.key: new}))
            changed += 1
    return changed


def erase_texts(s: Session, *, user_id: int, names: list[str], phone: str) -> int:
    """Scrub what the user wrote, and what was written about their wishes; drop their photos and voice."""
    mine = select(Wish.id).where(Wish.resident_id == user_id)
    worked = or_(Wish.resident_id == user_id, Wish.assigned_member_id == user_id)
    targets = [
        (Wish.text, Wish.id, Wish.resident_id == user_id),
        (Wish.rejection_note, Wish.id, Wish.resident_id == user_id),
        (Wish.completion_note, Wish.id, worked),  # the member's note, about the resident's home
        (Rating.comment, Rating.id, Rating.wish_id.in_(mine)),
        (WishEvent.note, WishEvent.id, or_(WishEvent.actor_id == user_id, WishEvent.wish_id.in_(mine))),
        (Offer.decline_reason, Offer.id, Offer.member_id == user_id),
        (FollowUp.note, FollowUp.id, FollowUp.wish_id.in_(mine)),
    ]
    changed = 0
    for column, key, where in targets:
        changed += _scrub(s, column, key, where, names=names, phone=phone)
    # Photos and voice are Telegram file ids of the resident's home and voice: not statistics.
    s.execute(
        update(Wish)
        .where(Wish.resident_id == user_id)
        .values(photo_file_ids=[], voice_file_id=None)
        .execution_options(synchronize_session=False)
    )
    return changed
