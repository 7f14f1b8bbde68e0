"""RFC 9457 problem+json: one exception type for expected errors, and the handlers that render them."""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://verzuim.example/problemen/"


class Problem(Exception):
    """An error a person can act on. Subclasses set status, title and type_slug."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Ongeldig verzoek"
    type_slug: ClassVar[str] = "ongeldig-verzoek"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.type_slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class NotFound(Problem):
    status = 404
    title = "Niet gevonden"
    type_slug = "niet-gevonden"


class Conflict(Problem):
    status = 409
    title = "Conflict met de huidige toestand"
    type_slug = "conflict"


class Unprocessable(Problem):
    status = 422
    title = "Ongeldige invoer"
    type_slug = "ongeldige-invoer"


class ServiceUnavailable(Problem):
    status = 503
    title = "Tijdelijk niet beschikbaar"
    type_slug = "niet-beschikbaar"


def problem_response(problem: Problem, request: Request, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.body(str(request.url.path)),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        errors.append(
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem_response(exc, request, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors) or "De invoer is ongeldig."
        return problem_response(Unprocessable(detail, errors=errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        problem = Problem(str(exc.detail))
        body = problem.body(str(request.url.path))
        body.update(status=exc.status_code, title=str(exc.detail), type="about:blank")
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_JSON)
