"""The signed-in person's account: password, personal access tokens, deleting the account."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.diary.model import night_of
from crampwise.errors import InputError
from crampwise.store.auth import TOKEN_DAYS_DEFAULT, utcnow
from crampwise.store.samples import SUFFIX, SampleAccounts
from crampwise.web.care.audit import audit_account_delete
from crampwise.web.deps import (
    SESSION_COOKIE,
    UserDep,
    WebUser,
    render,
    run_blocking,
    templates,
    web_context,
)
from crampwise.web.pages.common import local_now, start_session
from crampwise.web.security.address import client_address
from crampwise.web.security.passwords import check_new_credentials
from crampwise.web.security.signin_limits import DEVICE_COOKIE, login_keys

router = APIRouter()

Text = Annotated[str, Form()]


async def _password_ok(request: Request, user: WebUser, password: str) -> bool:
    """Check the signed-in person's password, counted against the sign-in limit: a stolen
    session must not become a way to guess the password."""
    ctx = web_context(request)
    device = ctx.devices().trusted(user.name, request.cookies.get(DEVICE_COOKIE))
    keys = login_keys(user.name, client_address(request), device)
    wait = ctx.limiter.retry_after(keys)
    if wait is not None:
        raise HTTPException(
            429, "Too many attempts: try again later.", headers={"Retry-After": str(wait)}
        )
    account = ctx.auth.account_by_id(user.id)
    stored = account.password_hash if account else None
    ctx.limiter.failed(keys)  # before the slow check, as at sign-in
    ok: bool = await run_blocking(ctx.passwords.verify, stored, password)
    if ok:
        ctx.limiter.succeeded(keys[0])
        ctx.limiter.forgive(keys[1:])
    return ok


def _password_page(request: Request, user: WebUser, status: int = 200, **ctx: Any) -> Response:
    live = [t for t in web_context(request).auth.api_tokens_of(user.id) if not t.expired(utcnow())]
    return render(request, "auth/password.html", status, live_tokens=len(live), **ctx)


@router.get("/account/password")
async def password_form(request: Request, user: UserDep) -> Response:
    return _password_page(request, user)


@router.post("/account/password")
async def change_password(
    request: Request,
    user: UserDep,
    current: Text,
    password: Text,
    password2: Text,
    keep_tokens: Text = "",
) -> Response:
    ctx = web_context(request)
    problem = check_new_credentials(user.name, password, password2)
    if problem is None and not await _password_ok(request, user, current):
        problem = "The current password is wrong."
    if problem:
        return _password_page(request, user, 422, error=problem)
    ctx.auth.set_password(user.id, await run_blocking(ctx.passwords.hash, password))
    # Every other device is signed out; this one gets a fresh session. Tokens go too unless
    # the person asks to keep them: whoever had the old password may have made one.
    ctx.sessions.end_all(user.id)
    revoked = 0 if keep_tokens else ctx.auth.revoke_api_tokens_of(user.id)
    account = ctx.auth.account_by_id(user.id)
    assert account is not None
    target = "/account/password?changed=" + ("tokens" if revoked else "1")
    return start_session(request, account, target)


@router.post("/account/delete")
async def delete_account(request: Request, user: UserDep, password: Text) -> Response:
    ctx = web_context(request)
    if not await _password_ok(request, user, password):
        return render(request, "auth/password.html", 422, error="The password is wrong.")
    _delete_sample(request, user.id)
    ctx.sessions.end_all(user.id)
    ctx.auth.delete_account(user.id)
    audit_account_delete(request, user)
    ctx.forget_diary(user.name)
    ctx.reset_owner_cache()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


# The lifetimes offered on the tokens page (days; "never" only when chosen).
TOKEN_LIFETIMES = {"30": 30, "90": 90, "365": 365, "never": None}


def _tokens_page(request: Request, user: WebUser, status: int = 200, **ctx: Any) -> Response:
    tokens = web_context(request).auth.api_tokens_of(user.id)
    return render(
        request,
        "auth/tokens.html",
        status,
        tokens=tokens,
        now=utcnow(),
        lifetimes=list(TOKEN_LIFETIMES),
        default_lifetime=str(TOKEN_DAYS_DEFAULT),
        **ctx,
    )


@router.get("/account/tokens")
async def tokens_page(request: Request, user: UserDep) -> Response:
    return _tokens_page(request, user)


@router.post("/account/tokens")
async def create_token(
    request: Request, user: UserDep, name: Text, valid_days: Text = str(TOKEN_DAYS_DEFAULT)
) -> Response:
    if valid_days not in TOKEN_LIFETIMES:
        allowed = ", ".join(TOKEN_LIFETIMES)
        error = f"Expires after: choose one of {allowed} (field 'valid_days')."
        return _tokens_page(request, user, 422, error=error)
    label = name.strip()[:64] or "script"
    auth = web_context(request).auth
    _made, secret = auth.create_api_token(user.id, label, TOKEN_LIFETIMES[valid_days])
    return _tokens_page(request, user, secret=secret, secret_name=label)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(request: Request, user: UserDep, token_id: int) -> Response:
    if not web_context(request).auth.revoke_api_token(user.id, token_id):
        raise HTTPException(404)
    return RedirectResponse("/account/tokens", status_code=303)


# -- sample data --------------------------------------------------------------------------
# While someone looks at their sample account, their own session waits in this cookie; the
# way back checks it still signs in the sample's maker.
HOME_COOKIE = "crampwise_home"


def _samples(request: Request) -> SampleAccounts:
    return SampleAccounts(web_context(request).store.engine)


def _set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="lax"
    )


def sample_state(request: Request) -> str:
    """For the templates: "sample" while looking at a sample account, "made" when the
    signed-in person has one, else ""."""
    user: WebUser | None = getattr(request.state, "user", None)
    if user is None:
        return ""
    if user.name.endswith(SUFFIX) and _samples(request).maker_of(user.id) is not None:
        return "sample"
    return "made" if _samples(request).sample_of(user.id) is not None else ""


def viewing_sample(request: Request) -> bool:
    """For base.html, on every page: whether this is a sample account's view (only a name
    with the sample suffix is looked up, so other people's pages read nothing for it)."""
    user: WebUser | None = getattr(request.state, "user", None)
    return user is not None and user.name.endswith(SUFFIX) and sample_state(request) == "sample"


