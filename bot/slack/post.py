"""Every Slack write: a digest's planned messages (once, in order, paced), DMs and updates.

The plan is stored before anything is sent (`Store.save_digest_plan`). Posting sends the
messages that have no `ts` yet, in order, and records each `ts` at once. Every message carries
Slack `metadata` naming its digest and sequence number, so a resume after a crash between
"Slack accepted it" and "ts recorded" finds the message in the channel or thread instead of
posting it twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.errors import SLACK_FAILURES, slack_error, transient
from bot.store import Store
from digests.models import PlannedMessage

log = logging.getLogger(__name__)

METADATA_EVENT = "standup_digest_message"
# Slack allows about one message per second per channel, with short bursts.
DEFAULT_PACE_SECONDS = 1.0


@dataclass
class PostReport:
    digest_id: int
    posted: int = 0
    already_posted: int = 0
    found_after_crash: int = 0
    error: str | None = None
    retryable: bool = False  # the error may pass on its own (no answer, 5xx): try again later
    main_ts: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _Pacer:
    seconds: float
    sleep: Callable[[float], None]
    last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            gap = self.seconds - (time.monotonic() - self.last)
            if gap > 0:
                self.sleep(gap)
        self.last = time.monotonic()


def post_digest(
    client: WebClient,
    store: Store,
    digest_id: int,
    *,
    now: Callable[[], datetime],
    pace_seconds: float = DEFAULT_PACE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    look_for_earlier_attempt: bool = True,
) -> PostReport:
    """Send what of the digest's plan is not yet in Slack. Safe to call again at any point."""
    info = store.get_digest_info(digest_id)
    channel: str = info["channel"]
    plan = store.get_digest_plan(digest_id)
    report = PostReport(digest_id=digest_id)
    pacer = _Pacer(pace_seconds, sleep)
    main_ts = next((ts for message, ts, _ in plan if not message.thread), None)
    unposted = [(m, f) for m, ts, f in plan if ts is None]
    report.already_posted = len(plan) - len(unposted)
    found: dict[int, str] = {}
    if unposted and look_for_earlier_attempt:
        files = {m.file_name: m.seq for m, _ in unposted if m.file_name}
        if main_ts is None:
            found = _find_posted(client, channel, digest_id, None, info["created_at"], files)
            main_ts = found.get(plan[0][0].seq) if plan else None
        if main_ts is not None:
            found.update(
                _find_posted(client, channel, digest_id, main_ts, info["created_at"], files)
            )
    for message, file_bytes in unposted:
        ts = found.get(message.seq)
        if ts is not None:
            report.found_after_crash += 1
        else:
            if message.thread and main_ts is None:
                report.error = "the main message is missing, so its thread cannot be posted"
                break
            pacer.wait()
            try:
                ts = _send(client, channel, digest_id, message, file_bytes, main_ts)
            except SLACK_FAILURES as error:
                # Refused for good, or no answer (Slack may have it: the next run looks first).
                # What may pass on its own is retried by the scheduler; anything else Slack
                # refuses needs a person (a missing channel, the bot not invited, a bad token).
                code = slack_error(error)
                report.retryable = transient(error)
                if isinstance(error, SlackApiError):
                    report.error = _explain(code, channel)
                else:
                    report.error = f"Slack did not answer ({code})"
                log.error(
                    "digest post stopped: digest=%s seq=%s error=%s", digest_id, message.seq, code
                )
                break
            report.posted += 1
        store.save_digest_message_ts(digest_id, message.seq, ts, now=now())
        if not message.thread:
            main_ts = ts
    report.main_ts = main_ts
    return report


def _metadata(digest_id: int, seq: int) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"digest": digest_id, "seq": seq}}


