"""The practitioner's read-only JSON API under /api/v1/practice (care team, issue #7).

The same rules as the practitioner pages (`crampwise.web.care.practice`):

* only practitioner accounts (anyone else: 404, as if the path did not exist);
* every request reads the share from the database (`CareStore.share_for`, no cache), so a
  revocation or a passed end date refuses the very next request, session cookie or bearer
  token alike;
* no share in force, or the scope not granted: 404 exactly like a client that does not
  exist, and a `denied` practitioner read in the audit trail; every read that is served
  writes a `success` practitioner read (the client sees it on `/care/views`);
* a part outside the granted scopes is never read, and its key never appears;
* GET only: practitioners cannot change a client's diary.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from crampwise.care.consent import Share, allowed
from crampwise.errors import NotFoundError
from crampwise.store.care.audit import Audit, Person
from crampwise.web.api.diary import day_json, episode_json, jsonable
from crampwise.web.care.common import address, care_store, person, require_practitioner, today
from crampwise.web.care.view import AssessmentSummary, DiarySummary, assessment_summary, client_view
from crampwise.web.deps import ApiUserDep, WebUser, run_blocking, web_context

router = APIRouter(prefix="/practice", tags=["practice (read-only)"])


def _share_json(share: Share) -> dict[str, Any]:
    return {
        "id": share.client_id,
        "name": share.client_name,
        "scopes": sorted(share.scopes),
        "ends_on": share.ends_on.isoformat() if share.ends_on else None,
        "consented_at": share.consented_at.isoformat(),
    }


def _gate(request: Request, user: WebUser, client_id: int, scope: str) -> Share:
    """The live share granting `scope`, read now; else a denied read and 404 (no hint why)."""
    require_practitioner(request, user)
    care, when = care_store(request), today()
    share = care.share_for(user.id, client_id, when)
    if share is None or not allowed(share, scope, when):
        subject = care.person(client_id) or Person(client_id, "")
        care.record(Audit("practitioner_read", "denied", person(user), subject, address(request)))
        raise NotFoundError(f"no client {client_id}")
    return share


def _served(request: Request, user: WebUser, share: Share, what: str, scope: str) -> None:
    """The audit row of a read that was served."""
    client = Person(share.client_id, share.client_name)
    detail = f"page=api-{what}; scopes={scope}"
    care_store(request).record(
        Audit("practitioner_read", "success", person(user), client, address(request), detail)
    )


def _capped(end: date | None, share: Share) -> date | None:
    """Never past the end date the client granted (as the report)."""
    if share.ends_on is None:
        return end
    return share.ends_on if end is None else min(end, share.ends_on)


def _diary_json(diary: DiarySummary) -> dict[str, Any]:
    return {
        "cramps_per_week": round(diary.per_week, 2) if diary.per_week is not None else None,
        "nights_logged": diary.nights_logged,
        "trend": diary.trend,
        "nights_woken": diary.nights_woken,
        "last_entry": diary.last_entry.isoformat() if diary.last_entry else None,
        "days_since_entry": diary.days_since_entry,
    }


def _assessment_json(assessment: AssessmentSummary) -> dict[str, Any]:
    return {
        "level": assessment.level,
        "assessed_on": assessment.assessed_on.isoformat(),
        "reasons": list(assessment.reasons),
        "stands_out": assessment.stands_out,
    }


def _experiment_json(record: Any) -> Any:
    return jsonable_encoder(dataclasses.asdict(record))


def _episode_json(episode: Any) -> dict[str, Any]:
    data = episode_json(episode)
    data.pop("client_id", None)  # the client's offline-queue id: not diary content
    return data


@router.get("/clients", summary="The clients who share with me today, with scopes and end date")
async def practice_clients(request: Request, user: ApiUserDep) -> Response:
    # Only the shares themselves (which the clients gave this practitioner): no diary is read.
    require_practitioner(request, user)
    shares = care_store(request).clients_of(user.id, today())
    return JSONResponse([_share_json(s) for s in shares])


@router.get("/clients/{client_id}", summary="A client's summary, limited to the granted scopes")
async def practice_client(request: Request, user: ApiUserDep, client_id: int) -> Response:
    """As a dashboard row: `diary`, `active_experiments`, `latest_triage` appear only when
    their scope (`diary`, `insights`, `assessments`) is granted."""
    require_practitioner(request, user)
    view = client_view(
        care_store(request),
        web_context(request).store,
        person(user),
        client_id,
        today(),
        address(request),
        with_triggers=False,
        page="api-summary",
    )
    body: dict[str, Any] = {"client": _share_json(view.share), "reports": view.reports}
    if view.diary is not None:
        body["diary"] = _diary_json(view.diary)
    if view.insights is not None:
        body["active_experiments"] = [_experiment_json(e) for e in view.insights.active_experiments]
    if view.assessment is not None:
        body["latest_triage"] = _assessment_json(view.assessment)
    return JSONResponse(body)


@router.get("/clients/{client_id}/episodes", summary="A client's cramps (scope `diary`)")
async def practice_episodes(
    request: Request,
    user: ApiUserDep,
    client_id: int,
    start: date | None = None,
    end: date | None = None,
) -> Response:
    share = _gate(request, user, client_id, "diary")
    diary = web_context(request).store.diary(share.client_name, create=False)
    rows = [_episode_json(e) for e in diary.episodes(start, _capped(end, share))]
    _served(request, user, share, "episodes", "diary")
    return JSONResponse(rows)


@router.get("/clients/{client_id}/days", summary="A client's day logs (scope `diary`)")
async def practice_days(
    request: Request,
    user: ApiUserDep,
    client_id: int,
    start: date | None = None,
    end: date | None = None,
) -> Response:
    share = _gate(request, user, client_id, "diary")
    diary = web_context(request).store.diary(share.client_name, create=False)
    rows = [day_json(d) for d in diary.days(start, _capped(end, share))]
    _served(request, user, share, "days", "diary")
    return JSONResponse(rows)


@router.get(
    "/clients/{client_id}/insights",
    summary="A client's trigger findings and experiments (scope `insights`)",
)
async def practice_insights(request: Request, user: ApiUserDep, client_id: int) -> Response:
    from crampwise.analysis.triggers import find_triggers

    share = _gate(request, user, client_id, "insights")
    diary = web_context(request).store.diary(share.client_name, create=False)
    table = diary.day_table()  # read on the loop, compute on a thread (as the page)
    experiments = [_experiment_json(e) for e in diary.experiments()]
    report = await run_blocking(find_triggers, table)
    _served(request, user, share, "insights", "insights")
    return JSONResponse({"triggers": jsonable(report), "experiments": experiments})


@router.get(
    "/clients/{client_id}/assessments/latest",
    summary="A client's latest triage and its reasons (scope `assessments`); null if none",
)
async def practice_assessment(request: Request, user: ApiUserDep, client_id: int) -> Response:
    share = _gate(request, user, client_id, "assessments")
    diary = web_context(request).store.diary(share.client_name, create=False)
    latest = assessment_summary(diary)
    _served(request, user, share, "assessment", "assessments")
    return JSONResponse(_assessment_json(latest) if latest is not None else None)


@router.get(
    "/clients/{client_id}/report.pdf",
    summary="The clinician PDF report (scope `reports`), `from`/`to` capped at the share's end",
    response_class=Response,
)
async def practice_report(request: Request, user: ApiUserDep, client_id: int) -> Response:
    from crampwise.interop.report import diary_report
    from crampwise.web.pages.report import report_period

    share = _gate(request, user, client_id, "reports")
    when = today()
    params = request.query_params
    first, last = report_period(params.get("from", ""), params.get("to", ""), when)
    if share.ends_on is not None:  # never past the end the client granted
        last = min(last, share.ends_on)
        first = min(first, last)
    diary = web_context(request).store.diary(share.client_name, create=False)
    pdf = await run_blocking(diary_report, diary, share.client_name, first, last, today=when)
    _served(request, user, share, "report", "reports")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="crampwise-{share.client_name}.pdf"'},
    )
