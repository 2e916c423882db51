"""Outbox notifications as chat messages: the text plus the buttons to act on them."""

from bot.deferred import params_message
from bot.flows import verbs
from bot.flows.callbacks import CallbackCodec
from bot.flows.io import Button, Message
from bot.flows.rating import star_rows
from bot.i18n import t
from bot.texts import render_note
from services.catalogue import Catalogue
from services.replies import REPLY_KEY


def _buttons(
    lang: str, codec: CallbackCodec, key: str, wish_id: int | None, params: dict
) -> list[list[Button]]:
    def b(label_key: str, verb: str, *ids: int, **fmt) -> Button:
        return Button(t(lang, label_key, **fmt), codec.encode(verb, *ids))

    if key == "staff.member_registered" and params.get("member_id"):
        member = params["member_id"]
        return [[b("btn.approve", verbs.APPROVE, member), b("btn.deny", verbs.DENY, member)]]
    if wish_id is None:
        return []
    match key:
        case "member.offer":
            return [[b("btn.take", verbs.TAKE, wish_id), b("btn.decline", verbs.DECLINE, wish_id)]]
        case "resident.completed" | "resident.remind_rating":  # the same keyboard as the wish view
            return star_rows(lang, codec, wish_id)
        case "member.remind_task":
            return [
                [b("task.btn.complete", verbs.COMPLETE, wish_id), b("task.btn.drop", verbs.DROP, wish_id)]
            ]
        case "staff.new_wish" | "staff.remind_triage":
            return [[b("btn.accept", verbs.ACCEPT, wish_id), b("btn.reject", verbs.REJECT, wish_id)]]
        case (
            "staff.offer_declined"
            | "staff.offer_expired"
            | "staff.dropped_out"
            | "staff.remind_wall"
            | "staff.auto_dispatch_failed"
            | "staff.returned"
            | "staff.returned_suspended"
            | "staff.returned_paused"
            | "staff.returned_moved"
            | "staff.returned_unreachable"
            | "staff.returned_forgotten"
        ):
            return [[b("btn.dispatch", verbs.DISPATCH, wish_id)]]
        case "staff.disputed" | "staff.unreachable" | "admin.escalate_triage" | "staff.escalate_task":
            return [[b("btn.view", verbs.STAFF_VIEW, wish_id)]]
        case "staff.low_rating" if params.get("visit_id"):
            return [
                [b("btn.visit", verbs.VISIT, params["visit_id"]), b("btn.view", verbs.STAFF_VIEW, wish_id)]
            ]
        case "resident.accepted" | "resident.assigned" | "resident.started" | "resident.rearranging":
            return [[b("btn.view", verbs.VIEW, wish_id)]]
    return []


def render_notification(
    lang: str, catalogue: Catalogue, codec: CallbackCodec, *, key: str, params: dict, wish_id: int | None
) -> Message:
    """The message one outbox row becomes, in its recipient's language."""
    if key == REPLY_KEY:  # a reply rendered when it could not be sent (bot.deferred)
        return params_message(params)
    text = render_note(lang, catalogue, key, params)
    if params.get("more"):  # a combined reminder capped at its first items (services.sweeps.batching)
        text += "\n" + t(lang, "note.more_items", more=params["more"])
    return Message(text, buttons=_buttons(lang, codec, key, wish_id, params))
