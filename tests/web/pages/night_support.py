"""Shared by the night-flow page tests: a frozen clock for the pages that read "now"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# The modules that read the local clock for the night flow (each imported `local_now`).
CLOCK_USERS = (
    "crampwise.web.pages.tonight",
    "crampwise.web.pages.cramp",
    "crampwise.web.pages.checkin",
    "crampwise.web.pages.bedtime",
)


def freeze_clock(monkeypatch: Any, moment: datetime) -> None:
    """Make the night-flow pages see `moment` as the local time."""
    for module in CLOCK_USERS:
        monkeypatch.setattr(f"{module}.local_now", lambda: moment)
