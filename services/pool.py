"""Worker threads for the synchronous core, so the event loop never waits on the database.

The asyncio edges (the adapter, the outbox sender) hand each unit of work to a
pool: `await pool.run(fn, ...)`. SQLite's busy timeout and PostgreSQL's driver
block in the worker thread, not in the loop.
"""

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class WorkPool:
    def __init__(self, size: int, *, name: str) -> None:
        self.size = size
        self._executor = ThreadPoolExecutor(size, thread_name_prefix=name)

    async def run(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run `fn` in a worker thread and wait for its result."""
        context = contextvars.copy_context()  # logging and test context follow the work
        call = functools.partial(context.run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def shutdown(self) -> None:
        """Wait for running work to finish and stop the threads."""
        self._executor.shutdown(wait=True)