templates.env.globals["sample_state"] = sample_state
templates.env.globals["viewing_sample"] = viewing_sample


def _delete_sample(request: Request, maker_id: int) -> None:
    ctx = web_context(request)
    sample = _samples(request).sample_of(maker_id)
    if sample is None:
        return
    ctx.sessions.end_all(sample.id)
    ctx.auth.delete_account(sample.id)
    _samples(request).forget(maker_id, sample.id)
    ctx.forget_diary(sample.name)


@router.post("/account/sample")
async def open_sample(request: Request, user: UserDep) -> Response:
    """Make (once) and open the sample account: six months of simulated diary, an
    experiment under way and a saved assessment; this session waits to come back to."""
    from crampwise.diary.demo import fill_demo  # only this route needs the simulator

    ctx = web_context(request)
    samples = _samples(request)
    if samples.maker_of(user.id) is not None:
        raise HTTPException(404)  # a sample account makes no samples of its own
    account = ctx.auth.account_by_id(user.id)
    if account is None:
        raise HTTPException(404)
    fresh = samples.sample_of(user.id) is None
    try:
        sample = samples.create(account)
    except InputError as exc:
        return render(request, "more.html", 422, error=str(exc))
    if fresh:
        diary = ctx.store.diary(sample.name)
        today = night_of(local_now())  # the night in progress: the diary ends before it
        plan = sample_plan(today)
        planned = {
            day: {plan.column: plan.condition_on(day) == "on"}
            for day in (plan.start + timedelta(days=i) for i in range((today - plan.start).days))
        }
        await run_blocking(fill_demo, diary, 2, 210, today - timedelta(days=1), planned, False)
        fill_extras(diary, today, plan)
    raw, _info = ctx.sessions.create(sample)
    response = RedirectResponse("/insights", status_code=303)
    home = request.cookies.get(SESSION_COOKIE, "")
    _set_cookie(response, HOME_COOKIE, home, ctx.settings.session_absolute_s)
    _set_cookie(response, SESSION_COOKIE, raw, ctx.settings.session_absolute_s)
    return response


@router.post("/account/sample/leave")
async def leave_sample(request: Request, user: UserDep, delete: Text = "") -> Response:
    """Back to one's own diary from the sample account (deleting the sample if asked)."""
    ctx = web_context(request)
    maker_id = _samples(request).maker_of(user.id)
    if maker_id is None:
        raise HTTPException(404)
    home = request.cookies.get(HOME_COOKIE, "")
    back = ctx.sessions.lookup(home) if home else None
    if delete:
        _delete_sample(request, maker_id)
    else:
        raw = request.cookies.get(SESSION_COOKIE)
        if raw:
            ctx.sessions.end(raw)
    if back is None or back.user.id != maker_id:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
    else:
        response = RedirectResponse("/settings#sample", status_code=303)
        _set_cookie(response, SESSION_COOKIE, home, ctx.settings.session_absolute_s)
    response.delete_cookie(HOME_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.post("/account/sample/delete")
async def delete_sample(request: Request, user: UserDep) -> Response:
    """Delete one's sample account from one's own account."""
    _delete_sample(request, user.id)
    return RedirectResponse("/settings#sample", status_code=303)


# The sample's saved assessment: an older person on a statin with ordinary night cramps.
SAMPLE_SITUATION: dict[str, Any] = {
    "person": {"age": 67, "sex": "female"},
    "conditions": ["diabetes"],
    "medications": ["atorvastatin"],
    "episode": {"muscle": "calf", "when": "night", "duration_s": 60, "pain": 6, "per_week": 3},
}


# The sample's experiment: bedtime stretching (the footbath is not for someone with
# diabetes), four pairs of a week, six weeks done, so its status has something to say.
SAMPLE_EXPERIMENT = "calf_stretch_bedtime"
SAMPLE_WEEKS_DONE = 6


def sample_plan(today: date) -> Any:
    """The sample's randomised schedule, started six weeks before `today` (a fixed seed)."""
    from crampwise.experiments.plan import plan_experiment

    start = today - timedelta(weeks=SAMPLE_WEEKS_DONE)
    return plan_experiment(SAMPLE_EXPERIMENT, pairs=4, period_days=7, start=start, seed=11)


def fill_extras(diary: Any, today: date, plan: Any = None) -> None:
    """A saved assessment, so Assess, Tonight and the report show one at once, and the
    experiment under way whose nights followed its schedule (the Experiment page)."""
    from crampwise.assess import assess  # only the sample needs an assessment here
    from crampwise.experiments.running import start_experiment

    diary.save_assessment(SAMPLE_SITUATION, assess(SAMPLE_SITUATION).to_dict())
    start_experiment(diary, plan or sample_plan(today))
