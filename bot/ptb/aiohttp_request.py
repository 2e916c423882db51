"""PTB's networking backend on aiohttp instead of httpx.

httpcore's connection pool checks every connection on each request, so its
cost grows with the pool: with the updates handled at once and the outbox
sender's sends in flight, that check cost more than Sandan's own work per
update. aiohttp's connector keeps idle connections per host in a queue. PTB
documents `BaseRequest` as the place to swap the backend.
"""

import re
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, RequestData

_UNSET = BaseRequest.DEFAULT_NONE
_BOT_PATH = re.compile(r"/bot[^/\s]+/")


class AiohttpRequest(BaseRequest):
    """Sends Bot API requests through one aiohttp session with `connections` connections."""

    __slots__ = ("_connections", "_proxies", "_session", "_timeouts")

    def __init__(
        self,
        *,
        connections: int = 256,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._connections = connections
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
            "media_write": media_write_timeout,
        }
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            headers = {"User-Agent": self.USER_AGENT}
            self._session = aiohttp.ClientSession(connector=connector, headers=headers)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _proxy_for(self, url: str) -> str | None:
        """The proxy that HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY give for the URL's origin.

        PTB's httpx honours them, and from mainland China Telegram is often reachable only
        through a proxy. aiohttp's own `trust_env` reads ~/.netrc on every request, so the
        answer is looked up once per origin instead.
        """
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        if origin not in self._proxies:
            proxies = getproxies()
            proxy = proxies.get(parts.scheme) or proxies.get("all")
            self._proxies[origin] = None if proxy and proxy_bypass(parts.hostname or "") else proxy
        return self._proxies[origin]

    def _timeout(self, has_files: bool, read, write, connect, pool) -> aiohttp.ClientTimeout:
        def pick(value, key: str) -> float | None:
            return self._timeouts[key] if isinstance(value, DefaultValue) else value

        read, connect, pool = pick(read, "read"), pick(connect, "connect"), pick(pool, "pool")
        write = pick(write, "media_write" if has_files else "write")
        parts = (read, write, connect, pool)
        # aiohttp has no write timeout of its own; the total bounds a stalled upload.
        total = None if None in parts else sum(parts)
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=_UNSET,
        write_timeout=_UNSET,
        connect_timeout=_UNSET,
        pool_timeout=_UNSET,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else {}
        body: dict = {}
        if files:  # uploads go as a form, the other fields JSON-encoded as PTB gives them
            # Unquoted: a Chinese file name arrives as itself, as PTB's httpx backend sends it.
            form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body["data"] = form
        elif request_data and request_data.parameters:
            # A JSON body, which the Bot API accepts: cheaper to build than a url-encoded form.
            body["json"] = request_data.parameters
        timeout = self._timeout(bool(files), read_timeout, write_timeout, connect_timeout, pool_timeout)
        try:
            proxy = self._proxy_for(url)
            async with self._session.request(method, url, timeout=timeout, proxy=proxy, **body) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # Some of aiohttp's messages quote the request URL, which holds the bot token.
            detail = _BOT_PATH.sub("/bot<token>/", str(err))
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {detail}") from err


def with_aiohttp(builder: ApplicationBuilder) -> ApplicationBuilder:
    """Send a PTB application's requests, long polling included, through aiohttp."""
    return builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(connections=1))
