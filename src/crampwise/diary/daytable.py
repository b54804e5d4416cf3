"""The daily table every analysis reads: one row per day and the night after it.

It is what `crampwise analyze` reads from a CSV file and what the diary builds from
storage (`crampwise export csv` writes it); `crampwise.interop.csv` reads and writes it,
and every analysis (`crampwise.analysis`, `crampwise.experiments`) reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crampwise.diary.model import FactorKind, FactorValue


@dataclass
class FactorColumn:
    """A candidate factor: its name, kind (inferred or declared) and one value per row."""

    name: str
    kind: FactorKind
    values: list[FactorValue | None]


@dataclass
class DayTable:
    """Rows sorted by date, dates unique; `cramps` required, `pain` optional (None = missing)."""

    dates: list[date]
    cramps: list[int]
    pain: list[float | None] = field(default_factory=list)
    factors: list[FactorColumn] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.dates)

    def window(self, first: date, last: date) -> DayTable:
        """The rows dated first..last (inclusive), as a new table."""
        return self.rows([i for i, d in enumerate(self.dates) if first <= d <= last])

    def rows(self, keep: list[int]) -> DayTable:
        """The rows at positions `keep` (in order), as a new table."""
        return DayTable(
            dates=[self.dates[i] for i in keep],
            cramps=[self.cramps[i] for i in keep],
            pain=[self.pain[i] for i in keep] if self.pain else [],
            factors=[
                FactorColumn(f.name, f.kind, [f.values[i] for i in keep]) for f in self.factors
            ],
        )
