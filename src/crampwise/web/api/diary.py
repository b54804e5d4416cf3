"""The JSON API under /api/v1: the same library calls as the pages and the CLI.

Authentication: a personal access token (`Authorization: Bearer cw_...`, no CSRF needed;
it ends after 90 days unless made with another `valid_days`)
or the browser session cookie (then `X-CSRF-Token` on every change). Every record is looked
up through the caller's own diary, so another user's id answers 404 like a missing one.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any, Protocol

from fastapi import APIRouter, Body, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from crampwise.diary.model import (
    BUILTIN_FACTORS,
    FACTOR_KINDS,
    CustomFactor,
    DayLog,
    Episode,
    episode_json,
)
from crampwise.interop.csv import export_diary
from crampwise.store.auth import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, ApiToken
from crampwise.store.diary.nights import Unlogged
from crampwise.store.diary.userdiary import UserDiary
from crampwise.web.api.models import COMMON_ANSWERS, EpisodeChanges, EpisodeIn, WholeNumber
from crampwise.web.care.audit import audit_export
from crampwise.web.deps import (
    ApiDiaryDep,
    ApiUserDep,
    IsoDate,
    RecordId,
    WebUser,
    checks_session_at_write,
    log_episode,
    run_blocking,
    web_context,
)

router = APIRouter(tags=["crampwise"], responses=COMMON_ANSWERS)


class DayIn(BaseModel):
    """A day's factor values (built-in or custom); null clears a value."""

    model_config = ConfigDict(extra="forbid")

    values: dict[str, float | bool | str | None]


class FactorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z][A-Za-z0-9_]*$",
        description="letters, digits and _, starting with a letter; not a built-in factor's",
    )
    kind: str = Field(json_schema_extra={"enum": list(FACTOR_KINDS)})
    unit: str | None = None
    choices: list[str] = Field(default_factory=list, description="for categorical factors")


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    valid_days: WholeNumber | None = Field(
        TOKEN_DAYS_DEFAULT,
        ge=1,
        le=TOKEN_DAYS_MAX,
        description="Days until the token stops working; null for never (until revoked).",
    )


def token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def day_json(log: DayLog, counted: Unlogged | None = None) -> dict[str, Any]:
    """A day's values, and its night's cramps counted but not logged one by one (null when
    no count was given; the night's total is these plus its episodes)."""
    return {
        "date": log.date.isoformat(),
        "values": dict(log.values),
        "unlogged_cramps": counted.count if counted else None,
        "unlogged_pain": counted.pain if counted else None,
    }


def days_json(diary: UserDiary, start: date | None, end: date | None) -> list[dict[str, Any]]:
    """Every logged day within [start, end] with its night's count."""
    counts = diary.unlogged_cramps(start, end)
    return [day_json(d, counts.get(d.date)) for d in diary.days(start, end)]


def one_day_json(diary: UserDiary, log: DayLog) -> dict[str, Any]:
    return day_json(log, diary.unlogged_cramps(log.date, log.date).get(log.date))


class Reported(Protocol):
    """A library result object: every one has `to_dict` (plain JSON data)."""

    def to_dict(self) -> dict[str, Any]: ...


def jsonable(result: Reported) -> dict[str, Any]:
    """A library result object as JSON data."""
    return result.to_dict()


@router.get("/episodes", summary="Cramps whose night is within [start, end]")
async def list_episodes(
    diary: ApiDiaryDep, start: IsoDate | None = None, end: IsoDate | None = None
) -> Response:
    return JSONResponse([episode_json(e) for e in diary.episodes(start, end)])


@router.post("/episodes", status_code=201, summary="Log a cramp")
@checks_session_at_write
async def add_episode(request: Request, user: ApiUserDep, body: EpisodeIn) -> Response:
    # Most requests never get here: `crampwise.web.api.lane` answers them the same way.
    return await answer_posted_cramp(request, user, body)


async def answer_posted_cramp(request: Request, user: WebUser, body: EpisodeIn) -> Response:
    """Log a posted cramp; the answer is 201 with it as stored (the route's and the lane's)."""
    stored = await log_episode(request, user, Episode(**body.model_dump()))
    return JSONResponse(episode_json(stored), status_code=201)


@router.get("/episodes/{episode_id}", summary="One cramp")
async def get_episode(diary: ApiDiaryDep, episode_id: RecordId) -> Response:
    return JSONResponse(episode_json(diary.get_episode(episode_id)))


@router.patch("/episodes/{episode_id}", summary="Change some fields of a cramp")
async def update_episode(
    diary: ApiDiaryDep, episode_id: RecordId, changes: EpisodeChanges
) -> Response:
    edited = diary.update_episode(episode_id, **changes.model_dump(exclude_unset=True))
    return JSONResponse(episode_json(edited))


@router.delete("/episodes/{episode_id}", status_code=204, summary="Delete a cramp")
async def delete_episode(diary: ApiDiaryDep, episode_id: RecordId) -> Response:
    diary.delete_episode(episode_id)
    return Response(status_code=204)


@router.get("/days", summary="Day logs within [start, end]")
async def list_days(
    diary: ApiDiaryDep, start: IsoDate | None = None, end: IsoDate | None = None
) -> Response:
    return JSONResponse(days_json(diary, start, end))


