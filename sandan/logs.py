"""Logging that never writes the bot token, nor the message texts PTB logs at DEBUG.

A log record factory replaces every guarded secret in every record of every logger,
tracebacks included, so no handler, ours or a library's, ever sees it. PTB logs each Bot API
call with its parameters (message texts, shared contacts) at DEBUG, and HTTP clients log
request URLs, which hold the token: those loggers are held at INFO or above.
"""

import logging

REDACTED = "<token>"
QUIET_LOGGERS = {"telegram": logging.INFO, "httpx": logging.WARNING}
_secrets: set[str] = set()
_make_record = logging.getLogRecordFactory()


def scrub(text: str) -> str:
    """`text` with every guarded secret replaced."""
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def _record(*args, **kwargs) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed call; logging reports it itself when it formats the record
        return record
    if (clean := scrub(message)) != message:
        record.msg, record.args = clean, None
    # Formatters print exc_text, once set, instead of formatting exc_info again.
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    return record


def guard_logs(*secrets: str | None) -> None:
    """From now on no log record carries any of `secrets`, and the chatty libraries stay quiet."""
    _secrets.update(s for s in secrets if s)
    if logging.getLogRecordFactory() is not _record:
        logging.setLogRecordFactory(_record)
    for name, level in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level:
            logger.setLevel(level)


def setup_logging(level: str, *secrets: str | None) -> None:
    """Logging at `level`, never carrying any of `secrets` (the bot token, the webhook's)."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    guard_logs(*secrets)
