"""Signing in: first-visit setup, login and logout, invitations and joining."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.care.consent import PROFESSIONS
from crampwise.errors import InputError
from crampwise.store.auth import MEMBER, OWNER
from crampwise.web.care.audit import audit_invited_practitioner, audit_sign_in
from crampwise.web.deps import (
    SESSION_COOKIE,
    OwnerDep,
    current_user,
    render,
    run_blocking,
    web_context,
)
from crampwise.web.pages.common import start_session
from crampwise.web.security.address import client_address
from crampwise.web.security.passwords import check_new_credentials
from crampwise.web.security.signin_limits import DEVICE_COOKIE, login_keys

router = APIRouter()

Text = Annotated[str, Form()]


def safe_next(target: str | None) -> str:
    """Only a local path may follow a login (no open redirect to another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


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
    # A sign-out from a sample account signs its maker out too (their session waited).
    for cookie in (SESSION_COOKIE, "crampwise_home"):
        raw = request.cookies.get(cookie)
        if raw:
            web_context(request).sessions.end(raw)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie("crampwise_home", path="/", secure=True, httponly=True, samesite="lax")
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.get("/invite")
async def invite_form(request: Request, user: OwnerDep) -> Response:
    return render(request, "auth/invite.html", professions=PROFESSIONS)


@router.post("/invite")
async def invite(
    request: Request, user: OwnerDep, role: Annotated[str, Form()] = "member"
) -> Response:
    """A one-use link; `role` is "member" or a profession (the account joins as a
    practitioner of it: no second step for the owner, no page the therapist cannot open)."""
    ctx = web_context(request)
    lifetime = ctx.settings.invitation_valid_s
    profession = None if role == "member" else role
    try:
        token = ctx.auth.create_invitation(user.id, timedelta(seconds=lifetime), profession)
    except InputError as exc:
        return render(request, "auth/invite.html", 422, error=str(exc), professions=PROFESSIONS)
    link = str(request.url_for("join_form", token=token))
    return render(
        request,
        "auth/invite.html",
        link=link,
        days=lifetime // 86400,
        invited_as=profession,
        professions=PROFESSIONS,
    )


@router.post("/invite/open-signup")
async def set_open_signup(
    request: Request, user: OwnerDep, open_signup: Annotated[str, Form()] = "false"
) -> Response:
    """The owner lets anyone create an account at /join (or stops it)."""
    web_context(request).set_open_signup(open_signup == "true")
    return RedirectResponse("/invite", status_code=303)


@router.get("/join/{token}", name="join_form")
async def join_form(request: Request, token: str) -> Response:
    role = web_context(request).auth.invitation_role(token)
    if role is False:
        raise HTTPException(404)
    return render(request, "auth/join.html", action=f"/join/{token}", invited_as=role)


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
            audit_invited_practitioner(request, account)
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
