"""Files: the store of uploaded and registered files, getFile and the download route.
A mixin of FakeBotApi."""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass

from aiohttp import web

from sandan.fakebot.types import ApiError, JSONDict


@dataclass
class StoredFile:
    """A file the fake holds: uploaded by the bot, sent by a user or added by a test."""

    file_id: str
    file_unique_id: str
    content: bytes
    kind: str  # directory in file_path: photos, documents, voice, stickers, ...
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str | None = None


class FileMethods:
    """Mixin of FakeBotApi: files by id and by path, and their bytes."""

    def _init_files(self) -> None:
        """No files."""
        self._file_seq = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._paths: dict[str, StoredFile] = {}

    def file_content(self, file_id: str) -> bytes:
        """The bytes stored for a file id (uploaded by the bot or registered by a test)."""
        return self._files[file_id].content

    def add_file(
        self,
        content: bytes,
        *,
        file_id: str | None = None,
        kind: str = "documents",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> str:
        """Register a downloadable file (for getFile + download); returns its file_id."""
        return self._store_file(content, kind=kind, file_id=file_id, file_name=file_name, mime_type=mime_type)

    def _new_file_id(self, kind: str) -> str:
        prefix = {"photos": "AgACAgIAAxk", "voice": "AwACAgIAAxk", "stickers": "CAACAgIAAxk"}.get(
            kind, "BQACAgIAAxk"
        )
        return f"{prefix}{next(self._file_seq):08d}"

    def _store_file(
        self,
        content: bytes,
        *,
        kind: str,
        file_id: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> str:
        file_id = file_id or self._new_file_id(kind)
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AQAD{zlib.crc32(file_id.encode()):010d}",
            content=content,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[file_id] = stored
        return file_id

    def _photo_sizes(self, file_id: str) -> list[JSONDict]:
        stored = self._files[file_id]
        sizes = []
        for suffix, side in (("-s", 90), ("-m", 320), ("", 800)):
            fid = file_id + suffix
            if fid not in self._files:
                self._files[fid] = StoredFile(
                    fid, stored.file_unique_id + suffix, stored.content, stored.kind, None, stored.mime_type
                )
            sizes.append(
                {
                    "file_id": fid,
                    "file_unique_id": self._files[fid].file_unique_id,
                    "file_size": len(stored.content),
                    "width": side,
                    "height": side,
                }
            )
        return sizes

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._paths.get(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    def _m_getFile(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.file_path is None:
            ext = ""
            if stored.file_name and "." in stored.file_name:
                ext = "." + stored.file_name.rsplit(".", 1)[-1]
            elif stored.mime_type:
                ext = {"image/jpeg": ".jpg", "audio/ogg": ".oga", "image/webp": ".webp"}.get(
                    stored.mime_type, ""
                )
            stored.file_path = f"{stored.kind}/file_{next(self._file_seq)}{ext}"
            self._paths[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }
