"""The fake GitHub itself: it must speak GitHub's shapes, or the client tests prove nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.fakes.github import FakeGitHub, usage_items
from tests.harness import wait_for


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("acme", "api")
        yield fake


@pytest.fixture
def http(github: FakeGitHub) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {github.token}"}
    with httpx.Client(base_url=github.url, headers=headers, timeout=5.0) as client:
        yield client


def graphql(http: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


# --- GraphQL -----------------------------------------------------------------------------------


def test_aliases_fragments_and_variables(github: FakeGitHub, http: httpx.Client) -> None:
    github.add_pull("acme", "api", 7, title="Seven", ci="failure", review_decision="APPROVED")
    body = graphql(
        http,
        """
        query Q($number: Int!) {
          first: repository(owner: "acme", name: "api") { pullRequest(number: $number) { ...F } }
          again: repository(owner: "ACME", name: "API") {
            nameWithOwner
            pr: pullRequest(number: 7) { ... on PullRequest { title } __typename }
          }
        }
        fragment F on PullRequest {
          number title state isDraft merged reviewDecision author { login }
          commits(last: 1) { nodes { commit { statusCheckRollup { state } } } }
        }
        """,
        number=7,
    )
    assert "errors" not in body
    assert body["data"] == {
        "first": {
            "pullRequest": {
                "number": 7,
                "title": "Seven",
                "state": "OPEN",
                "isDraft": False,
                "merged": False,
                "reviewDecision": "APPROVED",
                "author": {"login": "octocat"},
                "commits": {"nodes": [{"commit": {"statusCheckRollup": {"state": "FAILURE"}}}]},
            }
        },
        "again": {
            "nameWithOwner": "acme/api",
            "pr": {"title": "Seven", "__typename": "PullRequest"},
        },
    }


def test_missing_repository_and_pr_are_null_with_not_found_errors(http: httpx.Client) -> None:
    body = graphql(
        http,
        '{ a: repository(owner: "acme", name: "api") { p1: pullRequest(number: 1) { title } }'
        '  b: repository(owner: "acme", name: "ghost") { name } }',
    )
    assert body["data"] == {"a": {"p1": None}, "b": None}
    assert [(e["type"], e["path"]) for e in body["errors"]] == [
        ("NOT_FOUND", ["a", "p1"]),
        ("NOT_FOUND", ["b"]),
    ]
    assert (
        body["errors"][0]["message"] == "Could not resolve to a PullRequest with the number of 1."
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{ repository(owner: "acme", name: "api") { nope } }', "Field 'nope' doesn't exist"),
        ('{ repository(owner: "acme", name: "api") { pullRequests { totalCount } } }',
         "You must provide a `first` or `last` value"),
        ('{ repository(owner: "acme", name: "api") { pullRequests(first: 101) { totalCount } } }',
         "exceeds the `first` limit of 100 records"),
        ('{ repository(owner: "acme", name: "api") { name { x } } }', "Selections can't be made"),
        ('{ repository(owner: "acme", name: "api") { owner } }', "Field must have selections"),
        ('{ repository(owner: "acme", name: "api") { ...Missing } }', "Fragment Missing was used"),
        ('{ repository(owner: "acme" name: "api") { name }', 'Parse error on "end of query"'),
        ("mutation { addStar }", "queries only"),
    ],
)  # fmt: skip
def test_invalid_queries_are_refused_whole(http: httpx.Client, query: str, message: str) -> None:
    body = graphql(http, query)
    assert "data" not in body
    assert message in body["errors"][0]["message"]


def test_pull_requests_connection_pages_filters_and_orders(
    github: FakeGitHub, http: httpx.Client
) -> None:
    for number in range(1, 251):
        moment = github.now - timedelta(hours=number)
        state = "open" if number % 5 else "closed"
        github.add_pull("acme", "api", number, state=state, created_at=moment, updated_at=moment)
    query = """query($after: String) { repository(owner: "acme", name: "api") {
        pullRequests(first: 100, after: $after, states: [OPEN],
                     orderBy: {field: UPDATED_AT, direction: DESC}) {
          totalCount pageInfo { hasNextPage endCursor } nodes { number updatedAt } } } }"""
    numbers: list[int] = []
    after = None
    pages = 0
    while True:
        page = graphql(http, query, after=after)["data"]["repository"]["pullRequests"]
        pages += 1
        assert page["totalCount"] == 200
        numbers += [node["number"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 2
    assert numbers == [n for n in range(1, 251) if n % 5]  # newest update first, no overlap


def test_rate_limit_costs_points_by_githubs_rule(github: FakeGitHub, http: httpx.Client) -> None:
    github.add_pull("acme", "api", 1)
    query = """{ rateLimit { cost remaining resetAt }
      a: repository(owner: "acme", name: "api") { pullRequests(first: 100) {
        nodes { commits(last: 1) { nodes { commit { oid } } } } } }
      b: repository(owner: "acme", name: "api") { pullRequests(first: 100) { totalCount } } }"""
    # 2 connections + 100 nested commit connections = 102 requests → 1 point.
    first = graphql(http, query)["data"]["rateLimit"]
    second = graphql(http, query)["data"]["rateLimit"]
    assert (first["cost"], first["remaining"], second["remaining"]) == (1, 4999, 4998)

    github.graphql_remaining = 0
    limited = graphql(http, query)
    assert limited["errors"][0]["type"] == "RATE_LIMITED"


def test_graphql_needs_the_token(github: FakeGitHub) -> None:
    with httpx.Client(base_url=github.url) as anonymous:
        response = anonymous.post("/graphql", json={"query": "{ viewer { login } }"})
    assert response.status_code == 401
    assert response.json()["message"] == "Bad credentials"


def test_null_review_decision_and_null_nodes_as_github_can_answer(
    github: FakeGitHub, http: httpx.Client
) -> None:
    github.add_repo("acme", "loose", requires_review=False)
    github.add_pull("acme", "loose", 1, review_decision="APPROVED", ci="success")
    github.null_nodes = True
    body = graphql(
        http,
        """{ repository(owner: "acme", name: "loose") {
          pullRequests(first: 10) { nodes { number reviewDecision
            commits(last: 1) { nodes { commit { statusCheckRollup { state } } } }
            latestOpinionatedReviews(last: 5, writersOnly: true) { nodes { state } } } } } }""",
    )
    nodes = body["data"]["repository"]["pullRequests"]["nodes"]
    assert nodes[0] is None
    assert nodes[1]["reviewDecision"] is None  # no review required: null, approved or not
    assert nodes[1]["latestOpinionatedReviews"]["nodes"] == [None, {"state": "APPROVED"}]
    assert nodes[1]["commits"]["nodes"][0] is None


# --- REST --------------------------------------------------------------------------------------


def test_rest_pulls_paginate_by_link_header(github: FakeGitHub, http: httpx.Client) -> None:
    made = github.generate_pulls("acme/api", 250, seed=3)
    url: str | None = "/repos/acme/api/pulls?state=all&sort=updated&direction=desc&per_page=100"
    seen: list[dict[str, Any]] = []
    while url:
        response = http.get(url)
        assert response.status_code == 200
        seen += response.json()
        url = response.links.get("next", {}).get("url")
    assert len(seen) == 250 == len(made)
    assert github.count("/repos/acme/api/pulls") == 3
    updated = [pull["updated_at"] for pull in seen]
    assert updated == sorted(updated, reverse=True)
    assert {"number", "state", "draft", "merged_at", "user", "html_url", "head"} <= set(seen[0])


def test_one_pull_by_number(github: FakeGitHub, http: httpx.Client) -> None:
    github.add_pull("acme", "api", 3, title="Three", draft=True)
    pull = http.get("/repos/acme/api/pulls/3").json()
    assert (pull["number"], pull["title"], pull["draft"], pull["state"]) == (
        3,
        "Three",
        True,
        "open",
    )
    assert http.get("/repos/acme/api/pulls/4").status_code == 404


def test_combined_status_for_a_head_sha(github: FakeGitHub, http: httpx.Client) -> None:
    pull = github.add_pull("acme", "api", 1, ci="failure")
    bare = github.add_pull("acme", "api", 2, ci=None)
    assert http.get(f"/repos/acme/api/commits/{pull.head_sha}/status").json()["state"] == "failure"
    no_checks = http.get(f"/repos/acme/api/commits/{bare.head_sha}/status").json()
    assert (no_checks["state"], no_checks["total_count"]) == ("pending", 0)


def test_etag_then_304_costs_no_rate_limit(github: FakeGitHub, http: httpx.Client) -> None:
    first = http.get("/repos/acme/api")
    etag = first.headers["etag"]
    second = http.get("/repos/acme/api", headers={"If-None-Match": etag})
    assert (first.status_code, second.status_code, second.content) == (200, 304, b"")
    assert first.headers["x-ratelimit-remaining"] == "4999"
    assert second.headers["x-ratelimit-remaining"] == "4999"
    assert {"x-ratelimit-limit", "x-ratelimit-reset", "x-ratelimit-used"} <= set(second.headers)
    github.add_repo("acme", "api", private=True)  # the answer changes: the old ETag no longer fits
    assert http.get("/repos/acme/api", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("shape", ["documented", "observed"])
def test_billing_usage_shapes(github: FakeGitHub, http: httpx.Client, shape: Any) -> None:
    github.set_billing("acme", usage_items("acme", {date(2026, 2, 1): 300}, days=3), shape=shape)
    rows = http.get(
        "/organizations/acme/settings/billing/usage", params={"year": 2026, "month": 2}
    ).json()["usageItems"]
    none = http.get("/organizations/acme/settings/billing/usage?year=2026&month=3").json()
    assert len(rows) == 3 and none == {"usageItems": []}
    if shape == "documented":
        assert (rows[0]["date"], rows[0]["product"], rows[0]["quantity"]) == (
            "2026-02-01",
            "Actions",
            100,
        )
        assert rows[0]["repositoryName"] == "acme/api"
    else:
        assert (rows[0]["date"], rows[0]["product"]) == ("2026-02-01T00:00:00Z", "actions")
        assert isinstance(rows[0]["quantity"], float) and rows[0]["repositoryName"] == "api"


def test_billing_refusals(github: FakeGitHub, http: httpx.Client) -> None:
    github.set_billing("acme", [])
    github.set_billing_access("acme", 403)
    assert http.get("/organizations/acme/settings/billing/usage").status_code == 403
    assert http.get("/organizations/other/settings/billing/usage").status_code == 404


# --- faults and lifecycle ----------------------------------------------------------------------


def test_faults_match_path_and_method_and_run_out(github: FakeGitHub, http: httpx.Client) -> None:
    github.inject("server_error", path="/user", method="GET", status=503, times=2)
    github.inject("secondary_limit", path="/graphql", retry_after=9)
    assert http.get("/repos/acme/api").status_code == 200
    assert [http.get("/user").status_code for _ in range(3)] == [503, 503, 200]
    limited = http.post("/graphql", json={"query": "{ viewer { login } }"})
    assert (limited.status_code, limited.headers["retry-after"]) == (403, "9")
    assert "secondary rate limit" in limited.json()["message"]
    assert [r.status for r in github.requests] == [200, 503, 503, 200, 403]


def test_recorded_requests_have_method_path_query_headers_body(
    github: FakeGitHub, http: httpx.Client
) -> None:
    http.post("/graphql?x=1", json={"query": "{ viewer { login } }"}, headers={"X-Test": "yes"})
    [request] = github.requests
    assert (request.method, request.path, request.query) == ("POST", "/graphql", {"x": ["1"]})
    assert request.headers["x-test"] == "yes"
    assert request.json() == {"query": "{ viewer { login } }"}


def test_stop_is_clean_even_with_a_request_hanging() -> None:
    """stop() wakes a hang that is still being waited for, and joins its thread before it
    returns (the request threads were daemons, which socketserver never joins: the thread count
    was checked while the woken handler was still unwinding, 1 run in 3 on a loaded machine)."""
    before = threading.active_count()
    fake = FakeGitHub().start()
    fake.inject("hang", delay=30.0)
    outcome: list[BaseException | int] = []

    def ask() -> None:
        with httpx.Client(timeout=60.0) as client:
            try:
                outcome.append(client.get(fake.url + "/user").status_code)
            except httpx.HTTPError as error:
                outcome.append(error)

    asker = threading.Thread(target=ask)
    asker.start()
    wait_for(lambda: fake.count("/user") == 1, what="the request to reach the fake")
    fake.stop()
    asker.join()
    # Woken, not answered: the 200 would only have come after the 30 s hang.
    assert [type(o) for o in outcome] == [httpx.RemoteProtocolError]
    assert threading.active_count() == before
    assert [r.status for r in fake.requests] == [None]


def test_stop_is_clean_after_the_client_gave_up_on_a_hang() -> None:
    before = threading.active_count()
    fake = FakeGitHub().start()
    fake.inject("hang", delay=30.0)
    with httpx.Client(timeout=0.2) as client, pytest.raises(httpx.ReadTimeout):
        client.get(fake.url + "/user")
    # The request reaches the fake even when it is accepted after the client left.
    wait_for(lambda: fake.count("/user") == 1, what="the request to reach the fake")
    fake.stop()
    assert threading.active_count() == before
    assert [r.status for r in fake.requests] == [None]
