"""Prints what the fake Telegram server saw as a readable chat transcript."""

import html

from sandan.fakebot import FakeBotApi

KEEP = {"sendMessage", "editMessageText", "answerCallbackQuery", "sendPhoto", "sendDocument"}


class Transcript:
    """Remembers how far it has printed, and prints each new bot call per person."""

    def __init__(self, api: FakeBotApi, names: dict[int, str], bot_label: str) -> None:
        self.api, self.names, self.bot_label = api, names, bot_label
        self.seen = 0

    def _buttons(self, markup: dict | None) -> list[str]:
        if not markup:
            return []
        if "inline_keyboard" in markup:
            return ["    " + "  ".join(f"[{b['text']}]" for b in row) for row in markup["inline_keyboard"]]
        if "keyboard" in markup:
            return ["    " + "  ".join(f"<{b['text']}>" for b in row) for row in markup["keyboard"]]
        return []

    def flush(self) -> None:
        calls = self.api.calls()
        for call in calls[self.seen :]:
            if call.method not in KEEP or not call.ok:
                continue
            p = call.params
            if call.method == "answerCallbackQuery":
                if p.get("text"):
                    kind = "⚠️" if p.get("show_alert") else "💬"
                    print(f"  {kind} {p['text']}")
                continue
            who = self.names.get(p.get("chat_id"), str(p.get("chat_id")))
            arrow = "✏️" if call.method == "editMessageText" else "→"
            text = html.unescape(p.get("text") or p.get("caption") or "")  # as the person sees it
            print(f"  {self.bot_label} {arrow} {who}: " + text.replace("\n", "\n      "))
            for line in self._buttons(p.get("reply_markup")):
                print(line)
        self.seen = len(calls)
