"""The pure consent rules: scopes vocabulary, end dates, revocation."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crampwise.care.consent import (
    NOTE_MAX_CHARS,
    SCOPES,
    Share,
    allowed,
    parse_ends_on,
    parse_note,
    parse_scopes,
)
from crampwise.errors import InputError

TODAY = date(2026, 11, 25)


def share(**changes: object) -> Share:
    values: dict[str, object] = {
        "id": 1,
        "client_id": 1,
        "client_name": "ann",
        "practitioner_id": 2,
        "practitioner_name": "dr",
        "scopes": frozenset({"diary"}),
        "consented_at": datetime(2026, 11, 1),
        "wording_version": "care-consent-1",
    }
    values.update(changes)
    return Share(**values)  # type: ignore[arg-type]


def test_only_granted_scopes_are_allowed() -> None:
    s = share(scopes=frozenset({"diary", "reports"}))
    assert [scope for scope in SCOPES if allowed(s, scope, TODAY)] == ["diary", "reports"]


def test_no_share_allows_nothing() -> None:
    assert not any(allowed(None, scope, TODAY) for scope in SCOPES)


def test_end_date_is_the_last_day_allowed() -> None:
    s = share(ends_on=TODAY)
    assert allowed(s, "diary", TODAY)
    assert not allowed(s, "diary", date(2026, 11, 26))


def test_revoked_share_allows_nothing() -> None:
    s = share(scopes=frozenset(SCOPES), revoked_at=datetime(2026, 11, 24))
    assert not any(allowed(s, scope, TODAY) for scope in SCOPES)


def test_unknown_scope_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        allowed(share(), "everything", TODAY)


def test_parse_scopes_names_the_vocabulary() -> None:
    assert parse_scopes(["diary", " insights "]) == {"diary", "insights"}
    with pytest.raises(InputError, match="'password' is not one of: diary, insights"):
        parse_scopes(["diary", "password"])
    with pytest.raises(InputError, match="at least one"):
        parse_scopes([])


def test_parse_ends_on() -> None:
    assert parse_ends_on("", TODAY) is None
    assert parse_ends_on("2026-12-31", TODAY) == date(2026, 12, 31)
    with pytest.raises(InputError, match="in the past"):
        parse_ends_on("2026-11-24", TODAY)
    with pytest.raises(InputError, match="not a date"):
        parse_ends_on("soon", TODAY)


def test_parse_note_limits() -> None:
    assert parse_note("  Stretch calves before bed. ") == "Stretch calves before bed."
    with pytest.raises(InputError, match="empty"):
        parse_note("   ")
    with pytest.raises(InputError, match=f"at most {NOTE_MAX_CHARS}"):
        parse_note("x" * (NOTE_MAX_CHARS + 1))