@router.get("/days/{day}", summary="One day's log")
async def get_day(diary: ApiDiaryDep, day: IsoDate) -> Response:
    log = diary.get_day(day)
    if log is None:
        raise HTTPException(404)
    return JSONResponse(one_day_json(diary, log))


@router.put("/days/{day}", summary="Set a day's factor values (typed by hand)")
async def put_day(diary: ApiDiaryDep, day: IsoDate, body: DayIn) -> Response:
    # None clears a value (the store's put_day contract), so values are wider than FactorValue.
    log = DayLog(day, dict(body.values))  # type: ignore[arg-type]
    return JSONResponse(one_day_json(diary, diary.put_day(log, source="manual")))


@router.delete("/days/{day}", status_code=204, summary="Delete a day's log")
async def delete_day(diary: ApiDiaryDep, day: IsoDate) -> Response:
    if not diary.delete_day(day):
        raise HTTPException(404)
    return Response(status_code=204)


@router.get("/factors", summary="Built-in and custom day factors")
async def list_factors(diary: ApiDiaryDep) -> Response:
    builtin = [
        {
            "name": f.name,
            "kind": f.kind,
            "label": f.label,
            "unit": f.unit,
            "minimum": f.minimum,
            "maximum": f.maximum,
            "choices": list(f.choices),
            "builtin": True,
        }
        for f in BUILTIN_FACTORS
    ]
    custom = [
        {
            "name": f.name,
            "kind": f.kind,
            "label": f.name,
            "unit": f.unit,
            "minimum": None,
            "maximum": None,
            "choices": list(f.choices),
            "builtin": False,
        }
        for f in diary.custom_factors()
    ]
    return JSONResponse(builtin + custom)


@router.post("/factors", status_code=201, summary="Define a custom factor")
async def define_factor(diary: ApiDiaryDep, body: FactorIn) -> Response:
    factor = diary.define_factor(
        CustomFactor(body.name, body.kind, body.unit, tuple(body.choices))  # type: ignore[arg-type]
    )
    return JSONResponse(
        {
            "name": factor.name,
            "kind": factor.kind,
            "unit": factor.unit,
            "choices": list(factor.choices),
        },
        status_code=201,
    )


@router.get("/analysis", summary="Which factors go with more cramps (as `crampwise analyze`)")
async def analysis(diary: ApiDiaryDep) -> Response:
    from crampwise.analysis import triggers  # numpy and scipy: loaded on first use, not at start

    table = diary.day_table()  # read on the loop, compute on a thread
    result = await run_blocking(triggers.find_triggers, table)
    return JSONResponse(jsonable(result))


@router.post("/assessment", summary="Assess a situation (as `crampwise assess`) and keep it")
async def assessment(diary: ApiDiaryDep, situation: dict[str, Any] = Body(...)) -> Response:
    from crampwise.assess.assessment import assess  # the knowledge base: loaded on first use

    result = (await run_blocking(assess, situation)).to_dict()
    diary.save_assessment(situation, result)
    return JSONResponse(result)


@router.get("/assessment", summary="The latest kept assessment")
async def latest_assessment(diary: ApiDiaryDep) -> Response:
    record = diary.latest_assessment()
    if record is None:
        raise HTTPException(404)
    return JSONResponse(
        {
            "id": record.id,
            "created_at": record.created_at.isoformat(),
            "situation": record.situation,
            "result": record.result,
        }
    )


@router.get(
    "/export.csv",
    summary="The diary as CSV (as `crampwise export csv`)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def export_csv(user: ApiUserDep, request: Request) -> Response:
    out = io.StringIO()
    export_diary(web_context(request).diary(user.name), out)
    audit_export(request, user, "csv")
    headers = {"Content-Disposition": f'attachment; filename="crampwise-{user.name}.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/session", summary="Who is signed in, and the CSRF token for changes")
async def session_info(user: ApiUserDep, request: Request) -> Response:
    # For scripts in the page (the offline queue): after a new sign-in the old token is
    # void, so they fetch the current one before sending what they kept. Same-origin only:
    # without CORS headers no other site can read this answer.
    session = getattr(request.state, "session", None)
    return JSONResponse(
        {
            "name": user.name,
            "owner": user.is_owner,
            "csrf_token": session.csrf_token if session else None,
        }
    )


@router.get("/tokens", summary="Your personal access tokens (never their secrets)")
async def list_tokens(user: ApiUserDep, request: Request) -> Response:
    tokens = web_context(request).auth.api_tokens_of(user.id)
    return JSONResponse([token_json(t) for t in tokens])


@router.post("/tokens", status_code=201, summary="Make a token; its secret is shown only now")
async def create_token(user: ApiUserDep, request: Request, body: TokenIn) -> Response:
    if getattr(request.state, "via_bearer", False):
        # Else a leaked token could make itself a successor that never ends.
        raise HTTPException(403, "tokens are made from a signed-in browser session, not a token")
    made, secret = web_context(request).auth.create_api_token(user.id, body.name, body.valid_days)
    return JSONResponse({**token_json(made), "token": secret}, status_code=201)


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a token")
async def revoke_token(user: ApiUserDep, request: Request, token_id: RecordId) -> Response:
    if not web_context(request).auth.revoke_api_token(user.id, token_id):
        raise HTTPException(404)
    return Response(status_code=204)
