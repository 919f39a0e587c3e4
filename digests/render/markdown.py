"""The digest as Markdown meeting notes, for pasting into a wiki. Jinja2 templates, strict.

Escaping is on by default: every `{{ … }}` value that is a plain `str` goes through
`escape_markdown` (the environment's `finalize`), so people's text can neither inject links nor
HTML. Only the filters below produce Markdown on purpose, and they return `Markup` so they pass.
The output keeps people's full text (the Slack messages cut long lines; the notes do not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from digests.billing import format_money
from digests.build import age_in_days
from digests.models import (
    CI_WORDS,
    REVIEW_WORDS,
    ActionsBilling,
    Digest,
    Item,
    MonthlyActionsUsage,
    Person,
    PullRequest,
    PullRequestLookup,
)

STATE_MARKS = {"open": "🟢", "draft": "⚪", "merged": "🟣", "closed": "🔴"}
UNKNOWN_MARK = "❔"

# Characters that could start a link, an image, HTML, a code span or break a table cell.
_INLINE_SPECIAL = re.compile(r"([\\`\[\]|])")
# At the start of a line these would make a heading, a quote or a list.
_LINE_START_SPECIAL = re.compile(r"^([#>+\-=]|\d+[.)])")
_SAFE_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)


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
    one_line = re.sub(r"\s+", " ", text)
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _INLINE_SPECIAL.sub(r"\\\1", escaped)
    return _LINE_START_SPECIAL.sub(r"\\\1", escaped) if line_start else escaped


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
        item=_item,
        pr_line=_pr_line,
        pr_link=_pr_link,
        name=_name,
        names=_names,
        long_date=_long_date,
        short_date=_short_date,
        money=lambda amount: Markup(format_money(amount)),
        minutes=lambda value: Markup(f"{value:,.0f}"),
        link=_link,
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
    """Figures the template needs that are not plain fields of the Digest."""

    def __init__(self, digest: Digest) -> None:
        self.digest = digest
        self.now = digest.generated_at

    def when(self, moment: datetime | None) -> Markup:
        if moment is None:
            return Markup("")
        local = moment.astimezone(self.now.tzinfo)
        return Markup(f"{_short_date(local.date())} {local:%H:%M}")

    def day(self, moment: datetime | None) -> Markup:
        if moment is None:
            return Markup("")
        return _short_date(moment.astimezone(self.now.tzinfo).date())

    def age(self, since: datetime) -> Markup:
        days = age_in_days(since, self.now)
        return Markup("today" if days == 0 else f"{days} day{'s' if days != 1 else ''}")

    def merged_on(self, pull: PullRequest) -> Markup:
        return Markup(f"merged {self.day(pull.merged_at)}")

    def waiting(self, pull: PullRequest) -> Markup:
        days = age_in_days(pull.created_at, self.now)
        return Markup("opened today" if days == 0 else f"open {self.age(pull.created_at)}")

    def updated(self, pull: PullRequest) -> Markup:
        days = age_in_days(pull.updated_at, self.now)
        return Markup("updated today" if days == 0 else f"updated {self.age(pull.updated_at)} ago")

    def reported_count(self) -> int:
        return self.digest.team_size - len(self.digest.missing)

    def source(self, source: str | None, meeting: date | None) -> Markup:
        text = (source or "").strip()
        if not text:
            return Markup("")
        if text.casefold() == "standup":
            when = f" of {_short_date(meeting)}" if meeting else ""
            return Markup(f"the standup{when}")
        if _SAFE_URL.fullmatch(text):
            return _link(text, urlsplit(text).hostname or text)
        quote = escape_markdown(text)
        return Markup(quote if quote[0] in "\"“'‘" else f"“{quote}”")

    def sku_columns(self, billing: ActionsBilling) -> list[str]:
        totals: dict[str, float] = {}
        for month in billing.months:
            for sku, minutes in month.minutes_by_sku.items():
                totals[sku] = totals.get(sku, 0.0) + minutes
        return sorted(totals, key=lambda sku: (-totals[sku], sku))

    def month_label(self, month: MonthlyActionsUsage) -> str:
        return month.label + ("" if month.complete else " (so far)")


def _item(item: Item) -> Markup:
    infos = {info.ref.key: info for info in item.pull_requests}
    out = []
    for index, segment in enumerate(item.segments):
        if segment.ref is None:
            out.append(_escape_fragment(segment.text, line_start=index == 0))
            continue
        label = segment.text if "://" not in segment.text else segment.ref.key
        info = infos.get(segment.ref.key)
        if info is not None and info.pull_request is not None:
            out.append(str(_link(info.pull_request.url, label)))
        else:
            out.append(escape_markdown(label))
    return Markup("".join(out).strip())


def _pr_line(info: PullRequestLookup) -> Markup:
    pull = info.pull_request
    if pull is None:
        why = f" ({escape_markdown(info.problem)})" if info.problem else ""
        return Markup(f"{UNKNOWN_MARK} {escape_markdown(info.ref.key)} — unknown PR{why}")
    facts: list[str] = [pull.state]
    if pull.state in ("open", "draft"):
        if pull.ci in CI_WORDS:
            facts.append(CI_WORDS[pull.ci])
        if pull.review_decision is not None:
            facts.append(REVIEW_WORDS[pull.review_decision])
    title = escape_markdown(pull.title)
    return Markup(f"{STATE_MARKS[pull.state]} {_pr_link(pull)} {title} — {' · '.join(facts)}")


def _pr_link(pull: PullRequest) -> Markup:
    return _link(pull.url, pull.ref.key)


def _link(url: str, label: str) -> Markup:
    text = _escape_fragment(label.strip(), line_start=False)
    if not _SAFE_URL.fullmatch(url):
        return Markup(text)
    return Markup(f"[{text}]({url})")


def _name(person: Person) -> Markup:
    return Markup(escape_markdown(person.name))


def _names(people: Iterable[Person]) -> Markup:
    return Markup(", ".join(escape_markdown(person.name) for person in people))


def _long_date(day: date) -> Markup:
    return Markup(f"{day:%A} {day.day} {day:%B %Y}")


def _short_date(day: date | None) -> Markup:
    return Markup(f"{day:%a} {day.day} {day:%b}" if day else "")
