"""One injectable clock. Production uses SystemClock; tests and demos may move a SimulatedClock."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

NL = ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock tests move by hand. Never configured in production."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)


def today_nl(clock: Clock) -> date:
    """The calendar date in the Netherlands at this moment (business dates are Dutch dates)."""
    return clock.now().astimezone(NL).date()


def clock_from_setting(value: str) -> Clock:
    """`system` or `simulated:<ISO timestamp>` (the latter for demos and tests only)."""
    if value == "system":
        return SystemClock()
    if value.startswith("simulated:"):
        return SimulatedClock(datetime.fromisoformat(value.removeprefix("simulated:")))
    raise ValueError(f"unknown clock setting {value!r}: use 'system' or 'simulated:<ISO timestamp>'")
