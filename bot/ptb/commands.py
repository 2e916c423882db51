"""Per-role command menus (setMyCommands). Cosmetic: failures are logged, never fatal."""

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import LANGUAGES, t
from services.actors import Actor

log = logging.getLogger(__name__)

# privacy: Telegram's clients look for /privacy in every bot's menu.
RESIDENT = ["start", "wish", "mywishes", "help", "language", "cancel", "privacy", "mydata", "forgetme"]
MEMBER = ["wall", "mytasks", "me", "pause", "resume"]
STAFF = ["queue", "dispatch", "wish", "members", "find", "visits", "broadcast"]
REPORTS = ["stats", "export", "report", "top", "publish"]  # staff and admins
ADMIN = ["branches"]


def commands_key(actor: Actor | None) -> tuple[str, ...]:
    """The command names a user's roles give them."""
    names = list(RESIDENT)
    if actor is not None and actor.member_status is not None:
        names += MEMBER
    if actor is not None and (actor.staff_branches or actor.is_admin):
        names += [n for n in STAFF if n not in names]
        names += REPORTS
    if actor is not None and actor.is_admin:
        names += ADMIN
    return tuple(names)


def commands_for(actor: Actor | None, language: str) -> list[BotCommand]:
    return [BotCommand(name, t(language, f"cmd.{name}")) for name in commands_key(actor)]


async def set_default_commands(bot: Bot) -> None:
    """The resident menu for every private chat, in each language."""
    for language in LANGUAGES:
        code = None if language == "zh" else language
        try:
            await bot.set_my_commands(
                commands_for(None, language), scope=BotCommandScopeAllPrivateChats(), language_code=code
            )
        except TelegramError as exc:
            log.warning("setMyCommands (default, %s) failed: %s", language, type(exc).__name__)


async def set_chat_commands(bot: Bot, chat_id: int, actor: Actor, language: str) -> None:
    """The menu of one chat, for the roles its user holds."""
    try:
        await bot.set_my_commands(commands_for(actor, language), scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("setMyCommands for a chat failed: %s", type(exc).__name__)
