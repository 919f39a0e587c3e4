"""Is this line the same piece of work as that one? Pure.

Used to follow a promise (a Next item) into the next cycle's Done or Next, and a blocker into the
next cycle's blockers. Two rules, in order:

1. **Pull requests decide.** When both lines name pull requests (`#123`, `repo#123`, a PR link),
   they are the same work exactly when they share one, whatever the words around them.
2. **Otherwise the words do.** Both lines are reduced to their content words (lower case, Snowball
   English stems, without articles, prepositions and progress words such as "finish", "continue"
   or "still"), and rapidfuzz's token-set ratio of the two must reach `MATCH_THRESHOLD`.

The threshold was chosen on `tests/data/promise_pairs.tsv`, 136 hand-labelled pairs of lines teams
type (tense changes, reordering, extra detail, near misses on the same topic): at 90 it gives
precision 1.00 and recall 0.99 there (`benchmarks/promise_matching.py` prints the whole curve;
docs/BENCHMARKS.md has the table). Different work scores up to 86.5 ("Add unit tests for the
pricing module" / "… for the search module"), the same work from 93.8 up but for one abbreviation
("OpenTelemetry" / "OTel", 83.9); 90 sits in that gap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from digests.pr_refs import find_pr_refs

MATCH_THRESHOLD = 90.0

# Words that say nothing about which piece of work it is: articles, prepositions, pronouns, how
# far along it is ("finish", "continue", "still", "wip") and how it is stuck ("waiting on",
# "blocked by", "need"), since a promise is typed as a plan and reported back in another tense,
# and a blocker is reported again with different words for the same wait.
STOPWORDS = frozenset(
    {
        "a", "an", "the", "to", "for", "of", "on", "in", "into", "onto", "and", "or", "with", "at",
        "by", "from", "my", "our", "is", "it", "be", "that", "this", "now", "new", "v",
        "finish", "continu", "keep", "still", "start", "wip", "more", "work", "get", "done",
        "wait", "block", "need",
    }
)  # fmt: skip

_WORD = re.compile(r"[a-z0-9]+(?:[._#/+-][a-z0-9]+)*")


# Both libraries are imported when first needed, not when the server starts: snowballstemmer
# loads the stemmers of every language it has (8.5 MB resident), rapidfuzz 7 MB, and an idle
# server compares no lines.
@lru_cache(maxsize=1)
def _english_stemmer() -> Callable[[str], str]:
    import snowballstemmer

    return snowballstemmer.stemmer("english").stemWord  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _token_set_ratio() -> Callable[[str, str], float]:
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio


# A digest compares each of ~200 people's promises and blockers with their lines of up to nine
# cycles, each line many times: both per-line steps are cached (about 10,000 distinct lines).
CACHE_LINES = 16_384


def content_words(text: str) -> tuple[str, ...]:
    """The words that identify the work, stemmed: "Deployed the new workers" → (deploy, worker)."""
    return _content_words(text.casefold())


@lru_cache(maxsize=CACHE_LINES)
def _content_words(folded: str) -> tuple[str, ...]:
    words = []
    for word in _WORD.findall(folded):
        # Identifiers (test_export_csv, web#1190, 3.15) are kept as typed; words are stemmed.
        stem = word if not word.isalpha() else _stem(word)
        if stem not in STOPWORDS:
            words.append(stem)
    return tuple(words)


# The Snowball stemmer is pure Python (~70 µs a word); a team's lines reuse a few thousand words.
@lru_cache(maxsize=CACHE_LINES)
def _stem(word: str) -> str:
    return str(_english_stemmer()(word))


def similarity(a: str, b: str) -> float:
    """0–100: rapidfuzz's token-set ratio of the two lines' content words; 0 if either has none."""
    left, right = content_words(a), content_words(b)
    if not left or not right:
        return 0.0
    return float(_token_set_ratio()(" ".join(left), " ".join(right)))


def pull_request_keys(text: str, *, repos: Sequence[str]) -> frozenset[str]:
    """The pull requests a line names, as `owner/repo#N` (case-folded)."""
    return _pull_request_keys(text, tuple(repos))


@lru_cache(maxsize=CACHE_LINES)
def _pull_request_keys(text: str, repos: tuple[str, ...]) -> frozenset[str]:
    return frozenset(ref.key.casefold() for _, ref in find_pr_refs(text, repos=repos))


def same_work(a: str, b: str, *, repos: Sequence[str]) -> bool:
    """Whether two lines are the same piece of work (the two rules of this module)."""
    if not a.strip() or not b.strip():
        return False
    refs_a, refs_b = pull_request_keys(a, repos=repos), pull_request_keys(b, repos=repos)
    if refs_a and refs_b:
        return bool(refs_a & refs_b)
    return similarity(a, b) >= MATCH_THRESHOLD


def first_match(line: str, candidates: Iterable[str], *, repos: Sequence[str]) -> str | None:
    """The first of `candidates` that is the same work as `line`, if any."""
    return next((c for c in candidates if same_work(line, c, repos=repos)), None)
