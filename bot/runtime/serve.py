"""`standup-bot serve`: the Bolt app, the scheduler and the web server in one process."""

from __future__ import annotations

import logging
import threading

from bot.config import Settings
from bot.deps import build_deps
from bot.runtime.app import create_app

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int) -> int:
    from bot.runtime.http import create_web_app, run_server
    from bot.runtime.scheduler import start_scheduler

    settings.require("slack_bot_token")
    if not settings.socket_mode:
        settings.require("slack_signing_secret")
    deps = build_deps(settings)
    app = create_app(settings, deps=deps)
    scheduler = None
    socket_handler = None

    def on_startup() -> None:
        nonlocal scheduler, socket_handler
        scheduler = start_scheduler(deps, app.client)
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            socket_handler = SocketModeHandler(app, settings.secret("slack_app_token"))
            # Connect off the start-up path: /healthz answers while the socket comes up.
            threading.Thread(target=socket_handler.connect, name="socket-mode", daemon=True).start()
        log.info(
            "serving mode=%s host=%s port=%d",
            "socket" if settings.socket_mode else "http",
            host,
            port,
        )

    def on_shutdown() -> None:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if socket_handler is not None:
            socket_handler.close()  # type: ignore[no-untyped-call]
        deps.close()

    web_app = create_web_app(
        None if settings.socket_mode else app, on_startup=on_startup, on_shutdown=on_shutdown
    )
    run_server(web_app, host=host, port=port, log_level=settings.standup_log_level)
    return 0
