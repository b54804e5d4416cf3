"""Clinic mode: the server presents itself as a clinic on the guide pages, optionally public.

The owner sets the clinic's name, address, phone and booking link at /care/clinic. They are
shown on the guide pages (a template global, `clinic_info`), and with "public guide" on, the
guide pages (and only they) open without signing in: `GuideUserDep` is the guide routes'
dependency. Everything else stays behind login.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.errors import InputError
from crampwise.store.care.audit import Audit
from crampwise.web.care.common import care_store, person
from crampwise.web.deps import (
    OwnerDep,
    WebUser,
    current_user,
    render,
    require_user,
    templates,
    web_context,
)
from crampwise.web.security.address import client_address

router = APIRouter()

PREFIX = "clinic."
LIMITS = {"name": 100, "address": 200, "phone": 40, "booking_url": 255}


@dataclass(frozen=True)
class Clinic:
    """What a clinic shows visitors; empty strings are not shown."""

    name: str = ""
    address: str = ""
    phone: str = ""
    booking_url: str = ""
    public_guide: bool = False

    @property
    def shown(self) -> bool:
        return bool(self.name)


def parse_clinic(form: dict[str, str]) -> Clinic:
    """Validate the clinic form; the booking link must be an http(s) address."""
    values = {key: form.get(key, "").strip() for key in LIMITS}
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            raise InputError(f"field '{key}': at most {limit} characters", field=key)
    url = values["booking_url"]
    if url and not url.lower().startswith(("https://", "http://")):
        raise InputError(
            "field 'booking_url': must start with https:// or http://", field="booking_url"
        )
    public = form.get("public_guide") == "on"
    if public and not values["name"]:
        raise InputError("field 'name': a public guide needs the clinic's name", field="name")
    return Clinic(public_guide=public, **values)


def load_clinic(request: Request) -> Clinic:
    """The clinic settings from `site_settings` (all empty when never set)."""
    auth = web_context(request).auth
    values = {key: auth.site_setting(PREFIX + key) or "" for key in LIMITS}
    return Clinic(public_guide=auth.site_setting(PREFIX + "public_guide") == "true", **values)


def save_clinic(request: Request, clinic: Clinic) -> None:
    auth = web_context(request).auth
    for key, value in asdict(clinic).items():
        stored = ("true" if value else "false") if isinstance(value, bool) else value
        auth.set_site_setting(PREFIX + key, stored)


def clinic_info(request: Request) -> Clinic | None:
    """Template global: the clinic to show, or None when the server is not a clinic."""
    clinic = load_clinic(request)
    return clinic if clinic.shown else None


templates.env.globals["clinic_info"] = clinic_info


async def guide_user(request: Request) -> WebUser | None:
    """Guide pages: the signed-in user; a visitor too (None) when the clinic made it public."""
    user = await current_user(request)
    if user is None and not load_clinic(request).public_guide:
        return await require_user(request)  # the usual redirect to /login (or /setup)
    return user


GuideUserDep = Annotated[WebUser | None, Depends(guide_user)]


def _clinic_page(request: Request, clinic: Clinic, status: int = 200, **ctx: Any) -> Response:
    return render(request, "care_clinic.html", status, clinic=clinic, limits=LIMITS, **ctx)


@router.get("/care/clinic")
async def clinic_form(request: Request, user: OwnerDep, done: str = "") -> Response:
    """The owner's clinic settings."""
    flash = "Saved." if done == "1" else None
    return _clinic_page(request, load_clinic(request), flash=flash)


@router.post("/care/clinic")
async def clinic_save(request: Request, user: OwnerDep) -> Response:
    """Save the clinic settings (owner only)."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        clinic = parse_clinic(form)
    except InputError as exc:
        return _clinic_page(request, Clinic(), 422, error=str(exc))
    save_clinic(request, clinic)
    detail = f"clinic settings; public_guide={'yes' if clinic.public_guide else 'no'}"
    care_store(request).record(
        Audit("clinic_settings", "success", person(user), None, client_address(request), detail)
    )
    return RedirectResponse("/care/clinic?done=1", status_code=303)
