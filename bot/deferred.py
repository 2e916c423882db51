"""A reply that could not be sent now, as outbox parameters, and back.

Its text is stored so that the outbox sender can deliver it later; the sender
clears the parameters once the row is done, so the text does not stay in the
database (services.replies).
"""

from dataclasses import asdict, fields

from bot.flows.io import Button, Message

_FIELDS = {f.name for f in fields(Message)}


def message_params(message: Message) -> dict:
    """The JSON-safe parameters of an outbox row that carries `message`."""
    return {"message": asdict(message)}


def params_message(params: dict) -> Message:
    """The message an outbox row of deferred reply carries."""
    stored = {k: v for k, v in params.get("message", {}).items() if k in _FIELDS}
    stored["buttons"] = [[Button(**b) for b in row] for row in stored.get("buttons") or []]
    return Message(**{"text": "", **stored})
