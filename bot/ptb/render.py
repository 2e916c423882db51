"""Flow outputs to Bot API calls. The one place text is escaped for HTML."""

import html
import logging
from collections.abc import Awaitable, Callable

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from bot.flows.io import Answer, Edit, File, Media, Message, Output, Post

LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
MAX_REPLY_WAIT = 10.0  # seconds a reply waits out a 429; a longer wait hands it to the outbox
REPLY_ATTEMPTS = 3  # a dropped connection or a 500 is tried again twice, within about 1.5 s
log = logging.getLogger(__name__)

# Hands a reply that could not be sent to the outbox: (chat, message, parts sent, seconds to wait).
Defer = Callable[[int, Message, int, float], Awaitable[None]]


class Progress:
    """How many parts of a long message Telegram already has."""

    def __init__(self, parts: int = 0) -> None:
        self.parts = parts


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


async def send_message(bot: Bot, chat_id: int, message: Message, progress: Progress | None = None) -> None:
    """Send a message, split if long, from the part after those `progress` counts; buttons go last."""
    progress = progress or Progress()
    chunks = split_text(message.text)
    for i in range(progress.parts, len(chunks)):
        last = i == len(chunks) - 1
        await bot.send_message(
            chat_id,
            chunks[i],
            parse_mode=ParseMode.HTML,
            reply_markup=markup(message) if last else None,
            disable_notification=not message.notify,
            protect_content=message.protect,
            link_preview_options=None if message.preview else NO_PREVIEW,
        )
        progress.parts = i + 1


async def _one(bot: Bot, chat_id: int, output: Output, query, progress: Progress) -> None:
    if isinstance(output, Message):
        await send_message(bot, chat_id, output, progress)
    elif isinstance(output, Edit):
        buttons = markup(Message("", buttons=output.buttons)) if output.buttons else None
        if query is None or query.message is None or progress.parts:
            await send_message(bot, chat_id, output.as_message(), progress)
            return
        try:
            await bot.edit_message_text(
                split_text(output.text)[0],
                chat_id=chat_id,
                message_id=query.message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=buttons,
            )
        except BadRequest as exc:
            if "not modified" in str(exc).lower():  # a double tap: the message already says this
                return
            # The message is gone or too old to edit: say it in a new one instead.
            await send_message(bot, chat_id, output.as_message(), progress)
    elif isinstance(output, Media):
        send = bot.send_voice if output.voice else bot.send_photo
        await send(
            chat_id,
            output.file_id,
            caption=html.escape(output.caption)[:1024] or None,
            parse_mode=ParseMode.HTML,
        )
    elif isinstance(output, File):
        upload = InputFile(output.data, filename=output.name)
        send = bot.send_photo if output.photo else bot.send_document
        await send(
            chat_id,
            upload,
            caption=html.escape(output.caption)[:1024],
            parse_mode=ParseMode.HTML,
            protect_content=output.protect,
        )
    elif isinstance(output, Post):
        try:
            await send_message(bot, output.chat_id, Message(output.text))
        except TelegramError as exc:
            log.warning("posting to chat %s failed: %s", output.chat_id, type(exc).__name__)
            await send_message(bot, chat_id, Message(output.failed))
        else:
            await send_message(bot, chat_id, Message(output.done))


def _retryable(exc: BaseException) -> bool:
    """A dropped connection, a timeout, a 5xx or a short 429: worth trying again at once."""
    if isinstance(exc, RetryAfter):
        return _seconds(exc.retry_after) <= MAX_REPLY_WAIT
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


def _wait(state) -> float:
    exc = state.outcome.exception()
    if isinstance(exc, RetryAfter):
        return _seconds(exc.retry_after)
    return 0.5 * state.attempt_number


def _deferrable(exc: BaseException) -> bool:
    """Worth handing to the outbox: the same faults, or a 429 too long to wait for here."""
    return isinstance(exc, (RetryAfter, NetworkError)) and not isinstance(exc, BadRequest)


def _as_message(output: Output) -> Message | None:
    if isinstance(output, Message):
        return output
    if isinstance(output, Edit):  # later, the pressed message may be gone: a new message says it
        return output.as_message()
    return None


async def render(
    bot: Bot, chat_id: int, outputs: list[Output], *, query=None, defer: Defer | None = None
) -> None:
    """Carry out every output for the user who sent the input.

    A button press is answered first, so that a failing send never leaves its
    spinner turning; one failing output does not stop the ones after it. A
    transient failure is tried again briefly; a message that still does not go
    is handed to `defer` (the outbox), and so are the messages after it, which
    must not overtake it.
    """
    if query is not None:
        answer = next((o for o in outputs if isinstance(o, Answer)), Answer())
        try:
            await query.answer(answer.text or None, show_alert=answer.alert)
        except TelegramError as exc:
            log.warning("answering a button press failed: %s", type(exc).__name__)
    deferring = False
    for output in outputs:
        if isinstance(output, Answer):
            continue
        message, progress = _as_message(output), Progress()
        if deferring and message is not None and defer is not None:
            await defer(chat_id, message, 0, 0.0)
            continue
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(REPLY_ATTEMPTS),
                wait=_wait,
                retry=retry_if_exception(_retryable),
                reraise=True,
            ):
                with attempt:
                    await _one(bot, chat_id, output, query, progress)
        except TelegramError as exc:
            log.warning("a reply to %s failed: %s", chat_id, type(exc).__name__)
            if message is not None and defer is not None and _deferrable(exc):
                wait = _seconds(exc.retry_after) if isinstance(exc, RetryAfter) else 0.0
                await defer(chat_id, message, progress.parts, wait)
                deferring = True


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
