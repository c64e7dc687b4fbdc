"""Time as a dependency: code asks a Clock, so tests and re-runs can fix 'now'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Source of the current instant (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one instant."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant.astimezone(UTC)


def naive_utc(moment: datetime) -> datetime:
    """The instant as naive UTC, the warehouse's and the records' form (a naive input is taken as UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
