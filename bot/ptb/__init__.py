"""The python-telegram-bot adapter: updates in, flow outputs out, and the outbox sender."""
