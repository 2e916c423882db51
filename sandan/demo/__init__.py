"""`sandan demo`: the whole story through the real bot, against a fake Telegram on 127.0.0.1."""

from sandan.demo.story import run_demo

__all__ = ["run_demo"]
