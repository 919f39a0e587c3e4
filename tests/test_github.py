"""The GitHub client against the loopback fake: requests spent, data mapped, faults survived."""

from __future__ import annotations

import json
import math
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Settings, load_settings
from bot.github import GitHubClient
from bot.github.parse import parse_usage_items
from bot.github.transport import DEFAULT_TIMEOUT, MAX_ATTEMPTS
from bot.services.billing import fetch_actions_billing
from bot.store import Store
from digests.board import build_pr_board
from digests.models import Cycle, PullRequest, PullRequestRef, UsageItem
from digests.pr_refs import unique_refs
from tests.fakes.github import FakeGitHub, usage_items

CLOCK = 1_780_000_000.0  # a fixed "now" in epoch seconds, shared by the fake and the client
TODAY = date(2026, 5, 4)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(clock=lambda: CLOCK) as fake:
        fake.add_repo("acme", "api")
        fake.add_repo("acme", "web")
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


def settings_for(
    fake: FakeGitHub, *, token: str | None = None, repos: str = "acme/api,acme/web"
) -> Settings:
    environ = {"GITHUB_API_URL": fake.url, "GITHUB_REPOS": repos}
    if token != "":
        environ["GITHUB_TOKEN"] = token or fake.token
    return load_settings(environ, env_file=None)


def client_for(
    fake: FakeGitHub, sleeps: list[float], *, token: str | None = None, **options: Any
) -> GitHubClient:
    return GitHubClient(
        settings_for(fake, token=token), sleep=sleeps.append, clock=lambda: CLOCK, **options
    )


def ref(key: str) -> PullRequestRef:
    full_name, number = key.split("#")
    owner, repo = full_name.split("/")
    return PullRequestRef(owner=owner, repo=repo, number=int(number))


