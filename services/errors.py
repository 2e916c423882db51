"""Typed domain errors. Each carries a message key the bot translates."""


class DomainError(Exception):
    """A use case refused; nothing was changed."""

    default_key = "error.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.default_key
        self.params = params
        super().__init__(self.key, params)


class NotFound(DomainError):
    default_key = "error.not_found"


class NotAllowed(DomainError):
    """The actor may not do this to this wish (wrong role or branch)."""

    default_key = "error.not_allowed"


class InvalidTransition(DomainError):
    """The wish is not in a state that allows this move."""

    default_key = "error.not_now"


class Conflict(DomainError):
    """Someone else changed the wish first, e.g. it is already taken."""

    default_key = "error.changed"


class InvalidInput(DomainError):
    """The user's input does not pass validation."""

    default_key = "error.invalid"
