"""What the diary commands print: a logged cramp, and recent nights as a Rich table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from crampwise.cli.common import OutputFormat, console, print_json, wants_json
from crampwise.diary.model import BUILTIN_BY_NAME, Episode, episode_json
from crampwise.diary.units import amount_text, temperature_text, volume_text
from crampwise.knowledge.labels import MUSCLE_LABELS

if TYPE_CHECKING:
    from crampwise.store.diary.entry import NightSummary


def report_logged(episode: Episode, fmt: OutputFormat | None) -> None:
    """What `log cramp` prints (Typer or fast path): the episode as JSON, or one line."""
    if wants_json(fmt):
        print_json(episode_json(episode))
        return
    where = f"{episode.side} {episode.muscle}" if episode.side else episode.muscle
    print(
        f"Logged cramp #{episode.id}: {where} at {episode.started_at:%a %d %b %H:%M} "
        f"(night of {episode.night:%a %d %b})."
    )


def value_words(name: str, value: object, units: str) -> str:
    """One day value as a person reads it: 'Bedroom temperature 64 °F', 'Stretched before
    bed: yes', 'coffee cups 2' (custom factors by their name)."""
    spec = BUILTIN_BY_NAME.get(name)
    label = spec.label if spec else name.replace("_", " ")
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}"
    if isinstance(value, int | float) and spec is not None:
        if spec.unit == "°C":
            return f"{label} {temperature_text(value, units)}"
        if spec.unit == "L":
            return f"{label} {volume_text(value, units)}"
        return f"{label} {amount_text(value, spec.unit, 'metric')}"
    return f"{label}: {str(value).replace('_', ' ')}"


def day_words(values: Mapping[str, object], units: str) -> str:
    """A day's values in plain words, or 'nothing yet'."""
    shown = [value_words(k, v, units) for k, v in values.items() if v is not None]
    return "; ".join(shown) or "nothing yet"


# Short labels for the day columns most people log ("{}": the value in the person's units).
_DAY_BITS = (
    ("exercise_min", "exercise {:g} min"),
    ("exercise_intensity", "{}"),
    ("fluids_l", "{} to drink"),
    ("bedroom_temp_c", "bedroom {}"),
    ("sleep_position", "sleeps on {}"),
    ("stretched", "stretched"),
    ("footbath", "footbath"),
    ("massage", "massage"),
    ("steps", "{:g} steps"),
)
_POSITION_WORDS = {"back": "back", "side": "side", "prone": "front"}


def _day_text(row: NightSummary, units: str = "metric") -> str:
    if row.day is None:
        return "—"
    values = row.day.values
    bits = []
    for name, pattern in _DAY_BITS:
        value = values.get(name)
        if value is None or value is False:
            continue
        if name == "bedroom_temp_c" and isinstance(value, int | float):
            value = temperature_text(value, units)
        elif name == "fluids_l" and isinstance(value, int | float):
            value = volume_text(value, units)
        elif name == "sleep_position":
            value = _POSITION_WORDS.get(str(value), value)
        bits.append(pattern.format(value) if "{" in pattern else pattern)
    extra = len([k for k in values if k not in dict(_DAY_BITS)])
    if extra:
        bits.append(f"{extra} more")
    return ", ".join(bits) or "logged"


def render_nights(user: str, rows: list[NightSummary], nights: int, units: str = "metric") -> None:
    """Print the table (newest night first) or a hint when there is nothing yet."""
    from rich.table import Table  # Rich only when a table is shown: `log cramp` starts fast

    out = console()
    if not rows:
        out.print(
            f"No entries in the last {nights} nights for {user}. "
            "Try: crampwise log cramp   or   crampwise demo"
        )
        return
    table = Table(title=f"{user}: last {nights} nights", title_justify="left")
    for header in ("night of", "cramps", "worst pain", "episodes", "day"):
        table.add_column(header)
    for row in rows:
        episodes = "; ".join(
            f"#{e.id} {e.started_at:%H:%M} {e.side + ' ' if e.side else ''}"
            f"{MUSCLE_LABELS.get(e.muscle, e.muscle).lower()}"
            for e in row.episodes
        )
        pain = "" if row.worst_pain is None else str(row.worst_pain)
        table.add_row(
            f"{row.date:%a %d %b}", str(row.cramps), pain, episodes or "—", _day_text(row, units)
        )
    out.print(table)
