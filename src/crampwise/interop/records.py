"""The stored records outside formats read from a diary, named by what they use.

A `crampwise.store.UserDiary` returns dataclasses that have these attributes; the formats
depend on these Protocols instead, so they import no database code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol


class StoredExperiment(Protocol):
    """An experiment as stored: its remedy, schedule of {start, end, condition} and status."""

    @property
    def id(self) -> int: ...
    @property
    def intervention(self) -> str: ...
    @property
    def schedule(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def washout_days(self) -> int: ...
    @property
    def factor(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class StoredAssessment(Protocol):
    """An assessment as stored: the situation asked about and the result given (JSON)."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def situation(self) -> dict[str, Any]: ...
    @property
    def result(self) -> dict[str, Any]: ...
