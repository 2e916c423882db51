"""Updates a test injects: what a user says, sends or presses, queued for getUpdates.
A mixin of FakeBotApi."""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
import zlib
from collections import deque

from sandan.fakebot.types import FakeUser, JSONDict

_FAKE_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 16 + b"\xff\xd9"
)
_FAKE_OGG = b"OggS\x00\x02" + b"\x00" * 26
_FAKE_WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 14
_FAKE_PDF = b"%PDF-1.4\n%fake\n%%EOF\n"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class UpdateInjection:
    """Mixin of FakeBotApi: the update queue and the user actions that fill it."""

    def _init_updates(self) -> None:
        """An empty update queue, no webhook."""
        self._update_ids = itertools.count(1)
        self._history: dict[int, JSONDict] = {}  # every injected update, by id
        self._pending: deque[JSONDict] = deque()  # not yet confirmed
        self._redeliver: deque[JSONDict] = deque()  # deliver_twice() copies
        self._confirmed_below = 0  # highest offset seen: updates below it are confirmed
        self._updates_event = asyncio.Event()
        self._allowed_updates: list[str] | None = None
        self.webhook_url = ""

    def inject_raw(self, update: JSONDict) -> int:
        """Queue an update dict as is (an ``update_id`` is assigned if missing); returns the id."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        else:
            # keep later generated ids above injected ones
            nxt = next(self._update_ids)
            if update["update_id"] >= nxt:
                self._update_ids = itertools.count(update["update_id"] + 1)
            else:
                self._update_ids = itertools.count(nxt)
        self._history[update["update_id"]] = update
        self._pending.append(update)
        self._wake_pollers()
        return update["update_id"]

    def deliver_twice(self, update_id: int) -> int:
        """Deliver an (already confirmed or not) update again with the same update_id."""
        if update_id not in self._history:
            raise KeyError(f"no update {update_id} was injected")
        self._redeliver.append(copy.deepcopy(self._history[update_id]))
        self._wake_pollers()
        return update_id

    def update(self, update_id: int) -> JSONDict:
        """A copy of an injected update."""
        return copy.deepcopy(self._history[update_id])

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates injected but not confirmed yet."""
        return [copy.deepcopy(u) for u in self._pending]

    def send_text(self, user: FakeUser, text: str, *, reply_to: JSONDict | None = None) -> int:
        """The user sends a text message; returns the update_id."""
        extra: JSONDict = {"text": text}
        if reply_to is not None:
            extra["reply_to_message"] = reply_to
        return self._user_message(user, extra)

    def send_command(self, user: FakeUser, command: str) -> int:
        """The user sends a command like ``"/start b_A"`` (with its bot_command entity)."""
        if not command.startswith("/"):
            command = "/" + command
        head = command.split(maxsplit=1)[0]
        entity = {"offset": 0, "length": _utf16_len(head), "type": "bot_command"}
        return self._user_message(user, {"text": command, "entities": [entity]})

    def press(self, user: FakeUser, message: JSONDict, data: str, *, strict: bool = True) -> int:
        """The user presses the inline button with ``data`` under a message the bot sent.

        The message is attached in its current state (edits applied). With ``strict`` the
        button must exist in its current inline keyboard (a ValueError says which do).
        """
        chat_id = message["chat"]["id"]
        current = self._messages.get((chat_id, message["message_id"]), message)
        if strict:
            buttons = [
                b.get("callback_data")
                for row in (current.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            if data not in buttons:
                raise ValueError(f"no button with callback_data {data!r} on message; buttons: {buttons}")
        query_id = f"{self.bot_id}{next(self._callback_ids):010d}"
        query = {
            "id": query_id,
            "from": self._remember(user).to_dict(),
            "message": copy.deepcopy(current),
            "chat_instance": str(-zlib.crc32(f"{chat_id}:{self.bot_id}".encode()) * 10**8),
            "data": data,
        }
        self.callback_queries[query_id] = query
        return self.inject_raw({"callback_query": query})

    def send_contact(self, user: FakeUser, phone: str, *, own: bool = True) -> int:
        """The user shares a contact (their own by default, as with a request_contact button)."""
        contact: JSONDict = {"phone_number": phone, "first_name": user.first_name}
        if user.last_name:
            contact["last_name"] = user.last_name
        if own:
            contact["user_id"] = user.id
        return self._user_message(user, {"contact": contact})

    def send_photo(self, user: FakeUser, file_id: str | None = None, caption: str | None = None) -> int:
        """The user sends a photo (three sizes; the largest has ``file_id``)."""
        file_id = file_id or self._new_file_id("photos")
        if file_id not in self._files:
            self._store_file(_FAKE_JPEG, kind="photos", file_id=file_id, mime_type="image/jpeg")
        extra: JSONDict = {"photo": self._photo_sizes(file_id)}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user, extra)

    def send_voice(self, user: FakeUser, file_id: str | None = None, duration: int = 3) -> int:
        """The user sends a voice note."""
        file_id = file_id or self._new_file_id("voice")
        if file_id not in self._files:
            self._store_file(_FAKE_OGG, kind="voice", file_id=file_id, mime_type="audio/ogg")
        stored = self._files[file_id]
        voice = {
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        return self._user_message(user, {"voice": voice})

    def send_location(self, user: FakeUser, lat: float, lon: float) -> int:
        """The user shares a location."""
        return self._user_message(user, {"location": {"latitude": lat, "longitude": lon}})

    def send_sticker(self, user: FakeUser, file_id: str | None = None, emoji: str = "👍") -> int:
        """The user sends a sticker."""
        file_id = file_id or self._new_file_id("stickers")
        if file_id not in self._files:
            self._store_file(_FAKE_WEBP, kind="stickers", file_id=file_id, mime_type="image/webp")
        stored = self._files[file_id]
        sticker = {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "set_name": "FakeStickers",
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        return self._user_message(user, {"sticker": sticker})

    def send_document(
        self,
        user: FakeUser,
        file_id: str | None = None,
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        content: bytes = _FAKE_PDF,
        caption: str | None = None,
    ) -> int:
        """The user sends a file."""
        file_id = file_id or self._new_file_id("documents")
        if file_id not in self._files:
            self._store_file(
                content, kind="documents", file_id=file_id, file_name=file_name, mime_type=mime_type
            )
        stored = self._files[file_id]
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        extra: JSONDict = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user, extra)

    def _user_message(self, user: FakeUser, extra: JSONDict) -> int:
        self._remember(user)
        msg: JSONDict = {
            "message_id": self._next_message_id(user.id),
            "from": user.to_dict(),
            "chat": user.chat_dict(),
            "date": int(time.time()),
            **extra,
        }
        self._messages[(user.id, msg["message_id"])] = msg
        return self.inject_raw({"message": msg})

    def _wake_pollers(self) -> None:
        event, self._updates_event = self._updates_event, asyncio.Event()
        event.set()
