"""The digest as Slack messages: one main message, then replies in its thread.

Main message (seq 0): who reported and how many of last week's promises were delivered, the
promises carried 3+ weeks, blockers (new, still blocked, resolved), asks by the person asked, the
PR board summary and the CI billing figures. Thread: each person's notes with what became of their
promises (and the promises of people who sent no standup), the delivery trend chart, PR board
details, the CI chart, follow-ups done since the last digest, then each open follow-up as its own
message (a ✅ on it closes it).

Safety: everything people typed (and every GitHub title) goes through `escape_mrkdwn`. Only the
person an ask is addressed to and a follow-up's owner are mentioned (`<@U…>`); every other name
is plain text. Links are built here, from URLs that passed `_safe_url`.

Limits: every message stays within the constants below; content that does not fit moves to the
next message (a 200-person team gets several notes messages) and single long lines are cut "…".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from digests.build import age_in_days, zone_label
from digests.ci_audit import used_repos
from digests.escape import clip, clip_mrkdwn, escape_mrkdwn
from digests.models import (
    AskGroup,
    CiAudit,
    Digest,
    FollowUp,
    Person,
    PersonNotes,
    PersonPromises,
    PlannedMessage,
    PrBoard,
    PullRequest,
    RepoBoard,
)
from digests.promises import LONG_CARRIED_WEEKS
from digests.render import chart, ci_chart, trend_chart, wording
from digests.render.chart import billing_alt_text, chart_months
from digests.render.ci_chart import chart_repos, repo_chart_alt_text
from digests.render.wording import (
    Em,
    Inline,
    Link,
    Mention,
    Strike,
    Strong,
    Typed,
    long_date,
    plural,
    short_date,
    when,
)

Block = dict[str, object]

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_BLOCKS_PER_MESSAGE = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 3000
MAX_FALLBACK_TEXT = 3000
# Slack also rejects a message whose blocks hold too much text in total (`msg_blocks_too_long`,
# undocumented; reported from ~11,300 characters up, slackapi/bolt-js#2509 and #2867). Stay below.
MAX_MESSAGE_BLOCK_TEXT = 10_000

# What one line may take before it is cut with "…" (the Markdown notes keep the full text).
MAX_ITEM_CHARS = 700
MAX_NAME_CHARS = wording.MAX_NAME_CHARS
# How much of each list the main message shows before "…and N more".
MAIN_BLOCKERS = 15
MAIN_BLOCKER_CHARS = 300  # blockers are repeated in full in each person's notes
MAIN_REPOS = 8
MAIN_MERGED_BY = 10
MAIN_PR_LINES = 5
MAIN_REPORTED_NAMES = 40
MAIN_CARRIED = 10
MAIN_RESOLVED = 10
BOARD_PR_LINES = 10

FILE_NAME = chart.FILE_NAME
REPO_CHART_FILE = ci_chart.FILE_NAME
MAIN_CI_FLAGS = 10  # flags in the "Where the minutes go" message; the report lists all
DONE_REACTION_HINT = "React with :white_check_mark: when it's done"


# --- public -------------------------------------------------------------------------------


def render_digest_messages(digest: Digest) -> list[PlannedMessage]:
    """The messages to post, in order: seq 0 is the main message, the rest go in its thread."""
    messages: list[PlannedMessage] = []

    def add(kind: str, text: str, blocks: Sequence[Block] = (), **extra: Any) -> None:
        messages.append(
            PlannedMessage(
                seq=len(messages),
                kind=kind,
                text=clip_mrkdwn(text, MAX_FALLBACK_TEXT),
                blocks=tuple(blocks),
                thread=bool(messages),  # only the first message is not in the thread
                **extra,
            )
        )

    main_pages = _paginate(_main_units(digest))
    add("main", _main_fallback(digest), main_pages[0])
    for page in main_pages[1:]:
        add("main_continued", f"{_main_title(digest)} (continued)", page)

    notes_pages = _paginate(_notes_units(digest), reserve=1)
    for number, page in enumerate(notes_pages, start=1):
        title = "Standup notes"
        if len(notes_pages) > 1:
            title += f" ({number} of {len(notes_pages)})"
        page.insert(0, _context(f"*{title}* · {long_date(digest.meeting_date)}"))
        add("notes", _notes_fallback(title, page, digest), page)

    if trend_chart.chart_points(digest.trend):
        title = wording.trend_title(digest.trend)
        add(
            "trend_chart",
            escape_mrkdwn(title),
            file_name=trend_chart.FILE_NAME,
            file_title=escape_mrkdwn(title),
            alt_text=escape_mrkdwn(trend_chart.trend_alt_text(digest.trend)),
        )

    if digest.board is not None and any(_repo_has_lists(repo) for repo in digest.board.repos):
        for page in _paginate(_board_units(digest.board), reserve=1):
            page.insert(0, _context("*Pull requests in detail*"))
            add("board", "Pull requests in detail: merged, waiting for review, stale, drafts", page)

    if digest.billing is not None and chart_months(digest.billing):
        org = digest.billing.org
        add(
            "chart",
            escape_mrkdwn(f"CI minutes and cost per month, GitHub Actions ({org})"),
            file_name=FILE_NAME,
            # Plain-text fields, but Slack is not asked to trust them either.
            file_title=escape_mrkdwn(f"GitHub Actions minutes and cost per month ({org})"),
            alt_text=escape_mrkdwn(billing_alt_text(digest.billing)),
        )

    audit = digest.ci_audit
    if audit is not None and chart_repos(audit):
        add("ci_repos", _ci_fallback(audit), _ci_blocks(audit))
        org = audit.org
        add(
            "ci_repo_chart",
            escape_mrkdwn(f"Where the CI minutes go, GitHub Actions ({org})"),
            file_name=REPO_CHART_FILE,
            file_title=escape_mrkdwn(f"GitHub Actions minutes by repository ({org})"),
            alt_text=escape_mrkdwn(repo_chart_alt_text(audit)),
        )

    if digest.closed_follow_ups:
        done = plural(len(digest.closed_follow_ups), "follow-up")
        for page in _paginate(_closed_units(digest)):
            add("follow_ups_done", f"{done} done since the last digest", page)

    for open_follow_up in digest.open_follow_ups:
        follow_up = open_follow_up.follow_up
        text, blocks = render_follow_up_message(follow_up, now=digest.generated_at)
        add("follow_up", text, blocks, follow_up_id=follow_up.id)
    return messages


def render_follow_up_message(
    follow_up: FollowUp, *, now: datetime
) -> tuple[str, list[dict[str, object]]]:
    """A follow-up's own thread message: open (react ✅ to close), or done (struck through).

    Used in the digest and again for chat.update when a ✅ is added or removed.
    """
    owner = to_mrkdwn(wording.follow_up_owner(follow_up))
    text = _follow_up_text(follow_up)
    source = to_mrkdwn(wording.follow_up_source(follow_up))
    if follow_up.status == "done":
        closed = "Done"
        if follow_up.done_by:
            closed += f" by {_mention(follow_up.done_by)}"
        if follow_up.done_at is not None:
            closed += f" on {when(follow_up.done_at, now)} {escape_mrkdwn(zone_label(now))}"
        body = f":white_check_mark: ~{text}~\nFor {owner} · {closed}"
        context = f"Source: {source}" if source else ""
        fallback = f"Follow-up done: {text} (for {owner}). {closed}."
    else:
        age = wording.age_words(age_in_days(follow_up.created_at, now))
        body = f":pushpin: *Follow-up* for {owner} · {age}\n>{text}"
        context = " · ".join(
            part for part in (f"Source: {source}" if source else "", DONE_REACTION_HINT) if part
        )
        from_source = f" Source: {source}." if source else ""
        fallback = f"Follow-up for {owner} ({age}): {text}.{from_source} {DONE_REACTION_HINT}."
    blocks: list[Block] = [_section(body)]
    if context:
        blocks.append(_context(context))
    return clip_mrkdwn(fallback, MAX_FALLBACK_TEXT), blocks


# --- main message --------------------------------------------------------------------------


def _main_units(digest: Digest) -> list[list[Block]]:
    title = wording.plain(wording.digest_title(digest), slack_emoji=True)
    header = f":spiral_note_pad: Standup digest — {title}"
    units: list[list[Block]] = [
        [_header(header), _context(_cycle_line(digest))],
    ]
    warnings = _warning_lines(digest)
    if warnings:
        units.append([_context(":warning: " + " · ".join(warnings))])
    units.append(_sections(_reporting_lines(digest)))
    carried = _carried_lines(digest)
    if carried:
        units.append([_divider(), *_sections(carried)])
    units.append([_divider(), *_sections(_blocker_lines(digest))])
    if digest.asks:
        units.extend(_ask_units(digest))
    if digest.board is not None:
        units.append([_divider(), *_sections(_board_summary_lines(digest.board))])
    if digest.billing is not None:
        units.append([_divider(), *_sections(_billing_lines(digest))])
    units.append([_divider(), _context(_thread_hint(digest))])
    return units


def _cycle_line(digest: Digest) -> str:
    return escape_mrkdwn(wording.cycle_line(digest))


def _warning_lines(digest: Digest) -> list[str]:
    lines = []
    for problem in digest.problems:
        if problem.area == "billing" and digest.billing is not None:
            continue  # the billing section says it
        if problem.area == "github":
            lines.append(f"No GitHub data ({problem.what}): {escape_mrkdwn(problem.why)}")
        else:
            lines.append(f"missing {escape_mrkdwn(problem.what)}: {escape_mrkdwn(problem.why)}")
    if lines:
        lines[0] = lines[0][0].upper() + lines[0][1:]
    return lines


def _reporting_lines(digest: Digest) -> list[str]:
    if not digest.reported and not digest.missing:
        return ["No standups this week, and nobody on the team yet."]
    lines = []
    reported = wording.reported_label(digest)
    if not digest.reported:
        expected = wording.reported_counts(digest)[1]
        lines.append(f":hourglass_flowing_sand: *Nobody has reported yet* (0 of {expected}).")
    elif len(digest.reported) <= MAIN_REPORTED_NAMES:
        lines.append(f":white_check_mark: *{reported}* {_names(digest.reported)}")
    else:
        count = wording.reported_count(digest)
        lines.append(f":white_check_mark: *Reported:* {count} — their notes are in the thread.")
    if digest.missing:
        lines.append(
            f":hourglass_flowing_sand: *{wording.missing_label(digest)}* {_names(digest.missing)}"
        )
    elif digest.reported:
        everyone = "Everyone else" if digest.away else "Everyone on the team"
        lines.append(f":tada: {everyone} reported.")
    if digest.away:
        away = to_mrkdwn(wording.away_people(digest.away))
        lines.append(f":palm_tree: *{wording.away_label(digest)}* {away}")
    if digest.promised_count:
        lines.append(f":dart: *{wording.team_delivery(digest)}* last week.")
    return lines


def _carried_lines(digest: Digest) -> list[str]:
    carried = digest.carried_for(LONG_CARRIED_WEEKS)
    if not carried:
        return []
    heading = wording.carried_heading(LONG_CARRIED_WEEKS, len(carried))
    lines = [f":hourglass: *{heading}*"]
    for entry in carried[:MAIN_CARRIED]:
        lines.append("• " + to_mrkdwn(wording.carried_line(entry, limit=MAIN_BLOCKER_CHARS)))
    hidden = len(carried) - MAIN_CARRIED
    if hidden > 0:
        lines.append(f"_…and {hidden} more in the notes in the thread._")
    return lines


def _blocker_lines(digest: Digest) -> list[str]:
    if not digest.blockers:
        lines = [":large_green_circle: *Blockers:* none reported."]
    else:
        lines = [f":no_entry: *Blockers ({len(digest.blockers)})*"]
        for blocker in digest.blockers[:MAIN_BLOCKERS]:
            lines.append("• " + to_mrkdwn(wording.blocker_line(blocker, limit=MAIN_BLOCKER_CHARS)))
        hidden = len(digest.blockers) - MAIN_BLOCKERS
        if hidden > 0:
            lines.append(f"_…and {hidden} more in the notes in the thread._")
    return lines + _resolved_lines(digest)


def _resolved_lines(digest: Digest) -> list[str]:
    resolved = digest.resolved_blockers
    if not resolved:
        return []
    lines = [f":white_check_mark: *{wording.resolved_heading(len(resolved))}*"]
    for blocker in resolved[:MAIN_RESOLVED]:
        line = wording.resolved_blocker_line(blocker, limit=MAIN_BLOCKER_CHARS)
        lines.append("• " + to_mrkdwn(line))
    hidden = len(resolved) - MAIN_RESOLVED
    if hidden > 0:
        lines.append(f"_…and {hidden} more._")
    return lines


def _ask_units(digest: Digest) -> list[list[Block]]:
    total = sum(len(group.asks) for group in digest.asks)
    open_count = digest.open_ask_count
    answered = sum(
        ask.answer is not None and ask.status == "done"
        for group in digest.asks
        for ask in group.asks
    )
    closed = total - open_count - answered
    counts = f"{open_count} open" + (f", {answered} answered" if answered else "")
    counts += f", {closed} done" if closed else ""
    lines = [f":raising_hand: *Asks ({counts})*"]
    for group in digest.asks:
        lines.extend(_ask_group_lines(group))
    sections = _sections(lines)
    return [[_divider(), sections[0]], *([section] for section in sections[1:])]


def _ask_group_lines(group: AskGroup) -> list[str]:
    """The asks to one person; an answered one with its answer quoted under it (one line for
    `_sections`, so the two are never split)."""
    lines = [to_mrkdwn(Strong(wording.ask_heading(group)))]
    for ask in group.asks:
        line = f"• {to_mrkdwn(wording.ask_line(ask, limit=MAX_ITEM_CHARS))}"
        if ask.answer is not None:
            line += f"\n>{to_mrkdwn(wording.answer_line(ask, limit=MAX_ITEM_CHARS))}"
        lines.append(line)
    return lines


def _board_summary_lines(board: PrBoard) -> list[str]:
    awaiting = board.awaiting_review
    stale = board.stale
    drafts = sum(len(repo.drafts) for repo in board.repos)
    totals = wording.board_counts(
        merged=board.merged_count,
        opened=board.opened_count,
        awaiting=len(awaiting),
        stale=len(stale),
        drafts=drafts,
    )
    lines = [f":twisted_rightwards_arrows: *Pull requests this cycle* — {totals or 'no activity'}"]
    active = [repo for repo in board.repos if wording.repo_counts(repo)]
    for repo in active[:MAIN_REPOS]:
        lines.append(f"• *{escape_mrkdwn(repo.repo)}* — {wording.repo_counts(repo)}")
    if len(active) > MAIN_REPOS:
        lines.append(
            f"_…and {len(active) - MAIN_REPOS} more repositories (details in the thread)._"
        )
    quiet = len(board.repos) - len(active)
    if quiet:
        lines.append(
            f"_{quiet} {'repository' if quiet == 1 else 'repositories'} without activity._"
        )
    if board.merged_by:
        shown = [
            f"{_name(row.person)} {len(row.pulls)}" for row in board.merged_by[:MAIN_MERGED_BY]
        ]
        more = len(board.merged_by) - MAIN_MERGED_BY
        lines.append(
            "*Merged by:* " + " · ".join(shown) + (f" · _+{more} more_" if more > 0 else "")
        )
    if awaiting:
        lines.append("*Waiting longest for review*")
        lines.extend(
            _pr_list(awaiting, MAIN_PR_LINES, lambda pull: wording.waiting(pull, board.ends_at))
        )
    if stale:
        lines.append(f"*Stale: no update for {board.stale_days}+ days*")
        lines.extend(
            _pr_list(stale, MAIN_PR_LINES, lambda pull: wording.updated(pull, board.ends_at))
        )
    return lines


def _billing_lines(digest: Digest) -> list[str]:
    billing = digest.billing
    assert billing is not None
    title = f":money_with_wings: *CI minutes — GitHub Actions ({escape_mrkdwn(billing.org)})*"
    if not billing.months:
        why = billing.problem or "GitHub returned no usage"
        return [title, f"Not shown: {escape_mrkdwn(why)}."]
    lines = [title]
    full = [month for month in billing.months if month.complete]
    current = [month for month in billing.months if not month.complete]
    for month in [*full[-1:], *current[-1:]]:
        lines.append(to_mrkdwn(wording.billing_month_line(month)))
    if billing.comparison is not None:
        lines.append(to_mrkdwn(wording.comparison_line(billing.comparison)))
    if billing.problem:
        lines.append(f"_Incomplete: {escape_mrkdwn(billing.problem)}_")
    return lines


def _thread_hint(digest: Digest) -> str:
    parts = []
    if digest.notes:
        parts.append(f"notes from {plural(len(digest.notes), 'person', 'people')}")
    if trend_chart.chart_points(digest.trend):
        parts.append("the delivery trend")
    if digest.board is not None and any(_repo_has_lists(repo) for repo in digest.board.repos):
        parts.append("PR details")
    if digest.billing is not None and chart_months(digest.billing):
        parts.append("the CI chart")
    if digest.ci_audit is not None and chart_repos(digest.ci_audit):
        parts.append("where the CI minutes go")
    if digest.closed_follow_ups:
        parts.append(f"{plural(len(digest.closed_follow_ups), 'follow-up')} done")
    if digest.open_follow_ups:
        parts.append(f"{plural(len(digest.open_follow_ups), 'open follow-up')}")
    if not parts:
        return "Nothing else this week."
    hint = ":thread: In the thread: " + ", ".join(parts) + "."
    if digest.open_follow_ups:
        hint += " " + DONE_REACTION_HINT.replace("React", "React on a follow-up") + "."
    return hint


def _main_title(digest: Digest) -> str:
    return f"Standup digest for {to_mrkdwn(wording.digest_title(digest))}"


def _main_fallback(digest: Digest) -> str:
    reported, expected = wording.reported_counts(digest)
    parts = [f"{_main_title(digest)}: {reported} of {expected} reported"]
    if digest.missing:
        parts[0] += f" (not yet: {_names(digest.missing)})"
    if digest.away:
        parts[0] += f" (away: {_names(entry.person for entry in digest.away)})"
    if digest.promised_count:
        parts.append(wording.team_delivery(digest).lower())
    parts.append(plural(len(digest.blockers), "blocker"))
    parts.append(plural(digest.open_ask_count, "open ask"))
    parts.append(plural(len(digest.open_follow_ups), "open follow-up"))
    if digest.board is not None:
        waiting = len(digest.board.awaiting_review)
        parts.append(f"{digest.board.merged_count} PRs merged, {waiting} waiting for review")
    return "; ".join(parts) + "."


# --- thread ---------------------------------------------------------------------------------


def _ci_blocks(audit: CiAudit) -> list[Block]:
    """ "Where the minutes go": the top repositories of the last full month, then the flags."""
    repos = used_repos(audit)
    title = to_mrkdwn(
        (Strong(wording.ci_title(audit)), " · GitHub Actions (", Typed(audit.org), ")")
    )
    lines = [f":mag: {title}"]
    lines += [
        "• " + to_mrkdwn(wording.ci_repo_line(repo)) for repo in repos[: wording.CI_TOP_REPOS]
    ]
    if len(repos) > wording.CI_TOP_REPOS:
        lines.append(f"_…and {len(repos) - wording.CI_TOP_REPOS} more repositories._")
    blocks = _sections(lines)
    if audit.flags:
        flag_lines = [f"*Worth a look ({len(audit.flags)})*"]
        flag_lines += [
            to_mrkdwn(wording.ci_flag_line(flag)) for flag in audit.flags[:MAIN_CI_FLAGS]
        ]
        if len(audit.flags) > MAIN_CI_FLAGS:
            flag_lines.append(f"_…and {len(audit.flags) - MAIN_CI_FLAGS} more._")
        blocks += _sections(flag_lines)
    note = "Every repository, flag and month: `standup-bot ci-report`."
    if audit.problem:
        note = f"Incomplete: {escape_mrkdwn(audit.problem)}. " + note
    blocks.append(_context(note))
    return blocks


def _ci_fallback(audit: CiAudit) -> str:
    top = used_repos(audit)[:3]
    names = ", ".join(f"{repo.repo} {repo.latest.minutes:,.0f} min" for repo in top)
    flags = f"; {plural(len(audit.flags), 'flag')}" if audit.flags else ""
    return escape_mrkdwn(f"{wording.ci_title(audit)} ({audit.org}): {names}{flags}")


def _notes_units(digest: Digest) -> list[list[Block]]:
    units = []
    for notes in digest.notes:
        units.append([*_sections(_person_lines(notes, digest)), _divider()])
    # Promises of people without a standup this week are listed too: they do not vanish.
    for person in digest.promises:
        if not person.reported:
            units.append([*_sections(_silent_person_lines(person)), _divider()])
    return units  # nobody reported: the main message says so, no empty notes message


def _promise_lines(person: PersonPromises | None) -> list[str]:
    if person is None or not person.promises:
        return []
    lines = [f"*{wording.person_delivery(person)}* last week"]
    lines.extend(
        f"• {to_mrkdwn(wording.promise_line(promise, limit=MAX_ITEM_CHARS))}"
        for promise in person.promises
    )
    return lines


def _silent_person_lines(person: PersonPromises) -> list[str]:
    return [f"*{_name(person.person)}* · _{wording.no_standup(person)}_", *_promise_lines(person)]


def _person_lines(notes: PersonNotes, digest: Digest) -> list[str]:
    lines = [f"*{_name(notes.person)}* · _sent {when(notes.submitted_at, digest.generated_at)}_"]
    lines.extend(_promise_lines(digest.promises_of(notes.person.user_id)))
    for title, items in (
        ("Done", notes.done),
        ("Next", notes.next),
        (":no_entry: Blocked", notes.blocked),
    ):
        if items:
            lines.append(f"*{title}*")
            lines.extend(
                f"• {to_mrkdwn(wording.item(item, limit=MAX_ITEM_CHARS))}" for item in items
            )
    if notes.empty:
        lines.append("_Nothing to report._")
    pr_lines = [to_mrkdwn(wording.pr_line(info)) for info in notes.pull_requests if info.looked_up]
    if pr_lines:
        lines.append("*Pull requests*")
        lines.extend(pr_lines)
    return lines


def _board_units(board: PrBoard) -> list[list[Block]]:
    units = []
    ends = board.ends_at
    for repo in board.repos:
        if not _repo_has_lists(repo):
            continue
        lines = [f"*{escape_mrkdwn(repo.repo)}* — {wording.repo_counts(repo)}"]
        lists: tuple[tuple[str, Sequence[PullRequest], Callable[[PullRequest], str]], ...] = (
            ("Merged", repo.merged, lambda pull: wording.merged_on(pull, ends)),
            ("Waiting for review", repo.awaiting_review, lambda pull: wording.waiting(pull, ends)),
            (
                f"Stale, no update for {board.stale_days}+ days",
                repo.stale,
                lambda pull: wording.updated(pull, ends),
            ),
            ("Drafts", repo.drafts, lambda pull: wording.updated(pull, ends)),
        )
        for title, pulls, describe in lists:
            if pulls:
                lines.append(f"*{title} ({len(pulls)})*")
                lines.extend(_pr_list(pulls, BOARD_PR_LINES, describe, author=True))
        units.append([*_sections(lines), _divider()])
    return units


def _closed_units(digest: Digest) -> list[list[Block]]:
    since = (
        f" since {short_date(digest.previous_meeting_date)}" if digest.previous_meeting_date else ""
    )
    lines = [f":white_check_mark: *Follow-ups done{since} ({len(digest.closed_follow_ups)})*"]
    for closed in digest.closed_follow_ups:
        text = _follow_up_text(closed.follow_up)
        done = to_mrkdwn(wording.closed_by(closed, digest.generated_at))
        lines.append(f"• ~{text}~ — {_name(closed.owner)} · {done}")
    return [_sections(lines)]


def _notes_fallback(title: str, page: list[Block], digest: Digest) -> str:
    shown = _block_text(page)
    names = [
        _name(notes.person) for notes in digest.notes if f"*{_name(notes.person)}* · _sent" in shown
    ]
    names += [
        _name(person.person)
        for person in digest.promises
        if not person.reported
        and f"*{_name(person.person)}* · _{wording.no_standup(person)}_" in shown
    ]
    return f"{title}: " + (", ".join(names) if names else "no standups")


# --- pull requests ------------------------------------------------------------------------


def _pr_list(
    pulls: Sequence[PullRequest],
    limit: int,
    describe: Callable[[PullRequest], str],
    *,
    author: bool = False,
) -> list[str]:
    lines = [
        "• " + to_mrkdwn(wording.board_pr_line(pull, describe(pull), author=author))
        for pull in pulls[:limit]
    ]
    if len(pulls) > limit:
        lines.append(f"_…and {len(pulls) - limit} more_")
    return lines


def _repo_has_lists(repo: RepoBoard) -> bool:
    return bool(repo.merged or repo.awaiting_review or repo.stale or repo.drafts)


# --- text pieces ----------------------------------------------------------------------------


def to_mrkdwn(inline: Inline) -> str:
    """A worded fact (digests.render.wording) as Slack mrkdwn: typed text escaped and cut to its
    Slack limit, links only to URLs that pass `_safe_url`, mentions only of real user ids."""
    if isinstance(inline, str):
        return inline
    if isinstance(inline, tuple):
        return "".join(to_mrkdwn(part) for part in inline)
    if isinstance(inline, Typed):
        text = inline.text if inline.limit is None else clip(inline.text, inline.limit)
        return escape_mrkdwn(text)
    if isinstance(inline, Link):
        return _link(inline.url, to_mrkdwn(inline.label))
    if isinstance(inline, Mention):
        return _mention(inline.user_id, inline.name)
    if isinstance(inline, Strong):
        return f"*{to_mrkdwn(inline.content)}*"
    if isinstance(inline, Em):
        return f"_{to_mrkdwn(inline.content)}_"
    if isinstance(inline, Strike):
        return f"~{to_mrkdwn(inline.content)}~"
    return f"{inline.slack} "


def _safe_url(url: str) -> str | None:
    if not wording.LINKABLE_URL.fullmatch(url):
        return None
    return url.replace("&", "&amp;")


def _link(url: str, label: str) -> str:
    safe = _safe_url(url)
    return f"<{safe}|{label}>" if safe else label


def _follow_up_text(follow_up: FollowUp) -> str:
    return escape_mrkdwn(clip(" ".join(follow_up.text.split()), MAX_ITEM_CHARS))


_USER_ID = re.compile(r"[UW][A-Z0-9]+")


def _mention(user_id: str, name: str = "") -> str:
    """`<@U…>` for a well-formed Slack user id; anything else becomes the escaped name or id."""
    if _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape_mrkdwn(clip(name or user_id, MAX_NAME_CHARS))


def _name(person: Person) -> str:
    return to_mrkdwn(wording.name(person))


def _names(people: Iterable[Person]) -> str:
    return to_mrkdwn(wording.names(list(people)))


# --- blocks ---------------------------------------------------------------------------------


def _header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(text, MAX_HEADER_TEXT), "emoji": True},
    }


def _section(text: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip_mrkdwn(text, MAX_SECTION_TEXT)},
    }


def _context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip_mrkdwn(text, MAX_CONTEXT_TEXT)}],
    }


def _divider() -> Block:
    return {"type": "divider"}


def _sections(lines: Sequence[str]) -> list[Block]:
    """Lines packed into as few sections as fit MAX_SECTION_TEXT; no line is split across two."""
    blocks: list[Block] = []
    current = ""
    for raw in lines:
        line = clip_mrkdwn(raw, MAX_SECTION_TEXT)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION_TEXT:
            blocks.append(_section(current))
            candidate = line
        current = candidate
    if current:
        blocks.append(_section(current))
    return blocks


def _block_text(value: object) -> str:
    """Every string inside a block, joined: more than Slack counts toward msg_blocks_too_long."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "".join(_block_text(item) for item in value.values())
    if isinstance(value, list | tuple):
        return "".join(_block_text(item) for item in value)
    return ""


