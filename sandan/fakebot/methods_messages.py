"""Bot API methods that send: sendMessage, the media senders, location, contact, chat action.
A mixin of FakeBotApi."""

from __future__ import annotations

import copy
import time
from typing import Any

from sandan.fakebot.html_check import check_html
from sandan.fakebot.methods_files import StoredFile
from sandan.fakebot.types import ApiError, JSONDict, UploadedFile

_MESSAGE_SENDERS = {
    # method -> (media field, directory for file_path)
    "sendMessage": (None, None),
    "sendPhoto": ("photo", "photos"),
    "sendDocument": ("document", "documents"),
    "sendVoice": ("voice", "voice"),
    "sendAudio": ("audio", "music"),
    "sendVideo": ("video", "videos"),
    "sendAnimation": ("animation", "animations"),
    "sendSticker": ("sticker", "stickers"),
    "sendLocation": (None, None),
    "sendContact": (None, None),
}


class MessageMethods:
    """Mixin of FakeBotApi: new bot messages, with HTML, keyboard and reply checks."""

    def _text_and_markup(self, params: JSONDict, key: str) -> tuple[str | None, JSONDict | None]:
        text = params.get(key)
        if text is not None:
            text = str(text)
            if params.get("parse_mode") and str(params["parse_mode"]).upper() == "HTML":
                text = check_html(text)
        markup = params.get("reply_markup")
        if markup is not None:
            self._check_markup(markup)
        return text, markup

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        for row in markup.get("keyboard", []):
            for button in row:
                text = button if isinstance(button, str) else button.get("text", "")
                if not str(text).strip():
                    raise ApiError(400, "Bad Request: keyboard button text is empty")

    def _new_bot_message(self, params: JSONDict, extra: JSONDict, markup: JSONDict | None) -> JSONDict:
        chat_id = self._chat_id(params)
        msg: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **extra,
        }
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup  # Telegram echoes only inline keyboards
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        reply_to = reply_to or params.get("reply_to_message_id")
        if reply_to is not None:
            original = self._messages.get((chat_id, int(reply_to)))
            if original is not None:
                msg["reply_to_message"] = copy.deepcopy(original)
            elif not (isinstance(reply, dict) and reply.get("allow_sending_without_reply")):
                raise ApiError(400, "Bad Request: message to be replied not found")
        self._messages[(chat_id, msg["message_id"])] = msg
        result = copy.deepcopy(msg)
        self._record_sent(copy.deepcopy(msg))
        return result

    def _m_sendMessage(self, params: JSONDict) -> JSONDict:
        text, markup = self._text_and_markup(params, "text")
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._new_bot_message(params, {"text": text}, markup)

    def _resolve_media(self, params: JSONDict, field_name: str, kind: str) -> StoredFile:
        value = params.get(field_name)
        if isinstance(value, UploadedFile):
            fid = self._store_file(
                value.content, kind=kind, file_name=value.filename, mime_type=value.content_type
            )
            return self._files[fid]
        if isinstance(value, str) and value.startswith("attach://"):
            upload = params.get(value.removeprefix("attach://"))
            if isinstance(upload, UploadedFile):
                fid = self._store_file(
                    upload.content, kind=kind, file_name=upload.filename, mime_type=upload.content_type
                )
                return self._files[fid]
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or None
            fid = self._store_file(b"downloaded:" + value.encode(), kind=kind, file_name=name)
            return self._files[fid]
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send_media(self, params: JSONDict, method: str) -> JSONDict:
        field_name, kind = _MESSAGE_SENDERS[method]
        assert field_name is not None and kind is not None
        caption, markup = self._text_and_markup(params, "caption")
        if caption is not None and len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        stored = self._resolve_media(params, field_name, kind)
        media: Any
        if field_name == "photo":
            media = self._photo_sizes(stored.file_id)
        else:
            media = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
            }
            if field_name in ("document", "audio", "video", "animation"):
                media["file_name"] = stored.file_name or f"file_{stored.file_id[-4:]}"
            if stored.mime_type:
                media["mime_type"] = stored.mime_type
            if field_name in ("voice", "audio", "video", "animation"):
                media["duration"] = int(params.get("duration") or 1)
            if field_name == "sticker":
                media.update(width=512, height=512, type="regular", is_animated=False, is_video=False)
        extra: JSONDict = {field_name: media}
        if caption:
            extra["caption"] = caption
        return self._new_bot_message(params, extra, markup)

    def _m_sendPhoto(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendPhoto")

    def _m_sendDocument(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendDocument")

    def _m_sendVoice(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendVoice")

    def _m_sendAudio(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendAudio")

    def _m_sendVideo(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendVideo")

    def _m_sendAnimation(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendAnimation")

    def _m_sendSticker(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "sendSticker")

    def _m_sendLocation(self, params: JSONDict) -> JSONDict:
        _, markup = self._text_and_markup(params, "text")
        location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        return self._new_bot_message(params, {"location": location}, markup)

    def _m_sendContact(self, params: JSONDict) -> JSONDict:
        _, markup = self._text_and_markup(params, "text")
        contact = {"phone_number": str(params["phone_number"]), "first_name": str(params["first_name"])}
        if params.get("last_name"):
            contact["last_name"] = str(params["last_name"])
        return self._new_bot_message(params, {"contact": contact}, markup)

    def _m_sendChatAction(self, params: JSONDict) -> bool:
        self._chat_id(params)
        if not params.get("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True
