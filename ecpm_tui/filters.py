"""Board filter language: free text, ``@assignee``, ``#tag``, ``ws:workstream``."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Protocol


class Filterable(Protocol):
    """What a filter reads of a card as the board holds it: the start of its
    description (``summary``), and ``more`` when the description goes on."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def more(self) -> bool: ...
    @property
    def department(self) -> str: ...
    @property
    def assignee(self) -> str: ...
    @property
    def workstream(self) -> str: ...
    @property
    def tags(self) -> str: ...


@dataclass(frozen=True)
class CardFilter:
    """A parsed filter; every part must match (AND)."""

    words: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    workstreams: tuple[str, ...] = ()
    only_user: str | None = field(default=None)

    @property
    def active(self) -> bool:
        return bool(self.words or self.assignees or self.tags or self.workstreams or self.only_user)

    def matches(self, card: Filterable, long_matches: Container[int] = frozenset()) -> bool:
        """Whether *card* passes every part of the filter.

        The free text is looked for in the title, description and department. For a card
        whose description goes past its summary, that part is decided by the store, which
        reads the whole description: *long_matches* holds the ids it found
        (``Store.long_text_matches``).
        """
        if self.only_user and card.assignee.lower() != self.only_user.lower():
            return False
        if self.assignees and card.assignee.lower() not in self.assignees:
            return False
        if self.workstreams and not any(card.workstream.startswith(w) for w in self.workstreams):
            return False
        if self.tags:
            card_tags = {t.strip() for t in card.tags.lower().split(",")}
            if not all(t in card_tags for t in self.tags):
                return False
        if self.words:
            if card.more:
                return card.id in long_matches
            hay = f"{card.title}\n{card.summary}\n{card.department}".lower()
            if not all(w in hay for w in self.words):
                return False
        return True


def parse_filter(query: str, only_user: str | None = None) -> CardFilter:
    """Parse the text typed after ``/`` on the board."""
    words: list[str] = []
    assignees: list[str] = []
    tags: list[str] = []
    workstreams: list[str] = []
    for token in query.lower().split():
        if token.startswith("@") and len(token) > 1:
            assignees.append(token[1:])
        elif token.startswith("#") and len(token) > 1:
            tags.append(token[1:])
        elif token.startswith("ws:") and len(token) > 3:
            workstreams.append(token[3:])
        else:
            words.append(token)
    return CardFilter(tuple(words), tuple(assignees), tuple(tags), tuple(workstreams), only_user)
