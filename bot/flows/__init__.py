"""Conversation flows: plain Python shared by every adapter (no Telegram library here)."""
