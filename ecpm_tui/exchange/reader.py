"""Strict reading of one record of an import file, naming the place of every error."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from ecpm_tui import fields, lifecycle
from ecpm_tui.errors import ValidationError


class Problems:
    """The errors found in an import file: reading goes on after one, so a person fixes
    them all in one pass; :meth:`check` raises them together (the first LIMIT of them)."""

    LIMIT = 20

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    @contextlib.contextmanager
    def record(self) -> Iterator[None]:
        """Note a ValidationError raised in the block and carry on after it."""
        try:
            yield
        except ValidationError as exc:
            self.add(exc.message)

    def check(self) -> None:
        """Raise one ValidationError listing every error noted (none: return)."""
        if not self.messages:
            return
        if len(self.messages) == 1:
            raise ValidationError(self.messages[0])
        shown = self.messages[: self.LIMIT]
        lines = [f"{len(self.messages)} errors in the file; nothing was imported:"]
        lines += [f"  {m}" for m in shown]
        if len(self.messages) > len(shown):
            lines.append(f"  and {len(self.messages) - len(shown)} more.")
        raise ValidationError("\n".join(lines))


class Reader:
    """Strict access to one record of an import file, naming the place of every error."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ValidationError(f"{where}: expected an object.")
        self.data = data
        self.where = where

    def fail(self, message: str) -> ValidationError:
        return ValidationError(f"{self.where}: {message}")

    def get(self, name: str, default: Any = ...) -> Any:
        if name not in self.data:
            if default is ...:
                raise self.fail(f"missing field {name!r}.")
            return default
        return self.data[name]

    def ref(self, name: str) -> int | str | None:
        """An optional reference to another record of the file: a number or a text key."""
        value = self.get(name, None)
        if value is None or (isinstance(value, int | str) and not isinstance(value, bool)):
            return value
        raise self.fail(f"{name!r} must be a number or a text reference.")

    def list(self, name: str) -> list[Any]:
        value = self.get(name, [])
        if not isinstance(value, list):
            raise self.fail(f"{name!r} must be a list.")
        return value

    def text(self, name: str, max_len: int = fields.LONG, default: Any = ...) -> str:
        value = self.get(name, default)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{name!r} must be text.")
        try:
            return fields.string(max_len, multiline=True)(value, name)
        except ValidationError as exc:
            raise self.fail(exc.message) from exc

    def when(self, name: str, optional: bool = False) -> datetime | None:
        value = self.get(name, None if optional else ...)
        if value is None and optional:
            return None
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise self.fail(f"{name!r} is not a date-time.") from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def int(
        self, name: str, low: int = 0, high: int = 2**31 - 1, optional: bool = False
    ) -> int | None:
        value = self.get(name, None if optional else ...)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(f"{name!r} must be a whole number from {low} to {high}.")
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name, False)
        if not isinstance(value, bool):
            raise self.fail(f"{name!r} must be true or false.")
        return value

    def phase(self, name: str, optional: bool = False) -> str | None:
        value = self.get(name, None if optional else ...)
        if value is None and optional:
            return None
        try:
            return lifecycle.parse_phase(str(value)).value
        except ValidationError as exc:
            raise self.fail(f"{name!r} is not a phase.") from exc

    def tracked(self) -> dict[str, Any]:
        return {
            "created_at": self.when("created_at"),
            "created_by": self.text("created_by", 64),
            "updated_at": self.when("updated_at"),
            "updated_by": self.text("updated_by", 64),
        }

    def entity(self, specs: Mapping[str, fields.Spec]) -> dict[str, Any]:
        raw = {k: self.data[k] for k in specs if k in self.data}
        try:
            return fields.coerce(specs, raw, partial=False)
        except ValidationError as exc:
            raise self.fail(exc.message) from exc
