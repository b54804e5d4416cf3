"""Settings: the whole diary as one file, downloaded and read back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from crampwise.diary.model import Episode, Medicine
from crampwise.interop.jsonexport import export_json

from ..support import form_csrf


def test_download_then_upload_gives_the_same_diary(app: Any, owner: Any) -> None:
    diary = app.state.ctx.store.diary("olive")
    diary.add_episode(Episode(datetime(2026, 11, 2, 22, 43), muscle="foot", side="right", pain=5))
    diary.set_unlogged_cramps(date(2026, 11, 3), 2)
    diary.add_medicine(Medicine("Lasix", started=date(2026, 9, 1)))
    got = owner.get("/settings/export.json")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert got.text == export_json(diary)
    token = form_csrf(owner.get("/settings").text)
    files = {"file": ("crampwise.json", got.content, "application/json")}
    refused = owner.post("/settings/import", data={"csrf_token": token}, files=files)
    assert refused.status_code == 422 and "not empty" in refused.text
    diary.add_episode(Episode(datetime(2026, 11, 5, 1, 0)))  # replaced by the upload below
    done = owner.post("/settings/import", data={"csrf_token": token, "replace": "yes"}, files=files)
    assert done.status_code == 200 and "Imported your whole diary: 1 cramps" in done.text
    assert export_json(diary) == got.text
    bad = {"file": ("x.json", b'{"format": "crampwise-export", "version": 7}', "application/json")}
    answer = owner.post("/settings/import", data={"csrf_token": token}, files=bad)
    assert answer.status_code == 422 and "newer than this crampwise" in answer.text
