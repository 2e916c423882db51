"""Reading a request's parameters: query string, JSON, form-urlencoded or multipart,
decoded the way python-telegram-bot encodes them."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from sandan.fakebot.types import JSONDict, UploadedFile

# Parameters that are strings in the Bot API and must never be JSON-decoded ("123" stays "123").
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "description",
        "short_description",
        "name",
        "title",
        "query",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "callback_query_id",
        "url",
        "parse_mode",
        "action",
        "emoji",
        "file_id",
        "language_code",
        "data",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "question",
        "address",
        "explanation",
        "secret_token",
        "ip_address",
        "custom_title",
        "invite_link",
        "sticker_set_name",
        "webhook_url",
        "certificate",
        "photo",
        "document",
        "voice",
        "audio",
        "video",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
    }
)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _decode_value(key: str, value: str) -> Any:
    """Form values arrive as strings; PTB JSON-encodes everything that isn't a plain string."""
    if key in _STRING_FIELDS:
        return value
    stripped = value.strip()
    if stripped[:1] in ("{", "[") or stripped in ("true", "false", "null") or _NUMBER.fullmatch(stripped):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


def _decode_nested_json(params: JSONDict) -> JSONDict:
    """In JSON bodies some clients still send nested objects as JSON strings; decode those."""
    for key, value in list(params.items()):
        if isinstance(value, str) and key not in _STRING_FIELDS and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


async def read_params(request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
    """The query string and body of a request as decoded params, plus any uploaded files."""
    params: JSONDict = {k: _decode_value(k, v) for k, v in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.method == "GET" or not request.can_read_body:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(_decode_nested_json(body))
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form: MultiDictProxy[Any] = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                upload = UploadedFile(key, value.filename, value.file.read(), value.content_type)
                files[key] = upload
                params[key] = upload
            else:
                params[key] = _decode_value(key, value)
    else:
        raw = await request.read()
        if raw:
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
                if isinstance(body, dict):
                    params.update(_decode_nested_json(body))
    return params, files
