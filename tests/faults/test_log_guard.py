"""The bot token never reaches a log line, whoever logs it and however (issue point 6)."""

import logging

from sandan.logs import guard_logs

TOKEN = "987654:GUARD-TEST-TOKEN"


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_no_logger_prints_the_token_in_a_message_an_argument_or_a_traceback():
    guard_logs(TOKEN)
    keep, root = Keep(), logging.getLogger()
    root.addHandler(keep)
    try:
        other = logging.getLogger("some.library")
        other.setLevel(logging.DEBUG)
        other.warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        other.error(f"The token `{TOKEN}` was rejected by the server.")
        try:
            raise RuntimeError(f"GET /bot{TOKEN}/sendMessage failed")
        except RuntimeError:
            other.exception("request failed")
        logging.getLogger("telegram.ext.ExtBot").debug("Calling Bot API with parameters %s", {"text": "x"})
    finally:
        root.removeHandler(keep)
    assert len(keep.lines) == 3  # PTB's DEBUG dump of every call's parameters is held back
    assert not any(TOKEN in line for line in keep.lines)
    assert all("<token>" in line for line in keep.lines)
