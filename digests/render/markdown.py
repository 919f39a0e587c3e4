"""The digest as Markdown meeting notes, for pasting into a wiki. Jinja2 templates, strict.

Escaping is on by default: every `{{ … }}` value that is a plain `str` goes through
`escape_markdown` (the environment's `finalize`), so people's text can neither inject links nor
HTML. Facts are worded by `digests.render.wording` and turned into Markdown by `to_markdown`;
the filters below return `Markup` so they pass. The output keeps people's full text (the Slack
messages cut long lines; the notes do not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from digests.billing import format_money
from digests.build import age_in_days, zone_label
from digests.ci_audit import RUNNERS, change_words, previous_month_label, runner, used_repos
from digests.escape import neutralise
from digests.models import (
    ActionsBilling,
    CarriedPromise,
    CiAudit,
    Digest,
    MonthlyActionsUsage,
    Person,
    PullRequest,
    RepoCi,
    TrendPoint,
    month_name,
)
from digests.promises import LONG_CARRIED_WEEKS
from digests.render import wording
from digests.render.ci_chart import chart_repos
from digests.render.trend_chart import chart_points
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


def render_ci_report(
    audit: CiAudit, billing: ActionsBilling | None, *, generated_at: datetime
) -> str:
    """`ci-report.md`: the org by month, every repository, storage, flags and the method."""
    template = _environment().get_template("ci_report.md.j2")
    view = _CiView(audit, generated_at)
    text = template.render(audit=audit, billing=billing, view=view)
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
        resolved_blocker_line=lambda blocker: _md(wording.resolved_blocker_line(blocker)),
        carried_line=lambda carried: _md(wording.carried_line(carried)),
        promise_line=lambda promise: _md(wording.promise_line(promise)),
        person_delivery=lambda person: Markup(wording.person_delivery(person)),
        no_standup=lambda person: Markup(wording.no_standup(person).capitalize()),
        ask_heading=lambda group: _md(wording.ask_heading(group)),
        ask_line=lambda ask: _md(wording.ask_line(ask)),
        answer_line=lambda ask: _md(wording.answer_line(ask)),
        source=lambda follow_up: _md(wording.follow_up_source(follow_up)),
        comparison_line=lambda comparison: _md(wording.comparison_line(comparison)),
        name=_name,
        names=_names,
        long_date=lambda day: Markup(wording.long_date(day)),
        short_date=_short_date,
        money=lambda amount: Markup(format_money(amount)),
        minutes=lambda value: Markup(f"{value:,.0f}"),
        share=lambda value: Markup(wording.share_words(value)),
        ci_flag_line=lambda flag: _md(wording.ci_flag_line(flag)),
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


class _RepoTable:
    """What the per-repository table (`ci_repos.md.j2`, in the digest and the ci-report) asks
    of its view."""

    def month_label(self, month: object) -> str:
        return wording.month_label(month)  # type: ignore[arg-type]

    def previous_label(self, audit: CiAudit) -> str:
        return previous_month_label(audit.repos)

    def repo_marks(self, repo: RepoCi) -> Markup:
        return Markup(_repo_marks(repo))

    def change_vs_previous(self, repo: RepoCi) -> Markup:
        return Markup(_change_vs_previous(repo))

    def change_vs_peak(self, repo: RepoCi) -> Markup:
        return Markup(_change_vs_peak(repo))


class _View(_RepoTable):
    """Figures the template needs that depend on when the digest was built."""

    def __init__(self, digest: Digest) -> None:
        self.digest = digest
        self.now = digest.generated_at

    def title(self) -> Markup:
        return _md(wording.digest_title(self.digest))

    def away_label(self) -> Markup:
        return Markup(wording.away_label(self.digest))

    def away_people(self) -> Markup:
        return _md(wording.away_people(self.digest.away))

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

    # --- promises, blockers across cycles, the trend ---

    long_carried_weeks = LONG_CARRIED_WEEKS

    def team_delivery(self) -> Markup:
        return Markup(wording.team_delivery(self.digest))

    def carried_heading(self, carried: Sequence[CarriedPromise]) -> Markup:
        return Markup(wording.carried_heading(LONG_CARRIED_WEEKS, len(carried)))

    def resolved_heading(self) -> Markup:
        return Markup(wording.resolved_heading(len(self.digest.resolved_blockers)))

    def has_trend(self) -> bool:
        return bool(chart_points(self.digest.trend))

    def trend_reported(self, point: TrendPoint) -> Markup:
        return Markup(wording.trend_reported(point))

    def trend_delivered(self, point: TrendPoint) -> Markup:
        return Markup(wording.trend_delivered(point))

    # --- the CI audit (where the minutes go) --------------------------------------------------

    def ci_title(self, audit: CiAudit) -> str:
        return wording.ci_title(audit)

    def top_repos(self, audit: CiAudit) -> list[RepoCi]:
        """The notes' table: none when no usage line named a repository."""
        if not chart_repos(audit):
            return []
        return used_repos(audit)[:CI_NOTES_REPOS]

    def more_repos(self, audit: CiAudit) -> int:
        return max(len(used_repos(audit)) - CI_NOTES_REPOS, 0)


