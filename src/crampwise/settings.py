"""Typed settings read from the environment in one place.

A plain dataclass rather than pydantic-settings: importing pydantic costs ~90 ms, and
`crampwise log cramp` must start fast (see benchmarks/log_cramp).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    """The per-user data folder (platformdirs), e.g. ~/.local/share/crampwise."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("crampwise", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Where crampwise keeps its data."""

    database_url: str
    data_dir: Path


def get_settings() -> Settings:
    """Settings from `CRAMPWISE_DATABASE_URL` / `CRAMPWISE_DATA_DIR`, else the defaults.

    The default database is `crampwise.sqlite3` in the user's data folder.
    """
    env_dir = os.environ.get("CRAMPWISE_DATA_DIR")
    data_dir = Path(env_dir) if env_dir else default_data_dir()
    url = os.environ.get("CRAMPWISE_DATABASE_URL") or f"sqlite:///{data_dir / 'crampwise.sqlite3'}"
    return Settings(database_url=url, data_dir=data_dir)
