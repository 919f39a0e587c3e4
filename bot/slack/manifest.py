"""The Slack app manifest (`manifest.yaml`): the one list of the bot's scopes and events.

`doctor` checks the token against these scopes. The file sits at the top of the source checkout
(where people copy it from) and is packaged into the wheel as `bot/slack/manifest.yaml`, so an
installed bot (the Docker image) reads the same list.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.yaml"


def manifest_path() -> Path:
    packaged = Path(str(resources.files("bot.slack") / MANIFEST_NAME))
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / MANIFEST_NAME  # a source checkout


@cache
def load_manifest() -> dict[str, Any]:
    import yaml  # only doctor needs it: kept off the server's start-up path

    loaded = yaml.safe_load(manifest_path().read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{manifest_path()} is not a Slack app manifest")
    return loaded


def bot_scopes() -> tuple[str, ...]:
    """The bot token scopes the manifest asks for, in its order."""
    return tuple(load_manifest()["oauth_config"]["scopes"]["bot"])
