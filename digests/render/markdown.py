"""The digest as Markdown meeting notes, for pasting into a wiki. Jinja2 templates, strict.

Escaping is on by default: every `{{ … }}` value that is a plain `str` goes through
`escape_markdown` (the environment's `finalize`), so people's text can neither inject links nor
HTML. Facts are worded by `digests.render.wording` and turned into Markdown by `to_markdown`;
the filters below return `Markup` so they pass. The output keeps people's full text (the Slack
messages cut long lines; the notes do not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from digests.billing import format_money
from digests.build import age_in_days
from digests.escape import neutralise
from digests.models import ActionsBilling, Digest, Person, PullRequest
from digests.render import wording
from digests.render.wording import Em, Emoji, Inline, Link, Mention, Strike, Strong, Typed

# Characters that could start a link, an image, HTML, a code span or break a table cell.
_INLINE_SPECIAL = re.compile(r"([\\`\[\]|])")
# At the start of a line these would make a heading, a quote or a list.
_LINE_START_SPECIAL = re.compile(r"^([#>+\-=]|\d+[.)])")


def render_markdown(digest: Digest) -> str:
    """Complete meeting notes for one digest, as GitHub-flavoured Markdown."""
    template = _environment().get_template("digest.md.j2")
    text = template.render(digest=digest, view=_View(digest))
    # Blank-line runs come from optional sections; collapse them so the file reads cleanly.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def escape_markdown(text: str) -> str:
    """People's text as inert Markdown: shown as typed, no links, no HTML, one line."""
    return _escape_fragment(text.strip(), line_start=True)


def _escape_fragment(text: str, *, line_start: bool) -> str:
    one_line = re.sub(r"\s+", " ", neutralise(text))
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _INLINE_SPECIAL.sub(r"\\\1", escaped)
    return _LINE_START_SPECIAL.sub(r"\\\1", escaped) if line_start else escaped


def to_markdown(inline: Inline) -> str:
    """A worded fact (digests.render.wording) as Markdown: typed text escaped and kept whole,
    links only to URLs that can be linked, names instead of mentions."""
    if isinstance(inline, str):
        return inline
    if isinstance(inline, tuple):
        return "".join(to_markdown(part) for part in inline)
    if isinstance(inline, Typed):
        text = inline.text if inline.part else inline.text.strip()
        return _escape_fragment(text, line_start=inline.line_start)
    if isinstance(inline, Link):
        label = to_markdown(inline.label)
        return f"[{label}]({inline.url})" if wording.LINKABLE_URL.fullmatch(inline.url) else label
    if isinstance(inline, Mention):
        return escape_markdown(inline.name)
    if isinstance(inline, Strong):
        return f"**{to_markdown(inline.content)}**"
    if isinstance(inline, Em):
        return f"_{to_markdown(inline.content)}_"
    if isinstance(inline, Strike):
        return f"~~{to_markdown(inline.content)}~~"
    assert isinstance(inline, Emoji)
    return f"{inline.unicode} " if inline.unicode else ""


def _md(inline: Inline) -> Markup:
    return Markup(to_markdown(inline).strip())


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("digests.render", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        item=lambda item: _md(wording.item(item)),
        pr_line=lambda lookup: _md(wording.pr_line(lookup)),
        blocker_line=lambda blocker: _md(wording.blocker_line(blocker)),
        ask_heading=lambda group: _md(wording.ask_heading(group)),
        ask_line=lambda ask: _md(wording.ask_line(ask)),
        source=lambda follow_up: _md(wording.follow_up_source(follow_up)),
        comparison_line=lambda comparison: _md(wording.comparison_line(comparison)),
        name=_name,
        names=_names,
        long_date=lambda day: Markup(wording.long_date(day)),
        short_date=_short_date,
        money=lambda amount: Markup(format_money(amount)),
        minutes=lambda value: Markup(f"{value:,.0f}"),
    )
    return environment


def _finalize(value: object) -> object:
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return escape_markdown(value)
    if value is None:
        return ""
    return value


class _View:
    """Figures the template needs that depend on when the digest was built."""

    def __init__(self, digest: Digest) -> None:
        self.digest = digest
        self.now = digest.generated_at

    def cycle_line(self) -> Markup:
        return Markup(wording.cycle_line(self.digest))

    def when(self, moment: datetime) -> Markup:
        return Markup(wording.when(moment, self.now))

    def age(self, since: datetime) -> Markup:
        return Markup(wording.age_words(age_in_days(since, self.now)))

    def closed_by(self, closed: object) -> Markup:
        return _md(wording.closed_by(closed, self.now))  # type: ignore[arg-type]

    def merged_on(self, pull: PullRequest) -> str:
        return wording.merged_on(pull, self.now)

    def waiting(self, pull: PullRequest) -> str:
        return wording.waiting(pull, self.now)

    def updated(self, pull: PullRequest) -> str:
        return wording.updated(pull, self.now)

    def board_pr_line(self, pull: PullRequest, what: str) -> Markup:
        return _md(wording.board_pr_line(pull, what, author=True))

    def reported_label(self) -> Markup:
        return Markup(wording.reported_label(self.digest))

    def missing_label(self) -> Markup:
        return Markup(wording.missing_label(self.digest))

    def sku_columns(self, billing: ActionsBilling) -> list[str]:
        totals: dict[str, float] = {}
        for month in billing.months:
            for sku, minutes in month.minutes_by_sku.items():
                totals[sku] = totals.get(sku, 0.0) + minutes
        return sorted(totals, key=lambda sku: (-totals[sku], sku))

    def month_label(self, month: object) -> str:
        return wording.month_label(month)  # type: ignore[arg-type]


def _name(person: Person) -> Markup:
    return _md(wording.name(person))


def _names(people: Iterable[Person]) -> Markup:
    return _md(wording.names(list(people)))


def _short_date(day: date | None) -> Markup:
    return Markup(wording.short_date(day))
