"""The practitioner's read-only JSON API under /api/v1/practice (the care team).

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
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from crampwise.care.access import capped_end, capped_period
from crampwise.care.consent import Share
from crampwise.diary.model import Episode, episode_json
from crampwise.store.care.audit import Audit, Person
from crampwise.store.diary.records import ExperimentRecord
from crampwise.web.api.diary import days_json, jsonable
from crampwise.web.api.models import COMMON_ANSWERS
from crampwise.web.care.common import (
    care_store,
    client_share,
    person,
    require_practitioner,
    today,
)
from crampwise.web.care.view import AssessmentSummary, DiarySummary, assessment_summary, client_view
from crampwise.web.deps import ApiUserDep, IsoDate, RecordId, WebUser, run_blocking, web_context
from crampwise.web.pages.common import report_period
from crampwise.web.security.address import client_address

router = APIRouter(prefix="/practice", tags=["practice (read-only)"], responses=COMMON_ANSWERS)


def _share_json(share: Share) -> dict[str, Any]:
    return {
        "id": share.client_id,
        "name": share.client_name,
        "scopes": sorted(share.scopes),
        "ends_on": share.ends_on.isoformat() if share.ends_on else None,
        "consented_at": share.consented_at.isoformat(),
    }


def _served(request: Request, user: WebUser, share: Share, what: str, scope: str) -> None:
    """The audit row of a read that was served."""
    client = Person(share.client_id, share.client_name)
    detail = f"page=api-{what}; scopes={scope}"
    care_store(request).record(
        Audit("practitioner_read", "success", person(user), client, client_address(request), detail)
    )


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


def _experiment_json(record: ExperimentRecord) -> Any:
    return jsonable_encoder(dataclasses.asdict(record))


def _episode_json(episode: Episode) -> dict[str, object]:
    data = episode_json(episode)
    del data["client_id"]  # the client's offline-queue id: not diary content
    return data


@router.get("/clients", summary="The clients who share with me today, with scopes and end date")
async def practice_clients(request: Request, user: ApiUserDep) -> Response:
    # Only the shares themselves (which the clients gave this practitioner): no diary is read.
    require_practitioner(request, user)
    shares = care_store(request).clients_of(user.id, today())
    return JSONResponse([_share_json(s) for s in shares])


@router.get("/clients/{client_id}", summary="A client's summary, limited to the granted scopes")
async def practice_client(request: Request, user: ApiUserDep, client_id: RecordId) -> Response:
    """As a dashboard row: `diary`, `active_experiments`, `latest_triage` appear only when
    their scope (`diary`, `insights`, `assessments`) is granted."""
    require_practitioner(request, user)
    view = client_view(
        care_store(request),
        web_context(request).store,
        person(user),
        client_id,
        today(),
        client_address(request),
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
    client_id: RecordId,
    start: IsoDate | None = None,
    end: IsoDate | None = None,
) -> Response:
    share = client_share(request, user, client_id, "diary")
    diary = web_context(request).store.diary(share.client_name, create=False)
    rows = [_episode_json(e) for e in diary.episodes(start, capped_end(end, share))]
    _served(request, user, share, "episodes", "diary")
    return JSONResponse(rows)


@router.get("/clients/{client_id}/days", summary="A client's day logs (scope `diary`)")
async def practice_days(
    request: Request,
    user: ApiUserDep,
    client_id: RecordId,
    start: IsoDate | None = None,
    end: IsoDate | None = None,
) -> Response:
    share = client_share(request, user, client_id, "diary")
    diary = web_context(request).store.diary(share.client_name, create=False)
    rows = days_json(diary, start, capped_end(end, share))
    _served(request, user, share, "days", "diary")
    return JSONResponse(rows)


@router.get(
    "/clients/{client_id}/insights",
    summary="A client's trigger findings and experiments (scope `insights`)",
)
async def practice_insights(request: Request, user: ApiUserDep, client_id: RecordId) -> Response:
    # Imported here: the trigger analysis pulls in scipy (~0.5 s at start-up).
    from crampwise.analysis.triggers import find_triggers

    share = client_share(request, user, client_id, "insights")
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
async def practice_assessment(request: Request, user: ApiUserDep, client_id: RecordId) -> Response:
    share = client_share(request, user, client_id, "assessments")
    diary = web_context(request).store.diary(share.client_name, create=False)
    latest = assessment_summary(diary)
    _served(request, user, share, "assessment", "assessments")
    return JSONResponse(_assessment_json(latest) if latest is not None else None)


@router.get(
    "/clients/{client_id}/report.pdf",
    summary="The clinician PDF report (scope `reports`), `from`/`to` capped at the share's end",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string"}}}}},
)
async def practice_report(request: Request, user: ApiUserDep, client_id: RecordId) -> Response:
    # Imported here: reportlab costs ~0.2 s at start-up and only the report needs it.
    from crampwise.interop.report import diary_report

    share = client_share(request, user, client_id, "reports")
    when = today()
    params = request.query_params
    period = report_period(params.get("from", ""), params.get("to", ""), when)
    first, last = capped_period(*period, share)
    diary = web_context(request).store.diary(share.client_name, create=False)
    pdf = await run_blocking(diary_report, diary, share.client_name, first, last, today=when)
    _served(request, user, share, "report", "reports")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="crampwise-{share.client_name}.pdf"'},
    )
