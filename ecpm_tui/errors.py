"""Typed errors raised by domain and store code, each with a message fit to show a person."""

from __future__ import annotations


class EcpmError(Exception):
    """Base class: the message is meant for the user, never a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(EcpmError):
    """The record asked for does not exist (or was deleted meanwhile)."""


class Conflict(EcpmError):
    """Someone else saved the record first; the save was based on a stale version."""

    def __init__(self, message: str, current: object | None = None) -> None:
        super().__init__(message)
        self.current = current


class ValidationError(EcpmError):
    """Input rejected; `errors` maps field name to a message for that field."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, str] = dict(errors or {})

    @classmethod
    def from_fields(cls, errors: dict[str, str]) -> ValidationError:
        """Build one error from several field messages."""
        summary = "; ".join(f"{field}: {msg}" for field, msg in errors.items())
        return cls(summary, errors)


class GateBlocked(EcpmError):
    """A phase transition was asked for while gate criteria are unmet and no reason was given."""

    def __init__(
        self, message: str, unmet: list[str] | None = None, mandatory: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.unmet: list[str] = list(unmet or [])
        # Unmet mandatory criteria: nothing overrides them, the dialog offers no proceed.
        self.mandatory: list[str] = list(mandatory or [])


class NeedsConfirmation(EcpmError):
    """The action is allowed only once the user confirms it (then retried with ``force``)."""


class WipLimitReached(NeedsConfirmation):
    """A card would go into a column already at its WIP limit; retry with ``force``."""


class StorageError(EcpmError):
    """The database cannot be used: unwritable, corrupt, locked for too long, or too new."""
