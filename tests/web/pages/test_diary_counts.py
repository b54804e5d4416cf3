"""The diary page counts a night's cramps as its episodes plus those counted without times."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from crampwise.diary.model import Episode
from crampwise.interop.csv import import_diary


def test_a_night_shows_episodes_plus_counted_cramps(app: Any, owner: Any) -> None:
    diary = app.state.ctx.store.diary("olive")
    diary.add_episode(Episode(started_at=datetime(2026, 11, 2, 3, 0), pain=4))
    diary.set_unlogged_cramps(date(2026, 11, 1), 2)
    import_diary(diary, io.StringIO("date,cramps,pain\n2026-10-20,1,5\n"))
    page = owner.get("/diary").text
    heads = re.findall(r'<h2 class="h-night">([^<]+)</h2>\s*<span class="muted">([^<]+)<', page)
    assert heads == [
        ("Sun 01 Nov 2026", "3 cramps (2 counted without times)"),
        ("Tue 20 Oct 2026", "1 cramp (1 counted without times)"),
    ]
