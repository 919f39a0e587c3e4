"""Making what people typed inert in Slack mrkdwn.

Slack's mrkdwn has three control characters, `&`, `<` and `>`: every mention, broadcast and link
is spelled `<…>`. Escaping them (`&amp;`, `&lt;`, `&gt;`) turns `<!channel>`, `<!here>`,
`<!everyone>`, `<!subteam^S1>`, `<@U1|x>` and `<https://evil|click>` into plain text.

A bare `@channel`, `@here` or `@everyone` has no `<…>` to escape, and Slack may still parse it
(text objects default to `verbatim: false`, and a stray `link_names` would do it too). Decision: put
an invisible WORD JOINER (U+2060) right after the `@`. It renders as nothing, does not change line
breaking, and Slack no longer sees the keyword. Only a `@` that starts a word is touched, so e-mail
addresses (`ops@here.example`) stay as typed. The bot never sends `link_names`.

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


def escape_mrkdwn(text: str) -> str:
    """`text` as Slack mrkdwn that shows exactly what was typed and cannot ping or link."""
    return _BARE_BROADCAST.sub("@" + WORD_JOINER, text.translate(_CONTROL))


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
    cut = text[: max(limit - 1, 0)]
    ampersand = cut.rfind("&")
    if ampersand != -1 and ";" not in cut[ampersand:]:
        cut = cut[:ampersand]
    bracket = cut.rfind("<")
    if bracket != -1 and ">" not in cut[bracket:]:
        cut = cut[:bracket]
    return cut.rstrip() + ELLIPSIS
