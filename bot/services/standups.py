"""Standups: opening the modal (pre-filled), saving a submission, and what follows it (the
confirmation DM and the ask DMs); linking a GitHub login."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import send_ask_dms
from bot.services.team import load_member_directory, refresh_team
from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.post import post_dm
from bot.store import StoreError
from digests.cycles import cycle_at
from digests.models import EVERYONE, AddressedLine, Ask, Person, Standup
from digests.parsing import (
    form_from_standup,
    parse_addressed_items,
    parse_github_login,
    read_form,
    split_items,
    validate_form,
)
from digests.render import views
from digests.render.views import build_standup_view, render_standup_confirmation

log = logging.getLogger(__name__)

SAVE_FAILED = (
    "Your standup could not be saved just now (the database is unavailable). "
    "Nothing was lost: submit again in a minute."
)


@dataclass
class Submission:
    """What became of a modal submission: errors to show in the modal, or what was saved."""

    errors: dict[str, str] = field(default_factory=dict)
    saved: Standup | None = None  # None with no errors: a repeated delivery, already saved
    ask_lines: list[AddressedLine] = field(default_factory=list)
    follow_up_lines: list[AddressedLine] = field(default_factory=list)


def open_standup_modal(client: WebClient, deps: Deps, *, user_id: str, trigger_id: str) -> None:
    cycle = cycle_at(deps.settings.digest_schedule, deps.now())
    current = deps.store.get_standup(user_id, cycle.meeting_date)
    follow_up_lines: list[str] = []
    previous = None
    if current is None:
        previous = deps.store.get_latest_standup_before(user_id, cycle.meeting_date)
    else:
        follow_up_lines = _standup_follow_up_lines(deps, user_id, cycle.meeting_date)
    form = form_from_standup(current, follow_ups=follow_up_lines, done_from=previous)
    view = build_standup_view(form, meeting_date=cycle.meeting_date, editing=current is not None)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.open failed: %s", slack_error(error))


def _standup_follow_up_lines(deps: Deps, user_id: str, meeting_date: date) -> list[str]:
    lines = []
    for follow_up in deps.store.get_open_follow_ups():
        if follow_up.created_by != user_id or follow_up.meeting_date != meeting_date:
            continue
        if follow_up.source != "standup":
            continue
        owner = "" if follow_up.owner_user_id == user_id else f"<@{follow_up.owner_user_id}> "
        if follow_up.owner_user_id is None:
            owner = f"@{follow_up.owner_name} "
        lines.append(owner + follow_up.text)
    return lines


def save_submission(
    client: WebClient, deps: Deps, *, user: dict[str, Any], view: dict[str, Any]
) -> Submission:
    """Validate and store a modal submission for the cycle it was sent in."""
    form = read_form(view.get("state", {}).get("values", {}))
    errors = validate_form(form)
    if errors:
        return Submission(errors=errors)
    now = deps.now()
    # A submission belongs to the first digest due after it was sent, not when the modal opened.
    cycle = cycle_at(deps.settings.digest_schedule, now)
    directory = load_member_directory(
        client, deps.store, deps.settings.standup_channel, now=deps.now()
    )
    me = directory.by_id(user["id"])
    user_name = me.label if me else (user.get("name") or user.get("username") or user["id"])
    ask_lines = parse_addressed_items(form.asks, directory)
    follow_up_lines = parse_addressed_items(form.follow_ups, directory)
    standup = Standup(
        user_id=user["id"],
        user_name=user_name,
        meeting_date=cycle.meeting_date,
        submitted_at=now,
        done=tuple(split_items(form.done)),
        next=tuple(split_items(form.next)),
        blocked=tuple(split_items(form.blocked)),
        asks=tuple(_ask(line, user["id"], user_name, cycle.meeting_date) for line in ask_lines),
    )
    # Slack may deliver the same submission twice: the view id and hash identify it.
    delivery = f"view:{view.get('id')}:{view.get('hash')}"
    try:
        first_delivery = deps.store.claim_event(delivery, now=now) if view.get("id") else True
        if not first_delivery:
            return Submission()
        saved, _ = deps.store.save_standup(
            standup,
            follow_ups=[(line.person, line.text) for line in follow_up_lines],
            now=now,
        )
    except StoreError as error:
        log.error("saving a standup failed: %s", error)
        return Submission(errors={"done": SAVE_FAILED})
    return Submission(saved=saved, ask_lines=ask_lines, follow_up_lines=follow_up_lines)


def after_submission(client: WebClient, deps: Deps, submission: Submission) -> None:
    """Once Slack has its ack: the confirmation DM, then a DM to each person asked."""
    saved = submission.saved
    if saved is None:
        return
    text = render_standup_confirmation(saved, submission.follow_up_lines, submission.ask_lines)
    try:
        post_dm(client, saved.user_id, text)
    except SLACK_FAILURES as error:
        log.warning("confirmation DM failed: %s", slack_error(error))
    send_ask_dms(client, deps, saved.meeting_date)


def _ask(line: AddressedLine, user_id: str, user_name: str, meeting_date: date) -> Ask:
    person = line.person or Person(name=EVERYONE, everyone=True)
    return Ask(
        from_user_id=user_id,
        from_name=user_name,
        to_user_id=person.user_id,
        to_name=person.name,
        everyone=person.everyone,
        text=line.text,
        meeting_date=meeting_date,
    )


def link_github(client: WebClient, deps: Deps, user_id: str, argument: str) -> str:
    """`/standup github <login>`: the answer to show the person."""
    login = parse_github_login(argument)
    if login is None:
        return views.GITHUB_USAGE
    try:
        if deps.store.get_member(user_id) is None:
            refresh_team(client, deps.store, deps.settings.standup_channel, now=deps.now())
        if deps.store.get_member(user_id) is None:
            return views.NOT_A_MEMBER
        deps.store.save_github_login(user_id, login)
    except StoreError as error:
        log.error("saving a GitHub login failed: %s", error)
        return views.DATABASE_DOWN
    except SLACK_FAILURES as error:
        log.warning("member refresh failed: %s", slack_error(error))
        return views.SLACK_DOWN
    return views.render_github_linked(login)
