"""The GraphQL GitHub is asked: the PR fields the digest reads, and the two query shapes.

One request carries up to 100 referenced PRs (aliased per repository), and the board aliases
every repository's open and closed connections into each page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

# `reviewDecision` is null on every PR of a repository whose rules require no review, even an
# approved one: the latest opinionated review of each writer, fetched in the same request, says
# what the reviewers decided then (bot.github.parse.review_decision).
REVIEWS_PER_PR = 20
PR_FRAGMENT = f"""fragment PR on PullRequest {{
  number title url state isDraft mergedAt closedAt createdAt updatedAt reviewDecision
  author {{ login }}
  commits(last: 1) {{ nodes {{ commit {{ statusCheckRollup {{ state }} }} }} }}
  latestOpinionatedReviews(last: {REVIEWS_PER_PR}, writersOnly: true) {{ nodes {{ state }} }}
}}
"""

PAGE_FRAGMENT = """fragment Page on PullRequestConnection {
  totalCount pageInfo { hasNextPage endCursor } nodes { ...PR }
}
"""


def repository(owner: str, repo: str) -> str:
    return f"repository(owner: {json.dumps(owner)}, name: {json.dumps(repo)})"


def pull_requests_query(repos: Sequence[tuple[str, str, Sequence[int]]]) -> str:
    """Referenced PRs: `r{i}` is the i-th (owner, name, numbers), `p{n}` PR number n in it."""
    selections = []
    for index, (owner, name, numbers) in enumerate(repos):
        pulls = " ".join(f"p{n}: pullRequest(number: {n}) {{ ...PR }}" for n in numbers)
        selections.append(f"r{index}: {repository(owner, name)} {{ {pulls} }}")
    return (
        "query PullRequests { rateLimit { cost remaining resetAt } "
        + " ".join(selections)
        + " }\n"
        + PR_FRAGMENT
    )


# (alias, states, cursor) of one paged pullRequests connection
BoardConnection = tuple[str, str, str | None]


def board_query(
    repos: Sequence[tuple[int, str, str, Sequence[BoardConnection]]], *, page_size: int
) -> str:
    """One page of the board: `r{i}` is repository i, with an aliased connection per state."""
    selections = []
    for index, owner, name, connections in repos:
        fields = " ".join(
            f"{alias}: pullRequests(first: {page_size}"
            + (f", after: {json.dumps(cursor)}" if cursor else "")
            + f", states: {states}, orderBy: {{field: UPDATED_AT, direction: DESC}})"
            " { ...Page }"
            for alias, states, cursor in connections
        )
        selections.append(f"r{index}: {repository(owner, name)} {{ {fields} }}")
    return (
        "query Board { rateLimit { cost remaining resetAt } "
        + " ".join(selections)
        + " }\n"
        + PAGE_FRAGMENT
        + PR_FRAGMENT
    )


def repo_states_query(owner: str, names: Sequence[str]) -> str:
    """Whether each repository is a fork or archived: `r{i}` is names[i]."""
    selections = " ".join(
        f"r{index}: {repository(owner, name)} {{ nameWithOwner isFork isArchived }}"
        for index, name in enumerate(names)
    )
    return "query RepoStates { " + selections + " }\n"
