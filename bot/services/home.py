"""App Home: the person's standup this cycle, what became of their promises of last cycle so far
and the team's trend, their open follow-ups and the asks to them; and the "Read all" modal for
an ask, an answer or a follow-up cut to fit a DM or App Home."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import may_change_ask, team_ids
from bot.services.away import away_in_cycle, away_whole_cycles_of, home_away_blocks
from bot.services.history import load_history, load_records
from bot.slack.errors import SLACK_FAILURES, slack_error
from digests.cycles import cycle_at
from digests.models import Cycle, Member, Person, PersonPromises, Standup, TrendPoint
from digests.parsing import read_id
from digests.promises import cycle_point, follow_team, trend_points
from digests.render.views import (
    FULL_TEXT_ANSWER,
    FULL_TEXT_ASK,
    FULL_TEXT_FOLLOW_UP,
    build_full_text_view,
    build_home_view,
    meeting_words,
)

log = logging.getLogger(__name__)


def publish_home(client: WebClient, deps: Deps, user_id: str) -> None:
    store = deps.store
    now = deps.now()
    cycle = cycle_at(deps.settings.digest_schedule, now)
    team = store.get_team()
    on_team = any(member.user_id == user_id for member in team)
    standups = store.get_standups(cycle.meeting_date)
    mine, trend = delivery_so_far(deps, cycle, team, standups, user_id=user_id, now=now)
    view = build_home_view(
        user_id=user_id,
        cycle=cycle,
        standup=next((s for s in standups if s.user_id == user_id), None),
        follow_ups=store.get_open_follow_ups(owner_user_id=user_id),
        # Asks to everyone are the team's (its members may close them): not shown to others.
        asks_to_me=store.get_asks_to(user_id, everyone=on_team),
        team_size=len(team),
        submitted=len({s.user_id for s in standups}),
        away_blocks=home_away_blocks(deps, user_id),
        promises=mine,
        trend=trend,
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.publish failed: user=%s error=%s", user_id, slack_error(error))


def delivery_so_far(
    deps: Deps,
    cycle: Cycle,
    team: Sequence[Member],
    standups: Sequence[Standup],
    *,
    user_id: str,
    now: datetime,
) -> tuple[PersonPromises | None, tuple[TrendPoint, ...]]:
    """What became of `user_id`'s promises of last cycle so far (against this cycle's standup;
    GitHub is not asked, so a pull request merging delivers nothing here), and the team's last
    cycles, this one so far last: what the digest will say, as it stands now."""
    settings, store = deps.settings, deps.store
    history = load_history(store, settings.digest_schedule, cycle)
    records = load_records(store, settings.standup_channel, [c.meeting_date for c in history])
    ids = {member.user_id for member in team}  # the team (Store.get_team): no bots, none gone
    away = away_in_cycle(deps, list(team), cycle, now=now)
    away_ids = {entry.person.user_id for entry in away if entry.whole_cycle}
    followed = follow_team(
        history,
        standups,
        team_ids=ids,
        ends_at=cycle.ends_at,
        repos=settings.repos,
        away_ids={user for user in away_ids if user is not None},
    )
    mine = next((f for f in followed if f.user_id == user_id), None)
    person = None
    if mine is not None and mine.promises:
        person = PersonPromises(
            person=Person(user_id=user_id, name=mine.user_name),
            reported=mine.current is not None,
            promises=mine.promises,
            away=mine.away,
        )
    point = cycle_point(
        cycle.meeting_date,
        team_ids=ids,
        reported={standup.user_id for standup in standups},
        away={entry.person.user_id for entry in away if entry.person.user_id},
        promises=[f.promises for f in followed],
    )
    trend = trend_points(
        history,
        point,
        team_ids=ids,
        recorded={record.point.meeting_date: record.point for record in records.values()},
        repos=settings.repos,
        away=away_whole_cycles_of(store, settings, [c.cycle for c in history]),
    )
    return person, trend


def open_full_text(
    client: WebClient, deps: Deps, *, user_id: str, trigger_id: str, value: str
) -> bool:
    """Open the modal with the whole text of `value` ("ask:12", "follow_up:7"); False (logged)
    for a value that names nothing this person may read."""
    kind, _, number = value.partition(":")
    item_id = read_id(number)
    if item_id is None:
        log.info("Read all ignored: value %r names no ask or follow-up", value[:80])
        return False
    if kind in (FULL_TEXT_ASK, FULL_TEXT_ANSWER):
        ask = deps.store.get_ask(item_id)
        if ask is None or not may_change_ask(ask, user_id, team_ids(deps) if ask.everyone else ()):
            log.info("Read all refused: ask %s for %s", item_id, user_id)
            return False
        to = "everyone" if ask.everyone else f"<@{ask.to_user_id}>" if ask.to_user_id else "—"
        about = f"An ask from <@{ask.from_user_id}> to {to}, {meeting_words(ask.meeting_date)}:"
        if kind == FULL_TEXT_ASK:
            view = build_full_text_view("Ask", about, ask.text)
        elif ask.answer is None:
            log.info("Read all ignored: ask %s has no answer", item_id)
            return False
        else:
            by = f"<@{ask.answered_by}>" if ask.answered_by else "someone"
            view = build_full_text_view(
                "Answer", f"{by}'s answer to {about[0].lower()}{about[1:]}", ask.answer
            )
    elif kind == FULL_TEXT_FOLLOW_UP:
        follow_up = deps.store.get_follow_up(item_id)
        if follow_up is None:
            log.info("Read all ignored: no follow-up %s", item_id)
            return False
        owner = f"<@{follow_up.owner_user_id}>" if follow_up.owner_user_id else "nobody yet"
        view = build_full_text_view("Follow-up", f"A follow-up for {owner}:", follow_up.text)
    else:
        log.info("Read all ignored: value %r names no ask or follow-up", value[:80])
        return False
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.open failed: %s", slack_error(error))
        return False
    return True
