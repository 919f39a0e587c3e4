"""Pull request references in what people typed.

Recognised, in order of appearance:
- `https://github.com/owner/repo/pull/123` (also `www.github.com`, `http:`, and with a trailing
  path, query or fragment such as `/files` or `#discussion_r1`), bare or as a Slack link
  `<https://github.com/owner/repo/pull/123|label>` (the span then covers the whole `<…>`).
  Only github.com: the form people paste, whatever GITHUB_API_URL says.
- `owner/repo#123`, `repo#123` and `#123`. `repo#123` takes the owner of the configured repo of that
  name (compared case-insensitively), else the owner of the first configured repo; `#123` means the
  first configured repo. With no configured repos neither short form means anything.
  `PR#123` is `#123` after the word "PR", unless a configured repo is named PR.

Not references:
- `#123` glued to a word or path on its left (`a/b/c#1`, `&#123;`) or followed by a letter or digit
  on its right (`#12abc`); `#0` and numbers beyond GitHub's 32-bit range.
- anything inside another URL or Slack markup (`https://example.com/page#12`, `<#C123|chan>`,
  `https://github.com/o/r/issues/5`): Slack escapes a typed `<`, so `<…>` is always markup.
- the "#1 priority" idiom: a bare `#N` followed by priority/priorities/goal/goals/focus. Any other
  bare `#N` counts: "#1 is ready" and "#1 needs review" cannot be told apart, and a wrong guess
  costs one "not found" line, while a missed PR costs the reader the link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from digests.models import GITHUB_LOGIN, GITHUB_REPO, PullRequestRef

MAX_NUMBER = 2**31 - 1  # GraphQL Int
OWNER = GITHUB_LOGIN
REPO = GITHUB_REPO
NUMBER = r"[1-9][0-9]{0,9}"
RANKING_WORDS = ("priority", "priorities", "goal", "goals", "focus")

_PR_URL = re.compile(
    rf"https?://(?:www\.)?github\.com/(?P<owner>{OWNER})/(?P<repo>{REPO})/pull/(?P<number>{NUMBER})"
    r"(?![0-9A-Za-z_-])",
    re.IGNORECASE,
)
# One scan: Slack markup and URLs are consumed whole, so nothing inside them is read as `#123`.
_TOKENS = re.compile(
    r"(?P<slack><(?P<target>[^<>|\s]+)(?:\|[^<>]*)?>)"
    r"|(?P<url>https?://[^\s<>]+)"
    rf"|(?<![\w./&#-])(?:(?:(?P<owner>{OWNER})/)?(?P<repo>{REPO}))?#(?P<number>{NUMBER})"
    r"(?![\w-])"
)
_RANKING_AFTER = re.compile(rf"\s+(?:{'|'.join(RANKING_WORDS)})\b", re.IGNORECASE)
_URL_TAIL = re.compile(r"(?:[/?#][^\s<>]*)?")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def find_pr_refs(
    text: str, *, repos: Sequence[str]
) -> list[tuple[tuple[int, int], PullRequestRef]]:
    """Every PR reference in `text` with its (start, end) span, in order of appearance."""
    found: list[tuple[tuple[int, int], PullRequestRef]] = []
    for match in _TOKENS.finditer(text):
        if match.group("slack") is not None:
            ref = _ref_from_url(match.group("target"), repos)
            span = match.span()
        elif match.group("url") is not None:
            ref, length = _ref_from_bare_url(match.group("url"), repos)
            span = (match.start(), match.start() + length)
        else:
            ref = _ref_from_short_form(match, text, repos)
            span = match.span()
        if ref is not None:
            found.append((span, ref))
    return found


def unique_refs(texts: Iterable[str], *, repos: Sequence[str]) -> list[PullRequestRef]:
    """The references of all `texts`, each once, in first-seen order."""
    seen: dict[str, PullRequestRef] = {}
    for text in texts:
        for _, ref in find_pr_refs(text, repos=repos):
            seen.setdefault(ref.key, ref)
    return list(seen.values())


def _ref_from_url(url: str, repos: Sequence[str]) -> PullRequestRef | None:
    """A Slack link's target: the whole URL must be a PR URL, with or without a tail."""
    match = _PR_URL.match(url)
    if match is None or not _URL_TAIL.fullmatch(url, match.end()):
        return None
    return _make_ref(match.group("owner"), match.group("repo"), match.group("number"), repos)


def _ref_from_bare_url(url: str, repos: Sequence[str]) -> tuple[PullRequestRef | None, int]:
    """A URL in running text: the ref and how much of `url` it spans (its tail included, trailing
    punctuation and glued-on text such as the `)` of "(https://…/pull/1)" left out)."""
    match = _PR_URL.match(url)
    if match is None:
        return None, len(url)
    tail = _URL_TAIL.match(url, match.end())
    end = match.end()
    if tail is not None:
        end = max(end, len(url[: tail.end()].rstrip(_TRAILING_PUNCTUATION)))
    ref = _make_ref(match.group("owner"), match.group("repo"), match.group("number"), repos)
    return ref, end


def _ref_from_short_form(
    match: re.Match[str], text: str, repos: Sequence[str]
) -> PullRequestRef | None:
    owner, repo = match.group("owner"), match.group("repo")
    if owner is None and not repos:
        return None  # `#123` and `repo#123` mean nothing without configured repos
    if (
        owner is None
        and repo is not None
        and repo.casefold() == "pr"
        and not _configured(repo, repos)
    ):
        repo = None  # "PR#12" is the word PR, not a repo named "PR"
    if repo is None:
        if _RANKING_AFTER.match(text, match.end()):
            return None
        owner, repo = repos[0].split("/", 1)
    elif owner is None:
        owner = _owner_of_repo_named(repo, repos)
    return _make_ref(owner, repo, match.group("number"), repos)


def _configured(name: str, repos: Sequence[str]) -> bool:
    return any(full_name.split("/", 1)[1].casefold() == name.casefold() for full_name in repos)


def _owner_of_repo_named(name: str, repos: Sequence[str]) -> str:
    for full_name in repos:
        owner, repo = full_name.split("/", 1)
        if repo.casefold() == name.casefold():
            return owner
    return repos[0].split("/", 1)[0]


def _make_ref(owner: str, repo: str, number: str, repos: Sequence[str]) -> PullRequestRef | None:
    value = int(number)
    if value > MAX_NUMBER:
        return None
    # Spell a configured repo the way the configuration does, so keys de-duplicate.
    for full_name in repos:
        if full_name.casefold() == f"{owner}/{repo}".casefold():
            owner, repo = full_name.split("/", 1)
            break
    return PullRequestRef(owner=owner, repo=repo, number=value)
