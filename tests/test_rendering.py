"""Rendering outputs for Telegram: escaping, splitting and the start-up guard."""

import html
import os
import subprocess
import sys

from bot.ptb.render import LIMIT, split_text


def test_a_long_message_is_split_at_4096_characters_without_losing_text():
    text = "\n".join(f"第{i}行：<b>水管</b> & 电线" for i in range(600))
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c) <= LIMIT for c in chunks)
    assert html.unescape("\n".join(chunks)) == text


def test_one_huge_line_is_cut_but_never_inside_an_escaped_character():
    text = "&" * 5000
    chunks = split_text(text)
    assert all(len(c) <= LIMIT for c in chunks)
    assert all(c.endswith("&amp;") for c in chunks)
    assert html.unescape("".join(chunks)) == text


def test_user_text_is_escaped_so_it_shows_as_typed():
    assert split_text("<script>alert(1)</script>") == ["&lt;script&gt;alert(1)&lt;/script&gt;"]


def test_sandan_run_without_a_token_exits_at_once_and_says_how_to_get_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "sandan.cli", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "BotFather" in result.stderr and "sandan demo" in result.stderr


async def test_an_edit_that_has_to_go_out_as_a_new_message_keeps_its_protection():
    from types import SimpleNamespace

    from bot.flows.io import Edit
    from bot.ptb.aiohttp_request import with_aiohttp
    from bot.ptb.render import render
    from sandan.fakebot import FakeBotApi

    async def answer(*_args, **_kwargs):
        return True

    gone = SimpleNamespace(message=SimpleNamespace(message_id=999), answer=answer)  # nothing to edit
    async with FakeBotApi() as api:
        app = with_aiohttp(api.application_builder()).build()
        await app.initialize()
        try:
            await render(app.bot, 42, [Edit("居民：王秀英 13812341234", protect=True)], query=gone)
        finally:
            await app.shutdown()
        [sent] = api.calls("sendMessage", chat_id=42)
    assert str(sent.params.get("protect_content")).lower() == "true"
