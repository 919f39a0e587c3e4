"""Production serving: Starlette under uvicorn (HTTP mode) or Socket Mode, plus /healthz.

Bolt's own Starlette adapter calls the synchronous `App.dispatch` inside the event loop, so
concurrent requests queue behind each other. Here dispatch runs in Starlette's thread pool.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from slack_bolt import App, BoltRequest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything absurd


def create_web_app(
    bolt_app: App | None,
    *,
    on_startup: Callable[[], None] | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> Starlette:
    """The ASGI app: `POST /slack/events` (HTTP mode only) and `GET /healthz`."""

    async def slack_events(request: Request) -> Response:
        assert bolt_app is not None
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "request too large"}, status_code=413)
        bolt_request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=dict(request.query_params),
            headers={k: v for k, v in request.headers.items()},
        )
        bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:
            await run_in_threadpool(on_startup)
        try:
            yield
        finally:
            if on_shutdown is not None:
                await run_in_threadpool(on_shutdown)

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if bolt_app is not None:
        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Starlette(routes=routes, lifespan=lifespan)


def run_server(web_app: Any, *, host: str, port: int, log_level: str = "info") -> None:
    import uvicorn

    config = uvicorn.Config(
        web_app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="*",
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run()
