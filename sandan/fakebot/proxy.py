"""A round-robin HTTP proxy on loopback, in front of several bot instances (tests, benchmarks).

Each POST to `path` goes to the next instance in turn, with its body and its X- headers (the
webhook's secret token); an instance that does not answer is skipped, as a load balancer
skips one that fails its health check.
"""

import itertools
import socket

import aiohttp
from aiohttp import web


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RoundRobinProxy:
    def __init__(self, ports: list[int], path: str) -> None:
        self.ports, self.path = ports, path
        self.url = ""
        self._turn = itertools.cycle(range(len(ports)))
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "RoundRobinProxy":
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post(self.path, self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}{self.path}"
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self._runner.cleanup()
        await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.startswith("X-")}
        for _ in self.ports:
            port = self.ports[next(self._turn)]
            target = f"http://127.0.0.1:{port}{self.path}"
            try:
                async with self._http.post(target, data=body, headers=headers) as answer:
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientConnectionError:
                continue  # that one is down: the next
        return web.Response(status=502)
