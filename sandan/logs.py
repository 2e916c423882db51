"""Logging set-up that never writes the bot token."""

import logging


class RedactToken(logging.Filter):
    """Replace the token wherever it appears, e.g. in request URLs."""

    def __init__(self, secret: str | None) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secret:
            message = record.getMessage()
            if self.secret in message:
                record.msg, record.args = message.replace(self.secret, "<token>"), None
            # A traceback can carry it too (an HTTP client's error naming the request URL);
            # formatters print exc_text, once set, instead of formatting exc_info again.
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text and self.secret in record.exc_text:
                record.exc_text = record.exc_text.replace(self.secret, "<token>")
        return True


def setup_logging(level: str, token: str | None = None) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(token))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every request URL, token included
