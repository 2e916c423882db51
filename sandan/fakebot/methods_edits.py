"""Bot API methods that change what was sent: edits, deleteMessage, answerCallbackQuery.
A mixin of FakeBotApi."""

from __future__ import annotations

import copy
import time

from sandan.fakebot.types import ApiError, JSONDict


class EditMethods:
    """Mixin of FakeBotApi: edits as Telegram applies them (no-op edits are a 400)."""

    def _editable(self, params: JSONDict) -> JSONDict | None:
        """The stored message an edit targets; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat_id = self._chat_id(params)
        if params.get("message_id") in (None, ""):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        msg = self._messages.get((chat_id, int(params["message_id"])))
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    def _apply_edit(
        self, msg: JSONDict | None, changes: JSONDict, markup: JSONDict | None, remove: tuple[str, ...] = ()
    ) -> JSONDict | bool:
        """Apply an edit like Telegram: a missing inline keyboard is removed; no-op edits are a 400."""
        if msg is None:
            return True
        new = copy.deepcopy(msg)
        new.update(changes)
        for key in remove:
            new.pop(key, None)
        if markup is not None and markup.get("inline_keyboard"):
            new["reply_markup"] = markup
        else:
            new.pop("reply_markup", None)
        new.pop("edit_date", None)
        if new == {k: v for k, v in msg.items() if k != "edit_date"}:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message",
            )
        new["edit_date"] = int(time.time())
        msg.clear()
        msg.update(new)
        return copy.deepcopy(msg)

    def _m_editMessageText(self, params: JSONDict) -> JSONDict | bool:
        text, markup = self._text_and_markup(params, "text")
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        msg = self._editable(params)
        if msg is not None and "text" not in msg:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        return self._apply_edit(msg, {"text": text}, markup)

    def _m_editMessageCaption(self, params: JSONDict) -> JSONDict | bool:
        caption, markup = self._text_and_markup(params, "caption")
        msg = self._editable(params)
        if msg is not None and "text" in msg:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        if caption:
            return self._apply_edit(msg, {"caption": caption}, markup)
        return self._apply_edit(msg, {}, markup, remove=("caption",))

    def _m_editMessageReplyMarkup(self, params: JSONDict) -> JSONDict | bool:
        markup = params.get("reply_markup")
        if markup is not None:
            self._check_markup(markup)
        msg = self._editable(params)
        return self._apply_edit(msg, {}, markup)

    def _m_deleteMessage(self, params: JSONDict) -> bool:
        chat_id = self._chat_id(params)
        key = (chat_id, int(params["message_id"]))
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self._messages[key]
        return True

    def _m_answerCallbackQuery(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callback_queries or query_id in self.callback_answers:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if params.get("text") is not None and len(str(params["text"])) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(params)
        return True
