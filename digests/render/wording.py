"""How each fact of a digest is worded, once, for every renderer.

A fact becomes a small tree of `Inline` pieces: our own words (plain `str`), what people or GitHub
typed (`Typed`, escaped by each renderer), links, mentions, emphasis and emoji. Block Kit
(`blocks.to_mrkdwn`) and Markdown (`markdown.to_markdown`) each turn the same tree into their
syntax, so a PR line, an ask, a follow-up's source or an age reads the same in Slack and in the
meeting notes. Layout (which facts go where, bullets, headings, tables) stays with the renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from digests.billing import format_money
from digests.build import age_in_days
from digests.ci_audit import change_words
from digests.escape import ELLIPSIS, clip
from digests.models import (
    AskGroup,
    AskLine,
    AwayPerson,
    BillingComparison,
    Blocker,
    BlockerStatus,
    CarriedPromise,
    CiAudit,
    CiFlag,
    ClosedFollowUp,
    Digest,
    FollowUp,
    HolidayMove,
    Item,
    MonthlyActionsUsage,
    Person,
    PersonPromises,
    Promise,
    PullRequest,
    PullRequestLookup,
    RepoBoard,
    RepoCi,
    TrendPoint,
    month_name,
)

MAX_NAME_CHARS = 80  # Slack cuts names and titles; the Markdown notes keep them whole
MAX_TITLE_CHARS = 100
MAX_QUOTE_CHARS = 200


@dataclass(frozen=True)
class Typed:
    """Text from outside (people, GitHub): escaped by the renderer; `limit` is Slack's cut.

    `line_start`: Markdown escapes what would start a list or a heading as if the text opened a
    line (everywhere but inside running text, where it would only add backslashes). `part`: a
    piece of a longer text, whose spaces at either end belong to the sentence."""

    text: str
    limit: int | None = None
    line_start: bool = True
    part: bool = False


@dataclass(frozen=True)
class Link:
    url: str
    label: Inline


@dataclass(frozen=True)
class Mention:
    """A Slack mention of `user_id` where the renderer can ping; elsewhere the name."""

    user_id: str
    name: str


@dataclass(frozen=True)
class Strong:
    content: Inline


@dataclass(frozen=True)
class Em:
    content: Inline


@dataclass(frozen=True)
class Strike:
    content: Inline


@dataclass(frozen=True)
class Emoji:
    """`slack` is the Slack emoji code; `unicode` the character for Markdown ("": none there).
    Either way it is followed by a space."""

    slack: str
    unicode: str = ""


Inline = str | Typed | Link | Mention | Strong | Em | Strike | Emoji | tuple["Inline", ...]

# A URL that both Slack and Markdown can carry as a link target unchanged; anything else people
# gave as a link is shown as text.
LINKABLE_URL = re.compile(r"https?://[^\s<>|\"'`()\[\]]+", re.IGNORECASE)


def label_text(text: str) -> Typed:
    """A link's label: text inside a link, never at the start of a line."""
    return Typed(text, line_start=False)


def join(parts: Sequence[Inline], separator: str) -> Inline:
    out: list[Inline] = []
    for index, part in enumerate(parts):
        if index:
            out.append(separator)
        out.append(part)
    return tuple(out)


# --- dates and ages -------------------------------------------------------------------------------


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date | None) -> str:
    return f"{day:%a} {day.day} {day:%b}" if day else ""


def day_of(moment: datetime | None, now: datetime) -> str:
    """The local date of `moment` in the zone of `now`, short."""
    return short_date(moment.astimezone(now.tzinfo).date()) if moment else ""


def when(moment: datetime, now: datetime) -> str:
    """Date and time in the zone of `now`; the year only when it is not `now`'s."""
    local = moment.astimezone(now.tzinfo)
    text = f"{short_date(local.date())} {local:%H:%M}"
    return text if local.year == now.year else f"{text} {local.year}"


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural_word or word + 's'}"


