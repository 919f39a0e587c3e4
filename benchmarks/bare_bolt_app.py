"""The floor: a bare slack-bolt app that acks /standup and opens a modal, nothing else.

Run as `python -m benchmarks.bare_bolt_app PORT MODE` with SLACK_API_URL, SLACK_BOT_TOKEN and
SLACK_SIGNING_SECRET set. MODE `threadpool` runs Bolt's sync dispatch in Starlette's thread pool
(as standup-bot does); `adapter` uses Bolt's own Starlette adapter (dispatch in the event loop).
"""

from __future__ import annotations

import os
import sys

import uvicorn
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

VIEW = {
    "type": "modal",
    "callback_id": "x",
    "title": {"type": "plain_text", "text": "Standup"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
}


def build(mode: str) -> Starlette:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
    )

    @app.command("/standup")
    def command(ack, body, client):  # type: ignore[no-untyped-def]
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=VIEW)

    if mode == "adapter":
        handler = SlackRequestHandler(app)

        async def events(request: Request) -> Response:
            return await handler.handle(request)
    else:

        async def events(request: Request) -> Response:
            body = await request.body()
            bolt_request = BoltRequest(
                body=body.decode(), query=dict(request.query_params), headers=dict(request.headers)
            )
            result = await run_in_threadpool(app.dispatch, bolt_request)
            return Response(
                status_code=result.status,
                content=result.body,
                headers=result.first_headers_without_set_cookie(),
            )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)]
    )


if __name__ == "__main__":
    port, mode = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(build(mode), host="127.0.0.1", port=port, log_level="warning")
