"""The open loop of bench/bot.py: updates are injected on a fixed schedule, whatever the bot does.

Each slot of a phase (rate per second, for its seconds) injects one update. Every
PROBE_EVERY-th slot goes to a probe user; the others go to an actor of the mix waiting to
act, and to a probe when none is. So the offered load stays at the rate even when the mix
cannot use it all.

An actor that is in the middle of a piece of work (a form, a triage, a task) goes before
one that wants to start a new piece: with 200 people sharing 50 slots a second, a resident
would otherwise wait minutes between the steps of one form while everyone else starts
theirs. Within each kind, the roles (residents, staff, members) take turns, so the
residents, who are most, cannot crowd out staff and members.

With `stats` on, the admin sends /stats all every STATS_EVERY seconds (once the last one has
answered); those updates come on top of the slots.
"""

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable

from bench.load import BenchApi, Phase, Probes, Sample
from sandan.fakebot import FakeUser

ROLES = ("resident", "staff", "member")
PROBE_EVERY = 4  # one slot in four is a probe's command, so commands are measured at every load
STATS_EVERY = 3.0  # seconds between one /stats all and the next
STATS_TIMEOUT = 120.0
REPLY_GRACE = 10.0  # seconds the last updates may take to be answered before the count is made

# What an actor injects at its slot: returns the future of the reply to measure (or None), and
# anything else the actor wants back (the board's generation at injection).
Act = Callable[[], tuple[asyncio.Future | None, int]]


class OpenLoop:
    def __init__(self, api: BenchApi, probes: Probes, admin: FakeUser) -> None:
        self.api, self.probes, self.admin = api, probes, admin
        # (continuing?, role) -> actors waiting for a slot, first come first served
        self.waiting: dict[tuple[bool, str], deque[tuple[Act, asyncio.Future]]] = {
            (going, role): deque() for going in (True, False) for role in ROLES
        }
        self.samples: list[Sample] = []
        self._replies: set[asyncio.Future] = set()  # measured replies still to come
        self.phases: list[Phase] = []
        self.stats_running = False
        self.frozen = False  # set once the figures are taken
        self._role = {True: 0, False: 0}

    @property
    def phase(self) -> Phase:
        return self.phases[-1]

    def turn(self, role: str, act: Act, *, start: bool = False) -> asyncio.Future:
        """Wait for a slot; at it, `act` injects. The future gets what `act` returned.

        `start`: this update begins a new piece of work, and waits behind those that continue one.
        """
        slot = asyncio.get_running_loop().create_future()
        self.waiting[(not start, role)].append((act, slot))
        return slot

    def _measure(self, kind: str, reply: asyncio.Future) -> None:
        sample = Sample(kind, len(self.phases) - 1, time.perf_counter(), self.stats_running)
        self.samples.append(sample)
        self._replies.add(reply)

        def replied(future: asyncio.Future) -> None:
            self._replies.discard(future)
            if not future.cancelled() and not self.frozen:
                sample.replied = future.result()

        reply.add_done_callback(replied)

    def _mix(self) -> bool:
        return self._give(True) or self._give(False)

    def _give(self, going: bool) -> bool:
        first = self._role[going]
        for i in range(len(ROLES)):
            queue = self.waiting[(going, ROLES[(first + i) % len(ROLES)])]
            while queue:
                act, slot = queue.popleft()
                if slot.done():  # the actor gave up waiting
                    continue
                self._role[going] = (first + i + 1) % len(ROLES)
                try:
                    reply, mark = act()
                except Exception as exc:  # a bench bug: the actor sees it, the slot is used
                    slot.set_exception(exc)
                    return True
                if reply is not None:
                    self._measure("button", reply)
                slot.set_result((reply, mark))
                return True
        return False

    def _slot(self, k: int) -> None:
        self.phase.slots += 1
        if k % PROBE_EVERY != PROBE_EVERY - 1 and self._mix():
            self.phase.mix += 1
            return
        self.phase.probes += 1
        _user, reply = self.probes.send()
        self._measure("command", reply)

    async def _stats(self, phase: Phase, until: float) -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            future = asyncio.get_running_loop().create_future()
            self.api.photos[self.admin.id] = future
            self.stats_running = True
            self.api.send_command(self.admin, "/stats all")
            try:
                done = await asyncio.wait_for(future, STATS_TIMEOUT)
                phase.stats_runs.append(done - started)
            except TimeoutError:
                phase.stats_runs.append(float("inf"))
            finally:
                self.stats_running = False
            await asyncio.sleep(max(0.0, min(started + STATS_EVERY, until) - time.perf_counter()))

    async def run(self, phase: Phase) -> None:
        """Offer `phase.rate` updates a second for `phase.seconds`, on an absolute schedule."""
        self.phases.append(phase)
        start = time.perf_counter()
        end = start + phase.seconds
        stats = asyncio.create_task(self._stats(phase, end)) if phase.stats else None
        k = 0
        while (due := start + k / phase.rate) < end:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            self._slot(k)
            k += 1
        phase.elapsed = time.perf_counter() - start
        if stats is not None:  # a /stats all still running finishes, but no new one starts
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(stats), STATS_TIMEOUT)

    async def drain(self) -> int:
        """Wait REPLY_GRACE for the replies still outstanding; how many did not come in that time.

        The samples' figures are fixed then; `settle` waits for the rest.
        """
        for queue in self.waiting.values():  # actors waiting for a slot get none any more
            while queue:
                queue.popleft()[1].cancel()
        if self._replies:
            await asyncio.wait(set(self._replies), timeout=REPLY_GRACE)
        self.frozen = True  # a reply after this does not change the figures
        return sum(1 for s in self.samples if s.replied is None)

    async def settle(self, limit: float) -> int:
        """Wait (at most `limit` seconds) until the bot has answered everything; how many it had not."""
        if self._replies:
            await asyncio.wait(set(self._replies), timeout=limit)
        return len(self._replies)
