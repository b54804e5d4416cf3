"""The PWA's files: the service worker and manifest from the root, and the offline page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from crampwise.web.deps import STATIC_DIR, render

router = APIRouter()


@router.get("/sw.js")
async def service_worker() -> Response:
    """The service worker, from the root so its scope can be the whole app."""
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest")
async def manifest() -> Response:
    """The web app manifest (installable on a phone's home screen)."""
    return FileResponse(
        STATIC_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/offline")
async def offline(request: Request) -> Response:
    """What the service worker shows for a page it has no copy of."""
    response = render(request, "offline.html")
    response.headers["Cache-Control"] = "no-cache"
    return response
