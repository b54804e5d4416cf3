"""Units people write in: the two unit systems and the conversions between them.

Stored values are metric (°C, litres); the "us" system is only how a person reads and
types them. Every conversion in crampwise goes through here, so the pages, the situation
and the parsers cannot disagree about a degree.
"""

from __future__ import annotations

import math
import re

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


def _number(x: float) -> str:
    """At most one decimal, none when whole: 18, 17.5, 64."""
    return f"{round(x, 1):g}"


def temperature_text(celsius: float, units: str) -> str:
    """A stored temperature in the person's units: '18 °C', or '64 °F' (whole degrees)."""
    if unit_system(units) == "us":
        return f"{round(c_to_f(celsius)):d} °F"
    return f"{_number(celsius)} °C"


def volume_text(volume_l: float, units: str) -> str:
    """A stored volume in the person's units: '1.5 L', or '51 fl oz' (whole ounces)."""
    if unit_system(units) == "us":
        return f"{round(volume_l / FL_OZ_L):d} fl oz"
    return f"{_number(volume_l)} L"


def amount_text(value: float, unit: str | None, units: str) -> str:
    """A difference or step of a factor measured in `unit` ('°C', 'L', 'min', ...), in the
    person's units: 5 °C → '9 °F', 0.5 L → '17 fl oz' for "us"; other units as they are."""
    us = unit_system(units) == "us"
    if unit == "°C" and us:
        return f"{_number(value * 9 / 5)} °F"
    if unit == "L" and us:
        return f"{round(value / FL_OZ_L):d} fl oz"
    return f"{_number(value)} {unit}" if unit else _number(value)


def duration_text(seconds: float) -> str:
    """A cramp's length in minutes, as people say it: 'under 1 min', 'about 4 min'."""
    if seconds < 60:
        return "under 1 min"
    return f"about {int(seconds / 60 + 0.5)} min"  # half up: 90 s is "about 2 min"


# "37-38 °C", "40 °C", "below 37 °C"; and the "(about 100 °F)" the knowledge base adds for
# readers in °F, which says the same number a second time.
_CELSIUS = re.compile(r"(\d+(?:\.\d+)?)(?:\s*(-|–|to)\s*(\d+(?:\.\d+)?))?\s*°C")
_ABOUT_F = re.compile(r"\s*\(about \d+(?:\.\d+)? °F\)")
# "100 °F (38 °C)": for a reader in °F the Celsius in brackets says it a second time.
_BRACKET_C = re.compile(r"(°F)\s*\((?:about )?\d+(?:\.\d+)? °C\)")


def in_units(text: str, units: str | None) -> str:
    """Knowledge-base text with its temperatures in the reader's units ('us' is °F), each
    said once. In °F rounded the safe way: a range inwards (37-38 °C reads 99–100 °F, never
    a degree hotter than 38 °C), a single limit downwards (40 °C reads 104 °F)."""
    text = _ABOUT_F.sub("", text)
    if units == "us":
        text = _BRACKET_C.sub(r"\1", text)

    def convert(match: re.Match[str]) -> str:
        first, joint, last = match.group(1), match.group(2), match.group(3)
        joint = "–" if joint in ("-", "–") else f" {joint} "
        if units != "us":
            return f"{first} °C" if last is None else f"{first}{joint}{last} °C"
        low = c_to_f(float(first))
        if last is None:
            return f"{math.floor(low)} °F"
        return f"{math.ceil(low)}{joint}{math.floor(c_to_f(float(last)))} °F"

    return _CELSIUS.sub(convert, text)
