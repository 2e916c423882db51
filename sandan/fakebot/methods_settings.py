"""Bot API methods about the bot itself and its settings: getMe, logOut, close, getChat,
commands, descriptions, name and the chat menu button. A mixin of FakeBotApi."""

from __future__ import annotations

import copy
import json
import re

from sandan.fakebot.types import ApiError, JSONDict


class SettingsMethods:
    """Mixin of FakeBotApi: the bot's identity and the settings it stores."""

    def _init_settings(self) -> None:
        """Nothing set yet."""
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}  # (scope json, lang) -> commands
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}

    def _m_getMe(self, params: JSONDict) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, params: JSONDict) -> bool:
        return True

    def _m_close(self, params: JSONDict) -> bool:
        return True

    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_setMyCommands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for cmd in commands:
            name = str(cmd.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is empty")
        self.commands[self._scope_key(params)] = [dict(c) for c in commands]
        return True

    def _m_deleteMyCommands(self, params: JSONDict) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _m_getMyCommands(self, params: JSONDict) -> list[JSONDict]:
        return copy.deepcopy(self.commands.get(self._scope_key(params), []))

    def _m_setMyDescription(self, params: JSONDict) -> bool:
        self.descriptions[str(params.get("language_code") or "")] = str(params.get("description") or "")
        return True

    def _m_getMyDescription(self, params: JSONDict) -> JSONDict:
        lang = str(params.get("language_code") or "")
        return {"description": self.descriptions.get(lang, self.descriptions.get("", ""))}

    def _m_setMyShortDescription(self, params: JSONDict) -> bool:
        self.short_descriptions[str(params.get("language_code") or "")] = str(
            params.get("short_description") or ""
        )
        return True

    def _m_getMyShortDescription(self, params: JSONDict) -> JSONDict:
        lang = str(params.get("language_code") or "")
        return {"short_description": self.short_descriptions.get(lang, self.short_descriptions.get("", ""))}

    def _m_setMyName(self, params: JSONDict) -> bool:
        self.names[str(params.get("language_code") or "")] = str(params.get("name") or "")
        return True

    def _m_getMyName(self, params: JSONDict) -> JSONDict:
        lang = str(params.get("language_code") or "")
        return {"name": self.names.get(lang, self.names.get("", self.bot_first_name))}

    def _m_setChatMenuButton(self, params: JSONDict) -> bool:
        self.menu_buttons[params.get("chat_id")] = params.get("menu_button") or {"type": "default"}
        return True

    def _m_getChatMenuButton(self, params: JSONDict) -> JSONDict:
        chat_id = params.get("chat_id")
        return copy.deepcopy(
            self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "commands"}))
        )

    def _m_getChat(self, params: JSONDict) -> JSONDict:
        gifts = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        }
        chat = self._chat(self._chat_id(params))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}
