"""The photos and voice messages a wish carries, shown again by their Telegram file ids."""

from bot.flows.io import Media
from models import Wish


def wish_media(wish: Wish, *, completion: bool = False) -> list[Media]:
    """The photos and voice message a resident attached, and the member's completion photo."""
    media = [Media(file_id) for file_id in wish.photo_file_ids or []]
    if wish.voice_file_id:
        media.append(Media(wish.voice_file_id, voice=True))
    if completion and wish.completion_photo_file_id:
        media.append(Media(wish.completion_photo_file_id))
    return media
