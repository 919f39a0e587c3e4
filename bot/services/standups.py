"""Standups: opening the modal (pre-filled as typed), saving a submission, and what follows it
(a member refresh if names need one, the confirmation DM, the ask DMs); linking a GitHub login.

Inside Slack's 3-second window (`receive_submission`) only the database is used: the form is
checked, names resolve against the cached members, and the standup is saved with its delivery
claimed in the same transaction. Everything that talks to Slack runs after the ack
(`after_submission`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import send_ask_dms
from bot.services.team import (
    MAX_AGE,
    UNKNOWN_NAME_REFRESH,
    cached_directory,
    ensure_members,
    members_stale,
)
from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.post import post_dm
from bot.store import SavedStandup, StoreError
from digests.checklist import BLOCK_PREFIX as CHECKLIST_BLOCK
from digests.checklist import (
    ChecklistRef,
    apply_ticks,
    build_checklist,
    fingerprint,
    promises_of,
    read_checklist_metadata,
    read_ticked,
    ticked_texts,
)
from digests.cycles import cycle_at, cycle_before
from digests.models import EVERYONE, AddressedLine, Ask, Person, Standup
from digests.parsing import (
    MemberDirectory,
    StandupForm,
    follow_up_cap_error,
    follow_up_line,
    form_from_standup,
    mentioned_ids,
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
CHECKLIST_CHANGED = (
    "Last week's list changed since this form opened, so the ticks may not mean what you saw. "
    "Copy what you typed, close this form and run /standup again."
)


@dataclass
class Submission:
    """What became of a modal submission: errors to show in the modal, or what was saved."""

    errors: dict[str, str] = field(default_factory=dict)
    saved: SavedStandup | None = None  # None with no errors: a repeated delivery, already saved
    form: StandupForm | None = None
    user: dict[str, Any] = field(default_factory=dict)
    ask_lines: list[AddressedLine] = field(default_factory=list)
    follow_up_lines: list[AddressedLine] = field(default_factory=list)
    # Names the cache could not resolve: refresh the members after the ack, and resolve again.
    refresh_members: bool = False
    ticked: tuple[str, ...] = ()  # the checklist's promises ticked (they are Done lines)


def open_standup_modal(client: WebClient, deps: Deps, *, user_id: str, trigger_id: str) -> None:
    """The modal, pre-filled with this cycle's standup as typed, and last cycle's Next as the
    checklist "tick what you delivered" (and, in a new cycle, in Next). Only the database is
    read before views.open: the trigger expires 3 s after the command."""
    schedule = deps.settings.digest_schedule
    cycle = cycle_at(schedule, deps.now())
    try:
        current = deps.store.get_standup(user_id, cycle.meeting_date)
        last = deps.store.get_standup(user_id, cycle_before(schedule, cycle).meeting_date)
        follow_up_lines: list[str] = []
        directory = MemberDirectory([])
        if current is not None:
            directory = cached_directory(deps.store)
            follow_up_lines = [
                follow_up_line(follow_up, user_id, directory)
                for follow_up in deps.store.get_standup_follow_ups(user_id, cycle.meeting_date)
                if follow_up.status == "open" and follow_up.source == "standup"
            ]
    except StoreError as error:  # the modal still opens; saving will say what is wrong
        log.error("reading the standup to pre-fill failed: %s", error)
        current = last = None
        follow_up_lines, directory = [], MemberDirectory([])
    checklist = build_checklist(last, current)
    form = form_from_standup(
        current, follow_ups=follow_up_lines, checklist=checklist, directory=directory
    )
    view = build_standup_view(
        form, meeting_date=cycle.meeting_date, editing=current is not None, checklist=checklist
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.open failed: %s", slack_error(error))


def receive_submission(deps: Deps, *, user: dict[str, Any], view: dict[str, Any]) -> Submission:
    """Check and store a modal submission for the cycle it was sent in (no Slack call: this runs
    before the ack). Errors come back for the modal; a repeated delivery saves nothing."""
    values = view.get("state", {}).get("values", {})
    form = read_form(values)
    checklist = read_checklist_metadata(view.get("private_metadata"))
    ticks = read_ticked(values, checklist.count) if checklist is not None else frozenset()
    errors = validate_form(form, ticked=len(ticks))
    if errors:
        return Submission(errors=errors)
    now = deps.now()
    # A submission belongs to the first digest due after it was sent, not when the modal opened.
    cycle = cycle_at(deps.settings.digest_schedule, now)
    try:
        ticked = _ticked_promises(deps, user["id"], checklist, ticks)
        directory = cached_directory(deps.store)
    except StoreError as error:
        log.error("reading the checklist's promises failed: %s", error)
        return Submission(errors={"done": SAVE_FAILED})
    if ticked is None:
        return Submission(errors={f"{CHECKLIST_BLOCK}0": CHECKLIST_CHANGED})
    ask_lines = parse_addressed_items(form.asks, directory)
    follow_up_lines = parse_addressed_items(form.follow_ups, directory)
    standup = _standup(form, user, ask_lines, directory, cycle.meeting_date, now, ticked)
    # Slack may deliver the same submission twice: the view id and hash identify it.
    delivery = f"view:{view.get('id')}:{view.get('hash')}" if view.get("id") else None
    try:
        raised = deps.store.count_follow_ups_raised(
            standup.user_id, cycle.meeting_date, except_standup_of=standup.user_id
        )
        cap = follow_up_cap_error(raised, len(follow_up_lines))
        if cap is not None:
            return Submission(errors={"follow_ups": cap})
        saved = deps.store.save_submission(
            standup, follow_ups=follow_up_lines, delivery=delivery, now=now
        )
    except StoreError as error:
        log.error("saving a standup failed: %s", error)
        return Submission(errors={"done": SAVE_FAILED})
    if saved is None:
        log.info("standup delivery %s already saved", delivery)
        return Submission()
    return Submission(
        saved=saved,
        form=form,
        user=user,
        ask_lines=ask_lines,
        follow_up_lines=follow_up_lines,
        ticked=ticked,
        refresh_members=_needs_refresh(
            deps, user["id"], [*ask_lines, *follow_up_lines], directory, now
        ),
    )


def _ticked_promises(
    deps: Deps, user_id: str, checklist: ChecklistRef | None, ticks: frozenset[int]
) -> tuple[str, ...] | None:
    """The texts of the promises ticked in the checklist, read again from the standup they were
    promised in; None when those are no longer what the modal listed."""
    if checklist is None:
        return ()
    promises = promises_of(deps.store.get_standup(user_id, checklist.meeting_date))
    if len(promises) != checklist.count or fingerprint(promises) != checklist.fingerprint:
        log.warning("checklist of %s for %s no longer matches", user_id, checklist.meeting_date)
        return None
    return ticked_texts(promises, ticks)


def _needs_refresh(
    deps: Deps,
    user_id: str,
    lines: Sequence[AddressedLine],
    directory: MemberDirectory,
    now: datetime,
) -> bool:
    """An empty cache, or one without the person who submitted (their name is then Slack's
    handle until it is refreshed); a `<@U…>` it does not know (at most every 10 minutes); or a
    name it could not resolve while the cache is a day old."""
    if not directory.members:
        return True
    try:
        if directory.by_id(user_id) is None:
            return members_stale(deps.store, now=now, max_age=UNKNOWN_NAME_REFRESH)
        if mentioned_ids(lines):
            return members_stale(deps.store, now=now, max_age=UNKNOWN_NAME_REFRESH)
        unresolved = any(line.person is not None and not line.person.resolved for line in lines)
        return unresolved and members_stale(deps.store, now=now, max_age=MAX_AGE)
    except StoreError:
        return False


def after_submission(client: WebClient, deps: Deps, submission: Submission) -> None:
    """Once Slack has its ack: resolve names again after a member refresh if needed, then the
    confirmation DM (unless nothing changed), then one DM to each person asked."""
    saved = submission.saved
    if saved is None or submission.form is None:
        return
    now = deps.now()
    ask_lines, follow_up_lines = submission.ask_lines, submission.follow_up_lines
    try:
        if submission.refresh_members:
            saved, ask_lines, follow_up_lines = _resolve_again(client, deps, submission, now)
        if saved.changed:
            text = render_standup_confirmation(saved.standup, follow_up_lines, ask_lines)
            try:
                post_dm(client, saved.standup.user_id, text)
            except SLACK_FAILURES as error:
                log.warning("confirmation DM failed: %s", slack_error(error))
        sent = send_ask_dms(client, deps, saved.standup, now=now)
    except StoreError as error:
        log.error("after saving a standup: %s", error)
        return
    log.info(
        "standup handled: user=%s meeting=%s changed=%s ask_dms=%d",
        saved.standup.user_id,
        saved.standup.meeting_date,
        saved.changed,
        sent,
    )


def _resolve_again(
    client: WebClient, deps: Deps, submission: Submission, now: datetime
) -> tuple[SavedStandup, list[AddressedLine], list[AddressedLine]]:
    """Refresh the members, parse the same lines again, and store what now resolves."""
    saved, form = submission.saved, submission.form
    assert saved is not None and form is not None
    ensure_members(
        client, deps.store, deps.settings.standup_channel, now=now, max_age=UNKNOWN_NAME_REFRESH
    )
    directory = cached_directory(deps.store)
    ask_lines = parse_addressed_items(form.asks, directory)
    follow_up_lines = parse_addressed_items(form.follow_ups, directory)
    me = directory.by_id(saved.standup.user_id)
    same_name = me is None or me.label == saved.standup.user_name
    unchanged = ask_lines == submission.ask_lines and follow_up_lines == submission.follow_up_lines
    if unchanged and same_name:
        return saved, ask_lines, follow_up_lines
    standup = _standup(
        form,
        submission.user,
        ask_lines,
        directory,
        saved.standup.meeting_date,
        saved.standup.submitted_at,
        submission.ticked,
    )
    again = deps.store.save_submission(standup, follow_ups=follow_up_lines, now=now)
    assert again is not None  # no delivery to claim
    resolved = SavedStandup(again.standup, again.follow_ups, saved.changed or again.changed)
    return resolved, ask_lines, follow_up_lines


def _standup(
    form: StandupForm,
    user: dict[str, Any],
    ask_lines: Sequence[AddressedLine],
    directory: MemberDirectory,
    meeting_date: date,
    submitted_at: datetime,
    ticked: Sequence[str] = (),
) -> Standup:
    """The standup as submitted; `ticked`: the promises ticked in the checklist (Done lines)."""
    me = directory.by_id(user["id"])
    user_name = me.label if me else str(user.get("name") or user.get("username") or user["id"])
    done, next_ = apply_ticks(split_items(form.done), split_items(form.next), ticked)
    return Standup(
        user_id=user["id"],
        user_name=user_name,
        meeting_date=meeting_date,
        submitted_at=submitted_at,
        done=done,
        next=next_,
        blocked=tuple(split_items(form.blocked)),
        asks=tuple(_ask(line, user["id"], user_name, meeting_date) for line in ask_lines),
    )


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
        typed=line.typed or None,
    )


def link_github(client: WebClient, deps: Deps, user_id: str, argument: str) -> str:
    """`/standup github <login>`: the answer to show the person (runs after the ack)."""
    login = parse_github_login(argument)
    if login is None:
        return views.GITHUB_USAGE
    try:
        if deps.store.get_member(user_id) is None:
            fresh = ensure_members(
                client,
                deps.store,
                deps.settings.standup_channel,
                now=deps.now(),
                max_age=UNKNOWN_NAME_REFRESH,
            )
            if not fresh:
                return views.SLACK_DOWN
        if deps.store.get_member(user_id) is None:
            return views.NOT_A_MEMBER
        holder = deps.store.save_github_login(user_id, login)
        if holder is not None:
            other = deps.store.get_member(holder)
            log.warning("GitHub login %s refused for %s: linked to %s", login, user_id, holder)
            return views.render_github_taken(login, other.label if other else holder)
    except StoreError as error:
        log.error("saving a GitHub login failed: %s", error)
        return views.DATABASE_DOWN
    return views.render_github_linked(login)