def hh_mm(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M")


# --- requests carry what GitHub asks for ------------------------------------------------------


def test_requests_carry_token_version_accept_and_user_agent(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    github.add_pull("acme", "api", 1)
    with client_for(github, sleeps) as client:
        client.fetch_pull_requests([ref("acme/api#1")])
        client.fetch_viewer()

    assert len(github.requests) == 2
    for request in github.requests:
        assert request.headers["authorization"] == f"Bearer {github.token}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert request.headers["user-agent"].startswith("standup-bot")


def test_default_timeouts() -> None:
    assert (DEFAULT_TIMEOUT.connect, DEFAULT_TIMEOUT.read) == (5.0, 20.0)


def test_without_a_token_nothing_is_sent_and_every_fetch_says_why(github: FakeGitHub) -> None:
    with GitHubClient(settings_for(github, token="")) as client:
        assert client.enabled is False
        lookups = client.fetch_pull_requests([ref("acme/api#1")])
        board = client.fetch_board_pull_requests(["acme/api"], since=github.now)
        billing = fetch_actions_billing(client, "acme", today=TODAY)
        viewer = client.fetch_viewer()
        access = client.fetch_repo_access("acme/api")

    assert lookups.data["acme/api#1"].problem == "GITHUB_TOKEN is not set"
    assert (board.data, board.problem) == ([], "GITHUB_TOKEN is not set")
    assert billing.data.problem == billing.problem == "GITHUB_TOKEN is not set"
    assert (viewer.data, access.data) == (None, False)
    assert github.requests == []


# --- referenced pull requests ------------------------------------------------------------------


def test_pull_request_fields_are_mapped(github: FakeGitHub, sleeps: list[float]) -> None:
    day = datetime(2026, 4, 20, 12, tzinfo=UTC)
    github.add_pull("acme", "api", 1, title="Open", ci="success", review_decision="APPROVED",
                    author="ada", created_at=day, updated_at=day + timedelta(hours=3))  # fmt: skip
    github.add_pull("acme", "api", 2, draft=True, ci="pending")
    github.add_pull("acme", "api", 3, merged_at=day, ci="failure")
    github.add_pull("acme", "api", 4, state="closed", closed_at=day, ci="error")
    github.add_pull("acme", "web", 5, ci="expected", review_decision="CHANGES_REQUESTED")
    github.add_pull("acme", "web", 6, ci=None, author=None, review_decision="REVIEW_REQUIRED")

    with client_for(github, sleeps) as client:
        fetched = client.fetch_pull_requests(
            [ref(k) for k in ("acme/api#1", "acme/api#2", "acme/api#3", "acme/api#4")]
            + [ref("acme/web#5"), ref("acme/web#6")]
        )

    assert fetched.problem is None
    assert fetched.requests == 1
    prs = {key: lookup.pull_request for key, lookup in fetched.data.items()}
    assert prs["acme/api#1"] == PullRequest(
        owner="acme", repo="api", number=1, title="Open",
        url="https://github.com/acme/api/pull/1", state="open", ci="success",
        review_decision="approved", author="ada", created_at=day,
        updated_at=day + timedelta(hours=3),
    )  # fmt: skip
    summary = {
        key: (pr.state, pr.ci, pr.review_decision, pr.author)
        for key, pr in prs.items()
        if pr is not None
    }
    assert summary == {
        "acme/api#1": ("open", "success", "approved", "ada"),
        "acme/api#2": ("draft", "pending", None, "octocat"),
        "acme/api#3": ("merged", "failure", None, "octocat"),
        "acme/api#4": ("closed", "failure", None, "octocat"),
        "acme/web#5": ("open", "pending", "changes_requested", "octocat"),
        "acme/web#6": ("open", "none", "review_required", None),
    }
    merged = prs["acme/api#3"]
    assert merged is not None and merged.merged_at == day and merged.closed_at == day


def test_unknown_prs_and_repos_are_reported_not_dropped(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    github.add_pull("acme", "api", 1)
    wanted = [ref("acme/api#1"), ref("acme/api#404"), ref("ghost/repo#1"), ref("acme/api#1")]

    with client_for(github, sleeps) as client:
        fetched = client.fetch_pull_requests(wanted)

    assert fetched.problem is None  # per-ref problems; the fetch itself worked
    assert fetched.requests == 1
    assert list(fetched.data) == ["acme/api#1", "acme/api#404", "ghost/repo#1"]
    assert fetched.data["acme/api#1"].pull_request is not None
    for key in ("acme/api#404", "ghost/repo#1"):
        assert fetched.data[key].pull_request is None
        assert fetched.data[key].problem == "not found or no access"


def test_one_request_per_hundred_refs(github: FakeGitHub, sleeps: list[float]) -> None:
    github.generate_pulls("acme/api", 150, seed=1)
    with client_for(github, sleeps) as client:
        fetched = client.fetch_pull_requests([ref(f"acme/api#{n}") for n in range(1, 151)])
    assert fetched.requests == github.count("/graphql") == 2
    assert all(lookup.pull_request is not None for lookup in fetched.data.values())


# --- the board ---------------------------------------------------------------------------------


def expected_board(fake: FakeGitHub, repos: list[str], since: datetime) -> set[str]:
    keys = set()
    for name in repos:
        for pull in fake.repos[name].pulls.values():
            if pull.state == "open" or pull.updated_at >= since:
                keys.add(f"{name}#{pull.number}")
    return keys


def test_board_and_references_for_four_repos_of_500_prs_near_the_floor(sleeps: list[float]) -> None:
    names = ["acme/api", "acme/web", "acme/ops", "acme/docs"]
    with FakeGitHub(clock=lambda: CLOCK) as fake:
        for seed, name in enumerate(names):
            fake.add_repo(*name.split("/"))
            fake.generate_pulls(name, 500, seed=seed, open_share=0.3, recent_share=0.2)
        since = fake.now - timedelta(days=7)
        standups = ["shipped #12 and web#40", "ops#7 blocked on acme/docs#300", "#999999 typo"]
        settings = load_settings(
            {
                "GITHUB_TOKEN": fake.token,
                "GITHUB_API_URL": fake.url,
                "GITHUB_REPOS": ",".join(names),
            },
            env_file=None,
        )
        with GitHubClient(settings, sleep=sleeps.append) as client:
            board = client.fetch_board_pull_requests(settings.repos, since=since)
            lookups = client.fetch_pull_requests(unique_refs(standups, repos=settings.repos))

        assert board.problem is None
        assert {pr.ref.key for pr in board.data} == expected_board(fake, names, since)
        floor = math.ceil(len(board.data) / 100)
        assert board.requests + lookups.requests == fake.count("/graphql")
        assert fake.count("/graphql") <= floor + 1 + 2
        assert [lookup.problem for lookup in lookups.data.values()] == [
            None, None, None, None, "not found or no access"
        ]  # fmt: skip


def test_board_pages_only_connections_that_need_it_and_stops_at_since(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    now = github.now
    since = now - timedelta(days=7)
    github.add_repo("acme", "big")
    number = 0
    for count, kind, age_days in ((250, "open", 30), (150, "recent", 2), (300, "old", 40)):
        for _ in range(count):
            number += 1
            moment = now - timedelta(days=age_days, minutes=number)
            if kind == "open":
                github.add_pull("acme", "big", number, created_at=moment, updated_at=moment)
            else:
                github.add_pull("acme", "big", number, merged_at=moment, created_at=moment)
    github.add_pull("acme", "api", 1)

    with client_for(github, sleeps) as client:
        board = client.fetch_board_pull_requests(["acme/api", "acme/big"], since=since)

    assert board.problem is None
    assert len(board.data) == 1 + 250 + 150
    # open: 100 + 100 + 50; closed: 100 recent, then 50 recent + 50 older than `since`: stop.
    assert board.requests == 3
    queries = [request.json()["query"] for request in github.requests]
    assert queries[0].count("pullRequests(") == 4
    assert "r0:" not in queries[1] and queries[1].count("pullRequests(") == 2
    assert "done:" not in queries[2] and queries[2].count("pullRequests(") == 1
    # Open before merged/closed within a repo, repos in the configured order.
    assert board.data[0].ref.key == "acme/api#1"
    assert [pr.state for pr in board.data[1:251]] == ["open"] * 250


def test_board_reports_a_missing_repo_and_returns_the_rest(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    github.add_pull("acme", "api", 1)
    github.add_pull("acme", "web", 2)
    with client_for(github, sleeps) as client:
        board = client.fetch_board_pull_requests(
            ["acme/api", "acme/ghost", "acme/web"], since=github.now
        )
    assert [pr.ref.key for pr in board.data] == ["acme/api#1", "acme/web#2"]
    assert board.problem == "acme/ghost: not found or no access"
    assert board.requests == 1


# --- Actions billing ---------------------------------------------------------------------------


def billing_items(org: str, *, storage: bool) -> list[UsageItem]:
    minutes = {
        date(2025, 11, 1): 120_000,
        date(2025, 12, 1): 140_000,
        date(2026, 1, 1): 170_000,
        date(2026, 2, 1): 198_000,
        date(2026, 3, 1): 150_000,
        date(2026, 4, 1): 93_000,
        date(2026, 5, 1): 8_000,
    }
    items = usage_items(org, minutes, days=3)
    if storage:
        items += [
            UsageItem(
                date=day,
                product="actions",
                sku="Actions storage",
                quantity=5000.5,
                unit_type="GigabyteHours",
                price_per_unit=0.00033,
                gross_amount=1.65,
                discount_amount=0.0,
                net_amount=1.65,
                organization_name=org,
                repository_name=f"{org}/api",
            )  # fmt: skip
            for day in minutes
        ]
    return items


@pytest.mark.parametrize("shape", ["documented", "observed"])
def test_billing_answer_key_through_the_wire(
    github: FakeGitHub, sleeps: list[float], shape: Any
) -> None:
    github.set_billing("acme", billing_items("acme", storage=shape == "observed"), shape=shape)

    with client_for(github, sleeps) as client:
        fetched = fetch_actions_billing(client, "acme", today=TODAY)

    billing = fetched.data
    assert fetched.problem is None and billing.problem is None
    assert fetched.requests == 7
    asked = [(r.query["year"], r.query["month"]) for r in github.requests]
    assert asked[0] == (["2025"], ["11"])  # the first month alone, then the rest concurrently
    assert sorted(asked) == [(["2025"], ["11"]), (["2025"], ["12"])] + [
        (["2026"], [str(m)]) for m in range(1, 6)
    ]
    assert [(m.label, round(m.minutes), m.complete) for m in billing.months] == [
        ("Nov 2025", 120_000, True),
        ("Dec 2025", 140_000, True),
        ("Jan 2026", 170_000, True),
        ("Feb 2026", 198_000, True),
        ("Mar 2026", 150_000, True),
        ("Apr 2026", 93_000, True),
        ("May 2026", 8_000, False),
    ]
    assert billing.months[3].gross == pytest.approx(1_188)
    assert billing.comparison is not None
    assert billing.comparison.summary == (
        "\u2212105,000 min/mo; $630/mo ($7,560/yr) gross; $0 net \u2014 fully covered by the "
        "plan's discount"
    )


def test_closed_months_are_kept_a_day_then_asked_with_their_etag(
    github: FakeGitHub, sleeps: list[float], tmp_path: Path
) -> None:
    github.set_billing("acme", billing_items("acme", storage=True), shape="observed")
    now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    with Store(tmp_path / "s.db") as store, client_for(github, sleeps) as client:
        first = fetch_actions_billing(client, "acme", today=TODAY, store=store, now=now)
        assert first.requests == 7
        github.clear_requests()
        # Within a day: the six closed months come from the store; the running month is asked
        # with its ETag, and is a 304.
        second = fetch_actions_billing(client, "acme", today=TODAY, store=store, now=now)
        assert [(r.query["month"], r.status) for r in github.requests] == [(["5"], 304)]
        assert "if-none-match" in github.requests[0].headers
        github.clear_requests()
        # A day later every month is asked again, each with its ETag: all 304s, no rate limit.
        later = now + timedelta(days=1, minutes=1)
        third = fetch_actions_billing(client, "acme", today=TODAY, store=store, now=later)
        assert [r.status for r in github.requests] == [304] * 7

    assert first.data == second.data == third.data and third.problem is None
    assert github.rest_remaining == 5000 - 7  # 304s cost no rate limit


@pytest.mark.parametrize("status", [403, 404])
def test_billing_refused_says_who_may_read_it(
    github: FakeGitHub, sleeps: list[float], status: int
) -> None:
    github.set_billing("acme", billing_items("acme", storage=False))
    github.set_billing_access("acme", status)

    with client_for(github, sleeps) as client:
        fetched = fetch_actions_billing(client, "acme", today=TODAY)

    assert fetched.data.months == ()
    assert fetched.data.comparison is None
    assert fetched.problem == fetched.data.problem
    if status == 403:
        assert fetched.problem == (
            "Actions billing for acme needs a personal access token of an owner of acme: "
            'classic, or fine-grained with the "Administration" organization permission (read) '
            "(GitHub answered 403: You must be an organization owner or billing manager to view "
            "billing.)"
        )
    else:
        assert fetched.problem == (
            "GitHub has no billing usage report for acme (GitHub answered 404): it is not an "
            "organization on GitHub's enhanced billing platform, or the name is wrong"
        )
    assert fetched.requests == 1  # one refusal is enough: the other months are not asked


def test_parse_usage_items_documented_shape() -> None:
    documented = {
        "usageItems": [
            {"date": "2023-08-01", "product": "Actions", "sku": "Actions Linux", "quantity": 100,
             "unitType": "minutes", "pricePerUnit": 0.008, "grossAmount": 0.8,
             "discountAmount": 0, "netAmount": 0.8, "organizationName": "GitHub",
             "repositoryName": "github/example"}
        ]
    }  # fmt: skip
    assert parse_usage_items(documented) == [
        UsageItem(date=date(2023, 8, 1), product="actions", sku="Actions Linux", quantity=100.0,
                  unit_type="minutes", price_per_unit=0.008, gross_amount=0.8,
                  discount_amount=0.0, net_amount=0.8, organization_name="GitHub",
                  repository_name="github/example")
    ]  # fmt: skip


def test_parse_usage_items_observed_shape_and_missing_amounts() -> None:
    observed = {
        "usageItems": [
            {"date": "2025-01-31T00:00:00Z", "product": "actions", "sku": "Actions Linux",
             "quantity": 12.0, "unitType": "Minutes", "pricePerUnit": 0.006,
             "organizationName": "acme", "repositoryName": "api"},
            {"date": "2025-01-31T00:00:00Z", "product": "actions", "sku": "Actions storage",
             "quantity": 0.5, "unitType": "GigabyteHours", "pricePerUnit": 0.00033,
             "grossAmount": 0.000165, "discountAmount": 0.000165, "netAmount": 0.0},
        ]
    }  # fmt: skip
    minutes, storage = parse_usage_items(observed)
    assert (minutes.date, minutes.product, minutes.repository_name) == (
        date(2025, 1, 31),
        "actions",
        "api",
    )
    # No dollar fields in the answer: derived from GitHub's own pricePerUnit.
    assert minutes.gross_amount == pytest.approx(0.072)
    assert (minutes.discount_amount, minutes.net_amount) == (0.0, pytest.approx(0.072))
    assert storage.unit_type == "GigabyteHours"
    assert parse_usage_items({}) == []


# --- doctor ------------------------------------------------------------------------------------


def test_viewer_and_repo_access(github: FakeGitHub, sleeps: list[float]) -> None:
    with client_for(github, sleeps) as client:
        assert client.fetch_viewer().data == "octocat"
        assert client.fetch_repo_access("acme/api").data is True
        missing = client.fetch_repo_access("acme/ghost")
    assert missing.data is False
    assert missing.problem is not None and "acme/ghost: not found or no access" in missing.problem


def test_bad_token_is_not_retried(github: FakeGitHub, sleeps: list[float]) -> None:
    with client_for(github, sleeps, token="ghp_wrong") as client:
        viewer = client.fetch_viewer()
        lookups = client.fetch_pull_requests([ref("acme/api#1")])
    assert viewer.problem == "GitHub rejected GITHUB_TOKEN (401 Bad credentials)"
    assert viewer.requests == 1
    assert lookups.data["acme/api#1"].problem == viewer.problem
    assert sleeps == []


# --- faults ------------------------------------------------------------------------------------


def test_server_errors_are_retried_with_backoff(github: FakeGitHub, sleeps: list[float]) -> None:
    github.add_pull("acme", "api", 1)
    github.inject("server_error", path="/graphql", status=502, times=2)
    with client_for(github, sleeps) as client:
        fetched = client.fetch_pull_requests([ref("acme/api#1")])
    assert fetched.problem is None
    assert fetched.data["acme/api#1"].pull_request is not None
    assert fetched.requests == 3
    assert sleeps == [1.0, 2.0]


def test_github_down_every_fetch_returns_a_reason(github: FakeGitHub, sleeps: list[float]) -> None:
    github.inject("server_error", status=503, times=100)
    with client_for(github, sleeps) as client:
        # 150 refs: two batches, but once GitHub failed the second is not even tried.
        lookups = client.fetch_pull_requests([ref(f"acme/api#{n}") for n in range(1, 151)])
        board = client.fetch_board_pull_requests(["acme/api"], since=github.now)
        billing = fetch_actions_billing(client, "acme", today=TODAY)

    down = "GitHub is unavailable (HTTP 503) after "
    assert lookups.problem is not None and lookups.problem.startswith(down)
    assert len(lookups.data) == 150
    assert {lookup.problem for lookup in lookups.data.values()} == {lookups.problem}
    assert board.data == [] and board.problem == f"{down}{MAX_ATTEMPTS} tries"
    assert billing.problem == billing.data.problem == f"{down}{MAX_ATTEMPTS} tries"
    assert billing.requests == MAX_ATTEMPTS  # gave up on the first month, not seven times
    # The two batches of PRs went out together; once GitHub had failed 4 times in a row, with a
    # retry among them, neither tried again (one more may have been on the wire already).
    assert MAX_ATTEMPTS <= lookups.requests <= MAX_ATTEMPTS + 1
    assert board.requests == MAX_ATTEMPTS


def test_a_hang_times_out_then_the_retry_succeeds(github: FakeGitHub, sleeps: list[float]) -> None:
    github.add_pull("acme", "api", 1)
    github.inject("hang", path="/graphql", delay=5.0, times=1)
    with client_for(github, sleeps, timeout=0.2) as client:
        fetched = client.fetch_pull_requests([ref("acme/api#1")])
    assert fetched.problem is None
    assert fetched.requests == 2
    assert sleeps == [1.0]


def test_a_github_that_never_answers_gives_a_problem(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    github.inject("hang", path="/user", delay=5.0, times=MAX_ATTEMPTS)
    with client_for(github, sleeps, timeout=0.1) as client:
        viewer = client.fetch_viewer()
    assert viewer.data is None
    assert (
        viewer.problem == f"GitHub did not answer in time (ReadTimeout) after {MAX_ATTEMPTS} tries"
    )


def test_connection_refused_gives_a_problem(sleeps: list[float]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = load_settings(
        {"GITHUB_TOKEN": "ghp_x", "GITHUB_API_URL": f"http://127.0.0.1:{port}"}, env_file=None
    )
    with GitHubClient(settings, sleep=sleeps.append) as client:
        fetched = client.fetch_repo_access("acme/api")
    assert fetched.data is False
    assert fetched.problem == f"could not reach GitHub (ConnectError) after {MAX_ATTEMPTS} tries"
    assert sleeps == [1.0, 2.0, 4.0]


def test_secondary_limit_retry_after_is_honoured(github: FakeGitHub, sleeps: list[float]) -> None:
    github.inject("secondary_limit", path="/user", retry_after=7)
    with client_for(github, sleeps) as client:
        viewer = client.fetch_viewer()
    assert viewer.data == "octocat"
    assert sleeps == [7.0]
    assert github.count("/user") == 2


def test_secondary_limit_beyond_max_wait_gives_a_problem(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    github.inject("secondary_limit", path="/graphql", retry_after=600)
    with client_for(github, sleeps, max_wait=60.0) as client:
        board = client.fetch_board_pull_requests(["acme/api"], since=github.now)
    assert board.problem == "GitHub secondary rate limit: asked to wait 600 s"
    assert (board.requests, sleeps) == (1, [])


def test_primary_limit_waits_for_a_near_reset(github: FakeGitHub, sleeps: list[float]) -> None:
    github.inject("rate_limited", path="/repos", reset_at=int(CLOCK) + 30)
    with client_for(github, sleeps) as client:
        access = client.fetch_repo_access("acme/api")
    assert access.data is True
    assert sleeps == [31.0]


def test_primary_limit_beyond_max_wait_gives_up_saying_until_when(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    reset = int(CLOCK) + 3600
    github.inject("rate_limited", path="/organizations", reset_at=reset)
    github.set_billing("acme", billing_items("acme", storage=False))
    with client_for(github, sleeps) as client:
        billing = fetch_actions_billing(client, "acme", today=TODAY)
    assert billing.problem == f"GitHub rate limit exhausted until {hh_mm(reset)} UTC"
    assert billing.data.months == ()
    assert (billing.requests, sleeps) == (1, [])


def test_graphql_rate_limited_on_a_200(github: FakeGitHub, sleeps: list[float]) -> None:
    github.add_pull("acme", "api", 1)
    reset = int(CLOCK) + 3600
    github.inject("graphql_rate_limited", path="/graphql", reset_at=reset)
    with client_for(github, sleeps) as client:
        refused = client.fetch_pull_requests([ref("acme/api#1")])
        github.inject("graphql_rate_limited", path="/graphql", reset_at=int(CLOCK) + 5)
        waited = client.fetch_pull_requests([ref("acme/api#1")])

    problem = f"GitHub rate limit exhausted until {hh_mm(reset)} UTC"
    assert refused.problem == refused.data["acme/api#1"].problem == problem
    assert waited.problem is None and waited.data["acme/api#1"].pull_request is not None
    assert sleeps == [6.0]


def test_no_query_is_sent_when_the_last_rate_limit_says_no_points_left(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    github.add_pull("acme", "api", 1)
    github.graphql_remaining = 1  # the first query costs the last point
    with client_for(github, sleeps) as client:
        first = client.fetch_pull_requests([ref("acme/api#1")])
        second = client.fetch_pull_requests([ref("acme/api#1")])
    assert first.problem is None
    assert second.problem == f"GitHub rate limit exhausted until {hh_mm(github.reset_at)} UTC"
    assert second.requests == 0
    assert github.count("/graphql") == 1


class BrokenCache:
    def get_http_cache(self, key: str) -> tuple[str, bytes] | None:
        raise OSError("disk on fire")

    def save_http_cache(self, key: str, etag: str, body: bytes) -> None:
        raise OSError("disk on fire")


def test_a_broken_cache_costs_a_full_request_not_the_fetch(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    with client_for(github, sleeps, cache=BrokenCache()) as client:
        assert client.fetch_viewer().data == "octocat"


def test_board_keeps_the_pages_it_got_when_github_fails_midway(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    for number in range(1, 251):
        github.add_pull("acme", "api", number)
    github.inject("server_error", path="/graphql", status=502, times=100, after=1)
    with client_for(github, sleeps) as client:
        board = client.fetch_board_pull_requests(["acme/api"], since=github.now)
    assert len(board.data) == 100
    assert board.problem == f"GitHub is unavailable (HTTP 502) after {MAX_ATTEMPTS} tries"
    assert board.requests == 1 + MAX_ATTEMPTS


# --- answers GitHub should never give, but a proxy or an outage might --------------------------


def mock_client(handler: Any, sleeps: list[float], *, max_wait: float = 60.0) -> GitHubClient:
    settings = load_settings(
        {"GITHUB_TOKEN": "ghp_x", "GITHUB_API_URL": "https://api.github.test"}, env_file=None
    )
    return GitHubClient(
        settings,
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        clock=lambda: CLOCK,
        max_wait=max_wait,
    )


def test_junk_answers_become_problems_not_exceptions(sleeps: list[float]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/user":
            return httpx.Response(200, text="<html>captive portal</html>")
        if request.url.path == "/graphql":
            query = json.loads(request.content)["query"]
            if "Board" in query:
                return httpx.Response(200, json={"errors": [{"message": "Something went wrong"}]})
            bad_pr = {"number": 1, "title": "no state"}
            return httpx.Response(200, json={"data": {"r0": {"p1": bad_pr}}})
        return httpx.Response(200, json={"usageItems": "nope"})

    with mock_client(handler, sleeps) as client:
        viewer = client.fetch_viewer()
        board = client.fetch_board_pull_requests(["acme/api"], since=datetime(2026, 1, 1))
        lookups = client.fetch_pull_requests([ref("acme/api#1")])
        billing = fetch_actions_billing(client, "acme", today=TODAY)

    assert viewer.problem == "GitHub answered something that is not JSON"
    assert board.problem == "GitHub GraphQL error: Something went wrong"
    problem = lookups.data["acme/api#1"].problem
    assert problem is not None and problem.startswith("unexpected answer from GitHub")
    assert billing.problem is not None and billing.problem.startswith("unexpected billing answer")


def test_429_without_figures_waits_a_minute_or_gives_up(sleeps: list[float]) -> None:
    answers = iter(
        [
            httpx.Response(429, json={"message": "slow down"}),
            httpx.Response(200, json={"login": "octocat"}),
            httpx.Response(429, headers={"retry-after": "Thu, 01 Jan 2099 00:00:00 GMT"}),
        ]
    )
    with mock_client(lambda request: next(answers), sleeps) as client:
        assert client.fetch_viewer().data == "octocat"
        later = client.fetch_viewer()
    assert sleeps == [60.0]
    assert later.problem is not None and later.problem.startswith("GitHub secondary rate limit")


def test_a_plain_403_is_the_callers_to_explain(sleeps: list[float]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"message": "Resource not accessible by integration"})

    with mock_client(handler, sleeps) as client:
        access = client.fetch_repo_access("acme/api")
    assert access.data is False
    assert (
        access.problem == "acme/api: not found or no access with this token (GitHub answered 403)"
    )
    assert sleeps == []


# --- answers GitHub gives that are easy to miss (checked against GitHub's schema) ---------------


def test_review_decision_null_without_required_reviews_is_read_from_the_latest_reviews(
    sleeps: list[float],
) -> None:
    """A repository whose rules require no review answers `reviewDecision: null` on every PR,
    approved or not; the board must not list an approved PR as waiting for review."""
    with FakeGitHub(clock=lambda: CLOCK) as fake:
        fake.add_repo("acme", "api", requires_review=False)
        fake.add_pull("acme", "api", 1, review_decision="APPROVED")
        fake.add_pull("acme", "api", 2, review_decision="CHANGES_REQUESTED")
        fake.add_pull("acme", "api", 3, reviews=["APPROVED", "CHANGES_REQUESTED"])
        fake.add_pull("acme", "api", 4)  # nobody reviewed it yet
        with client_for(fake, sleeps) as client:
            board = client.fetch_board_pull_requests(["acme/api"], since=fake.now)
            lookups = client.fetch_pull_requests([ref("acme/api#1"), ref("acme/api#4")])

    decisions = {pr.number: pr.review_decision for pr in board.data}
    assert decisions == {1: "approved", 2: "changes_requested", 3: "changes_requested", 4: None}
    assert board.requests == 1 and lookups.requests == 1  # derived within the same request
    one = lookups.data["acme/api#1"].pull_request
    assert one is not None and one.review_decision == "approved"
    cycle_end = fake.now
    pr_board = build_pr_board(
        board.data,
        repos=["acme/api"],
        cycle=Cycle(
            meeting_date=cycle_end.date(), starts_at=cycle_end - timedelta(days=7),
            ends_at=cycle_end,
        ),
        now=cycle_end,
        stale_days=7,
        team=[],
    )  # fmt: skip
    assert [pr.number for pr in pr_board.awaiting_review] == [4]


def test_null_entries_in_nodes_lists_are_skipped(github: FakeGitHub, sleeps: list[float]) -> None:
    """GitHub's schema allows nulls inside `nodes` (PRs, commits, reviews); one used to raise
    AttributeError out of the board and fail the digest job."""
    github.add_pull("acme", "api", 1, ci="success", review_decision="APPROVED")
    github.add_pull("acme", "api", 2, merged_at=github.now - timedelta(hours=1))
    github.null_nodes = True
    with client_for(github, sleeps) as client:
        board = client.fetch_board_pull_requests(["acme/api"], since=github.now - timedelta(1))
        lookups = client.fetch_pull_requests([ref("acme/api#1")])
    assert board.problem is None and lookups.problem is None
    assert sorted(pr.number for pr in board.data) == [1, 2]
    one = lookups.data["acme/api#1"].pull_request
    assert one is not None and (one.ci, one.review_decision) == ("success", "approved")


# --- one deadline and one verdict per job (a Phase) ---------------------------------------------


class SteppedClock:
    """A monotonic clock that only moves when the client sleeps (or a test moves it)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def stepped_client(fake: FakeGitHub, clock: SteppedClock, **options: Any) -> GitHubClient:
    return GitHubClient(
        settings_for(fake), sleep=clock.sleep, clock=lambda: CLOCK, monotonic=clock, **options
    )


def test_a_phase_deadline_cuts_the_retries_and_then_nothing_more_is_sent(
    github: FakeGitHub,
) -> None:
    github.inject("server_error", status=503, times=100)
    clock = SteppedClock()
    with stepped_client(github, clock) as client:
        phase = client.phase(5.0)
        board = client.fetch_board_pull_requests(["acme/api"], since=github.now, phase=phase)
        # Tries at 0, 1 and 3 s; the next wait (4 s) would pass the 5 s: no fourth try.
        assert board.requests == 3 and clock.sleeps == [1.0, 2.0]
        assert board.problem == "GitHub is unavailable (HTTP 503) after 3 tries"
        assert phase.down == board.problem
        github.clear_requests()
        billing = fetch_actions_billing(client, "acme", today=TODAY, phase=phase)
        lookups = client.fetch_pull_requests([ref("acme/api#1")], phase=phase)
    assert github.requests == []  # GitHub clearly failed in this phase: nothing more is sent
    assert billing.problem == lookups.problem == board.problem


def test_a_hang_costs_no_more_than_what_is_left_of_the_phase(github: FakeGitHub) -> None:
    github.add_pull("acme", "api", 1)
    github.inject("hang", path="/graphql", delay=30.0, times=10)
    sleeps: list[float] = []
    # The client's own read timeout is 20 s; the phase has 0.5 s: the try is cut to that.
    with client_for(github, sleeps) as client:
        lookups = client.fetch_pull_requests([ref("acme/api#1")], phase=client.phase(0.5))
    assert lookups.requests == 1
    assert lookups.problem is not None
    assert lookups.problem.startswith("GitHub did not answer in time (ReadTimeout)")
    assert lookups.data["acme/api#1"].problem == lookups.problem


def test_a_blip_of_concurrent_errors_does_not_stop_the_phase(
    github: FakeGitHub, sleeps: list[float]
) -> None:
    github.generate_pulls("acme/api", 150, seed=2)
    github.inject("server_error", path="/graphql", status=502, times=2)
    with client_for(github, sleeps) as client:
        phase = client.phase(60.0)
        # Two batches of 100 refs go out together; both fail once, both retry and get through.
        lookups = client.fetch_pull_requests(
            [ref(f"acme/api#{n}") for n in range(1, 151)], phase=phase
        )
    assert lookups.problem is None and phase.down is None
    assert all(lookup.pull_request is not None for lookup in lookups.data.values())
    assert lookups.requests == 4


def test_an_answer_dribbling_past_the_deadline_is_cut(sleeps: list[float]) -> None:
    clock = SteppedClock()

    class Dribble(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for piece in (b'{"lo', b'gin": ', b'"octo', b'cat"}'):
                clock.now += 1.0  # each piece takes a second
                yield piece

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Dribble())

    settings = load_settings(
        {"GITHUB_TOKEN": "ghp_x", "GITHUB_API_URL": "https://api.github.test"}, env_file=None
    )
    with GitHubClient(
        settings, transport=httpx.MockTransport(handler), sleep=clock.sleep, monotonic=clock
    ) as client:
        phase = client.phase(2.5)
        lookups = client.fetch_pull_requests([ref("acme/api#1")], phase=phase)
    assert lookups.problem is not None and "the 2.5 s this job gives GitHub" in lookups.problem
    assert lookups.requests == 1
