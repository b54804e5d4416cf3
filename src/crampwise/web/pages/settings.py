"""Settings: units, theme, custom factors, medicines, CSV and whole-diary JSON export and
import, account."""

from __future__ import annotations

import io
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.diary.model import CustomFactor, Medicine
from crampwise.errors import InputError
from crampwise.interop.csv import read_day_table
from crampwise.interop.jsonexport import export_json, parse
from crampwise.web.care.audit import audit_export
from crampwise.web.deps import DiaryDep, UserDep, render
from crampwise.web.pages.common import UNITS_COOKIE, form_dict, local_now, report_period, units_of

router = APIRouter()
ONE_YEAR_S = 365 * 24 * 3600
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _settings_page(
    request: Request, diary: object, status_code: int = 200, **ctx: object
) -> Response:
    report_from, report_to = report_period("", "", local_now().date())
    return render(
        request,
        "settings.html",
        status_code=status_code,
        units=units_of(request),
        factors=diary.custom_factors(),  # type: ignore[attr-defined]
        medicines=diary.medicines(),  # type: ignore[attr-defined]
        report_from=report_from.isoformat(),
        report_to=report_to.isoformat(),
        **ctx,
    )


@router.get("/settings")
async def settings(request: Request, user: UserDep, diary: DiaryDep, saved: str = "") -> Response:
    """Everything a person can set, export, import or delete."""
    flash = {"units": "Units saved.", "factor": "Factor added.", "medicine": "Medicine saved."}
    return _settings_page(request, diary, flash=flash.get(saved, ""))


@router.post("/settings/units")
async def set_units(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Store the unit choice (°C or °F for the bedroom and the footbath) on the account."""
    form = await form_dict(request)
    units = diary.set_units(form.get("units", ""))  # InputError (422) unless metric or us
    response = RedirectResponse("/settings?saved=units", status_code=303)
    # The cookie stays as this device's fallback for pages shown before sign-in.
    response.set_cookie(UNITS_COOKIE, units, max_age=ONE_YEAR_S, samesite="lax", httponly=True)
    return response


@router.post("/settings/factors")
async def add_factor(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Define a factor of one's own for the morning check-in."""
    form = await form_dict(request)
    choices = tuple(c.strip() for c in form.get("choices", "").split(",") if c.strip())
    factor = CustomFactor(
        name=form.get("name", "").strip().lower().replace(" ", "_"),
        kind=form.get("kind", "numeric"),  # type: ignore[arg-type]
        unit=form.get("unit", "").strip() or None,
        choices=choices,
    )
    try:
        diary.define_factor(factor)
    except InputError as exc:
        return _settings_page(request, diary, status_code=422, error=str(exc))
    return RedirectResponse("/settings?saved=factor#factors", status_code=303)


@router.post("/settings/medicines")
async def add_medicine(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Record a medicine (brand or generic name, as typed) with its start date."""
    form = await form_dict(request)
    try:
        started = date.fromisoformat(form["started"]) if form.get("started") else None
        diary.add_medicine(Medicine(name=form.get("name", ""), started=started))
    except (InputError, ValueError) as exc:
        return _settings_page(request, diary, status_code=422, error=str(exc))
    return RedirectResponse("/settings?saved=medicine#medicines", status_code=303)


@router.post("/settings/medicines/{medicine_id}/delete")
async def delete_medicine(
    request: Request, user: UserDep, diary: DiaryDep, medicine_id: int
) -> Response:
    diary.delete_medicine(medicine_id)
    return RedirectResponse("/settings#medicines", status_code=303)


# ---- the whole diary as one JSON file (`crampwise export json` / `import json`) -------------
@router.get("/settings/export.json")
async def export_whole_diary(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Everything in the diary, losslessly; the import below reads it back."""
    text = export_json(diary)
    audit_export(request, user, "json")
    headers = {"Content-Disposition": f'attachment; filename="crampwise-{user.name}.json"'}
    return Response(text, media_type="application/json; charset=utf-8", headers=headers)


def _import_whole_diary(request: Request, diary: DiaryDep, raw: bytes, replace: bool) -> Response:
    try:
        counts = diary.load(parse(raw, "upload"), replace=replace)
    except InputError as exc:
        return _settings_page(request, diary, status_code=422, error=f"Nothing imported: {exc}")
    flash = (
        f"Imported your whole diary: {counts['episodes']} cramps, {counts['days']} days, "
        f"{counts['medicines']} medicines, {counts['experiments']} experiments."
    )
    return _settings_page(request, diary, flash=flash)


@router.post("/settings/import")
async def import_csv(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Merge a diary CSV (the `crampwise export csv` format; importing twice changes nothing),
    or read a whole-diary JSON file (`export json`) into an empty diary or in place of it."""
    async with request.form() as form:  # closes the uploaded file's temporary file
        upload = form.get("file")
        replace = form.get("replace") == "yes"
        if upload is None or isinstance(upload, str):
            return _settings_page(request, diary, status_code=422, error="Choose a CSV file.")
        raw = await upload.read(MAX_IMPORT_BYTES + 1)
    try:
        if len(raw) > MAX_IMPORT_BYTES:
            raise InputError("file: larger than 20 MB", field="file")
        if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return _import_whole_diary(request, diary, raw, replace)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("file: not UTF-8 text", field="file") from None
        kinds = {f.name: f.kind for f in diary.custom_factors()}
        summary = diary.import_day_table(read_day_table(io.StringIO(text), kinds))
    except InputError as exc:
        return _settings_page(request, diary, status_code=422, error=f"Nothing imported: {exc}")
    flash = (
        f"Imported: {summary.days_added} days added, {summary.days_changed} changed, "
        f"cramp counts set for {summary.nights_counted} nights."
    )
    return _settings_page(request, diary, flash=flash)
