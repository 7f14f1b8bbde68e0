"""The common shell of every service process: FastAPI app with problem+json, /healthz and /readyz, a FastStream
NATS broker whose subscribers start with the app, stream setup, background tasks and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker

from verzuim_shared.loops import raise_if_cancelled
from verzuim_shared.messaging import ensure_consumers, ensure_streams, stalled_consumers
from verzuim_shared.problems import PROBLEM_JSON, ServiceUnavailable, install_problem_handlers
from verzuim_shared.settings import ServiceSettings

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]  # raises when not ready
# A check that takes longer counts as failed: a probe must answer, and e.g. a pool waiting for a database that is down
# would otherwise hold the answer for its whole connect timeout.
READINESS_CHECK_TIMEOUT_S = 3.0
Hook = Callable[[], Awaitable[None]]
BackgroundTask = Callable[[], Awaitable[None]]


def make_broker(settings: ServiceSettings) -> NatsBroker:
    return NatsBroker(
        settings.nats_url,
        name=settings.service_name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        # FastStream's per-message "Received"/"Processed" access lines at DEBUG: at INFO they drown everything else
        # (and cost time) when a consumer replays a stream. Failures are still logged at WARNING/ERROR.
        log_level=logging.DEBUG,
    )


@dataclass
class ServiceSpec:
    title: str
    settings: ServiceSettings
    broker: NatsBroker
    routers: Sequence[APIRouter] = ()
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    background: Sequence[BackgroundTask] = ()
    readiness: Sequence[ReadinessCheck] = ()
    description: str = ""
    state: dict[str, object] = field(default_factory=dict)


def create_app(spec: ServiceSpec) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in spec.on_startup:
            await hook()
        await spec.broker.connect()
        await ensure_streams(spec.broker.connection.jetstream(), spec.settings)
        await ensure_consumers(spec.broker.connection.jetstream(), spec.broker)
        await spec.broker.start()
        tasks = [asyncio.create_task(_supervised(task), name=task.__name__) for task in spec.background]
        app.state.ready = True
        # Long-lived objects from startup never need scanning again; keeps GC pauses out of request latency.
        gc.collect()
        gc.freeze()
        log.info("%s started", spec.title)
        try:
            yield
        finally:
            app.state.ready = False
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
            try:
                await spec.broker.stop()
            except Exception:
                # e.g. NATS down at shutdown (drain refuses while reconnecting): still run the shutdown hooks
                log.exception("%s: the NATS connection did not close cleanly", spec.title)
            for hook in spec.on_shutdown:
                await hook()
            log.info("%s stopped", spec.title)

    app = FastAPI(title=spec.title, description=spec.description, version="1.0.0", lifespan=lifespan)
    app.state.settings = spec.settings
    app.state.ready = False
    for key, value in spec.state.items():
        setattr(app.state, key, value)
    install_problem_handlers(app)

    @app.get("/healthz", tags=["beheer"], summary="Process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["beheer"],
        summary="NATS connected, dependencies reachable, consumers not stuck",
        responses={503: {"description": "Not ready; problem+json naming each part that is down in `problems`"}},
    )
    async def readyz() -> JSONResponse:
        problems: list[str] = []
        if not app.state.ready:
            problems.append("starting")
        try:
            if not spec.broker.connection.is_connected:
                problems.append("nats: not connected")
        except Exception:
            problems.append("nats: not connected")
        for check in spec.readiness:
            name = getattr(check, "__name__", "check")
            try:
                async with asyncio.timeout(READINESS_CHECK_TIMEOUT_S):
                    await check()
            except TimeoutError:
                problems.append(f"{name}: no answer within {READINESS_CHECK_TIMEOUT_S:.0f}s")
            except Exception as exc:
                problems.append(f"{name}: {exc or type(exc).__name__}")
        problems.extend(stalled_consumers(spec.broker))
        if problems:
            problem = NotReady("Deze service neemt nu geen verkeer aan: " + "; ".join(problems), problems=problems)
            return JSONResponse(problem.body("/readyz"), status_code=problem.status, media_type=PROBLEM_JSON)
        return JSONResponse({"status": "ready"})

    for router in spec.routers:
        app.include_router(router)
    return app


class NotReady(ServiceUnavailable):
    title = "Niet gereed"
    type_slug = "niet-gereed"


async def _supervised(task: BackgroundTask) -> None:
    """Keep a background loop alive: log and restart it after an unexpected error."""
    while True:
        try:
            await task()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            raise_if_cancelled()  # a cancellation a library turned into another error still stops the task
            log.exception("background task %s failed; restarting in 1s", task.__name__)
            await asyncio.sleep(1.0)


def configure_logging(settings: ServiceSettings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format='{"t":"%(asctime)s","level":"%(levelname)s","service":"'
        + settings.service_name
        + '","logger":"%(name)s","msg":"%(message)s"}',
    )


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run one service process until SIGINT/SIGTERM."""
    configure_logging(settings)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        access_log=False,
    )
