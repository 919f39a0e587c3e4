"""Slack listeners, one module per Slack surface, each with a `register(app, deps)`.

Listeners are plain functions taking Bolt's `ack`, `body` and `client` plus our `Deps`, so a test
can call them directly; they parse what Slack sent and call `bot.services`. Only the composition
root (`bot.runtime.app`) imports this package.
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import ask_buttons, home, reactions, search, shortcut, standup


def register_all(app: App, deps: Deps) -> None:
    for surface in (standup, reactions, home, ask_buttons, shortcut, search):
        surface.register(app, deps)
