"""Asks: one DM per person asked and submission; closing or reopening an ask from its DM (✅ or
the buttons) or from App Home; and answering one (the Answer button opens a modal: the answer is
stored, the ask closed, the asker DM'd the answer and the ask's DM updated).

Each ask's DM is claimed in the store before it is sent, so that submissions arriving together
send it once; a DM Slack refuses for good is recorded as failed and never tried again, and one
that may pass (rate limits, 5xx, no answer) is released for the next submission of the standup.

Only the asker and the person asked may close or reopen an ask; an ask to everyone, the asker or
anyone on the team (README, "Asks"). Only the person asked may answer it; an ask to everyone,
anyone on the team. An answered ask stays closed: its answer can be edited, never reopened.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack.errors import SLACK_FAILURES, slack_error, transient
from bot.slack.post import post_dm, update_message
from bot.store import StoreError
from digests.models import Ask, FollowUpStatus, Standup
from digests.parsing import read_answer, read_answer_metadata, validate_answer
from digests.render import action_ids
from digests.render.views import (
    build_answer_view,
    render_answer_dm,
    render_ask_dm,
    render_not_allowed_to_answer,
)

log = logging.getLogger(__name__)

AskChange = Literal["changed", "unchanged", "not_found", "refused"]


@dataclass(frozen=True)
class AskStatus:
    """What became of a request to close or reopen an ask."""

    outcome: AskChange
    ask: Ask | None = None


def send_ask_dms(client: WebClient, deps: Deps, standup: Standup, *, now: datetime) -> int:
    """DM each person asked in this standup, once, one DM listing all their asks that have
    had none yet. Returns how many DMs were sent."""
    pending: dict[str, list[Ask]] = {}
    for ask in standup.asks:
        if ask.id is not None and ask.to_user_id and ask.dm_state is None and ask.status == "open":
            pending.setdefault(ask.to_user_id, []).append(ask)
    sent = 0
    for user_id, asks in pending.items():
        ids = [ask.id for ask in asks if ask.id is not None]
        member = deps.store.get_member(user_id)
        if member is None or member.is_bot or member.deleted:
            why = "not a member" if member is None else "a bot" if member.is_bot else "deactivated"
            deps.store.save_ask_dm_failed(ids, why)
            log.info("ask DM not sent: to=%s asks=%s (%s)", user_id, ids, why)
            continue
        claimed = deps.store.claim_ask_dms(ids, now=now)
        if not claimed:
            continue  # another delivery of the same asks is sending them
        claimed_ids = [ask.id for ask in claimed if ask.id is not None]
        text, blocks = render_ask_dm(claimed)
        try:
            channel, ts = post_dm(client, user_id, text, blocks)
        except SLACK_FAILURES as error:
            code = slack_error(error)
            if transient(error):
                deps.store.release_ask_dms(claimed_ids)
                log.warning("ask DM failed, to try again: to=%s error=%s", user_id, code)
            else:
                deps.store.save_ask_dm_failed(claimed_ids, code)
                log.warning("ask DM refused for good: to=%s error=%s", user_id, code)
            continue
        deps.store.save_ask_dm(claimed_ids, channel, ts)
        sent += 1
    return sent


def may_change_ask(ask: Ask, user_id: str, team_ids: Collection[str]) -> bool:
    """The asker and the person asked; for an ask to everyone, the asker and the team."""
    if user_id == ask.from_user_id:
        return True
    if ask.everyone:
        return user_id in team_ids
    return ask.to_user_id is not None and user_id == ask.to_user_id


def may_answer(ask: Ask, user_id: str, team_ids: Collection[str]) -> bool:
    """The person asked; for an ask to everyone, anyone on the team."""
    if ask.everyone:
        return user_id in team_ids
    return ask.to_user_id is not None and user_id == ask.to_user_id


def team_ids(deps: Deps) -> set[str]:
    return {member.user_id for member in deps.store.get_team()}


def set_ask_status(
    client: WebClient, deps: Deps, ask_id: int, *, done: bool, by: str, now: datetime
) -> AskStatus:
    """Close or reopen an ask, if `by` may, and update its DM to match."""
    ask = deps.store.get_ask(ask_id)
    if ask is None:
        log.info("ask %s: no such ask (asked by %s)", ask_id, by)
        return AskStatus("not_found")
    if not may_change_ask(ask, by, team_ids(deps) if ask.everyone else ()):
        log.warning("ask %s: %s may not close or reopen it", ask_id, by)
        return AskStatus("refused", ask)
    wanted: FollowUpStatus = "done" if done else "open"
    if ask.status == wanted:
        return AskStatus("unchanged", ask)
    updated = deps.store.save_ask_status(ask_id, wanted, by=by, now=now)
    if updated is None:
        return AskStatus("not_found")
    update_ask_dm(client, deps, updated)
    log.info("ask id=%s status=%s by=%s", ask_id, updated.status, by)
    return AskStatus("changed", updated)


def update_ask_dm(client: WebClient, deps: Deps, ask: Ask) -> None:
    """chat.update the DM that lists this ask (with the others it lists) to their status."""
    if not (ask.dm_channel and ask.dm_ts):
        return
    listed: Sequence[Ask] = deps.store.get_asks_by_dm(ask.dm_channel, ask.dm_ts) or [ask]
    text, blocks = render_ask_dm(listed)
    update_message(client, ask.dm_channel, ask.dm_ts, text, blocks)


# --- answering ------------------------------------------------------------------------------

ANSWER_SAVE_FAILED = (
    "Your answer could not be saved just now (the database is unavailable). Nothing was lost: "
    "send it again in a minute."
)
ANSWER_GONE = "This ask no longer exists (its standup was edited), so the answer was not sent."
ASK_GONE = "This ask no longer exists (its standup was edited), so there is nothing to change."


def open_answer_modal(
    client: WebClient, deps: Deps, *, ask_id: int, user_id: str, trigger_id: str, from_home: bool
) -> str | None:
    """The Answer button: the answer modal, opened at once (the trigger expires 3 s after the
    click; only the database is read first). Returns what to tell the person when it cannot
    open (they may not answer, or the ask is gone), None when it opened or Slack refused."""
    ask = deps.store.get_ask(ask_id)
    if ask is None:
        log.info("answer %s: no such ask (asked by %s)", ask_id, user_id)
        return ANSWER_GONE
    if not may_answer(ask, user_id, team_ids(deps) if ask.everyone else ()):
        log.warning("answer %s: %s may not answer it", ask_id, user_id)
        return render_not_allowed_to_answer(ask)
    try:
        client.views_open(trigger_id=trigger_id, view=build_answer_view(ask, from_home=from_home))
    except SLACK_FAILURES as error:
        log.warning("views.open of the answer to ask %s failed: %s", ask_id, slack_error(error))
    return None


@dataclass(frozen=True)
class AnswerSubmission:
    """What became of an answer modal's submission: errors for the modal, or what was saved
    (None without errors: a repeated delivery, or nothing changed)."""

    errors: dict[str, str]
    ask: Ask | None = None
    first: bool = True
    from_home: bool = False


def receive_answer(deps: Deps, *, user_id: str, view: dict[str, object]) -> AnswerSubmission:
    """Check and store an answer (no Slack call: this runs before the ack), with its delivery
    claimed in the same transaction."""
    target = read_answer_metadata(view.get("private_metadata"))
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    answer = read_answer(values if isinstance(values, dict) else {})
    block = action_ids.ANSWER_BLOCK
    if target is None:
        log.info("answer submission ignored: no ask in its metadata (user %s)", user_id)
        return AnswerSubmission(errors={block: ANSWER_GONE})
    problem = validate_answer(answer)
    if problem is not None:
        return AnswerSubmission(errors={block: problem})
    delivery = f"view:{view.get('id')}:{view.get('hash')}" if view.get("id") else None
    try:
        ask = deps.store.get_ask(target.ask_id)
        if ask is None:
            return AnswerSubmission(errors={block: ANSWER_GONE})
        if not may_answer(ask, user_id, team_ids(deps) if ask.everyone else ()):
            log.warning("answer %s: %s may not answer it", target.ask_id, user_id)
            return AnswerSubmission(errors={block: render_not_allowed_to_answer(ask)})
        saved = deps.store.save_ask_answer(
            target.ask_id, answer, by=user_id, now=deps.now(), delivery=delivery
        )
    except StoreError as error:
        log.error("saving an answer failed: %s", error)
        return AnswerSubmission(errors={block: ANSWER_SAVE_FAILED})
    if saved is None:
        log.info("answer delivery %s already saved (or its ask is gone)", delivery)
        return AnswerSubmission(errors={})
    if not saved.changed:
        return AnswerSubmission(errors={}, from_home=target.from_home)
    return AnswerSubmission(errors={}, ask=saved.ask, first=saved.first, from_home=target.from_home)


def after_answer(client: WebClient, deps: Deps, submission: AnswerSubmission) -> None:
    """Once Slack has its ack: the answer to whoever asked, by DM (not to themselves, when they
    answered an ask to everyone), and the ask's DM updated to show it answered."""
    ask = submission.ask
    if ask is None:
        return
    if ask.answered_by != ask.from_user_id:
        text, blocks = render_answer_dm(ask, edited=not submission.first)
        try:
            post_dm(client, ask.from_user_id, text, blocks)
        except SLACK_FAILURES as error:
            log.warning("answer DM to %s failed: %s", ask.from_user_id, slack_error(error))
    update_ask_dm(client, deps, ask)
    log.info("ask answered: id=%s by=%s first=%s", ask.id, ask.answered_by, submission.first)
