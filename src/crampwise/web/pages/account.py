"""Sign-in routes: first-visit setup, login/logout, invitations, password, tokens, deletion."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.store.auth import MEMBER, OWNER, TOKEN_DAYS_DEFAULT, Account, utcnow
from crampwise.web.care.audit import audit_account_delete, audit_sign_in  # audit (#7)
from crampwise.web.deps import (
    SESSION_COOKIE,
    OwnerDep,
    UserDep,
    WebUser,
    current_user,
    render,
    run_blocking,
    web_context,
)
from crampwise.web.security.core import DEVICE_COOKIE, DEVICE_COOKIE_AGE_S, login_keys

router = APIRouter()

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MIN_PASSWORD = 8
Text = Annotated[str, Form()]


def client_address(request: Request) -> str:
    """The caller's address; behind a trusted proxy, the entry that proxy added to X-Forwarded-For.

    The last entry, not the first: a client can send its own X-Forwarded-For to look like
    someone else, and the proxy appends the address it really saw.
    """
    if web_context(request).settings.trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None) -> str:
    """Only a local path may follow a login (no open redirect to another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def check_new_credentials(name: str, password: str, password2: str) -> str | None:
    """The problem with a proposed name/password, or None."""
    if not NAME_RE.match(name):
        return "Names use 1–64 lower-case letters, digits, '.', '_' or '-'."
    if len(password) < MIN_PASSWORD:
        return f"Passwords need at least {MIN_PASSWORD} characters."
    if password != password2:
        return "The two passwords differ."
    return None


def start_session(request: Request, account: Account, target: str = "/") -> Response:
    """Sign `account` in: a new server-side session and its cookie, then 303 to `target`."""
    ctx = web_context(request)
    raw, _info = ctx.sessions.create(account)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=ctx.settings.session_absolute_s,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    # This browser is now a known device of the account (see security.DeviceCookies).
    response.set_cookie(
        DEVICE_COOKIE,
        ctx.devices().issue(account.name),
        max_age=DEVICE_COOKIE_AGE_S,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/setup")
async def setup_form(request: Request) -> Response:
    if web_context(request).has_owner():
        return RedirectResponse("/login", status_code=303)
    return render(request, "auth/setup.html")


@router.post("/setup")
async def setup(request: Request, name: Text, password: Text, password2: Text) -> Response:
    ctx = web_context(request)
    if ctx.has_owner():
        raise HTTPException(404)
    name = name.strip().lower()
    problem = check_new_credentials(name, password, password2)
    if problem:
        audit_sign_in(request, None, False, "setup refused")  # the typed name is never kept
        return render(request, "auth/setup.html", 422, error=problem, name=name)
    hashed = await run_blocking(ctx.passwords.hash, password)
    # The owner may take over an existing command-line diary of the same name.
    try:
        account = ctx.auth.create_account(name, hashed, OWNER, claim=True)
    except PermissionError as exc:  # someone else finished setup a moment ago
        raise HTTPException(404) from exc
    ctx.forget_diary(name)
    audit_sign_in(request, account, True, "setup")
    return start_session(request, account)


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    ctx = web_context(request)
    if not ctx.has_owner():
        return RedirectResponse("/setup", status_code=303)
    if await current_user(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", next=safe_next(next))


@router.post("/login")
async def login(
    request: Request, name: Text, password: Text, next: Annotated[str, Form()] = "/"
) -> Response:
    ctx = web_context(request)
    name = name.strip().lower()
    device = ctx.devices().trusted(name, request.cookies.get(DEVICE_COOKIE))
    keys = login_keys(name, client_address(request), device)
    wait = ctx.limiter.retry_after(keys)
    if wait is not None:
        response = render(
            request,
            "auth/login.html",
            429,
            error="Too many attempts: try again later.",
            name=name,
            next=safe_next(next),
        )
        audit_sign_in(request, ctx.auth.account_by_name(name), False, "too many attempts")
        response.headers["Retry-After"] = str(wait)
        return response
    account = ctx.auth.account_by_name(name)
    stored = account.password_hash if account else None
    # Counted before the (slow) check, so guesses sent all at once cannot outrun the limit;
    # taken back below when the password is right.
    ctx.limiter.failed(keys)
    # Always one hash, even for an unknown name: the answer's timing must not reveal names.
    if not await run_blocking(ctx.passwords.verify, stored, password) or account is None:
        audit_sign_in(request, account, False)
        return render(
            request,
            "auth/login.html",
            401,
            error="Wrong name or password.",
            name=name,
            next=safe_next(next),
        )
    ctx.limiter.succeeded(keys[0])
    ctx.limiter.forgive(keys[1:])
    audit_sign_in(request, account, True)
    return start_session(request, account, safe_next(next))


@router.post("/logout")
async def logout(request: Request) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        web_context(request).sessions.end(raw)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.get("/invite")
async def invite_form(request: Request, user: OwnerDep) -> Response:
    return render(request, "auth/invite.html")


@router.post("/invite")
async def invite(request: Request, user: OwnerDep) -> Response:
    ctx = web_context(request)
    lifetime = ctx.settings.invitation_valid_s
    from datetime import timedelta

    token = ctx.auth.create_invitation(user.id, timedelta(seconds=lifetime))
    link = str(request.url_for("join_form", token=token))
    return render(request, "auth/invite.html", link=link, days=lifetime // 86400)


@router.post("/invite/open-signup")
async def set_open_signup(
    request: Request, user: OwnerDep, open_signup: Annotated[str, Form()] = "false"
) -> Response:
    """The owner lets anyone create an account at /join (or stops it)."""
    web_context(request).set_open_signup(open_signup == "true")
    return RedirectResponse("/invite", status_code=303)


@router.get("/join/{token}", name="join_form")
async def join_form(request: Request, token: str) -> Response:
    if not web_context(request).auth.invitation_valid(token):
        raise HTTPException(404)
    return render(request, "auth/join.html", action=f"/join/{token}")


@router.post("/join/{token}")
async def join(
    request: Request, token: str, name: Text, password: Text, password2: Text
) -> Response:
    ctx = web_context(request)
    name = name.strip().lower()
    if not ctx.auth.invitation_valid(token):  # before the costly hash: anyone may post here
        audit_sign_in(request, None, False, "invitation not valid")
        raise HTTPException(404)
    problem = check_new_credentials(name, password, password2)
    if problem is None:
        hashed = await run_blocking(ctx.passwords.hash, password)
        try:
            account = ctx.auth.use_invitation(token, name, hashed)
        except LookupError as exc:
            audit_sign_in(request, None, False, "invitation not valid")
            raise HTTPException(404) from exc
        except ValueError as exc:
            problem = str(exc)
        else:
            audit_sign_in(request, account, True, "invitation")
            return start_session(request, account)
    audit_sign_in(request, None, False, "invitation refused")
    return render(request, "auth/join.html", 422, error=problem, name=name, action=f"/join/{token}")


@router.get("/join")
async def open_join_form(request: Request) -> Response:
    if not web_context(request).open_signup():
        raise HTTPException(404)
    return render(request, "auth/join.html", action="/join")


@router.post("/join")
async def open_join(request: Request, name: Text, password: Text, password2: Text) -> Response:
    ctx = web_context(request)
    if not ctx.open_signup() or not ctx.has_owner():
        raise HTTPException(404)
    name = name.strip().lower()
    problem = check_new_credentials(name, password, password2)
    if problem is None:
        hashed = await run_blocking(ctx.passwords.hash, password)
        try:
            account = ctx.auth.create_account(name, hashed, MEMBER, claim=False)
        except ValueError as exc:
            problem = str(exc)
        else:
            audit_sign_in(request, account, True, "open sign-up")
            return start_session(request, account)
    audit_sign_in(request, None, False, "open sign-up refused")
    return render(request, "auth/join.html", 422, error=problem, name=name, action="/join")


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
async def revoke_token(request: Request, user: UserDep, token_id: int) -> Any:
    if not web_context(request).auth.revoke_api_token(user.id, token_id):
        raise HTTPException(404)
    return RedirectResponse("/account/tokens", status_code=303)
