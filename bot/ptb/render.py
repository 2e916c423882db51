"""Flow outputs to Bot API calls. The one place text is escaped for HTML."""

import html

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode

from bot.flows.io import Answer, Edit, File, Message, Output

LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096


def split_text(text: str, limit: int = LIMIT) -> list[str]:
    """Escaped chunks of at most `limit` characters, cut at line breaks where possible."""
    chunks, current = [], ""
    for line in text.split("\n"):
        piece = html.escape(line)
        while len(piece) > limit:  # one huge line: cut it, but never inside an entity
            cut = piece.rfind("&", limit - 8, limit)
            cut = cut if cut > 0 and ";" not in piece[cut:limit] else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(piece[:cut])
            piece = piece[cut:]
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > limit:
            chunks.append(current)
            candidate = piece
        current = candidate
    chunks.append(current)
    return [c for c in chunks if c] or [""]


def markup(message: Message):
    if message.buttons:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in message.buttons]
        )
    if message.contact_button or message.keyboard:
        rows = (
            [[KeyboardButton(message.contact_button, request_contact=True)]] if message.contact_button else []
        )
        rows += [[KeyboardButton(label) for label in row] for row in message.keyboard or []]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=not message.contact_button)
    if message.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


async def send_message(bot: Bot, chat_id: int, message: Message) -> None:
    """Send a message, split if long; the buttons go with the last part."""
    chunks = split_text(message.text)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        await bot.send_message(
            chat_id,
            chunk,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(message) if last else None,
            disable_notification=not message.notify,
        )


async def render(bot: Bot, chat_id: int, outputs: list[Output], *, query=None) -> None:
    """Carry out every output for the user who sent the input."""
    for output in outputs:
        if isinstance(output, Message):
            await send_message(bot, output.chat_id or chat_id, output)
        elif isinstance(output, Edit) and query is not None and query.message is not None:
            buttons = markup(Message("", buttons=output.buttons)) if output.buttons else None
            await bot.edit_message_text(
                split_text(output.text)[0],
                chat_id=chat_id,
                message_id=query.message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=buttons,
            )
        elif isinstance(output, Answer) and query is not None:
            await query.answer(output.text or None, show_alert=output.alert)
        elif isinstance(output, File):
            upload = InputFile(output.data, filename=output.name)
            send = bot.send_photo if output.photo else bot.send_document
            await send(chat_id, upload, caption=html.escape(output.caption)[:1024], parse_mode=ParseMode.HTML)
