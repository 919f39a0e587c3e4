"""`/standup search` and `standup-bot search`: the history, best matches first.

In Slack the answer goes to the command's `response_url` (ephemeral), after the ack; "More"
replaces it with the next page. The button's value carries the query, so paging needs no state.
"""

from __future__ import annotations

import json
import logging
from datetime import date

from pydantic import ValidationError
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.away import team_today
from bot.services.team import find_member, load_member_directory
from bot.slack.respond import post_response
from bot.store import StoreError
from digests.models import SearchPage, SearchQuery
from digests.parsing import MemberDirectory, parse_search
from digests.render import views

log = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_BUTTON_VALUE = 2000  # Slack's limit for a button's value


def search(deps: Deps, query: SearchQuery) -> SearchPage:
    return deps.store.search(query)


def answer_search_command(
    client: WebClient, deps: Deps, *, user_id: str, argument: str, response_url: str
) -> None:
    """Search for what `/standup search …` asks and answer ephemerally by `response_url`."""
    directory = load_member_directory(
        client, deps.store, deps.settings.standup_channel, now=deps.now()
    )
    request = parse_search(argument, team_today(deps), directory)
    if request.problem is not None:
        post_response(response_url, request.problem)
        return
    query = SearchQuery(
        words=request.words,
        user_id=request.person,
        since=request.since,
        until=request.until,
        limit=PAGE_SIZE,
    )
    _answer(deps, query, response_url, replace=False, directory=directory)


def answer_more(client: WebClient, deps: Deps, *, value: str, response_url: str) -> None:
    """The "More" button: the next page, in place of the one it was on."""
    try:
        query = SearchQuery.model_validate_json(value)
    except ValidationError:
        post_response(response_url, "That search can no longer be paged: search again.")
        return
    directory = load_member_directory(
        client, deps.store, deps.settings.standup_channel, now=deps.now()
    )
    _answer(deps, query, response_url, replace=True, directory=directory)


def _answer(
    deps: Deps,
    query: SearchQuery,
    response_url: str,
    *,
    replace: bool,
    directory: MemberDirectory,
) -> None:
    try:
        page = search(deps, query)
    except StoreError as error:
        log.error("search failed: %s", error)
        post_response(response_url, views.DATABASE_DOWN, replace_original=replace)
        return
    person = directory.by_id(query.user_id) if query.user_id else None
    text, blocks = views.render_search_page(
        page,
        person_name=person.label if person else None,
        more_value=more_value(query),
    )
    post_response(response_url, text, blocks, replace_original=replace)


def more_value(query: SearchQuery) -> str | None:
    """The next page's query as the "More" button's value (None when it would not fit)."""
    following = query.model_copy(update={"offset": query.offset + query.limit})
    value = following.model_dump_json(exclude_defaults=True)
    return value if len(value) <= MAX_BUTTON_VALUE else None


def search_for_cli(
    deps: Deps,
    words: str,
    *,
    user: str | None,
    since: date | None,
    until: date | None,
    limit: int,
) -> tuple[SearchPage, str | None]:
    """`standup-bot search`: the page, and the person's name when `user` named one (a handle,
    name or id); raises LookupError when `user` names nobody."""
    user_id = None
    name = None
    if user is not None:
        member = find_member(deps.store, user)
        if member is None:
            raise LookupError(f"no member is called {user!r} (try their Slack handle or id)")
        user_id, name = member.user_id, member.label
    query = SearchQuery(words=words, user_id=user_id, since=since, until=until, limit=limit)
    return search(deps, query), name


def page_as_json(page: SearchPage) -> str:
    return json.dumps(
        {
            "query": page.query.model_dump(mode="json"),
            "more": page.more,
            "hits": [
                {
                    "user_id": hit.user_id,
                    "name": hit.name,
                    "meeting_date": hit.meeting_date.isoformat() if hit.meeting_date else None,
                    "field": hit.field,
                    "text": hit.text,
                    "snippet": "".join(
                        f"**{p.text}**" if p.matched else p.text for p in hit.snippet
                    ),
                }
                for hit in page.hits
            ],
        },
        indent=2,
        ensure_ascii=False,
    )
