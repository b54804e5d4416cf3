"""What the page modules share: form parsing, local time, units, knowledge look-ups, and
starting a session after a sign-in or a password change."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import jinja2
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from crampwise.diary.model import MUSCLES
from crampwise.diary.units import c_to_f, unit_system
from crampwise.errors import InputError
from crampwise.knowledge import Knowledge, load_knowledge
from crampwise.knowledge.labels import MUSCLE_LABELS, short_citation
from crampwise.knowledge.models import Remedy
from crampwise.store.auth import Account
from crampwise.web.deps import SESSION_COOKIE, diary_for, web_context
from crampwise.web.security.signin_limits import DEVICE_COOKIE, DEVICE_COOKIE_AGE_S

# Bedtime routine items: built-in boolean day factors, ticked off on Tonight.
ROUTINE: tuple[tuple[str, str], ...] = (
    ("stretched", "Calf and hamstring stretch"),
    ("footbath", "Warm footbath"),
)
MUSCLE_CHOICES = [{"value": m, "label": MUSCLE_LABELS.get(m, m)} for m in MUSCLES]
UNITS_COOKIE = "crampwise_units"


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
        chosen: str | None = diary_for(request, user).units()
    else:
        chosen = request.cookies.get(UNITS_COOKIE)
    value = unit_system(chosen)
    request.state.units = value  # one look-up per request
    return value


def bath_temperatures(units: str) -> dict[str, int | str]:
    """The safe footbath range (knowledge base) in the user's units, rounded the safe way
    (low up, high and max down)."""
    limits = knowledge().bedtime.footbath
    if units == "us":
        return {
            "low": round(c_to_f(limits.low_c)),
            "high": int(c_to_f(limits.high_c)),
            "max": int(c_to_f(limits.max_c)),
            "unit": "°F",
        }
    return {
        "low": int(limits.low_c),
        "high": int(limits.high_c),
        "max": int(limits.max_c),
        "unit": "°C",
    }


def knowledge() -> Knowledge:
    """The validated knowledge base (cached by its loader)."""
    return load_knowledge()


def remedy(remedy_id: str) -> Remedy | None:
    """A remedy from the knowledge base (how, evidence, cautions, sources), or None."""
    return knowledge().remedies.get(remedy_id)


@functools.lru_cache(maxsize=1)
def source_titles() -> dict[str, str]:
    """Bibliography id → a short citation for links ("Allen RE et al. (2012)"), the same one
    the command line and the report print."""
    return {
        key: short_citation(source.citation, source.year)
        for key, source in knowledge().sources.items()
    }


def source_title(source_id: str) -> str:
    """Template helper: the short citation of one bibliography id."""
    return source_titles().get(source_id, source_id)


def install_template_helpers(env: jinja2.Environment) -> None:
    """Make the knowledge helpers callable from every template."""
    env.globals.setdefault("source_title", source_title)


def start_session(request: Request, account: Account, target: str = "/") -> Response:
    """Sign `account` in: a new server-side session and its cookie, then 303 to `target`."""
    ctx = web_context(request)
    raw, _info = ctx.sessions.create(account)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=ctx.settings.session_absolute_s,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    # This browser is now a known device of the account (see signin_limits.DeviceCookies).
    response.set_cookie(
        DEVICE_COOKIE,
        ctx.devices().issue(account.name),
        max_age=DEVICE_COOKIE_AGE_S,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


# The default period: the last 12 weeks, long enough for a doctor to see a pattern.
DEFAULT_NIGHTS = 12 * 7


def _date(field: str, text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"field '{field}': {text!r} is not a date (YYYY-MM-DD)", field=field
        ) from None


def report_period(first_text: str, last_text: str, today: date) -> tuple[date, date]:
    """The nights first..last the report covers (default: the 12 weeks up to today)."""
    last = _date("to", last_text) or today
    first = _date("from", first_text)
    if first is None:  # (date.min has no 12 weeks before it)
        first = last - timedelta(days=DEFAULT_NIGHTS - 1) if last.year > 1 else date.min
    if first > last:
        raise InputError(
            f"field 'from': {first.isoformat()} is after 'to' {last.isoformat()}", field="from"
        )
    return first, last


def remedy_title(intervention: str) -> str:
    """A tested remedy in words ("Warm footbath before bed"), whatever its stored id."""
    from crampwise.experiments.catalogue import testable_intervention  # few pages need it

    try:
        return testable_intervention(intervention).title.capitalize()
    except InputError:
        return intervention.replace("_", " ").capitalize()


def parse_day(text: str) -> date | None:
    """A form's or query's optional date (YYYY-MM-DD); empty means none given."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"field 'date': {text!r} is not a date (YYYY-MM-DD)") from None
