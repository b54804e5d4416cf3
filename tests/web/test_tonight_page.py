"""The Tonight page: its 14-night strip, routine and counts, read in one transaction."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from crampwise.diary import DayLog, Episode, night_of


def test_the_strip_shows_each_of_the_last_14_nights_with_its_count(app: Any, owner: Any) -> None:
    diary = app.state.ctx.diary("olive")
    night = night_of(datetime.now())
    for day, hour in ((night, 23), (night, 23), (night - timedelta(days=13), 22)):
        diary.add_episode(Episode(started_at=datetime.combine(day, time(hour, 0))))
    diary.add_episode(Episode(started_at=datetime.combine(night - timedelta(days=14), time(23))))
    diary.put_day(DayLog(night, {"footbath": True}))
    page = owner.get("/").text
    labels = re.findall(r'<span class="visually-hidden">([^<]+): (\d+) cramps?</span>', page)
    days = [night - timedelta(days=13 - i) for i in range(14)]
    assert labels == [
        (d.strftime("%A %d %B"), {night: "2", days[0]: "1"}.get(d, "0")) for d in days
    ]
    shorts = re.findall(r'<span class="n-day" aria-hidden="true">(\w+)<br>(\d+)</span>', page)
    assert shorts == [(d.strftime("%a"), str(d.day)) for d in days]
    assert "3 cramps on 2 of the last 14 nights." in page
    # The routine: the footbath is done tonight (Undo offered), the stretch is not.
    assert re.search(r"Warm footbath <span class=\"done-mark\">", page)
    assert not re.search(r"Calf and hamstring stretch <span class=\"done-mark\">", page)
