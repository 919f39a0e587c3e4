"""Production serving: Starlette under uvicorn (HTTP mode) or Socket Mode, plus /healthz.

Every `POST /slack/events` is checked here before Bolt sees it (`bot.runtime.inbound`): its size
(refused by Content-Length before reading, or counted as it streams in), its signature on the raw
bytes (anything unsigned is 401, whatever its shape), then its shape (JSON, a `payload=` form
field, or form fields), so no request an outsider sends reaches a parser that can raise.

Bolt's own Starlette adapter calls the synchronous `App.dispatch` inside the event loop, so
concurrent requests queue behind each other. Here dispatch runs in Starlette's thread pool.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.runtime.inbound import (
    MAX_BODY_BYTES,
    MalformedBody,
    ParsedBoltRequest,
    TooLarge,
    declared_length,
    parse_body,
    read_limited,
    verified_text,
)

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger(__name__)

Health = Callable[[], tuple[bool, dict[str, Any]]]


def create_web_app(
    bolt_app: App | None,
    *,
    signing_secret: str | None = None,
    on_startup: Callable[[], None] | None = None,
    on_shutdown: Callable[[], None] | None = None,
    health: Health | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Starlette:
    """The ASGI app: `POST /slack/events` (HTTP mode only) and `GET /healthz`.

    `signing_secret` defaults to the Bolt app's own. `health` adds to /healthz (Socket Mode:
    the socket's state); it answers 503 while that says the bot cannot hear Slack.
    """
    verifier: SignatureVerifier | None = None
    if bolt_app is not None:
        secret = signing_secret or bolt_app._signing_secret  # the secret Bolt verifies with
        if not secret:
            raise ValueError("HTTP mode needs the signing secret")
        verifier = SignatureVerifier(secret)

    async def slack_events(request: Request) -> Response:
        assert bolt_app is not None and verifier is not None
        headers = request.headers
        try:
            body = await read_limited(
                request.stream(), declared=declared_length(headers), limit=max_body_bytes
            )
        except TooLarge as error:
            return _refuse(413, "request too large", str(error))
        except ClientDisconnect:
            return _refuse(400, "incomplete request", "the client left mid-body")
        text = verified_text(verifier, body, headers)
        if text is None:
            return _refuse(401, "invalid request", "no valid Slack signature")
        try:
            parsed = parse_body(text, headers.get("content-type", ""))
        except MalformedBody as error:
            log.warning("a signed request is not one of Slack's shapes: %s", error)
            return JSONResponse({"error": "malformed request"}, status_code=400)
        bolt_request = ParsedBoltRequest(
            raw_body=text,
            body=parsed,
            query=dict(request.query_params),
            headers=dict(headers.items()),
        )
        bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    async def healthz(request: Request) -> Response:
        if health is None:
            return JSONResponse({"ok": True})
        ok, details = health()
        return JSONResponse({"ok": ok, **details}, status_code=200 if ok else 503)

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


def _refuse(status: int, error: str, why: str) -> Response:
    """An outsider's request: one info line, never its body, never a traceback."""
    log.info("refused a request to /slack/events status=%d reason=%r", status, why)
    return JSONResponse({"error": error}, status_code=status)


def build_server(web_app: Any, *, host: str, port: int) -> uvicorn.Server:
    """uvicorn with no logging set up of its own: its lines go through the root logger's handler
    (bot.ops.logs: logfmt, tokens redacted), at the levels `setup_logging` chose."""
    import uvicorn

    config = uvicorn.Config(
        web_app,
        host=host,
        port=port,
        log_config=None,
        log_level=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="*",
        timeout_graceful_shutdown=10,
    )
    return uvicorn.Server(config)
