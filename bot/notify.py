"""Outbox notifications as chat messages: the text plus the buttons to act on them."""

from bot.deferred import params_message
from bot.flows import verbs
from bot.flows.callbacks import CallbackCodec
from bot.flows.io import Button, Message
from bot.flows.rating import star_rows
from bot.i18n import t
from bot.texts import render_note
from services.catalogue import Catalogue
from services.note_keys import NoteKey
from services.replies import REPLY_KEY


def _buttons(
    lang: str, codec: CallbackCodec, key: str, wish_id: int | None, params: dict
) -> list[list[Button]]:
    def b(label_key: str, verb: str, *ids: int, **fmt) -> Button:
        return Button(t(lang, label_key, **fmt), codec.encode(verb, *ids))

    if key == NoteKey.staff_member_registered and params.get("member_id"):
        member = params["member_id"]
        return [[b("btn.approve", verbs.APPROVE, member), b("btn.deny", verbs.DENY, member)]]
    if wish_id is None:
        return []
    match key:
        case NoteKey.member_offer:
            return [[b("btn.take", verbs.TAKE, wish_id), b("btn.decline", verbs.DECLINE, wish_id)]]
        case NoteKey.resident_completed | NoteKey.resident_remind_rating:  # as on the wish view
            return star_rows(lang, codec, wish_id)
        case NoteKey.member_remind_task:
            return [
                [b("task.btn.complete", verbs.COMPLETE, wish_id), b("task.btn.drop", verbs.DROP, wish_id)]
            ]
        case NoteKey.staff_new_wish | NoteKey.staff_remind_triage:
            return [[b("btn.accept", verbs.ACCEPT, wish_id), b("btn.reject", verbs.REJECT, wish_id)]]
        case (
            NoteKey.staff_offer_declined
            | NoteKey.staff_offer_expired
            | NoteKey.staff_dropped_out
            | NoteKey.staff_remind_wall
            | NoteKey.staff_auto_dispatch_failed
            | NoteKey.staff_returned
            | NoteKey.staff_returned_suspended
            | NoteKey.staff_returned_paused
            | NoteKey.staff_returned_moved
            | NoteKey.staff_returned_unreachable
            | NoteKey.staff_returned_forgotten
        ):
            return [[b("btn.dispatch", verbs.DISPATCH, wish_id)]]
        case (
            NoteKey.staff_disputed
            | NoteKey.staff_unreachable
            | NoteKey.admin_escalate_triage
            | NoteKey.staff_escalate_task
        ):
            return [[b("btn.view", verbs.STAFF_VIEW, wish_id)]]
        case NoteKey.staff_low_rating if params.get("visit_id"):
            return [
                [b("btn.visit", verbs.VISIT, params["visit_id"]), b("btn.view", verbs.STAFF_VIEW, wish_id)]
            ]
        case (
            NoteKey.resident_accepted
            | NoteKey.resident_assigned
            | NoteKey.resident_started
            | NoteKey.resident_rearranging
        ):
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
