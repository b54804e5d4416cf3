"""What a diary is: cramp episodes, day logs, factors (`model`), the one-row-per-night table
every analysis reads (`daytable`), forgiving parsing of what people type (`timeparse`,
`units`) and the simulated demo diary (`demo`).

The package re-exports the domain types so `from crampwise.diary import Episode` keeps working.
"""

from crampwise.diary.model import (
    BUILTIN_BY_NAME,
    BUILTIN_FACTORS,
    CustomFactor,
    DayLog,
    Episode,
    FactorSpec,
    Medicine,
    night_of,
)

__all__ = [
    "BUILTIN_BY_NAME",
    "BUILTIN_FACTORS",
    "CustomFactor",
    "DayLog",
    "Episode",
    "FactorSpec",
    "Medicine",
    "night_of",
]