def _paginate(units: Sequence[list[Block]], *, reserve: int = 0) -> list[list[Block]]:
    """Units (blocks that belong together) laid out over as few messages as the limits allow.

    A unit that does not fit a message of its own is split block by block. `reserve` keeps room
    for a block the caller adds to each page (a title).
    """
    max_blocks = MAX_BLOCKS_PER_MESSAGE - reserve
    max_chars = MAX_MESSAGE_BLOCK_TEXT - reserve * (MAX_CONTEXT_TEXT // 10)
    pieces: list[list[Block]] = []
    for unit in units:
        if len(unit) > max_blocks or _chars(unit) > max_chars:
            pieces.extend([block] for block in unit)
        else:
            pieces.append(unit)

    pages: list[list[Block]] = [[]]
    for piece in pieces:
        page = pages[-1]
        if page and (
            len(page) + len(piece) > max_blocks or _chars(page) + _chars(piece) > max_chars
        ):
            pages.append([])
            page = pages[-1]
        page.extend(piece)
    return [_trim_dividers(page) for page in pages if _trim_dividers(page)]


def _chars(blocks: Sequence[Block]) -> int:
    return sum(len(_block_text(block)) for block in blocks)


def _trim_dividers(page: list[Block]) -> list[Block]:
    start, end = 0, len(page)
    while start < end and page[start]["type"] == "divider":
        start += 1
    while end > start and page[end - 1]["type"] == "divider":
        end -= 1
    return page[start:end]
