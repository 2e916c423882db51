"""Deliver outbox rows with PTB, translating its errors for the sender."""

from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.flows.callbacks import CallbackCodec
from bot.notify import render_notification
from bot.ptb.render import Progress, send_message
from services import transport as contract
from services.catalogue import Catalogue


class PtbTransport:
    def __init__(self, bot: Bot, catalogue: Catalogue, codec: CallbackCodec) -> None:
        self.bot, self.catalogue, self.codec = bot, catalogue, codec

    async def __call__(self, item: contract.Delivery) -> None:
        message = render_notification(
            item.language, self.catalogue, self.codec, key=item.key, params=item.params, wish_id=item.wish_id
        )
        progress = Progress(item.parts_sent)  # a retry resumes after the parts Telegram has
        try:
            await send_message(self.bot, item.telegram_id, message, progress)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise contract.RetryAfter(seconds, parts_sent=progress.parts) from exc
        except Forbidden as exc:
            raise contract.Unreachable(type(exc).__name__, parts_sent=progress.parts) from exc
        except BadRequest as exc:  # a NetworkError subclass, but retrying will not help
            raise contract.Refused(type(exc).__name__, parts_sent=progress.parts) from exc
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            raise contract.Transient(type(exc).__name__, parts_sent=progress.parts) from exc
