"""Errors every face (CLI, web, API) turns into a clear message for the user."""


class InputError(ValueError):
    """Bad input from a person or a file: the message names the field or line and,
    for vocabulary errors, the allowed values. The CLI prints it on one line and
    exits 2; the web answers 422 with it. Raised before anything is written."""

    def __init__(self, message: str, *, field: str | None = None, line: int | None = None):
        super().__init__(message)
        self.field = field
        self.line = line


class NotFoundError(LookupError):
    """A record that does not exist for this user (another user's records count as absent)."""


class SessionEnded(PermissionError):
    """A web write came with a session that has ended since it was last read (signed out
    or deleted on another process): nothing was written; the web asks to sign in again."""
