"""PR references in standup text: examples of each form and of non-references, and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from digests.models import GITHUB_LOGIN, PullRequestRef
from digests.pr_refs import find_pr_refs, unique_refs

REPOS = ("acme/api", "acme/web", "other/tools")


def refs(text: str, repos: tuple[str, ...] = REPOS) -> list[tuple[str, str]]:
    """(the text each span covers, the ref's key)"""
    return [(text[start:end], ref.key) for (start, end), ref in find_pr_refs(text, repos=repos)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fixed #12", [("#12", "acme/api#12")]),
        ("(#12), #13.", [("#12", "acme/api#12"), ("#13", "acme/api#13")]),
        ("web#3 ships", [("web#3", "acme/web#3")]),
        ("tools#3", [("tools#3", "other/tools#3")]),
        ("WEB#3", [("WEB#3", "acme/web#3")]),
        ("mystery#4", [("mystery#4", "acme/mystery#4")]),  # unknown name: first repo's owner
        ("see octo/cat#5", [("octo/cat#5", "octo/cat#5")]),
        ("Acme/API#6", [("Acme/API#6", "acme/api#6")]),  # spelled as configured
        ("PR#7 is up", [("PR#7", "acme/api#7")]),
        (
            "https://github.com/octo/cat/pull/8",
            [("https://github.com/octo/cat/pull/8", "octo/cat#8")],
        ),
        (
            "look: https://www.github.com/octo/cat/pull/8/files?w=1#diff-1.",
            [("https://www.github.com/octo/cat/pull/8/files?w=1#diff-1", "octo/cat#8")],
        ),
        (
            "(http://github.com/octo/cat/pull/9)",
            [("http://github.com/octo/cat/pull/9", "octo/cat#9")],
        ),
        (
            "<https://github.com/octo/cat/pull/10|the #10 fix> and <https://github.com/o/r/pull/11>",
            [
                ("<https://github.com/octo/cat/pull/10|the #10 fix>", "octo/cat#10"),
                ("<https://github.com/o/r/pull/11>", "o/r#11"),
            ],
        ),
        ("#1 needs review", [("#1", "acme/api#1")]),
    ],
)
def test_each_form_is_found_with_its_span(text: str, expected: list[tuple[str, str]]) -> None:
    assert refs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "#1 priority this week",
        "my #2 goal",
        "https://example.com/page#12",
        "<https://example.com/a#12|see #12>",
        "https://github.com/acme/api/issues/12",
        "<https://github.com/acme/api/pull/12x|x>",
        "<#C0123|general>",
        "<@U123> ",
        "a/b/c#12",
        "&#123;",
        "#12abc #12-fix",
        "#0 and abc# and #",
        "##12",
        "#99999999999",
        "C# 10",
    ],
)
def test_not_references(text: str) -> None:
    assert refs(text) == []


def test_short_forms_need_configured_repos() -> None:
    assert refs("#12 and web#3", repos=()) == []
    assert refs("octo/cat#5 https://github.com/o/r/pull/1", repos=()) == [
        ("octo/cat#5", "octo/cat#5"),
        ("https://github.com/o/r/pull/1", "o/r#1"),
    ]


def test_a_repo_named_pr_wins_over_the_word() -> None:
    assert refs("PR#7", repos=("acme/api", "acme/pr")) == [("PR#7", "acme/pr#7")]


def test_unique_refs_keeps_first_seen_order() -> None:
    texts = ["#3 then web#1", "https://github.com/acme/api/pull/3 and acme/web#1", "octo/x#2"]
    assert [ref.key for ref in unique_refs(texts, repos=REPOS)] == [
        "acme/api#3",
        "acme/web#1",
        "octo/x#2",
    ]


# --- properties -------------------------------------------------------------------------------

# Logins as GitHub allows them (the one pattern the code uses too), kept short for speed.
OWNERS = st.from_regex(GITHUB_LOGIN, fullmatch=True).filter(lambda owner: len(owner) <= 13)
REPO_NAMES = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,12}", fullmatch=True)
NUMBERS = st.integers(min_value=1, max_value=2**31 - 1)
# Slack escapes a typed < and >, so they never appear in text except as markup.
PLAIN_TEXT = st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=40)
RANKING = re.compile(r"\s*(priority|priorities|goal|goals|focus)\b", re.IGNORECASE)
FIRST = "first-owner/first-repo"


def render(form: str, owner: str, repo: str, number: int, label: str) -> str:
    url = f"https://github.com/{owner}/{repo}/pull/{number}"
    return {
        "bare": f"#{number}",
        "repo": f"{repo}#{number}",
        "full": f"{owner}/{repo}#{number}",
        "url": url,
        "url_files": f"{url}/files",
        "url_query": f"{url}?w=1",
        "url_fragment": f"{url}#discussion_r{number}",
        "slack": f"<{url}|{label}>",
        "slack_bare": f"<{url}>",
    }[form]


@given(text=st.text(max_size=300), repos=st.sampled_from([(), REPOS, ("a/b",)]))
def test_never_raises_and_spans_are_ordered_and_in_bounds(
    text: str, repos: tuple[str, ...]
) -> None:
    found = find_pr_refs(text, repos=repos)
    previous_end = 0
    for (start, end), ref in found:
        assert previous_end <= start < end <= len(text)
        assert ref.number >= 1
        previous_end = end


@given(
    owner=OWNERS,
    repo=REPO_NAMES,
    number=NUMBERS,
    form=st.sampled_from(
        ["bare", "repo", "full", "url", "url_files", "url_query", "url_fragment", "slack"]
        + ["slack_bare"]
    ),
    label=PLAIN_TEXT,
    prefix=PLAIN_TEXT,
    suffix=PLAIN_TEXT,
    left=st.sampled_from([" ", "\n", " (", "\t"]),
    right=st.sampled_from([" ", "\n", ") ", ". ", ", ", "? "]),
)
def test_round_trip_every_form(
    owner: str,
    repo: str,
    number: int,
    form: str,
    label: str,
    prefix: str,
    suffix: str,
    left: str,
    right: str,
) -> None:
    assume(repo.casefold() != FIRST.split("/")[1])
    # `#N` means the first configured repo; `repo#N` the configured repo of that name.
    repos = (f"{owner}/{repo}", FIRST) if form == "bare" else (FIRST, f"{owner}/{repo}")
    if form == "bare":
        assume(not RANKING.match(suffix if right.strip() == "" else ""))
    rendered = render(form, owner, repo, number, label)
    text = prefix + left + rendered + right + suffix
    start = len(prefix + left)

    found = find_pr_refs(text, repos=repos)

    expected = PullRequestRef(owner=owner, repo=repo, number=number)
    assert ((start, start + len(rendered)), expected) in found


FRAGMENTS = st.sampled_from(
    ["#12", "web#3", "o/r#4", "https://github.com/o/r/pull/5/files", "<https://github.com/o/r/pull/6|x>",
     "abc#", "#1 priority", "https://e.com/#7", " ", "\n", "(", ")", ".", "word", "#", "/"]
)  # fmt: skip


@given(pieces=st.lists(st.one_of(FRAGMENTS, PLAIN_TEXT), max_size=12))
def test_each_span_alone_is_the_same_reference(pieces: list[str]) -> None:
    text = "".join(pieces)
    for (start, end), ref in find_pr_refs(text, repos=REPOS):
        assert [found for _, found in find_pr_refs(text[start:end], repos=REPOS)] == [ref]
