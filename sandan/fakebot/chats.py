"""Chat state: the users seen, each chat's messages (one message_id counter per chat) and
the callback queries of button presses. A mixin of FakeBotApi."""

from __future__ import annotations

import copy
import itertools

from sandan.fakebot.types import ApiError, FakeUser, JSONDict


class ChatState:
    """Mixin of FakeBotApi: users, chats and every message in its current state."""

    def _init_chats(self) -> None:
        """Empty chats."""
        self._users: dict[int, FakeUser] = {}
        self._message_ids: dict[int | str, itertools.count] = {}
        self._messages: dict[tuple[int | str, int], JSONDict] = {}  # current state
        self._callback_ids = itertools.count(1)
        self.callback_queries: dict[str, JSONDict] = {}  # id -> query
        self.callback_answers: dict[str, JSONDict] = {}  # id -> answerCallbackQuery params

    def message(self, chat_id: int | str, message_id: int) -> JSONDict | None:
        """The current state (after edits, ``None`` after deletion) of any message in a chat."""
        msg = self._messages.get((chat_id, message_id))
        return copy.deepcopy(msg) if msg is not None else None

    def find_button(self, chat_id: int | str, label: str, *, skip: int = 0) -> tuple[JSONDict, str] | None:
        """The newest inline button whose text contains ``label``, among the last 40 messages
        the bot sent to the chat (edits applied), passing over ``skip`` such buttons.

        Returns (the message, its callback_data) for ``press``; cheap enough to poll, as it
        copies nothing.
        """
        found = 0
        for sent in reversed(self._sent_to.get(chat_id, [])[-40:]):
            message = self._messages.get((chat_id, sent["message_id"]), sent)
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label in button.get("text", "") and (found := found + 1) > skip:
                        return message, button["callback_data"]
        return None

    def _remember(self, user: FakeUser) -> FakeUser:
        self._users[user.id] = user
        return user

    def _next_message_id(self, chat_id: int | str) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat(self, chat_id: int | str) -> JSONDict:
        if isinstance(chat_id, int) and chat_id in self._users:
            return self._users[chat_id].chat_dict()
        if isinstance(chat_id, str):
            return {
                "id": -1000000000001,
                "title": chat_id,
                "username": chat_id.lstrip("@"),
                "type": "channel",
            }
        if chat_id > 0:
            return {"id": chat_id, "first_name": f"User{chat_id}", "type": "private"}
        return {
            "id": chat_id,
            "title": f"Group {chat_id}",
            "type": "supergroup" if chat_id < -(10**12) else "group",
        }

    def _chat_id(self, params: JSONDict) -> int | str:
        if "chat_id" not in params or params["chat_id"] in ("", None):
            raise ApiError(400, "Bad Request: chat_id is empty")
        return params["chat_id"]
