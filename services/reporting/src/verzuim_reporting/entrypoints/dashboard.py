"""The dashboard: one HTML page with its own small script and stylesheet, served by the reporting service.

The page holds no data and needs no token to load; its script asks the /v1 API (with the bearer token the user gives
it) for the figures and draws the charts as inline SVG. Nothing is loaded from another origin (no CDN), which the
Content-Security-Policy also enforces.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

_STATIC = resources.files("verzuim_reporting.entrypoints") / "static"

# Only this origin: no external scripts, styles, fonts or images, no inline script.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _bestand(naam: str) -> str:
    return (_STATIC / naam).read_text(encoding="utf-8")


def build_dashboard_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}

    @router.get("/dashboard")
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(_bestand("dashboard.html"), headers=headers)

    @router.get("/dashboard/dashboard.js")
    async def script() -> Response:
        return Response(_bestand("dashboard.js"), media_type="text/javascript; charset=utf-8", headers=headers)

    @router.get("/dashboard/dashboard.css")
    async def stylesheet() -> Response:
        return Response(_bestand("dashboard.css"), media_type="text/css; charset=utf-8", headers=headers)

    return router
