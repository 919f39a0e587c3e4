"""`standup-bot serve`: the Bolt app, the scheduler and the web server in one process.

In Socket Mode the app token is checked with Slack before anything starts: a token Slack refuses
stops `serve` with one line naming SLACK_APP_TOKEN, like any other bad setting. One refused
later (revoked while running) stops the server and ends with the same line.
"""

from __future__ import annotations

import logging

from bot.config import ConfigError, Settings
from bot.deps import build_deps
from bot.runtime.app import create_app

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int) -> int:
    from bot.runtime.http import build_server, create_web_app
    from bot.runtime.scheduler import start_scheduler
    from bot.runtime.socket_mode import SocketMode

    settings.require("slack_bot_token")
    socket_mode = None
    if settings.socket_mode:
        socket_mode = SocketMode(settings)
        socket_mode.check_token()
    else:
        settings.require("slack_signing_secret")
    deps = build_deps(settings)
    app = create_app(settings, deps=deps)
    scheduler = None
    refused: list[str] = []

    def on_refused(line: str) -> None:
        refused.append(line)
        server.should_exit = True

    def on_startup() -> None:
        nonlocal scheduler
        scheduler = start_scheduler(deps, app.client)
        if socket_mode is not None:
            # Connect off the start-up path: /healthz answers (503) while the socket comes up.
            socket_mode.start(app, on_refused=on_refused)
        log.info(
            "serving mode=%s host=%s port=%d",
            "socket" if socket_mode is not None else "http",
            host,
            port,
        )

    def on_shutdown() -> None:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if socket_mode is not None:
            socket_mode.close()
        deps.close()

    web_app = create_web_app(
        None if socket_mode is not None else app,
        signing_secret=settings.secret("slack_signing_secret"),
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        health=socket_mode.health if socket_mode is not None else None,
    )
    server = build_server(web_app, host=host, port=port)
    server.run()
    if refused:
        raise ConfigError(refused[0])
    return 0
