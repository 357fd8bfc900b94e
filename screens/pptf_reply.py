"""What the PPTF wizard holds per question, and its text progress bars (kept apart so
the wizard module stays small)."""

from __future__ import annotations

from dataclasses import dataclass

BAR_FULL, BAR_EMPTY = "█", "░"


def text_bar(done: int, total: int, width: int) -> str:
    """A bar of *width* cells, filled in proportion done/total."""
    filled = 0 if total <= 0 else round(width * done / total)
    return BAR_FULL * filled + BAR_EMPTY * (width - filled)


@dataclass(frozen=True)
class Reply:
    """One answer as the wizard holds it (mirrors what is saved)."""

    rating: int | None = None
    na: bool = False
    unknown: bool = False
    note: str = ""
    action: str = ""

    @property
    def given(self) -> bool:
        """Whether a rating, N/A or Don't know was chosen."""
        return self.rating is not None or self.na or self.unknown
