"""The injectable clock: system, simulated in-process, and simulated through a file (moved from another process)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from verzuim_shared.clock import (
    SimulatedClock,
    SimulatedFileClock,
    SystemClock,
    clock_from_setting,
    today_nl,
    write_simulated_time,
)

ROOT = Path(__file__).resolve().parents[2]
NL = ZoneInfo("Europe/Amsterdam")


def test_the_settings_choose_the_clock(tmp_path: Path) -> None:
    assert isinstance(clock_from_setting("system"), SystemClock)
    simulated = clock_from_setting("simulated:2025-01-06T09:00:00+01:00")
    assert isinstance(simulated, SimulatedClock) and simulated.now() == datetime(2025, 1, 6, 8, tzinfo=UTC)
    bestand = tmp_path / "klok"
    write_simulated_time(bestand, datetime(2025, 1, 6, 9, tzinfo=NL))
    assert isinstance(clock_from_setting(f"simulated-file:{bestand}"), SimulatedFileClock)
    with pytest.raises(ValueError, match="unknown clock setting"):
        clock_from_setting("fast")


def test_a_file_clock_follows_every_write_to_its_file(tmp_path: Path) -> None:
    bestand = tmp_path / "klok"
    start = datetime(2025, 1, 6, 9, tzinfo=NL)
    write_simulated_time(bestand, start)
    clock = SimulatedFileClock(bestand)
    for dag in range(0, 730, 73):  # writes in quick succession are all seen
        write_simulated_time(bestand, start + timedelta(days=dag))
        assert clock.now() == (start + timedelta(days=dag)).astimezone(UTC)
    assert today_nl(clock) == (start + timedelta(days=657)).date()
    assert clock.now().tzinfo is UTC


def test_a_file_clock_refuses_to_start_without_a_readable_time(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="simulated clock file"):
        SimulatedFileClock(tmp_path / "ontbreekt")
    (tmp_path / "naief").write_text("2025-01-06T09:00:00")
    with pytest.raises(ValueError, match="timezone"):
        SimulatedFileClock(tmp_path / "naief")


def test_a_file_clock_keeps_its_last_good_time_when_the_file_breaks(tmp_path: Path) -> None:
    bestand = tmp_path / "klok"
    write_simulated_time(bestand, datetime(2025, 1, 6, 9, tzinfo=NL))
    clock = SimulatedFileClock(bestand)
    bestand.write_text("kapot")
    assert clock.now() == datetime(2025, 1, 6, 8, tzinfo=UTC)


def test_no_deployment_configuration_runs_a_simulated_clock() -> None:
    # Simulated clocks are for tests and demos only (ARCHITECTURE: never in production configuration).
    bestanden = [
        ROOT / "docker-compose.yml",
        *sorted((ROOT / "deploy").rglob("*.yaml")),
        *(ROOT / "deploy").rglob("*.yml"),
    ]
    assert bestanden
    for bestand in bestanden:
        assert not re.search(r"VERZUIM_CLOCK|simulated", bestand.read_text()), bestand