CI_NOTES_REPOS = 10  # repositories in the digest's notes; the ci-report lists every one


class _CiView(_RepoTable):
    """What the ci-report template needs beyond the audit."""

    def __init__(self, audit: CiAudit, generated_at: datetime) -> None:
        # The running month's minutes of all repositories, summed once for every row's share.
        self.so_far_total = sum(r.so_far.minutes for r in audit.repos if r.so_far is not None)
        self.generated = Markup(f"{generated_at:%Y-%m-%d %H:%M} {zone_label(generated_at)}")

    def span(self, audit: CiAudit) -> Markup:
        months = [month_name(month) for month in audit.months]
        if not months:
            return Markup("no months")
        running = " (so far)" if audit.running is not None else ""
        return Markup(f"{months[0]} to {months[-1]}{running}, {len(months)} months")

    def latest_label(self, audit: CiAudit) -> str:
        return month_name(audit.latest)

    def runner_minutes(self, month: MonthlyActionsUsage) -> dict[str, float]:
        totals: dict[str, float] = dict.fromkeys(RUNNERS, 0.0)
        for sku, minutes in month.minutes_by_sku.items():
            totals[runner(sku)] += minutes
        return totals

    def used_repos(self, audit: CiAudit) -> list[RepoCi]:
        return used_repos(audit)

    def so_far_repos(self, audit: CiAudit) -> list[RepoCi]:
        running = [repo for repo in audit.repos if repo.so_far and repo.so_far.minutes > 0]
        return sorted(running, key=lambda repo: -repo.so_far.minutes if repo.so_far else 0.0)

    def running_label(self, audit: CiAudit) -> str:
        return month_name(audit.running)

    def so_far_share(self, audit: CiAudit, repo: RepoCi) -> float:
        total = self.so_far_total
        return repo.so_far.minutes / total if repo.so_far is not None and total else 0.0

    def storage_repos(self, audit: CiAudit) -> list[RepoCi]:
        stored = [repo for repo in audit.repos if repo.latest.storage_gb_hours > 0]
        return sorted(stored, key=lambda repo: -repo.latest.storage_gb_hours)

    def method(self, audit: CiAudit) -> Markup:
        return _md(wording.ci_method(audit))


def _repo_marks(repo: RepoCi) -> str:
    marks = [word for word, on in (("fork", repo.fork), ("archived", repo.archived)) if on]
    return f" ({', '.join(marks)})" if marks else ""


def _change_vs_previous(repo: RepoCi) -> str:
    before = repo.previous.minutes if repo.previous is not None else None
    return change_words(repo.latest.minutes, before) or "—"


def _change_vs_peak(repo: RepoCi) -> str:
    peak = repo.peak
    if (
        peak is None
        or peak is repo.latest
        or (peak.year, peak.month)
        == (
            repo.latest.year,
            repo.latest.month,
        )
    ):
        return "peak"
    return f"{change_words(repo.latest.minutes, peak.minutes)} vs {peak.label}"


def _name(person: Person) -> Markup:
    return _md(wording.name(person))


def _names(people: Iterable[Person]) -> Markup:
    return _md(wording.names(list(people)))


def _short_date(day: date | None) -> Markup:
    return Markup(wording.short_date(day))
