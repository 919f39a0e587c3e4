"""escape_mrkdwn: what people typed reaches Slack as plain text that cannot ping or link."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digests.escape import (
    BIDI_CONTROLS,
    ELLIPSIS,
    WORD_JOINER,
    clip,
    clip_mrkdwn,
    escape_mrkdwn,
    neutralise,
    split_mrkdwn,
)

BROADCAST = re.compile(r"(?<![\w.+\-])@(channel|here|everyone)", re.IGNORECASE)
ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")

# Text people could type, leaning towards the characters that matter here.
typed = st.lists(
    st.one_of(
        st.sampled_from(list("<>&@!|^#*_~`:/ \n") + ["channel", "here", "everyone", "@channel"]),
        st.characters(blacklist_characters=WORD_JOINER, blacklist_categories=("Cs",)),
    ),
    max_size=40,
).map("".join)


def unescape(text: str) -> str:
    without_joiners = text.replace("@" + WORD_JOINER, "@")
    return without_joiners.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.mark.parametrize(
    ("typed_text", "expected"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!here> <!everyone>", "&lt;!here&gt; &lt;!everyone&gt;"),
        ("<!subteam^S1> ping", "&lt;!subteam^S1&gt; ping"),
        ("<@U1|x>", "&lt;@U1|x&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&lt; stays visible", "&amp;lt; stays visible"),
        ("*bold* _it_ ~s~ `code` :tada:", "*bold* _it_ ~s~ `code` :tada:"),
        ("@channel please", f"@{WORD_JOINER}channel please"),
        ("hey @Here and (@EVERYONE)", f"hey @{WORD_JOINER}Here and (@{WORD_JOINER}EVERYONE)"),
        ("ops@here.example stays an address", "ops@here.example stays an address"),
        ("@hesham is a person, not a broadcast", "@hesham is a person, not a broadcast"),
    ],
)
def test_escape_examples(typed_text: str, expected: str) -> None:
    assert escape_mrkdwn(typed_text) == expected


@given(typed)
def test_escaped_text_has_no_markup_and_shows_what_was_typed(text: str) -> None:
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    assert not ENTITY.search(escaped), "every & must start one of Slack's three entities"
    assert not BROADCAST.search(escaped)
    assert unescape(escaped) == neutralise(text)


# Characters that reorder or hide text: bidi embeddings, overrides and isolates, and controls.
HOSTILE = [*BIDI_CONTROLS, "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b"]
CONTROL_OR_BIDI = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_bidi_overrides_and_controls_are_removed() -> None:
    name = "Mallory\u202etxt.exe\u202c"
    assert escape_mrkdwn(name) == "Mallorytxt.exe"
    assert neutralise("a\x00b\tc\r\nd\u2028e") == "ab c\nd\ne"
    # The marks right-to-left writers need stay.
    assert neutralise("\u05e9\u05dc\u05d5\u05dd\u200f!") == "\u05e9\u05dc\u05d5\u05dd\u200f!"


@given(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=5)), max_size=30).map("".join))
def test_nothing_that_reorders_or_hides_text_survives_escaping(text: str) -> None:
    assert not CONTROL_OR_BIDI.search(escape_mrkdwn(text))
    assert neutralise(neutralise(text)) == neutralise(text)


@given(typed, st.integers(min_value=16, max_value=80))
def test_split_mrkdwn_keeps_everything_and_breaks_no_entity(text: str, limit: int) -> None:
    escaped = escape_mrkdwn(text)
    pieces = split_mrkdwn(escaped, limit)
    assert "".join(pieces) == escaped
    assert all(len(piece) <= limit for piece in pieces)
    assert all(not ENTITY.search(piece) for piece in pieces)
    assert all(not re.search(r"&[a-z]*$", piece) for piece in pieces[:-1])


@given(typed, st.integers(min_value=2, max_value=60))
def test_clip_mrkdwn_never_breaks_an_entity(text: str, limit: int) -> None:
    escaped = escape_mrkdwn(text)
    cut = clip_mrkdwn(escaped, limit)
    assert len(cut) <= limit
    assert not ENTITY.search(cut)
    if cut != escaped:
        assert cut.endswith(ELLIPSIS)


def test_clip_mrkdwn_keeps_a_link_whole_or_drops_it() -> None:
    text = "see <https://github.com/acme/api/pull/12|acme/api#12> now"
    assert clip_mrkdwn(text, 20) == "see" + ELLIPSIS
    assert clip_mrkdwn(text, len(text)) == text


def test_clip_plain_text() -> None:
    assert clip("short", 10) == "short"
    assert clip("a long sentence here", 8) == "a long" + ELLIPSIS
    assert len(clip("x" * 500, 100)) == 100
