"""The practitioner's access gate and the share's end-date cap, as pure rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crampwise.care.access import Refusal, capped_end, capped_period, open_share
from crampwise.care.consent import Share

TODAY = date(2026, 11, 24)


def _share(scopes: set[str], ends_on: date | None = None, revoked: bool = False) -> Share:
    return Share(
        id=1,
        client_id=2,
        client_name="cora",
        practitioner_id=3,
        practitioner_name="pat",
        scopes=frozenset(scopes),
        consented_at=datetime(2026, 11, 1, 9, 0),
        wording_version="care-consent-1",
        ends_on=ends_on,
        revoked_at=datetime(2026, 11, 20, 9, 0) if revoked else None,
    )


def test_a_share_in_force_granting_the_scope_opens() -> None:
    share = _share({"diary", "reports"})
    assert open_share(share, "diary", TODAY) is share
    assert open_share(share, None, TODAY) is share  # any scope: the client page


@pytest.mark.parametrize(
    ("share", "scope", "reason"),
    [
        (None, "diary", "no_share"),
        (_share({"diary"}, revoked=True), "diary", "inactive"),
        (_share({"diary"}, ends_on=date(2026, 11, 23)), "diary", "inactive"),
        (_share({"diary"}), "reports", "scope"),
    ],
)
def test_anything_not_shared_today_is_refused(share: Share | None, scope: str, reason: str) -> None:
    assert open_share(share, scope, TODAY) == Refusal(reason)


def test_the_end_date_itself_still_counts() -> None:
    share = _share({"diary"}, ends_on=TODAY)
    assert open_share(share, "diary", TODAY) is share


def test_an_unknown_scope_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        open_share(_share({"diary"}), "everything", TODAY)


def test_reads_never_go_past_the_granted_end_date() -> None:
    ends = date(2026, 12, 1)
    share = _share({"diary"}, ends_on=ends)
    assert capped_end(None, share) == ends
    assert capped_end(date(2026, 12, 5), share) == ends
    assert capped_end(date(2026, 11, 28), share) == date(2026, 11, 28)
    assert capped_end(None, _share({"diary"})) is None
    assert capped_period(date(2026, 11, 1), date(2026, 12, 9), share) == (date(2026, 11, 1), ends)
    # a period wholly after the end shrinks to its last granted night
    assert capped_period(date(2026, 12, 5), date(2026, 12, 9), share) == (ends, ends)
