"""Telegram updates (PTB objects) to neutral flow inputs."""

from telegram import Update

from bot.flows.io import Input, Kind, Who


def _who(user) -> Who:
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    return Who(user.id, name, user.language_code)


def to_input(update: Update) -> Input | None:
    """The flow input for an update, or None for updates the bot ignores."""
    if update.callback_query is not None:
        query = update.callback_query
        message_id = query.message.message_id if query.message else None
        return Input(
            _who(query.from_user),
            Kind.button,
            data=query.data,
            message_id=message_id,
            update_id=update.update_id,
        )
    edited = update.edited_message
    if edited is not None and edited.from_user is not None and edited.chat.type == "private":
        # An edit changes nothing already answered; as "other" input it gets the polite
        # "can't use this here" (or, in a form, the question again), never a new answer.
        return Input(_who(edited.from_user), Kind.other, update_id=update.update_id)
    message = update.message
    if message is None or message.from_user is None or message.chat.type != "private":
        return None  # channel posts, groups: nothing to act on
    who, uid = _who(message.from_user), update.update_id
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, args = text.partition(" ")
            command = head[1:].split("@", 1)[0].lower()
            return Input(who, Kind.command, command=command, text=args.strip(), update_id=uid)
        return Input(who, Kind.text, text=text, update_id=uid)
    if message.contact is not None:
        contact = message.contact
        return Input(
            who, Kind.contact, phone=contact.phone_number, contact_user_id=contact.user_id, update_id=uid
        )
    if message.photo:
        return Input(
            who, Kind.photo, file_id=message.photo[-1].file_id, text=message.caption or "", update_id=uid
        )
    if message.voice is not None:
        return Input(who, Kind.voice, file_id=message.voice.file_id, update_id=uid)
    if message.location is not None:
        return Input(who, Kind.location, update_id=uid)
    return Input(who, Kind.other, update_id=uid)
