"""Tamper evidence for the audit trail: each event's hash covers the previous event's hash.

Anyone with write access to a shared SQLite file can edit it with ``sqlite3``; with the
chain, an edited, inserted or deleted event breaks every link after it, and
``ecpm doctor --verify-audit`` names the first broken one. (Cutting events off the end
cannot be seen this way; PostgreSQL role separation guards against that.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

GENESIS = "0" * 64


class ChainedEvent(Protocol):
    """The fields of an audit event that its hash covers."""

    at: datetime
    user: str
    db_role: str
    entity: str
    entity_id: int | None
    project_id: int | None
    action: str
    summary: str
    changes: str
    imported_by: str
    imported_at: datetime | None


def _when(value: datetime | None) -> str | None:
    # Backends hand datetimes back with or without a zone; hash the same UTC wall time.
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def digest(previous: str, event: ChainedEvent) -> str:
    """The hash of *event* chained to the *previous* event's hash."""
    body = json.dumps(
        [
            previous,
            _when(event.at),
            event.user,
            event.db_role,
            event.entity,
            event.entity_id,
            event.project_id,
            event.action,
            event.summary,
            event.changes,
            event.imported_by,
            _when(event.imported_at),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    """The result of walking the chain: how many events, and the first bad one if any."""

    checked: int
    broken_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


class StoredEvent(ChainedEvent, Protocol):
    id: int | None
    hash: str


def verify(events: Iterable[StoredEvent]) -> ChainCheck:
    """Walk *events* in id order; the first whose stored hash does not match breaks the chain."""
    previous = GENESIS
    count = 0
    for event in events:
        count += 1
        expected = digest(previous, event)
        if event.hash != expected:
            return ChainCheck(count, event.id)
        previous = event.hash
    return ChainCheck(count)
