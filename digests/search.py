"""Searching what people wrote: their words as a safe FTS5 query, and FTS5's snippets back
as parts to bold. Pure.

Words become quoted FTS5 strings (so nothing anyone types is FTS5 syntax), all of which must
match; the porter tokenizer of the index stems both sides, so "deploying" finds "deployed".
"""

from __future__ import annotations

import re

from digests.models import SnippetPart

# Marks FTS5's snippet() puts around matched words: control characters that Slack's text
# inputs never produce.
MATCH_START = "\x02"
MATCH_END = "\x03"
MAX_SEARCH_WORDS = 12
MAX_WORD_CHARS = 60

_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(words: str) -> list[str]:
    """The words that are searched for, in order, each once."""
    terms: dict[str, None] = {}
    for word in _WORD.findall(words.casefold()):
        terms.setdefault(word[:MAX_WORD_CHARS], None)
    return list(terms)[:MAX_SEARCH_WORDS]


def fts_query(words: str) -> str | None:
    """An FTS5 MATCH expression for `words` (every word must occur in the text column), None
    when there are none."""
    terms = search_terms(words)
    if not terms:
        return None
    return "text : (" + " ".join(fts_phrase(term) for term in terms) + ")"


def fts_phrase(text: str) -> str:
    """`text` as one FTS5 string: quoted, inner quotes doubled, NULs dropped (never FTS5
    syntax, never an unterminated string)."""
    return '"' + text.replace("\x00", "").replace('"', '""') + '"'


def snippet_parts(snippet: str) -> tuple[SnippetPart, ...]:
    """A snippet marked with MATCH_START/MATCH_END as plain and matched parts."""
    parts: list[SnippetPart] = []
    matched = False
    for piece in re.split(f"([{MATCH_START}{MATCH_END}])", snippet):
        if piece == MATCH_START:
            matched = True
        elif piece == MATCH_END:
            matched = False
        elif piece:
            if parts and parts[-1].matched == matched:
                parts[-1] = SnippetPart(text=parts[-1].text + piece, matched=matched)
            else:
                parts.append(SnippetPart(text=piece, matched=matched))
    return tuple(parts)
