"""What the diary commands print: a logged cramp, and recent nights as a Rich table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crampwise.cli.common import OutputFormat, console, print_json, wants_json
from crampwise.diary.model import Episode, episode_json

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


# Short labels for the day columns most people log.
_DAY_BITS = (
    ("exercise_min", "ex {:g}m"),
    ("exercise_intensity", "{}"),
    ("fluids_l", "{:g} L"),
    ("bedroom_temp_c", "{:g}°C"),
    ("sleep_position", "sleeps {}"),
    ("stretched", "stretched"),
    ("footbath", "footbath"),
    ("massage", "massage"),
    ("steps", "{:g} steps"),
)


def _day_text(row: NightSummary) -> str:
    if row.day is None:
        return "—"
    values = row.day.values
    bits = []
    for name, pattern in _DAY_BITS:
        value = values.get(name)
        if value is None or value is False:
            continue
        bits.append(pattern.format(value) if "{" in pattern else pattern)
    extra = len([k for k in values if k not in dict(_DAY_BITS)])
    if extra:
        bits.append(f"+{extra} more")
    return ", ".join(bits) or "logged"


def render_nights(user: str, rows: list[NightSummary], nights: int) -> None:
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
            f"#{e.id} {e.started_at:%H:%M} {e.side + ' ' if e.side else ''}{e.muscle}"
            for e in row.episodes
        )
        pain = "" if row.worst_pain is None else str(row.worst_pain)
        table.add_row(
            f"{row.date:%a %d %b}", str(row.cramps), pain, episodes or "—", _day_text(row)
        )
    out.print(table)
