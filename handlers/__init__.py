"""Slack listeners, one module per surface; `register_all` wires them into an App."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps


def register_all(app: App, deps: Deps) -> None:
    from handlers import follow_ups, home, reactions, standup

    standup.register(app, deps)
    reactions.register(app, deps)
    home.register(app, deps)
    follow_ups.register(app, deps)
