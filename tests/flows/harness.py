"""Drive the flows directly, as an adapter would, and read what they return."""

from dataclasses import dataclass, field
from itertools import count
from zoneinfo import ZoneInfo

from bot.flows.callbacks import CallbackCodec
from bot.flows.context import Deps
from bot.flows.io import Answer, Button, Input, Kind, Message, Who
from bot.flows.registry import build_engine
from services.wishes import Limits

_update_ids = count(1)


@dataclass
class Person:
    telegram_id: int
    name: str
    language_code: str = "zh-hans"
    seen: list = field(default_factory=list)

    @property
    def who(self) -> Who:
        return Who(self.telegram_id, self.name, self.language_code)


class Chat:
    """Sends inputs through the engine and keeps every output per person."""

    def __init__(self, db, catalogue) -> None:
        self.deps = Deps(db, catalogue, Limits(), ZoneInfo("Asia/Shanghai"), CallbackCodec(b"test-secret"))
        self.engine = build_engine(self.deps)

    def send(self, person: Person, kind: Kind, **fields) -> list:
        inp = Input(person.who, kind, update_id=next(_update_ids), **fields)
        out = self.engine.handle(inp)
        person.seen.extend(out)
        return out

    def text(self, person: Person, text: str) -> list:
        return self.send(person, Kind.text, text=text)

    def command(self, person: Person, command: str, args: str = "") -> list:
        return self.send(person, Kind.command, command=command, text=args)

    def press(self, person: Person, label_part: str) -> list:
        """Press the newest button whose label contains `label_part`."""
        return self.send(person, Kind.button, data=find_button(person, label_part).data)


def messages(outputs) -> list[Message]:
    return [o for o in outputs if isinstance(o, Message)]


def last_text(person: Person) -> str:
    return [o for o in person.seen if isinstance(o, Message) or (isinstance(o, Answer) and o.text)][-1].text


def find_button(person: Person, label_part: str) -> Button:
    for output in reversed(person.seen):
        for row in getattr(output, "buttons", []):
            for button in row:
                if label_part in button.text:
                    return button
    raise AssertionError(f"no button with {label_part!r}")
