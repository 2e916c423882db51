"""Callback data codec: a short verb and integer ids, signed, at most 64 bytes.

The signature means a payload edited by a client is refused before any
lookup; every accepted press is still re-checked against the database,
because buttons go stale.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass

MAX_BYTES = 64
_SIG = 6  # bytes of HMAC kept; 8 characters of base64


class BadCallback(ValueError):
    """The data was not produced by this codec (or by this bot)."""


@dataclass(frozen=True)
class Callback:
    verb: str
    ids: tuple[int, ...]


class CallbackCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, body: str) -> str:
        mac = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()[:_SIG]
        return base64.urlsafe_b64encode(mac).decode()

    def encode(self, verb: str, *ids: int) -> str:
        if not verb.isalnum() or not verb.isascii():
            raise ValueError(f"bad verb {verb!r}")
        body = ":".join([verb, *(str(int(i)) for i in ids)])
        data = f"{body}~{self._sign(body)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError("callback data over 64 bytes")
        return data

    def decode(self, data: str | None) -> Callback:
        """The callback in `data`; BadCallback for anything this codec did not sign."""
        data = data or ""
        # What encode() makes is short ASCII; anything else is refused before any hashing
        # (compare_digest raises TypeError on non-ASCII text).
        if not data.isascii() or len(data) > MAX_BYTES:
            raise BadCallback(data)
        body, sep, sig = data.rpartition("~")
        if not sep or not hmac.compare_digest(sig.encode(), self._sign(body).encode()):
            raise BadCallback(data)
        verb, *ids = body.split(":")
        try:
            return Callback(verb, tuple(int(i) for i in ids))
        except ValueError:
            raise BadCallback(data) from None
