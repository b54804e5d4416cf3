"""The diary's domain: cramp episodes, day logs and the factors a day can carry.

One diary row is one *day and the night that follows it*: a cramp at 03:00 on 2 Dec
belongs to the row dated 1 Dec (see `night_of`). Everything here is plain data and
validation; storage lives in `crampwise.store`, analysis in `crampwise.analysis`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal, TypeVar

from crampwise.errors import InputError

FactorKind = Literal["numeric", "boolean", "categorical"]

# The same words as the assess contract's (crampwise.knowledge.vocabulary), kept here because
# importing the knowledge package costs ~35 ms on the quick `log cramp` path;
# tests/diary/test_validation.py checks that the two agree.
MUSCLES = ("calf", "foot", "toes", "thigh_front", "thigh_back", "hand", "other")
SIDES = ("left", "right", "both")
INTENSITIES = ("none", "light", "moderate", "hard")
SLEEP_POSITIONS = ("back", "side", "prone")

# A night runs from noon to noon: anything before this hour belongs to the previous day's row.
NIGHT_ENDS_AT = time(12, 0)
# A cramp may be logged a little ahead of the clock (phones drift); more is a typo.
FUTURE_SLACK = timedelta(minutes=5)


def night_of(moment: datetime) -> date:
    """The diary row (day and following night) that a moment belongs to.

    The one rule for a time after midnight: 01:00 on 2 Dec is still the night of 1 Dec.
    The web (Tonight, Cramp now, check-in, experiment) and the CLI (`log day`,
    `experiment start`) all apply it to the local "now".
    """
    local = moment.date()
    if moment.time() < NIGHT_ENDS_AT:
        return date.fromordinal(local.toordinal() - 1)
    return local


def last_night(moment: datetime) -> date:
    """The row a morning check-in at `moment` asks about: the latest night that has ended,
    or is ending, by `moment` (before noon: the night of `night_of`; from noon on, the night
    before today's, because today's night has not begun)."""
    row = night_of(moment)
    if moment.time() >= NIGHT_ENDS_AT:
        return date.fromordinal(row.toordinal() - 1)
    return row


@dataclass(frozen=True)
class FactorSpec:
    """A built-in day-log factor: its column name in CSV and storage, kind, unit, limits."""

    name: str
    kind: FactorKind
    label: str
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


# The contract's `day` block first, then the diary's own factors. Order = CSV column order.
BUILTIN_FACTORS: tuple[FactorSpec, ...] = (
    FactorSpec("exercise_min", "numeric", "Exercise", "min", 0, 1440),
    FactorSpec("exercise_intensity", "categorical", "Exercise intensity", choices=INTENSITIES),
    FactorSpec("fluids_l", "numeric", "Fluids", "L", 0, 20),
    FactorSpec("heavy_sweating", "boolean", "Heavy sweating"),
    FactorSpec("bedroom_temp_c", "numeric", "Bedroom temperature", "°C", -10, 45),
    FactorSpec("legs_cold", "boolean", "Legs cold in bed"),
    FactorSpec("sleep_position", "categorical", "Sleep position", choices=SLEEP_POSITIONS),
    FactorSpec("calcium_mg", "numeric", "Calcium", "mg", 0, 10000),
    FactorSpec("vitamin_d", "boolean", "Vitamin D taken"),
    FactorSpec("alcohol_units", "numeric", "Alcohol", "units", 0, 100),
    FactorSpec("hours_sitting", "numeric", "Hours sitting", "h", 0, 24),
    FactorSpec("hours_standing", "numeric", "Hours standing", "h", 0, 24),
    FactorSpec("stretched", "boolean", "Stretched before bed"),
    FactorSpec("footbath", "boolean", "Warm footbath before bed"),
    FactorSpec("massage", "boolean", "Massage"),
    FactorSpec("steps", "numeric", "Steps", "steps", 0, 200000),
    FactorSpec("sleep_hours", "numeric", "Sleep", "h", 0, 24),
    # Filled mostly by the Apple Health importer.
    FactorSpec("active_energy_kcal", "numeric", "Active energy", "kcal", 0, 20000),
    FactorSpec("distance_km", "numeric", "Walking + running distance", "km", 0, 500),
    FactorSpec("workout_min", "numeric", "Workouts", "min", 0, 1440),
    FactorSpec("magnesium_mg", "numeric", "Magnesium", "mg", 0, 10000),
    FactorSpec("potassium_mg", "numeric", "Potassium", "mg", 0, 50000),
    FactorSpec("sodium_mg", "numeric", "Sodium", "mg", 0, 50000),
)
BUILTIN_BY_NAME: dict[str, FactorSpec] = {f.name: f for f in BUILTIN_FACTORS}

FactorValue = float | bool | str


@dataclass
class Episode:
    """One cramp. `started_at` is the local wall-clock time (naive = the user's local time)."""

    started_at: datetime
    muscle: str = "calf"
    side: str | None = None
    duration_s: int | None = None
    pain: int | None = None
    woke: bool | None = None
    helped: list[str] = field(default_factory=list)
    note: str | None = None
    id: int | None = None
    # 'manual' (typed), 'csv' (stands in for a CSV `cramps` count), 'demo', 'web', ...
    origin: str = "manual"
    # Set by the web app's offline queue so a retried upload is stored only once.
    client_id: str | None = None

    @property
    def night(self) -> date:
        return night_of(self.started_at)


@dataclass
class DayLog:
    """What a person did and felt on one day. Missing values are None, never zero."""

    date: date
    values: dict[str, FactorValue] = field(default_factory=dict)  # built-in and custom factors


@dataclass(frozen=True)
class CustomFactor:
    """A factor a user defines for themselves (e.g. `coffee_cups`, numeric, cups)."""

    name: str
    kind: FactorKind
    unit: str | None = None
    choices: tuple[str, ...] = ()


@dataclass
class Medicine:
    """A medicine the user takes, as typed (brand or generic), with its dates."""

    name: str
    started: date | None = None
    stopped: date | None = None
    id: int | None = None


FACTOR_KINDS: tuple[FactorKind, ...] = ("numeric", "boolean", "categorical")
# Column names the CSV format reserves; no factor may take them.
RESERVED_NAMES = ("date", "cramps", "pain")
_TRUE_WORDS = ("true", "yes", "y", "1", "on")
_FALSE_WORDS = ("false", "no", "n", "0", "off")


_Word = TypeVar("_Word", bound=str)


def _one_of(field_name: str, value: object, allowed: tuple[_Word, ...]) -> _Word:
    """The allowed word that `value` spells (any case, spaces around), or InputError."""
    text = str(value).strip().lower()
    for word in allowed:
        if word == text:
            return word
    raise InputError(
        f"field '{field_name}': {value!r} is not one of: {', '.join(allowed)}",
        field=field_name,
    )


def _number(field_name: str, value: object, low: float | None, high: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"field '{field_name}': {value!r} is not a number", field=field_name)
    try:
        number = float(value)
    except ValueError:
        raise InputError(
            f"field '{field_name}': {value!r} is not a number", field=field_name
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"field '{field_name}': {value!r} is not a number", field=field_name)
    if (low is not None and number < low) or (high is not None and number > high):
        span = f"{low:g}–{high:g}" if low is not None and high is not None else f"≥ {low:g}"
        raise InputError(f"field '{field_name}': {number:g} is outside {span}", field=field_name)
    return number


def _boolean(field_name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise InputError(
        f"field '{field_name}': {value!r} is not one of: true, false, yes, no", field=field_name
    )


def local_naive(moment: datetime, field: str = "started_at") -> datetime:
    """Diary times are local wall-clock times without a zone, to the second.

    InputError naming `field` when the time cannot be shown in local time (a zone that
    moves it past year 1 or 9999)."""
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone().replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise InputError(
                f"field '{field}': {moment.isoformat()} is outside the dates a diary can hold",
                field=field,
            ) from None
    return moment.replace(microsecond=0)


def check_episode(episode: Episode, now: datetime | None = None) -> Episode:
    """A validated, normalised copy of `episode`, or InputError naming the first bad field.

    Checks the vocabularies, 0–10 pain, the duration, the offline queue's `client_id`, and
    makes the start local wall-clock time to the second.
    now: the local time a person logs or edits the cramp; a start later than `now` (give
    or take FUTURE_SLACK) is refused. None for recorded history (imports, CSV stand-ins,
    the demo), whose times are not typed now.
    """
    checked = dataclasses.replace(episode, helped=list(episode.helped))
    checked.started_at = local_naive(episode.started_at, "episode.started_at")
    if checked.started_at.toordinal() == 1 and checked.started_at.time() < NIGHT_ENDS_AT:
        # Its night would be the day before 1 January of year 1, which no date can hold.
        raise InputError(
            f"field 'episode.started_at': {checked.started_at.isoformat(' ', 'minutes')} is"
            " outside the dates a diary can hold",
            field="episode.started_at",
        )
    if now is not None and checked.started_at > local_naive(now) + FUTURE_SLACK:
        raise InputError(
            f"field 'episode.started_at': {checked.started_at:%Y-%m-%d %H:%M} is in the future",
            field="episode.started_at",
        )
    checked.muscle = _one_of("episode.muscle", checked.muscle, MUSCLES)
    if checked.side is not None:
        checked.side = _one_of("episode.side", checked.side, SIDES)
    if checked.pain is not None:
        pain = _number("episode.pain", checked.pain, 0, 10)
        if not pain.is_integer():
            raise InputError(
                f"field 'episode.pain': {checked.pain!r} is not a whole number 0–10",
                field="episode.pain",
            )
        checked.pain = int(pain)
    if checked.duration_s is not None:
        checked.duration_s = round(_number("episode.duration_s", checked.duration_s, 0, 86400))
    if checked.woke is not None:
        checked.woke = _boolean("episode.woke", checked.woke)
    checked.helped = [str(h).strip().lower() for h in checked.helped if str(h).strip()]
    if checked.note is not None:
        checked.note = checked.note.strip() or None
    if checked.client_id is not None and not 1 <= len(checked.client_id) <= 64:
        raise InputError("field 'episode.client_id': 1–64 characters", field="client_id")
    return checked


def episode_json(episode: Episode) -> dict[str, object]:
    """An episode as JSON data: the one shape the CLI, the API and the care team's API print."""
    return {
        "id": episode.id,
        "started_at": episode.started_at.isoformat(timespec="seconds"),
        "night": episode.night.isoformat(),
        "muscle": episode.muscle,
        "side": episode.side,
        "duration_s": episode.duration_s,
        "pain": episode.pain,
        "woke": episode.woke,
        "helped": list(episode.helped),
        "note": episode.note,
        "origin": episode.origin,
        "client_id": episode.client_id,
    }


def check_factor_value(
    name: str,
    kind: FactorKind,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] = (),
) -> FactorValue:
    """A factor value converted to its kind (float, bool or str), or InputError naming it."""
    if kind == "numeric":
        return _number(name, value, minimum, maximum)
    if kind == "boolean":
        return _boolean(name, value)
    if choices:
        return _one_of(name, value, choices)
    text = str(value).strip()
    if not text:
        raise InputError(f"field '{name}': empty text", field=name)
    return text


def check_builtin_value(name: str, value: object) -> FactorValue:
    """Validate one built-in day factor's value against its `FactorSpec`."""
    spec = BUILTIN_BY_NAME[name]
    return check_factor_value(
        name, spec.kind, value, minimum=spec.minimum, maximum=spec.maximum, choices=spec.choices
    )


def check_custom_factor(factor: CustomFactor) -> CustomFactor:
    """Validate a user's factor definition: a fresh snake_case name and a known kind."""
    return custom_factor(factor.name, factor.kind, factor.unit, factor.choices)


def custom_factor(
    name: str, kind: str, unit: str | None = None, choices: Iterable[str] = ()
) -> CustomFactor:
    """A checked factor definition from typed text (`kind` as typed, e.g. by the CLI)."""
    typed, name = name, name.strip().lower()
    if not name or not name.replace("_", "a").isalnum() or not name[0].isalpha() or len(name) > 64:
        raise InputError(
            f"field 'factor.name': {typed!r} must be letters, digits and _ "
            "(starting with a letter)",
            field="factor.name",
        )
    if name in RESERVED_NAMES or name in BUILTIN_BY_NAME:
        raise InputError(
            f"field 'factor.name': {name!r} is already a built-in column", field="factor.name"
        )
    checked_kind = _one_of("factor.kind", kind, FACTOR_KINDS)
    levels = tuple(c.strip().lower() for c in choices if c.strip())
    if levels and checked_kind != "categorical":
        raise InputError(
            "field 'factor.choices': only categorical factors have choices", field="factor.choices"
        )
    return CustomFactor(name, checked_kind, unit or None, levels)
