"""Making what people typed inert in Slack mrkdwn, and cutting it to Slack's limits.

Slack's mrkdwn has three control characters, `&`, `<` and `>`: every mention, broadcast and link
is spelled `<…>`. Escaping them (`&amp;`, `&lt;`, `&gt;`) turns `<!channel>`, `<!here>`,
`<!everyone>`, `<!subteam^S1>`, `<@U1|x>` and `<https://evil|click>` into plain text.

A bare `@channel`, `@here` or `@everyone` has no `<…>` to escape, and Slack may still parse it
(text objects default to `verbatim: false`, and a stray `link_names` would do it too). Decision: put
an invisible WORD JOINER (U+2060) right after the `@`. It renders as nothing, does not change line
breaking, and Slack no longer sees the keyword. Only a `@` that starts a word is touched, so e-mail
addresses (`ops@here.example`) stay as typed. The bot never sends `link_names`.

Control characters are removed before anything else (`neutralise`): NUL and the other C0/C1
controls (a tab becomes a space; line breaks stay), and the bidirectional embeddings, overrides
and isolates (U+202A–U+202E, U+2066–U+2069), which would let a name or an item reverse the rest
of the line it is shown in. The bidi *marks* (U+200E, U+200F, U+061C) stay: they cannot reverse
a run, and right-to-left writers need them. Every renderer (Block Kit, Markdown, the views, the
DMs, the export) calls `neutralise` on what people typed, and parsing does it on the way in.

Formatting characters (`*`, `_`, `~`, backticks) are left alone: they cannot ping or link, and
people use them on purpose.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
ELLIPSIS = "\u2026"

# `@channel` / `@here` / `@everyone` at the start of a word, in any case.
_BARE_BROADCAST = re.compile(r"(?<![\w.+\-])@(?=(?:channel|here|everyone))", re.IGNORECASE)
_CONTROL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

# What `neutralise` removes or replaces: C0 controls but line feed, DEL, C1 controls, the bidi
# embeddings/overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NEUTRALISE: dict[int, str | None] = {
    **{code: None for code in range(0x00, 0x20) if chr(code) not in "\n\t\r"},
    ord("\t"): " ",
    ord("\r"): "\n",
    0x7F: None,
    **{code: None for code in range(0x80, 0xA0)},
    **{ord(char): None for char in BIDI_CONTROLS},
    0x2028: "\n",  # LINE SEPARATOR
    0x2029: "\n",  # PARAGRAPH SEPARATOR
}


def neutralise(text: str) -> str:
    """`text` without control characters and bidi overrides (see the module docstring).

    "\\r\\n" becomes one line break; a tab a space. Idempotent."""
    return text.replace("\r\n", "\n").translate(_NEUTRALISE)


def escape_mrkdwn(text: str) -> str:
    """`text` as Slack mrkdwn that shows exactly what was typed and cannot ping or link."""
    return _BARE_BROADCAST.sub("@" + WORD_JOINER, neutralise(text).translate(_CONTROL))


def clip(text: str, limit: int) -> str:
    """Plain `text` cut to at most `limit` characters, ending with "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def clip_mrkdwn(text: str, limit: int) -> str:
    """Rendered mrkdwn cut to at most `limit` characters without breaking an entity or a `<…>`.

    A cut inside `&amp;` or `<https://…|label>` would leave a broken escape or a dangling link,
    so the cut moves back to before it.
    """
    if len(text) <= limit:
        return text
    return _safe_prefix(text, max(limit - 1, 0)).rstrip() + ELLIPSIS


def split_mrkdwn(text: str, limit: int) -> list[str]:
    """Rendered mrkdwn in pieces of at most `limit` characters, none breaking an entity or a
    `<…>`; joined, they give `text` back. Cuts prefer a line break, then a space."""
    if limit < 16:
        raise ValueError("split_mrkdwn needs a limit of at least 16 characters")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        head = _safe_prefix(rest, limit) or rest[:limit]  # a `<…>` longer than a piece
        for separator in ("\n", " "):
            at = head.rfind(separator)
            if at >= limit // 2:
                head = head[: at + 1]
                break
        pieces.append(head)
        rest = rest[len(head) :]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _safe_prefix(text: str, length: int) -> str:
    """The longest prefix of at most `length` characters that ends outside an entity or `<…>`."""
    cut = text[:length]
    ampersand = cut.rfind("&")
    if ampersand != -1 and ";" not in cut[ampersand:]:
        cut = cut[:ampersand]
    bracket = cut.rfind("<")
    if bracket != -1 and ">" not in cut[bracket:]:
        cut = cut[:bracket]
    return cut