def age_words(days: int) -> str:
    """A follow-up's age: "raised today", "1 day old", "12 days old"."""
    return "raised today" if days <= 0 else f"{plural(days, 'day')} old"


def waiting(pull: PullRequest, until: datetime) -> str:
    days = age_in_days(pull.created_at, until)
    return "opened today" if days == 0 else f"open {plural(days, 'day')}"


def updated(pull: PullRequest, until: datetime) -> str:
    days = age_in_days(pull.updated_at, until)
    return "updated today" if days == 0 else f"updated {plural(days, 'day')} ago"


def merged_on(pull: PullRequest, now: datetime) -> str:
    return f"merged {day_of(pull.merged_at, now)}"


def day_and_month(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def moved_note(move: HolidayMove) -> Typed:
    """ "moved from Monday 25 May: Pentecost Monday" (the holiday's name comes from the
    holidays package or the team's list: shown as text)."""
    return Typed(f"moved from {day_and_month(move.moved_from)}: {move.holiday}", line_start=False)


def digest_title(digest: Digest) -> Inline:
    """The digest's date, and where it moved from when it was due on a holiday."""
    move = digest.cycle.move
    title = long_date(digest.meeting_date)
    return (title, " (", moved_note(move), ")") if move is not None else title


def cycle_line(digest: Digest) -> str:
    start = when(digest.cycle.starts_at, digest.generated_at)
    end = when(digest.cycle.ends_at, digest.generated_at)
    return f"Standups sent from {start} to {end} ({digest.time_zone})"


# --- people -------------------------------------------------------------------------------------


def name(person: Person) -> Typed:
    return Typed(person.name, limit=MAX_NAME_CHARS)


def names(people: Sequence[Person]) -> Inline:
    return join([name(person) for person in people], ", ")


def addressee(person: Person) -> Inline:
    """Someone a line is for: mentioned (they are asked or own it), else named."""
    return Mention(person.user_id, person.name) if person.user_id else name(person)


def follow_up_owner(follow_up: FollowUp) -> Inline:
    if follow_up.owner_user_id:
        return Mention(follow_up.owner_user_id, follow_up.owner_name)
    return (
        Typed(follow_up.owner_name, limit=MAX_NAME_CHARS) if follow_up.owner_name else "nobody yet"
    )


def reported_counts(digest: Digest) -> tuple[int, int]:
    """(N, M) of "Reported N of M": people away who sent nothing count in neither."""
    expected = digest.team_size - len(digest.away)
    return expected - len(digest.missing), expected


def reported_count(digest: Digest) -> str:
    """ "3 of 4" (or "3" when the team is not known)."""
    reported, expected = reported_counts(digest)
    return f"{reported} of {expected}" if expected > 0 else f"{len(digest.reported)}"


def reported_label(digest: Digest) -> str:
    """ "Reported (3 of 4):"."""
    return f"Reported ({reported_count(digest)}):"


def away_label(digest: Digest) -> str:
    return f"Away ({len(digest.away)}):"


def away_until(entry: AwayPerson) -> str:
    """ "until Fri 4 Dec", or for a Slack status without an expiry "no end date"."""
    return f"until {short_date(entry.until)}" if entry.until is not None else "no end date"


def away_person(entry: AwayPerson) -> Inline:
    """ "Kevin (until Fri 4 Dec)"."""
    return (name(entry.person), f" ({away_until(entry)})")


def away_people(people: Sequence[AwayPerson]) -> Inline:
    return join([away_person(entry) for entry in people], ", ")


def missing_label(digest: Digest) -> str:
    return f"Not yet ({len(digest.missing)}):"


# --- what people typed, with their PR references -------------------------------------------


def item(value: Item, *, limit: int | None = None) -> Inline:
    """An item with its PR references linked; with `limit`, cut to that many characters of what
    was typed (Slack), else whole (Markdown)."""
    infos = {info.ref.key: info for info in value.pull_requests}
    budget = limit
    out: list[Inline] = []
    for index, segment in enumerate(value.segments):
        if budget is not None and budget <= 0:
            out.append(ELLIPSIS)
            break
        if segment.ref is None:
            piece = segment.text if budget is None else clip(segment.text, budget)
            out.append(Typed(piece, line_start=index == 0, part=True))
            if budget is not None:
                budget -= len(segment.text)
                if piece != segment.text:
                    break
            continue
        label = segment.text if "://" not in segment.text else segment.ref.key
        info = infos.get(segment.ref.key)
        pull = info.pull_request if info is not None else None
        out.append(Link(pull.url, label_text(label)) if pull is not None else Typed(label))
        if budget is not None:
            budget -= len(label)
    return tuple(out)


def blocker_line(blocker: Blocker, *, limit: int | None = None) -> Inline:
    """A blocker with its owner and, when known, how it stands against earlier cycles."""
    state: Inline = (" · ", Em(blocker_state(blocker.status))) if blocker.status else ""
    return (Strong(name(blocker.person)), " — ", item(blocker.item, limit=limit), state)


# --- pull requests ------------------------------------------------------------------------------

CI_WORDS = {"success": "CI passing", "failure": "CI failing", "pending": "CI running"}
REVIEW_WORDS = {
    "approved": "approved",
    "changes_requested": "changes requested",
    "review_required": "review required",
}
STATE_EMOJI = {
    "open": Emoji(":large_green_circle:", "🟢"),
    "draft": Emoji(":white_circle:", "⚪"),
    "merged": Emoji(":large_purple_circle:", "🟣"),
    "closed": Emoji(":red_circle:", "🔴"),
}
UNKNOWN_EMOJI = Emoji(":grey_question:", "❔")


def pr_facts(pull: PullRequest) -> str:
    """ "open · CI passing · approved": the state, and for open PRs their CI and review."""
    facts: list[str] = [pull.state]
    if pull.state in ("open", "draft"):
        if pull.ci in CI_WORDS:
            facts.append(CI_WORDS[pull.ci])
        if pull.review_decision is not None:
            facts.append(REVIEW_WORDS[pull.review_decision])
    return " · ".join(facts)


def pr_link(pull: PullRequest) -> Link:
    return Link(pull.url, label_text(pull.ref.key))


def pr_title(pull: PullRequest) -> Typed:
    return Typed(pull.title, limit=MAX_TITLE_CHARS)


def pr_line(lookup: PullRequestLookup) -> Inline:
    """A referenced PR with its live state, or why it is unknown."""
    pull = lookup.pull_request
    if pull is None:
        why: Inline = (" (", Typed(lookup.problem), ")") if lookup.problem else ""
        return (UNKNOWN_EMOJI, Typed(lookup.ref.key), " — unknown PR", why)
    return (STATE_EMOJI[pull.state], pr_link(pull), " ", pr_title(pull), " — ", pr_facts(pull))


def board_pr_line(pull: PullRequest, what: str, *, author: bool) -> Inline:
    """A PR in a board list: link, title and what to know (who opened it, when)."""
    described: Inline = what
    if author:
        who: Inline = Typed(pull.author) if pull.author else "unknown author"
        described = (who, ", ", what)
    return (pr_link(pull), " ", pr_title(pull), " — ", described)


def board_counts(*, merged: int, opened: int, awaiting: int, stale: int, drafts: int) -> str:
    parts = [
        (merged, "merged"),
        (opened, "opened"),
        (awaiting, "waiting for review"),
        (stale, "stale"),
        (drafts, "draft" if drafts == 1 else "drafts"),
    ]
    return " · ".join(f"{count} {word}" for count, word in parts if count)


def repo_counts(repo: RepoBoard) -> str:
    return board_counts(
        merged=len(repo.merged),
        opened=len(repo.opened),
        awaiting=len(repo.awaiting_review),
        stale=len(repo.stale),
        drafts=len(repo.drafts),
    )


# --- asks ---------------------------------------------------------------------------------------


def ask_heading(group: AskGroup) -> Inline:
    if group.everyone:
        return "For everyone"
    return ("For ", addressee(group.to))


def ask_line(ask: AskLine, *, limit: int | None = None) -> Inline:
    """An ask: its text, who asked, and how it stands (open since, done, answered); an answered
    one has its answer under it (`answer_line`)."""
    who = Em(("from ", name(ask.from_person)))
    if ask.answer is not None:
        asked: Inline = (
            (" · ", Em(f"asked {short_date(ask.meeting_date)}")) if ask.carried_over else ""
        )
        return (item(ask.item, limit=limit), " — ", who, asked, " · ", ANSWER_EMOJI, "answered")
    if ask.status == "done":
        return (
            Strike(item(ask.item, limit=limit)),
            " — ",
            who,
            " · ",
            Emoji(":white_check_mark:"),
            "done",
        )
    since: Inline = (
        (" · ", Em(f"open since {short_date(ask.meeting_date)}")) if ask.carried_over else ""
    )
    return (item(ask.item, limit=limit), " — ", who, since)


ANSWER_EMOJI = Emoji(":speech_balloon:", "💬")


def answer_line(ask: AskLine, *, limit: int | None = None) -> Inline:
    """The answer under an answered ask: "Hesham: the answer" (whoever answered, then it)."""
    if ask.answer is None:
        return ""
    by: Inline = name(ask.answered_by) if ask.answered_by is not None else "Answer"
    return (ANSWER_EMOJI, Strong((by, ":")), " ", item(ask.answer, limit=limit))


# --- follow-ups ---------------------------------------------------------------------------------


def follow_up_source(follow_up: FollowUp) -> Inline:
    """Where a follow-up came from: the standup (of which meeting), a link, or a quote."""
    source = (follow_up.source or "").strip()
    if not source:
        return ""
    if source.casefold() == "standup":
        meeting = f" for {short_date(follow_up.meeting_date)}" if follow_up.meeting_date else ""
        return f"the standup{meeting}"
    if LINKABLE_URL.fullmatch(source):
        return Link(source, label_text(urlsplit(source).hostname or source))
    quote = " ".join(source.split())
    if quote[0] in "\"“'‘":
        return Typed(quote, limit=MAX_QUOTE_CHARS)
    return ("“", Typed(quote, limit=MAX_QUOTE_CHARS), "”")


def closed_by(closed: ClosedFollowUp, now: datetime) -> str | Inline:
    """ "done by Kevin on Thu 26 Nov"."""
    done: list[Inline] = ["done"]
    if closed.closed_by is not None:
        done += [" by ", name(closed.closed_by)]
    if closed.follow_up.done_at is not None:
        done.append(f" on {day_of(closed.follow_up.done_at, now)}")
    return tuple(done)


# --- CI billing ---------------------------------------------------------------------------------


def month_label(month: MonthlyActionsUsage) -> str:
    return month.label + ("" if month.complete else " (so far)")


def billing_month_line(month: MonthlyActionsUsage) -> Inline:
    return (
        Strong(f"{month_label(month)}:"),
        f" {month.minutes:,.0f} min · gross {format_money(month.gross)}"
        f" − discount {format_money(month.discount)} = ",
        Strong(f"net {format_money(month.net)}"),
    )


def comparison_line(comparison: BillingComparison) -> Inline:
    """ "Feb 2026 (peak) 198,000 min → Apr 2026 93,000 min: −105,000 min/mo; $630/mo …", as the
    team wrote it by hand: both months with their own minutes, then the change."""
    peak, latest = comparison.peak, comparison.latest
    return (
        Strong(
            f"{peak.label} (peak) {peak.minutes:,.0f} min"
            f" → {latest.label} {latest.minutes:,.0f} min:"
        ),
        " ",
        Typed(comparison.summary),
    )


# --- promises and blockers across cycles --------------------------------------------------------

OUTCOME_EMOJI = {
    "delivered": Emoji(":white_check_mark:", "✅"),
    "carried": Emoji(":repeat:", "🔁"),
    "not_reported": Emoji(":grey_question:", "❔"),
    "away": Emoji(":palm_tree:", "🌴"),
}


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else ""


def share(part: int, whole: int) -> str:
    """ "5 of 6 (83%)"."""
    return f"{part} of {whole} ({percent(part, whole)})" if whole else f"{part} of 0"


def delivered_label(delivered: int, promised: int) -> str:
    """ "Delivered 2 of 3 promised"."""
    return f"Delivered {delivered} of {promised} promised"


def person_delivery(person: PersonPromises) -> str:
    """ "Delivered 2 of 3 promised"; "Promised" when none count (all away)."""
    if not person.promised:
        return "Promised"
    return delivered_label(person.delivered, person.promised)


def team_delivery(digest: Digest) -> str:
    """The team's promises of last week, at the top: "Delivered 7 of 12 promised (58%)"."""
    delivered, promised = digest.delivered_count, digest.promised_count
    return f"{delivered_label(delivered, promised)} ({percent(delivered, promised)})"


def promise_outcome(promise: Promise, *, so_far: bool = False) -> str:
    """ "delivered", "delivered · PR merged", "carried · 3rd week", "not reported", "away, not
    counted". `so_far`: the cycle is still running (App Home), so nothing is "not reported"
    yet."""
    if promise.outcome == "delivered":
        return "delivered · PR merged" if promise.merged else "delivered"
    if promise.outcome == "carried":
        return f"carried · {ordinal(promise.weeks_carried)} week"
    if promise.outcome == "away":
        return "away, not counted"
    return "not in your standup yet" if so_far else "not reported"


def promise_line(promise: Promise, *, limit: int | None = None, so_far: bool = False) -> Inline:
    return (
        OUTCOME_EMOJI[promise.outcome],
        Typed(promise.text, limit=limit),
        " — ",
        Em(promise_outcome(promise, so_far=so_far)),
    )


def no_standup(person: PersonPromises) -> str:
    """Under the name of someone with promises and no standup: why the promises stand so."""
    if person.reported:
        return ""
    return "away this week: promises not counted" if person.away else "no standup this week"


def carried_heading(weeks: int, count: int) -> str:
    return f"Carried {weeks}+ weeks ({count})"


def carried_line(carried: CarriedPromise, *, limit: int | None = None) -> Inline:
    """ "Write the runbook — **Kevin** · 4th week, first promised Mon 9 Nov"."""
    promise = carried.promise
    first = short_date(promise.first_promised)
    since = f"{ordinal(promise.weeks_carried)} week, first promised {first}"
    return (Typed(promise.text, limit=limit), " — ", Strong(name(carried.person)), " · ", Em(since))


def blocker_state(status: BlockerStatus) -> str:
    """ "new", "still blocked since Mon 16 Nov · 3 weeks", "resolved after 2 weeks"."""
    if status.state == "new":
        return "new"
    weeks = plural(status.weeks, "week")
    if status.state == "still_blocked":
        return f"still blocked since {short_date(status.first_reported)} · {weeks}"
    return f"resolved after {weeks}"


def resolved_heading(count: int) -> str:
    return f"Resolved since last week ({count})"


def resolved_blocker_line(blocker: Blocker, *, limit: int | None = None) -> Inline:
    """A blocker of last cycle that is gone now: struck through, shown this once."""
    state: Inline = (" · ", Em(blocker_state(blocker.status))) if blocker.status else ""
    return (Strong(name(blocker.person)), " — ", Strike(item(blocker.item, limit=limit)), state)


# --- the trend ----------------------------------------------------------------------------------


def trend_reported(point: TrendPoint) -> str:
    return share(point.reported, point.team_size)


def trend_delivered(point: TrendPoint) -> str:
    return share(point.delivered, point.promised) if point.promised else "no promises"


def trend_title(points: Sequence[TrendPoint]) -> str:
    return f"Standups and promises, last {plural(len(points), 'meeting')}"


def plain(inline: Inline, *, slack_emoji: bool = False) -> str:
    """A worded fact as plain text (alt text, file titles, Block Kit's plain_text headers): the
    words and the typed text as they are, no markup; a mention is the person's name. Emoji are
    their character, or with `slack_emoji` their Slack code (which plain_text shows too)."""
    if isinstance(inline, str):
        return inline
    if isinstance(inline, tuple):
        return "".join(plain(part, slack_emoji=slack_emoji) for part in inline)
    if isinstance(inline, Typed):
        return inline.text
    if isinstance(inline, Link):
        return plain(inline.label, slack_emoji=slack_emoji)
    if isinstance(inline, Mention):
        return inline.name
    if isinstance(inline, Strong | Em | Strike):
        return plain(inline.content, slack_emoji=slack_emoji)
    if slack_emoji:
        return f"{inline.slack} "
    return f"{inline.unicode} " if inline.unicode else ""


# --- the CI audit: where the minutes go -----------------------------------------------------------

CI_TOP_REPOS = 5  # repositories in the digest's "Where the minutes go" message
MAX_REPO_CHARS = 100  # GitHub's own limit on a repository name


def ci_title(audit: CiAudit) -> str:
    """ "Where the minutes go — Oct 2026" (the last full month)."""
    month = _audit_month(audit)
    return f"Where the minutes go — {month}" if month else "Where the minutes go"


def share_words(share: float) -> str:
    """A repository's share of the org's minutes: "43%", "<1%"."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def ci_repo_line(repo: RepoCi) -> Inline:
    """ "api — 41,200 min (43%) · −12% vs Sep 2026 · $0 net" for the last full month."""
    latest = repo.latest
    parts = [f"{latest.minutes:,.0f} min ({share_words(repo.share)})"]
    previous = repo.previous
    change = change_words(latest.minutes, previous.minutes if previous else None)
    if previous is not None and change:
        parts.append(f"{change} vs {previous.label}")
    parts.append(f"{format_money(latest.net)} net")
    return (Strong(Typed(repo.repo, limit=MAX_REPO_CHARS)), " — ", " · ".join(parts))


def ci_flag_line(flag: CiFlag) -> Inline:
    """ "🚩 api-fork: a fork that used 300 min in Oct 2026 ($0 net)"."""
    return (
        Emoji(":triangular_flag_on_post:", "🚩"),
        Strong(Typed(flag.repo, limit=MAX_REPO_CHARS)),
        f": {flag.why}",
    )


def ci_method(audit: CiAudit) -> Inline:
    """How the audit's figures were made: the endpoint, the fields and the months."""
    org = Typed(audit.org, line_start=False, part=True)  # from the command line or GITHUB_ORG
    months = [month_name(month) for month in audit.months]
    span = f"{months[0]} to {months[-1]}" if len(months) > 1 else (months[0] if months else "")
    running = " (the last one still running)" if audit.running is not None else ""
    checked: Inline = (
        (
            "Forks come from GET /orgs/",
            org,
            "/repos?type=forks and archived repositories from GitHub's GraphQL isArchived.",
        )
        if audit.forks_checked
        else "Forks and archived repositories could not be checked this time."
    )
    return (
        "From GitHub's billing usage report for ",
        org,
        " (GET /organizations/",
        org,
        f"/settings/billing/usage, one request a month, {span}{running}). Minutes are the "
        '`quantity` of the lines with product "actions" and unit "minutes", grouped by each '
        'line\'s `repositoryName` (bare or owner/repo; lines without one are "(no repository)"); '
        "gross, discount and net are GitHub's own `grossAmount`, `discountAmount` and "
        "`netAmount` of those lines, so a discount stays with its line's repository. Storage "
        "(GigabyteHours lines) is counted apart. Sums are exact; whole cents are apportioned so "
        "the repositories add up to the org's totals to the cent. ",
        checked,
    )


def _audit_month(audit: CiAudit) -> str:
    return month_name(audit.latest)
