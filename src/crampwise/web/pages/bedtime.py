"""Bedtime: the stretch and footbath timers (numbers from the knowledge base), the safe
water temperature in the user's units, and the care team's notes kept in the plan."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.web.care.common import care_store
from crampwise.web.deps import UserDep, render
from crampwise.web.pages.common import bath_temperatures, knowledge, remedy, units_of

router = APIRouter()


@router.get("/bedtime")
async def bedtime(request: Request, user: UserDep) -> Response:
    """Stretch timer and warm-footbath timer with the safe temperature in the user's units,
    and what the person's care team recommended and they kept in their plan."""
    footbath = remedy("warm_footbath")
    routine = knowledge().bedtime
    timing = routine.stretch
    return render(
        request,
        "bedtime.html",
        care_notes=[n for n in care_store(request).notes_for(user.id) if n.in_plan],
        stretch=remedy("calf_stretch_bedtime"),
        footbath=footbath,
        # Diabetes, neuropathy, arterial disease, numb feet: no soaking, a safe alternative.
        instead=remedy(footbath.substitute.with_id) if footbath and footbath.substitute else None,
        stretch_seconds=timing.total_s,
        stretch_hold=timing.hold_s,
        stretch_rest=timing.rest_s,
        stretch_rounds=timing.rounds,
        bath_seconds=routine.footbath.minutes * 60,
        bath=bath_temperatures(units_of(request)),
    )
