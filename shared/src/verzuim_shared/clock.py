"""One injectable clock. Production uses SystemClock; tests and demos may move a SimulatedClock, or, to move the clock
of a service running in another process, a SimulatedFileClock that reads the moment from a file the test writes."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
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


class SimulatedFileClock:
    """A simulated clock whose moment is the ISO timestamp in a file (`simulated-file:<path>`), for tests and demos
    that move the time of a service process from outside (e.g. to play a two-year verzuim in seconds). Never
    configured in production. The file is read at every call (a few microseconds); write it atomically
    (`write_simulated_time`)."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        self._now: datetime | None = None
        self.now()  # fail at startup, not at the first deadline, when the file is missing or unreadable

    def now(self) -> datetime:
        with self._lock:
            try:
                moment = datetime.fromisoformat(self._path.read_text().strip())
                if moment.tzinfo is None:
                    raise ValueError("the simulated time needs a timezone")
                self._now = moment.astimezone(UTC)
            except (OSError, ValueError) as exc:
                if self._now is None:
                    raise ValueError(f"simulated clock file {self._path}: {exc}") from exc
                # a write in progress or a bad value: keep the last good moment (time never jumps to garbage)
            return self._now


def write_simulated_time(path: str | Path, moment: datetime) -> None:
    """Set the time of every SimulatedFileClock on `path` (atomic: readers never see half a timestamp)."""
    if moment.tzinfo is None:
        raise ValueError("the simulated time needs a timezone")
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(moment.isoformat())
    os.replace(tmp, target)


def today_nl(clock: Clock) -> date:
    """The calendar date in the Netherlands at this moment (business dates are Dutch dates)."""
    return clock.now().astimezone(NL).date()


def clock_from_setting(value: str) -> Clock:
    """`system`, `simulated:<ISO timestamp>` or `simulated-file:<path>` (simulated: for demos and tests only)."""
    if value == "system":
        return SystemClock()
    if value.startswith("simulated:"):
        return SimulatedClock(datetime.fromisoformat(value.removeprefix("simulated:")))
    if value.startswith("simulated-file:"):
        return SimulatedFileClock(value.removeprefix("simulated-file:"))
    raise ValueError(
        f"unknown clock setting {value!r}: use 'system', 'simulated:<ISO timestamp>' or 'simulated-file:<path>'"
    )
