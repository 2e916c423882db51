"""What a flow receives and what it returns; adapters translate to and from these."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    command = "command"
    text = "text"
    button = "button"
    contact = "contact"
    photo = "photo"
    voice = "voice"
    location = "location"
    other = "other"


@dataclass(frozen=True)
class Who:
    telegram_id: int
    display_name: str = ""
    language_code: str | None = None


@dataclass(frozen=True)
class Input:
    """One thing a user did: a command, text, a button press, a shared contact, ..."""

    who: Who
    kind: Kind
    text: str = ""  # message text or caption; for commands, the arguments
    command: str | None = None  # without the slash
    data: str | None = None  # callback data of a pressed button
    file_id: str | None = None  # photo (largest size) or voice
    phone: str | None = None  # a shared contact's phone number
    contact_user_id: int | None = None  # whose contact was shared
    message_id: int | None = None  # the message a pressed button belongs to
    update_id: int | None = None


@dataclass(frozen=True)
class Button:
    text: str
    data: str


@dataclass
class Message:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: list[list[str]] | None = None  # persistent reply keyboard
    contact_button: str | None = None  # label of a request_contact button
    remove_keyboard: bool = False
    notify: bool = True
    protect: bool = False  # Telegram's protect_content: no forwarding or saving (a resident's contact)
    preview: bool = False  # link previews; off unless a message is meant to show one


@dataclass
class Edit:
    """Replace the text and buttons of the message whose button was pressed."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    protect: bool = False  # as Message.protect, for when the edit has to go out as a new message

    def as_message(self) -> Message:
        """The new message that says the same, when the pressed one is gone or cannot be edited."""
        return Message(self.text, buttons=self.buttons, protect=self.protect)


@dataclass
class Answer:
    """The reply to a button press: a toast, or an alert the user must dismiss."""

    text: str = ""
    alert: bool = False


@dataclass
class Media:
    """A photo or voice message Telegram already holds, sent again by its file id."""

    file_id: str
    voice: bool = False
    caption: str = ""


@dataclass
class File:
    data: bytes
    name: str
    caption: str = ""
    photo: bool = False
    protect: bool = True  # exports and reports hold personal data: not to be forwarded from the chat


@dataclass
class Post:
    """A message to another chat (a branch's notice channel); the user then hears how it went."""

    chat_id: int
    text: str
    done: str  # told to the user once it is posted
    failed: str  # told to the user if Telegram refuses it (e.g. the bot is not in that chat)


@dataclass
class Later:
    """Read-only work (a report, a chart, an export) the engine runs after the update's own
    transaction, in a read transaction of its own, so that it never holds the write lock
    every other update waits for. `work` gets the context with the read session; its outputs
    take this one's place. Adapters never see it."""

    work: Callable[[Any], list["Output"]]


Output = Message | Edit | Answer | Media | File | Post | Later