def _send(
    client: WebClient,
    channel: str,
    digest_id: int,
    message: PlannedMessage,
    file_bytes: bytes | None,
    main_ts: str | None,
) -> str:
    thread_ts = main_ts if message.thread else None
    if message.file_name and file_bytes is not None:
        response = client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=file_bytes,
            filename=message.file_name,
            title=message.file_title or message.file_name,
            alt_txt=message.alt_text,
            initial_comment=message.text,
        )
        files = response.get("files") or [response.get("file") or {}]
        # A file share has no message ts of its own in the response; its id marks it as sent.
        return f"file:{files[0].get('id', 'unknown')}"
    arguments: dict[str, Any] = {
        "channel": channel,
        "text": message.text,
        "thread_ts": thread_ts,
        "metadata": _metadata(digest_id, message.seq),
        "unfurl_links": False,
        "unfurl_media": False,
    }
    if message.blocks:
        arguments["blocks"] = list(message.blocks)
    try:
        response = client.chat_postMessage(**arguments)
    except SlackApiError as error:  # only the refusal of blocks has a fallback
        if error.response.get("error") != "invalid_blocks":
            raise
        # Blocks Slack refuses must not stop the digest: the text fallback says the same.
        log.warning(
            "invalid_blocks: digest=%s seq=%s; posting its text instead", digest_id, message.seq
        )
        arguments.pop("blocks")
        response = client.chat_postMessage(**arguments)
    return str(response["ts"])


def _find_posted(
    client: WebClient,
    channel: str,
    digest_id: int,
    main_ts: str | None,
    created_at: str,
    files: dict[str, int],
) -> dict[int, str]:
    """Messages of this digest Slack already has, seq → ts: the main one in the channel's
    history (main_ts None), else the replies in its thread. Found by metadata, a chart by name."""
    found: dict[int, str] = {}
    try:
        if main_ts is None:
            oldest = str(datetime.fromisoformat(created_at).timestamp() - 60)
            pages = client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=200
            )
        else:
            pages = client.conversations_replies(
                channel=channel, ts=main_ts, include_all_metadata=True, limit=200
            )
        for page in pages:
            _collect(page.get("messages", []), digest_id, files, found)
    except SLACK_FAILURES as error:
        # Without history access we cannot look; posting goes on (at worst one duplicate).
        log.warning("could not look for earlier posts: %s", slack_error(error))
    return found


def _collect(
    messages: list[dict[str, Any]], digest_id: int, files: dict[str, int], found: dict[int, str]
) -> None:
    for message in messages:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("digest") == digest_id:
            found[int(payload["seq"])] = str(message["ts"])
        for shared in message.get("files") or []:
            if shared.get("name") in files:
                found[files[shared["name"]]] = f"file:{shared.get('id', 'unknown')}"


def _explain(code: str, channel: str) -> str:
    fixes = {
        "channel_not_found": f"channel {channel} does not exist or the bot cannot see it: "
        "check STANDUP_CHANNEL",
        "not_in_channel": f"the bot is not in channel {channel}: invite it with /invite @standup",
        "is_archived": f"channel {channel} is archived: unarchive it or change STANDUP_CHANNEL",
        "invalid_auth": "SLACK_BOT_TOKEN is not valid: reinstall the app and copy the token",
        "missing_scope": "the app lacks a scope: reinstall it from manifest.yaml",
    }
    return fixes.get(code, f"Slack refused the message ({code})")


def post_dm(
    client: WebClient, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> tuple[str, str]:
    """A direct message from the bot to one person; returns its (channel, ts).

    Raises what the Slack call raised (`SLACK_FAILURES`): each caller says what failed."""
    channel = str(client.conversations_open(users=[user_id])["channel"]["id"])
    arguments: dict[str, Any] = {"channel": channel, "text": text}
    if blocks:
        arguments["blocks"] = blocks
    return channel, str(client.chat_postMessage(**arguments)["ts"])


def update_message(
    client: WebClient, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]
) -> bool:
    """chat.update a message the bot posted; False (logged) when Slack refuses."""
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SLACK_FAILURES as error:
        log.warning(
            "chat.update failed: channel=%s ts=%s error=%s",
            channel,
            ts,
            slack_error(error),
        )
        return False
    return True
