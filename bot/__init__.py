"""The Telegram side: flows, texts, adapters."""
