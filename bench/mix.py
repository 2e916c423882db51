"""The mix of bench/bot.py: residents post wishes through the real form (menu, category, text,
time, submit) and rate them, staff accept and dispatch them (to one of the mix's members
when the ranking shows one, else to the wall), members take (or claim from the wall) and
complete them. Only the mix's own wishes are handled; the actors' common ways are in
bench/actor.py.
"""

from bench.actor import NUMBER, Actor, Shared, button, callback
from bench.cast import CATEGORY, Cast, Team
from bench.load import BenchApi
from bench.slots import OpenLoop
from bot.flows import verbs
from bot.i18n import t
from sandan.fakebot import FakeUser
from services.catalogue import Catalogue

IDLE_LOOK = 2.0  # seconds an idle actor waits for a notification before looking again
WISH_TEXT = "厨房水管漏水，滴了一整天了，麻烦帮忙看看。"
DONE_TEXT = "更换了水龙头下的软管，试过不漏了。"


class Resident(Actor):
    role = "resident"

    def __init__(self, *args, category: str) -> None:
        super().__init__(*args)
        self.category = category
        self.open: dict[int, str] = {}  # wish id -> number, filled in by the staff who accept
        self.posted = 0  # wishes posted and not yet rated

    async def run(self) -> None:
        while True:
            rating = self.api.board.find(self.chat, 0, button(verbs.RATE, label="★★★★★", among=self.open))
            if rating is not None:
                await self.rate(rating)
            elif self.posted == 0:
                await self.post()
            else:
                await self.api.board.changed(self.chat, IDLE_LOOK)

    async def post(self) -> None:
        mark = await self.say(t("zh", "menu.post"), start=True)
        found = await self.expect(mark, button(verbs.WISH_CATEGORY, label=self.category))
        mark = await self.press(found) if found else None
        if await self.expect(mark, button(verbs.CANCEL)) is None:
            return
        mark = await self.say(WISH_TEXT)
        found = await self.expect(mark, button(verbs.WISH_TIME, label=t("zh", "time.asap")))
        mark = found and await self.steps(found, button(verbs.WISH_SUBMIT))
        done = mark is not None and await self.expect_text(mark, t("zh", "reply.submitted").split("，")[0])
        if done and (number := NUMBER.search(done["text"])):
            self.shared.owner[number.group()] = self
            self.shared.count["posted"] += 1
            self.posted += 1

    async def rate(self, found: tuple[dict, str]) -> None:
        wish = callback(found[1])[1][0]
        if await self.steps(found, button(verbs.RATE_NO_COMMENT), start=True) is not None:
            self.open.pop(wish, None)
            self.posted -= 1
            self.shared.count["rated"] += 1
            self.loop.phase.cycles += 1


class StaffMember(Actor):
    role = "staff"

    def __init__(self, *args, team: Team, category_label: str) -> None:
        super().__init__(*args)
        self.team, self.category_label = team, category_label
        self.tried: set[int] = set()

    def _new_wish(self, text: str, data: str) -> bool:
        return callback(data)[0] == verbs.ACCEPT and callback(data)[1][0] not in self.tried

    def _next(self) -> tuple[dict, str, str] | None:
        """The oldest 受理 button on a notification about one of the mix's wishes."""
        oldest = None
        for message in self.api.board.messages(self.chat, 0):  # newest first
            number = NUMBER.search(message.get("text") or "")
            if number is None or number.group() not in self.shared.owner:
                continue
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if self._new_wish(b["text"], b["callback_data"]):
                        oldest = message, b["callback_data"], number.group()
        return oldest

    async def run(self) -> None:
        while True:
            found = self._next()
            if found is None:
                await self.api.board.changed(self.chat, IDLE_LOOK)
                continue
            message, data, number = found
            wish = callback(data)[1][0]
            self.tried.add(wish)
            self.shared.wishes.add(wish)
            self.shared.owner[number].open[wish] = number
            await self.triage((message, data), wish)

    async def triage(self, found: tuple[dict, str], wish: int) -> None:
        mark = await self.steps(
            found,
            button(verbs.TRIAGE_CATEGORY, label=self.category_label, wish=wish),
            button(verbs.TRIAGE_PRIORITY, label=t("zh", "priority.normal"), wish=wish),
            button(verbs.DISPATCH, wish=wish),
            start=True,
        )
        if await self.expect(mark, button(verbs.WALL, wish=wish)) is None:
            return
        self.shared.count["accepted"] += 1
        offer = self.api.board.find(self.chat, mark, _offer_to(wish, self.team.members))
        if offer is not None:
            if await self.press(offer) is not None:
                self.shared.count["offered"] += 1
            return
        if await self.press(self.api.board.find(self.chat, mark, button(verbs.WALL, wish=wish))) is not None:
            self.shared.wall.setdefault(self.team.branch_id, set()).add(wish)
            self.shared.count["walled"] += 1


def _offer_to(wish: int, members: dict[int, FakeUser]):
    def want(_text: str, data: str) -> bool:
        verb, ids = callback(data)
        return verb == verbs.OFFER and ids[:1] == (wish,) and len(ids) > 1 and ids[1] in members

    return want


class Member(Actor):
    role = "member"

    def __init__(self, *args, team: Team) -> None:
        super().__init__(*args)
        self.team = team

    async def run(self) -> None:
        while True:
            offer = self.api.board.find(self.chat, 0, button(verbs.TAKE, among=self.shared.wishes))
            wall = self.shared.wall.get(self.team.branch_id)
            if offer is not None:
                await self.work(offer, callback(offer[1])[1][0], "taken")
            elif wall:
                await self.claim(wall.pop())
            else:
                await self.api.board.changed(self.chat, IDLE_LOOK)

    async def claim(self, wish: int) -> None:
        mark = await self.say("/wall", start=True)
        found = await self.expect(mark, button(verbs.CLAIM, wish=wish))
        if found is not None:
            await self.work(found, wish, "claimed")

    async def work(self, found: tuple[dict, str], wish: int, how: str) -> None:
        """Take (or claim) the wish, set off, report it done with a note, the hours and no photo."""
        mark = await self.press(found, start=how == "taken")  # a claim began with /wall
        if mark is None:
            return
        self.shared.count[how] += 1
        found = await self.expect(mark, button(verbs.START, wish=wish))
        mark = found and await self.steps(found, button(verbs.COMPLETE, wish=wish))
        if await self.expect(mark, button(verbs.CANCEL)) is None:
            return
        mark = await self.say(DONE_TEXT)
        found = await self.expect(mark, button(verbs.COMPLETE_HOURS, label=t("zh", "task.hours", hours="1")))
        if found and await self.steps(found, button(verbs.COMPLETE_NO_PHOTO)) is not None:
            self.shared.count["completed"] += 1


def actors(api: BenchApi, loop: OpenLoop, cast: Cast, catalogue: Catalogue) -> tuple[Shared, list[Actor]]:
    shared = Shared()
    label = catalogue.categories[CATEGORY].label.zh
    made: list[Actor] = []
    for team in cast.teams:
        made.append(StaffMember(api, loop, shared, team.staff, team=team, category_label=label))
        made += [Member(api, loop, shared, m, team=team) for m in team.members.values()]
        made += [Resident(api, loop, shared, r, category=label) for r in team.residents]
    return shared, made
