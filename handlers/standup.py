"""`/standup` and its modal: open (pre-filled), validate, store, confirm.

Listeners are plain functions taking Bolt's `ack`, `body` and `client` plus our `Deps`, so a test
can call them directly; `register` wires them. The modal opens first, inside Slack's 3-second
trigger window; anything slow happens after.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import asks as asks_service
from bot.cycles import cycle_at
from bot.deps import Deps
from bot.models import EVERYONE, AddressedLine, Ask, PersonRef, Standup
from bot.parsing import (
    MemberDirectory,
    parse_addressed_items,
    parse_command,
    parse_github_login,
    split_items,
)
from bot.slack_errors import SLACK_FAILURES, slack_error
from bot.slack_post import post_dm
from bot.store import StoreError
from bot.team import load_member_directory, refresh_team
from digests.escape import escape_mrkdwn
from handlers.standup_view import (
    CALLBACK_ID,
    build_standup_view,
    form_from_standup,
    read_form,
    validate_form,
)

log = logging.getLogger(__name__)

HELP = """*standup-bot* — the team's weekly standup in Slack.
• `/standup` — open your standup for this week (again to edit it; it opens pre-filled).
• `/standup followup <text>` — add a follow-up; start the text with `@name` to give it an owner.
• `/standup github <login>` — link your GitHub login, so the digest credits your pull requests.
• `/standup help` — this message.
In the form, one item per line. Asks and follow-ups may start with a person: `@name …`, \
`Name: …` or `Everyone: …`. PRs like `#123`, `repo#123` or a PR link show with live status in \
the Monday digest. React ✅ to a follow-up in the digest thread when it is done."""


def register(app: App, deps: Deps) -> None:
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_standup_command(ack, body, client, deps)

    def submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_standup_submission(ack, body, client, deps)

    def open_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_standup_modal(client, deps, user_id=body["user"]["id"], trigger_id=body["trigger_id"])

    app.command("/standup")(command)
    app.view(CALLBACK_ID)(submission)
    app.action("open_standup")(open_button)


# --- the command -----------------------------------------------------------------------------


def handle_standup_command(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    command = parse_command(body.get("text"))
    user_id = body["user_id"]
    if command.name == "open":
        ack()
        open_standup_modal(client, deps, user_id=user_id, trigger_id=body["trigger_id"])
    elif command.name == "help":
        ack(text=HELP)
    elif command.name == "github":
        ack(text=_link_github(client, deps, user_id, command.argument))
    elif command.name == "followup":
        ack(text=_add_follow_up(client, deps, body, command.argument))
    else:
        shown = command.argument if len(command.argument) <= 40 else command.argument[:40] + "…"
        ack(text=f"I don't know `{escape_mrkdwn(shown)}`. Here is what I do:\n\n{HELP}")


def open_standup_modal(client: WebClient, deps: Deps, *, user_id: str, trigger_id: str) -> None:
    cycle = cycle_at(deps.settings.standup_digest_cron, deps.settings.zone, deps.now())
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


def _standup_follow_up_lines(deps: Deps, user_id: str, meeting_date: Any) -> list[str]:
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


def _link_github(client: WebClient, deps: Deps, user_id: str, argument: str) -> str:
    login = parse_github_login(argument)
    if login is None:
        return "Usage: `/standup github <login>`, e.g. `/standup github octocat`."
    try:
        if deps.store.get_member(user_id) is None:
            refresh_team(client, deps.store, deps.settings.standup_channel, now=deps.now())
        if deps.store.get_member(user_id) is None:
            return "Slack does not list you as a member of this workspace, so I can't link you."
        deps.store.save_github_login(user_id, login)
    except StoreError as error:
        log.error("saving a GitHub login failed: %s", error)
        return "I could not save that just now (the database is unavailable). Try again shortly."
    except SLACK_FAILURES as error:
        log.warning("member refresh failed: %s", slack_error(error))
        return "I could not look you up in Slack just now. Try again shortly."
    return f"Linked your GitHub login `{login}`: the digest credits its pull requests to you."


def _add_follow_up(client: WebClient, deps: Deps, body: dict[str, Any], text: str) -> str:
    if not text.strip():
        return "Usage: `/standup followup <text>` — start with `@name` to give it an owner."
    if len(text) > 3000:
        return f"That follow-up is {len(text):,} characters; the most is 3,000."
    user_id = body["user_id"]
    directory = load_member_directory(
        client, deps.store, deps.settings.standup_channel, now=deps.now()
    )
    line = parse_addressed_items(text.replace("\n", " "), directory)[0]
    now = deps.now()
    cycle = cycle_at(deps.settings.standup_digest_cron, deps.settings.zone, now)
    owner = line.person or _self_ref(directory, user_id, body.get("user_name", user_id))
    try:
        follow_up = deps.store.save_follow_up(
            text=line.text,
            owner=owner,
            created_by=user_id,
            meeting_date=cycle.meeting_date,
            source=None,
            now=now,
        )
    except StoreError as error:
        log.error("saving a follow-up failed: %s", error)
        return "I could not save that follow-up (the database is unavailable). Try again shortly."
    who = "you" if follow_up.owner_user_id == user_id else escape_mrkdwn(follow_up.owner_name)
    note = "" if owner.resolved else f" (I couldn't match “{escape_mrkdwn(owner.name)}” to anyone)"
    return (
        f"Added follow-up #{follow_up.id} for {who}{note}: “{escape_mrkdwn(follow_up.text)}”. "
        f"It shows in the {cycle.meeting_date:%A %B %-d} digest."
    )


# --- the submission ----------------------------------------------------------------------------


def handle_standup_submission(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    view = body["view"]
    form = read_form(view.get("state", {}).get("values", {}))
    errors = validate_form(form)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    user = body["user"]
    now = deps.now()
    # A submission belongs to the first digest due after it was sent, not when the modal opened.
    cycle = cycle_at(deps.settings.standup_digest_cron, deps.settings.zone, now)
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
            ack()
            return
        saved, _ = deps.store.save_standup(
            standup,
            follow_ups=[(line.person, line.text) for line in follow_up_lines],
            now=now,
        )
    except StoreError as error:
        log.error("saving a standup failed: %s", error)
        ack(
            response_action="errors",
            errors={
                "done": "Your standup could not be saved just now (the database is "
                "unavailable). Nothing was lost: submit again in a minute."
            },
        )
        return
    ack()
    _confirm(client, user["id"], saved, follow_up_lines, ask_lines)
    asks_service.send_ask_dms(client, deps, saved.meeting_date)


def _ask(line: AddressedLine, user_id: str, user_name: str, meeting_date: Any) -> Ask:
    person = line.person or PersonRef(name=EVERYONE, everyone=True)
    return Ask(
        from_user_id=user_id,
        from_name=user_name,
        to_user_id=person.user_id,
        to_name=person.name,
        everyone=person.everyone,
        text=line.text,
        meeting_date=meeting_date,
    )


def _self_ref(directory: MemberDirectory, user_id: str, fallback: str) -> PersonRef:
    member = directory.by_id(user_id)
    return PersonRef(user_id=user_id, name=member.label if member else fallback)


def build_confirmation(
    standup: Standup, follow_up_lines: list[AddressedLine], ask_lines: list[AddressedLine]
) -> str:
    counts = [
        _count(len(standup.done), "done item"),
        _count(len(standup.next), "next item"),
        _count(len(standup.blocked), "blocker"),
        _count(len(standup.asks), "ask"),
        _count(len(follow_up_lines), "follow-up"),
    ]
    parts = [c for c in counts if c]
    lines = [
        f":white_check_mark: Saved your standup for the meeting on "
        f"{standup.meeting_date:%A %B %-d}: {', '.join(parts)}.",
    ]
    if standup.asks:
        names = sorted({a.to_name for a in standup.asks})
        lines.append(f"Asks go to: {escape_mrkdwn(', '.join(names))}.")
    unknown = sorted(
        {
            line.person.name
            for line in [*ask_lines, *follow_up_lines]
            if line.person is not None and not line.person.resolved
        }
    )
    if unknown:
        lines.append(
            ":warning: I couldn't match "
            + ", ".join(f"“{escape_mrkdwn(name)}”" for name in unknown)
            + " to anyone in the workspace, so they stay as text. Use `@handle` or their "
            "Slack display name to reach them."
        )
    lines.append("Run `/standup` again before the digest to change it.")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}" if n else ""


def _confirm(
    client: WebClient,
    user_id: str,
    standup: Standup,
    follow_up_lines: list[AddressedLine],
    ask_lines: list[AddressedLine],
) -> None:
    text = build_confirmation(standup, follow_up_lines, ask_lines)
    try:
        post_dm(client, user_id, text)
    except SLACK_FAILURES as error:
        log.warning("confirmation DM failed: %s", slack_error(error))
