"""What the JSON API takes and what it answers besides success, as its OpenAPI says.

The request models state the diary's own rules where a schema can (vocabularies, ranges,
lengths, types without coercion), so a generated request that fits the description is one
the diary takes, and one that does not is refused with 422; rules a schema cannot state
(a cramp's start not in the future, a factor name not taken) are still the diary's, also
answered with 422 naming the field. `COMMON_ANSWERS` documents the refusals every route
can give.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from crampwise.diary.model import MUSCLES, SIDES

MAX_DURATION_S = 86_400  # check_episode's bound: one day


class Problem(BaseModel):
    """A refusal: one line saying why."""

    detail: str


COMMON_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON"},
    401: {"model": Problem, "description": "Not signed in: no valid token or session"},
    403: {
        "model": Problem,
        "description": "Refused: a change without the session's CSRF token, or made with a "
        "token where a browser session is needed",
    },
    404: {"model": Problem, "description": "No such record (another person's is answered alike)"},
    413: {
        "content": {"text/plain": {"schema": {"type": "string"}}},
        "description": "The request body is past its size limit",
    },
}


def _iso_text(value: object) -> object:
    """A date-time must come as ISO text: pydantic alone would read a number as seconds."""
    if isinstance(value, datetime):
        return value
    try:
        if isinstance(value, str):
            return datetime.fromisoformat(value.strip())
    except ValueError:
        pass
    raise ValueError("an ISO date-time as text, e.g. 2026-11-22T03:10:00")


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]


def _number_only(value: object) -> object:
    """A JSON number (8.0 counts as the whole number 8); pydantic alone would read "8"."""
    if isinstance(value, bool) or (value is not None and not isinstance(value, int | float)):
        raise ValueError("a number")
    return value


Number = Annotated[float, BeforeValidator(_number_only)]
WholeNumber = Annotated[int, BeforeValidator(_number_only)]


def _enum(words: tuple[str, ...], nullable: bool = False) -> dict[str, Any]:
    values: list[Any] = [*words, None] if nullable else list(words)
    return {"enum": values}


class EpisodeFields(BaseModel):
    """A cramp's fields; no guessing of types, so `"6"` for a pain is refused."""

    model_config = ConfigDict(extra="forbid")

    muscle: str = Field("calf", json_schema_extra=_enum(MUSCLES))
    side: str | None = Field(None, json_schema_extra=_enum(SIDES, nullable=True))
    duration_s: Number | None = Field(None, ge=0, le=MAX_DURATION_S, description="seconds")
    pain: WholeNumber | None = Field(None, ge=0, le=10, description="0 (none) to 10 (worst)")
    woke: bool | None = Field(None, strict=True)
    helped: list[str] = Field(default_factory=list, description="what helped, in words")
    note: str | None = None


class EpisodeIn(EpisodeFields):
    """A cramp to log; vocabularies and ranges are checked by the diary (422 naming the field)."""

    started_at: IsoDateTime = Field(description="local time, not later than now")
    client_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="The offline queue's id: sent twice, stored once.",
    )


class EpisodeChanges(EpisodeFields):
    """Some fields of a cramp to change; only these may be sent."""

    # Left out means unchanged; null is refused (a cramp always has a start).
    started_at: IsoDateTime = Field(None, description="local time, not later than now")  # type: ignore[assignment]
