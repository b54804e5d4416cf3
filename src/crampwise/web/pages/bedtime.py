"""Bedtime: the stretch and footbath timers (numbers from the knowledge base), the safe
water temperature in the user's units, what a saved assessment puts instead of a remedy,
and the care team's notes kept in the plan."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.diary.model import night_of
from crampwise.diary.units import in_units
from crampwise.web.care.common import care_store
from crampwise.web.deps import DiaryDep, UserDep, render
from crampwise.web.pages.common import (
    bath_temperatures,
    knowledge,
    local_now,
    remedy,
    units_of,
)

router = APIRouter()


def _card(remedy_id: str, units: str) -> dict[str, Any] | None:
    """A remedy's words for the page, temperatures in the user's units."""
    found = remedy(remedy_id)
    if found is None:
        return None
    return {
        "id": found.id,
        "title": found.title,
        "how": in_units(found.how, units),
        "evidence": found.evidence,
        "note": in_units(found.evidence_note or "", units),
        "cautions": [in_units(c.text, units) for c in found.cautions],
        "sources": found.sources,
    }


@router.get("/bedtime")
async def bedtime(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Stretch timer and warm-footbath timer with the safe temperature in the user's units
    (or what the saved assessment offers instead), and what the person's care team
    recommended and they kept in their plan."""
    units = units_of(request)
    rules = diary.personal_rules()
    routine = knowledge().bedtime
    timing = routine.stretch
    footbath = remedy("warm_footbath")
    general = footbath.substitute if footbath is not None else None
    tonight = diary.get_day(night_of(local_now()))
    done = {} if tonight is None else tonight.values
    bath_ok = rules.allows("warm_footbath")
    replacement = rules.instead("warm_footbath") if not bath_ok else None
    return render(
        request,
        "bedtime.html",
        care_notes=[n for n in care_store(request).notes_for(user.id) if n.in_plan],
        stretch=_card("calf_stretch_bedtime", units)
        if rules.allows("calf_stretch_bedtime")
        else None,
        stretch_why=rules.why("calf_stretch_bedtime"),
        footbath=_card("warm_footbath", units) if bath_ok else None,
        # This person's assessment replaced the footbath (diabetes, numb feet...).
        replaced=_card(replacement, units) if replacement else None,
        replaced_why=rules.why("warm_footbath"),
        # Everyone else: who should not soak, and what to do instead, in one line.
        general=general if bath_ok else None,
        general_instead=_card(general.with_id, units) if bath_ok and general else None,
        stretch_seconds=timing.total_s,
        stretch_hold=timing.hold_s,
        stretch_rest=timing.rest_s,
        bath_seconds=routine.footbath.minutes * 60,
        bath=bath_temperatures(units),
        done={"stretched": done.get("stretched") is True, "footbath": done.get("footbath") is True},
    )
