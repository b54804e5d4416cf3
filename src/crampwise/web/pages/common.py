"""What the page modules share: form parsing, local time, units, knowledge look-ups."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from fastapi import Request

from crampwise.diary.model import MUSCLES
from crampwise.errors import InputError

# Bedtime routine items: built-in boolean day factors, ticked off on Tonight.
ROUTINE: tuple[tuple[str, str], ...] = (
    ("stretched", "Calf and hamstring stretch"),
    ("footbath", "Warm footbath"),
)
MUSCLE_LABELS = {
    "calf": "Calf",
    "foot": "Foot",
    "toes": "Toes",
    "thigh_front": "Front of thigh",
    "thigh_back": "Back of thigh",
    "hand": "Hand",
    "other": "Other",
}
MUSCLE_CHOICES = [{"value": m, "label": MUSCLE_LABELS.get(m, m)} for m in MUSCLES]
UNITS_COOKIE = "crampwise_units"
UNITS = ("metric", "us")

# Footbath safety (clinical reference §6: 37–38 °C for 5–10 minutes, never above 40 °C;
# burns begin when skin reaches about 44 °C, Martin & Falder 2017).
BATH_LOW_C, BATH_HIGH_C, BATH_MAX_C = 37.0, 38.0, 40.0


def local_now() -> datetime:
    """The server's local wall-clock time (diary times are naive local times)."""
    return datetime.now().replace(microsecond=0)


def parse_local_datetime(text: str) -> datetime | None:
    """A `datetime-local` value (YYYY-MM-DDTHH:MM[:SS]) or None when empty."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        raise InputError(f"field 'started_at': {text!r} is not a date and time") from None


async def form_dict(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (the last value wins for repeated names)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def units_of(request: Request) -> str:
    """The user's units: 'metric' (°C) or 'us' (°F): the account's, else this device's cookie."""
    known: str | None = getattr(request.state, "units", None)
    if known is not None:
        return known
    user = getattr(request.state, "user", None)
    if user is not None:  # the account's choice follows the person to every device
        from crampwise.web.deps import diary_for

        value = diary_for(request, user).units()
    else:
        value = request.cookies.get(UNITS_COOKIE, "metric")
    value = value if value in UNITS else "metric"
    request.state.units = value  # one look-up per request
    return str(value)


def c_to_f(celsius: float) -> float:
    return celsius * 9 / 5 + 32


def f_to_c(fahrenheit: float) -> float:
    return (fahrenheit - 32) * 5 / 9


def bath_temperatures(units: str) -> dict[str, Any]:
    """The safe footbath range in the user's units, rounded the safe way (low high, max low)."""
    if units == "us":
        return {
            "low": round(c_to_f(BATH_LOW_C)),
            "high": int(c_to_f(BATH_HIGH_C)),
            "max": int(c_to_f(BATH_MAX_C)),
            "unit": "°F",
        }
    return {"low": int(BATH_LOW_C), "high": int(BATH_HIGH_C), "max": int(BATH_MAX_C), "unit": "°C"}


def knowledge() -> Any:
    """The validated knowledge base (cached by its loader)."""
    from crampwise.knowledge import load_knowledge

    return load_knowledge()


def remedy(remedy_id: str) -> Any:
    """A remedy from the knowledge base (how, evidence, cautions, sources), or None."""
    return knowledge().remedies.get(remedy_id)


@functools.lru_cache(maxsize=1)
def source_titles() -> dict[str, str]:
    """Bibliography id → a short citation for links ("Allen RE, Kirby KA (2012)")."""
    titles = {}
    for key, source in knowledge().sources.items():
        head = source.citation.split(". ")[0]
        if "," in head:  # authors: the first one, et al.
            head = head.split(",")[0] + " et al."
        head = head if len(head) <= 48 else head[:47] + "…"
        titles[key] = f"{head} ({source.year})" if source.year else head
    return titles


def source_title(source_id: str) -> str:
    """Template helper: the short citation of one bibliography id."""
    return source_titles().get(source_id, source_id)


def install_template_helpers(env: Any) -> None:
    """Make the knowledge helpers callable from every template."""
    env.globals.setdefault("source_title", source_title)
