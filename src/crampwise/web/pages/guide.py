"""Guide: the knowledge base as readable pages (the same sections as `crampwise learn`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crampwise.diary.units import in_units
from crampwise.errors import InputError, NotFoundError
from crampwise.web.care.clinic import GuideUserDep  # public in clinic mode
from crampwise.web.deps import diary_for, render, templates
from crampwise.web.pages.common import knowledge, units_of

router = APIRouter()
# Knowledge-base text with its temperatures in the reader's units ("99–100 °F").
templates.env.filters["in_units"] = in_units


@router.get("/guide")
async def guide(request: Request, user: GuideUserDep) -> Response:
    """The overview (what the grades mean) and a list of topics."""
    # Imported here, as below: the guide reads the whole knowledge base (~0.1 s).
    from crampwise.assess.guide import TOPICS, sections

    everything = sections()
    overview = everything[0]
    topics = [s for s in everything if s.id != overview.id and s.id in TOPICS]
    return render(
        request,
        "guide.html",
        overview=overview,
        topics=topics,
        kb=knowledge(),
        units=units_of(request),
    )


@router.get("/guide/sources")
async def guide_sources(request: Request, user: GuideUserDep) -> Response:
    """The bibliography, with how well each source was checked."""
    return render(request, "guide_sources.html", sources=list(knowledge().sources.values()))


@router.get("/guide/{topic}")
async def guide_topic(request: Request, user: GuideUserDep, topic: str) -> Response:
    """One topic (causes, remedies, avoid, warning-signs, medicines) or one cause or remedy."""
    from crampwise.assess.guide import sections

    # A signed-in person's saved assessment marks the remedies it rules out for them.
    rules = diary_for(request, user).personal_rules() if user is not None else None
    try:
        found = sections(topic, rules=rules)
    except InputError:
        raise NotFoundError(topic) from None
    return render(request, "guide_section.html", section=found[0], units=units_of(request))
