"""Units people write in: the two unit systems and the conversions between them.

Stored values are metric (°C, litres); the "us" system is only how a person reads and
types them. Every conversion in crampwise goes through here, so the pages, the situation
and the parsers cannot disagree about a degree.
"""

from __future__ import annotations

# The unit systems a person may choose; the first is the default.
UNIT_SYSTEMS: tuple[str, ...] = ("metric", "us")
DEFAULT_UNIT_SYSTEM = UNIT_SYSTEMS[0]

# US customary measures, exactly as defined (NIST Handbook 44).
FL_OZ_L = 0.0295735295625
CUP_L = 0.2365882365


def c_to_f(celsius: float) -> float:
    """Degrees Fahrenheit for `celsius`."""
    return celsius * 9 / 5 + 32


def f_to_c(fahrenheit: float) -> float:
    """Degrees Celsius for `fahrenheit`."""
    return (fahrenheit - 32) * 5 / 9


def unit_system(value: str | None) -> str:
    """`value` when it names a unit system, else the default (a stale cookie, a typo)."""
    return value if value in UNIT_SYSTEMS else DEFAULT_UNIT_SYSTEM


def litres(value: float, unit: str) -> float:
    """`value` in litres; `unit` is "l", "ml", "floz"/"oz" or "cup"/"cups" (and spellings
    of litre)."""
    if unit == "ml":
        return value / 1000
    if unit in ("floz", "oz"):
        return value * FL_OZ_L
    if unit.startswith("cup"):
        return value * CUP_L
    return value
