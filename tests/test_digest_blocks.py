"""render_digest_messages / render_follow_up_message: content, Slack limits, and injection.

Golden file: tests/golden/blocks.json is the sample team's digest at a fixed time. Regenerate
it with `UPDATE_GOLDEN=1 uv run pytest tests/test_digest_blocks.py`; read the diff, then commit.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digests.build import build_digest
from digests.escape import WORD_JOINER
from digests.models import (
    ActionsBilling,
    BillingComparison,
    Digest,
    Fetched,
    Member,
    PlannedMessage,
    PullRequest,
    PullRequestLookup,
)
from digests.render.blocks import (
    DONE_REACTION_HINT,
    MAX_BLOCKS_PER_MESSAGE,
    MAX_CONTEXT_TEXT,
    MAX_FALLBACK_TEXT,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCK_TEXT,
    MAX_SECTION_TEXT,
    render_digest_messages,
    render_follow_up_message,
)
from digests.sample import build_sample_inputs
from tests.factories import (
    NOW,
    all_text,
    ask,
    earlier,
    evil_digest,
    follow_up,
    history,
    inputs,
    lookups,
    month,
    pull,
    standup,
)

GOLDEN = Path(__file__).parent / "golden" / "blocks.json"
SAMPLE_NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BROADCAST = re.compile(r"(?<![\w.+\-])@(channel|here|everyone)", re.IGNORECASE)


def everything(messages: list[PlannedMessage]) -> list[str]:
    found = []
    for message in messages:
        found.append(message.text)
        found.extend(all_text(list(message.blocks)))
        found.extend(s for s in (message.alt_text, message.file_title) if s)
    return found


def assert_within_limits(message: PlannedMessage) -> None:
    assert message.text.strip(), f"message {message.seq} has no fallback text"
    assert len(message.text) <= MAX_FALLBACK_TEXT
    assert len(message.blocks) <= MAX_BLOCKS_PER_MESSAGE
    assert sum(len(s) for s in all_text(list(message.blocks))) <= MAX_MESSAGE_BLOCK_TEXT
    for block in message.blocks:
        kind = block["type"]
        if kind == "header":
            text = block["text"]
            assert isinstance(text, dict) and 0 < len(text["text"]) <= MAX_HEADER_TEXT
        elif kind == "section":
            text = block["text"]
            assert isinstance(text, dict) and 0 < len(text["text"]) <= MAX_SECTION_TEXT
        elif kind == "context":
            elements = block["elements"]
            assert isinstance(elements, list) and 0 < len(elements) <= 10
            for element in elements:
                assert 0 < len(element["text"]) <= MAX_CONTEXT_TEXT
        else:
            assert kind == "divider"
    json.dumps(list(message.blocks))  # plain JSON, as Slack receives it


def sample_messages() -> list[PlannedMessage]:
    return render_digest_messages(build_digest(**build_sample_inputs(SAMPLE_NOW)))


def main_text(messages: list[PlannedMessage]) -> str:
    return "\n".join(all_text(list(messages[0].blocks)))


# --- the sample, as people will see it ---------------------------------------------------


def test_sample_digest_matches_the_golden_file() -> None:
    rendered = [m.model_dump(mode="json", exclude_none=True) for m in sample_messages()]
    text = json.dumps(rendered, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), "rerun with UPDATE_GOLDEN=1 and review"


def test_messages_come_in_order_main_first_then_the_thread() -> None:
    messages = sample_messages()
    assert [m.seq for m in messages] == list(range(len(messages)))
    assert [m.thread for m in messages] == [False] + [True] * (len(messages) - 1)
    kinds = [m.kind for m in messages]
    assert kinds == [
        "main",
        "notes",
        "trend_chart",
        "board",
        "chart",
        "ci_repos",
        "ci_repo_chart",
        "follow_ups_done",
        *["follow_up"] * 4,
    ]
    for message in messages:
        assert_within_limits(message)


def test_where_the_minutes_go_and_the_flags_are_in_the_thread() -> None:
    messages = sample_messages()
    [ci] = [m for m in messages if m.kind == "ci_repos"]
    text = "\n".join(all_text(list(ci.blocks)))
    assert ":mag: *Where the minutes go — Oct 2026* · GitHub Actions (acme)" in text
    # The top five repositories: minutes, share, change and net dollars.
    assert "• *api* — 45,066 min (47%) · −33% vs Sep 2026 · $0 net" in text
    assert "• *infra* — 9,387 min (10%) · +162% vs Sep 2026 · $0 net" in text
    assert text.count("\n• ") == 5 and "_…and 2 more repositories._" in text
    assert "*Worth a look (4)*" in text
    assert (
        ":triangular_flag_on_post: *checkout-fork*: a fork that used 2,939 min in Oct 2026" in text
    )
    assert ":triangular_flag_on_post: *legacy-site*: archived, yet it used 1,959 min" in text
    assert ":triangular_flag_on_post: *mobile*: macOS 540 min (10× the Linux price)" in text
    assert ":triangular_flag_on_post: *infra*: minutes jumped +162%" in text
    [chart] = [m for m in messages if m.kind == "ci_repo_chart"]
    assert chart.file_name == "ci-by-repo.png"
    assert chart.alt_text is not None and chart.alt_text.startswith(
        "Horizontal bar chart of the 7 repositories of acme that used the most GitHub Actions "
        "minutes in Oct 2026, each next to Sep 2026. api: 45,066 min (67,252 min in Sep 2026), "
        "$0 net."
    )
    assert "In the thread:" in main_text(messages) and "where the CI minutes go" in main_text(
        messages
    )


def test_main_message_has_the_week_at_a_glance() -> None:
    messages = sample_messages()
    text = main_text(messages)
    header = messages[0].blocks[0]
    assert header["type"] == "header" and "Monday 30 November 2026" in str(header)
    assert "*Reported (5 of 5):* Hesham, Kevin, Maya Lindqvist, Priya R, Tomás" in text
    assert ":palm_tree: *Away (1):* Jordan (until Fri 27 Nov)" in text  # all week: not counted
    assert ":no_entry: *Blockers (3)*" in text
    assert "• *Kevin* — Staging DB credentials for the load test" in text
    assert "*For everyone*" in text and "*For <@U02HESHAM>*" in text and "*For Design team*" in text
    assert "~Add me to the TestFlight group~" in text
    assert "*acme/api* — 2 merged" in text
    assert "*Merged by:* Hesham 2 · Priya R 2" in text
    assert "gross $611.08 − discount $611.08 = *net $0*" in text
    assert "$670.40/mo ($8,044.80/yr) gross" in text
    assert messages[0].text.startswith(
        "Standup digest for Monday 30 November 2026: 5 of 5 reported (away: Jordan)"
    )


def test_main_message_says_what_became_of_last_week_s_promises_and_blockers() -> None:
    text = main_text(sample_messages())
    assert ":dart: *Delivered 10 of 13 promised (77%)* last week." in text  # Jordan's 2 away
    assert (
        ":hourglass: *Carried 3+ weeks (1)*\n• Find the flaky test_export_csv (web#1190) — "
        "*Tomás* · _3rd week, first promised Mon 16 Nov_"
    ) in text
    assert (
        "• *Kevin* — Staging DB credentials for the load test: waiting on infra since Tuesday"
        " · _still blocked since Mon 16 Nov · 3 weeks_"
    ) in text
    assert "no answer yet · _new_" in text
    assert (
        ":white_check_mark: *Resolved since last week (1)*\n• *Hesham* — "
        "~A billing manager's token for the CI cost report~ · _resolved after 1 week_"
    ) in text
    assert "; delivered 10 of 13 promised (77%);" in sample_messages()[0].text
    assert (
        "• Share the query plan of the slow dashboard — _from Maya Lindqvist_ · _asked Mon 23 Nov_"
        " · :speech_balloon: answered\n>:speech_balloon: *Tomás:* Posted it on "
        "<https://github.com/acme/api/pull/415|#415>: a sequential scan on events.created_at."
    ) in text


def test_notes_list_everyone_s_promises_with_their_outcome() -> None:
    notes = "\n".join(all_text(list(sample_messages()[1].blocks)))
    assert (
        "*Kevin* · _sent Fri 27 Nov 15:00_\n*Delivered 2 of 3 promised* last week\n"
        "• :white_check_mark: Ship the session-token refresh fix (#412) — _delivered_\n"
        "• :repeat: Rate limiting for the public API (#418) — _carried · 2nd week_\n"
    ) in notes
    merged = (
        "• :white_check_mark: Review the read-replica change (api#415) — _delivered · PR merged_"
    )
    assert merged in notes
    assert (
        "*Jordan* · _away this week: promises not counted_\n*Promised* last week\n"
        "• :palm_tree: Replace moment.js with date-fns (web#1179) — _away, not counted_"
    ) in notes


def test_the_trend_chart_is_a_thread_message_with_its_own_alt_text() -> None:
    [trend] = [m for m in sample_messages() if m.kind == "trend_chart"]
    assert trend.thread and trend.file_name == "delivery-trend.png" and not trend.blocks
    assert trend.text == "Standups and promises, last 8 meetings"
    assert trend.alt_text is not None
    assert trend.alt_text.startswith("Line chart of the last 8 meetings, Mon 12 Oct to Mon 30 Nov")
    assert (
        "Mon 30 Nov: reported 5 of 5 (100%), delivered 10 of 13 promised (77%)." in trend.alt_text
    )
    one_meeting = build_digest(**inputs(standups=[standup("U1", done=["a"])]))
    assert not any(m.kind == "trend_chart" for m in render_digest_messages(one_meeting))


def test_notes_show_each_pr_with_its_live_state() -> None:
    notes = "\n".join(all_text(list(sample_messages()[1].blocks)))
    assert (
        ":large_green_circle: <https://github.com/acme/api/pull/418|acme/api#418> "
        "Rate limit the public API per token — open · CI running · review required"
    ) in notes
    assert (
        ":large_purple_circle: <https://github.com/acme/api/pull/412|acme/api#412> "
        "Refresh session tokens before they expire — merged"
    ) in notes
    assert ":grey_question: acme/web#1190 — unknown PR (not found)" in notes
    # The reference itself is a link where it was typed.
    assert "fix (<https://github.com/acme/api/pull/412|#412>)" in notes


def test_chart_message_carries_file_name_and_alt_text() -> None:
    chart = next(m for m in sample_messages() if m.kind == "chart")
    assert chart.file_name == "ci-billing.png"
    assert chart.file_title and "acme" in chart.file_title
    assert chart.alt_text and "Jun 2026: 202,540 min" in chart.alt_text
    assert chart.blocks == ()


def test_each_open_follow_up_is_its_own_message() -> None:
    follow_ups = [m for m in sample_messages() if m.kind == "follow_up"]
    assert [m.follow_up_id for m in follow_ups] == [101, 102, 103, 104]
    first = follow_ups[0]
    assert "Pin the macOS runner image" in first.text
    assert "<@U04PRIYA>" in first.text and "19 days old" in first.text
    assert "Source: <https://notes.acme.example/standup/weekly#runner-images|" in first.text
    assert DONE_REACTION_HINT in first.text
    shown = "\n".join(all_text(list(first.blocks)))
    assert "<https://notes.acme.example/standup/weekly#runner-images|notes.acme.example>" in shown
    assert DONE_REACTION_HINT in shown


def test_closed_follow_ups_are_one_message_without_pings() -> None:
    closed = next(m for m in sample_messages() if m.kind == "follow_ups_done")
    shown = "\n".join(all_text(list(closed.blocks)))
    assert "~Delete the unused self-hosted runners~ — Hesham · done by Kevin on Thu 26 Nov" in shown
    assert "<@" not in shown


def test_only_the_person_asked_and_follow_up_owners_are_mentioned() -> None:
    sample = build_sample_inputs(SAMPLE_NOW)
    allowed = {a.to_user_id for a in sample["asks"] if a.to_user_id}  # type: ignore[attr-defined]
    allowed |= {f.owner_user_id for f in sample["open_follow_ups"]}  # type: ignore[attr-defined]
    mentioned = set(re.findall(r"<@([A-Z0-9]+)>", "\n".join(everything(sample_messages()))))
    assert mentioned and mentioned <= allowed


# --- data that is missing ------------------------------------------------------------------


def test_without_github_the_digest_says_so_once_and_shows_no_github_sections() -> None:
    digest = build_digest(
        **inputs(
            standups=[standup("U1", done=["Fixed #12"])],
            pr_lookups=None,
            board_pulls=None,
            billing=None,
            github_problem="GITHUB_TOKEN is not set",
        )
    )
    messages = render_digest_messages(digest)
    text = main_text(messages)
    assert ":warning: No GitHub data (PR states, the PR board and CI billing): " in text
    assert "GITHUB_TOKEN is not set" in text
    assert "Pull requests" not in text and "CI minutes" not in text
    assert [m.kind for m in messages] == ["main", "notes"]
    assert "Fixed #12" in "\n".join(all_text(list(messages[1].blocks)))


def test_a_week_without_standups_posts_no_empty_notes_message() -> None:
    messages = render_digest_messages(build_digest(**inputs()))
    assert [m.kind for m in messages] == ["main"]
    text = main_text(messages)
    assert "*Nobody has reported yet* (0 of 3)." in text
    assert "*Not yet (3):* Hesham Nasser, Kevin, maya" in text


def test_billing_without_an_owner_token_gives_the_plain_reason() -> None:
    billing = ActionsBilling(org="acme", problem="billing needs an org owner's token")
    digest = build_digest(**inputs(billing=Fetched[ActionsBilling](data=billing)))
    messages = render_digest_messages(digest)
    assert "Not shown: billing needs an org owner's token." in main_text(messages)
    assert "chart" not in [m.kind for m in messages]


def test_billing_shows_gross_discount_and_net_apart_with_the_comparison() -> None:
    peak, latest = month(2026, 6, 198000), month(2026, 10, 93000)
    comparison = BillingComparison(
        peak=peak,
        latest=latest,
        minutes_delta=-105000,
        gross_delta=-630,
        gross_delta_per_year=-7560,
        net_delta=0,
        summary="−105,000 min/mo; $630/mo ($7,560/yr) gross; $0 net",
    )
    running = month(2026, 11, 40000, complete=False)
    billing = ActionsBilling(org="acme", months=(peak, latest, running), comparison=comparison)
    text = main_text(
        render_digest_messages(
            build_digest(**inputs(billing=Fetched[ActionsBilling](data=billing)))
        )
    )
    assert "*Oct 2026:* 93,000 min · gross $558 − discount $558 = *net $0*" in text
    assert "*Nov 2026 (so far):* 40,000 min" in text
    assert (
        "*Jun 2026 (peak) 198,000 min → Oct 2026 93,000 min:* −105,000 min/mo; $630/mo "
        "($7,560/yr) gross"
    ) in text


def test_unknown_pr_is_shown_as_such() -> None:
    fetched = Fetched[dict[str, PullRequestLookup]](data=lookups(missing=("acme/api#77",)))
    digest = build_digest(**inputs(standups=[standup("U1", done=["Try #77"])], pr_lookups=fetched))
    notes = "\n".join(all_text(list(render_digest_messages(digest)[1].blocks)))
    assert ":grey_question: acme/api#77 — unknown PR (not found)" in notes
    assert "• Try #77" in notes


def test_pr_line_reads_state_ci_and_review() -> None:
    fix = pull(12, title="Fix login", review_decision="approved", ci="success")
    fetched = Fetched[dict[str, PullRequestLookup]](data=lookups(fix))
    digest = build_digest(**inputs(standups=[standup("U1", done=["#12"])], pr_lookups=fetched))
    notes = "\n".join(all_text(list(render_digest_messages(digest)[1].blocks)))
    assert (
        ":large_green_circle: <https://github.com/acme/api/pull/12|acme/api#12> Fix login"
        " — open · CI passing · approved"
    ) in notes


# --- follow-up messages on their own --------------------------------------------------------


def test_render_follow_up_message_open_and_done() -> None:
    item = follow_up(5, "Pin the runner image", days_old=12.2)
    text, blocks = render_follow_up_message(item, now=NOW)
    assert text == (
        "Follow-up for <@U2> (12 days old): Pin the runner image. "
        "Source: the standup for Mon 23 Nov. React with :white_check_mark: when it's done."
    )
    assert "Source: the standup for Mon 23 Nov" in str(blocks)

    done = item.model_copy(
        update={"status": "done", "done_by": "U3", "done_at": NOW - timedelta(hours=3)}
    )
    text, blocks = render_follow_up_message(done, now=NOW)
    shown = "\n".join(all_text(blocks))
    assert "~Pin the runner image~" in shown
    assert "Done by <@U3> on Mon 30 Nov 06:00 UTC" in shown
    assert "React with" not in shown
    assert text.startswith("Follow-up done: Pin the runner image")


def test_follow_up_owner_without_slack_id_is_plain_text() -> None:
    item = follow_up(6, "Ask legal", owner_user_id=None, owner_name="Legal <!here>")
    text, blocks = render_follow_up_message(item, now=NOW)
    assert "Legal &lt;!here&gt;" in text and "<@" not in text


# --- limits -------------------------------------------------------------------------------


def carried(index: int) -> str:
    """A long promise carried for weeks (different work from everything else typed)."""
    return f"Migrate the billing tables {index}: " + "step <one> & step two, " * 40


def big_team_digest(people: int = 200, open_follow_ups: int = 60) -> Digest:
    team = [
        Member(user_id=f"U{index:04d}", name=f"person{index}", display_name=f"Person {index:03d}")
        for index in range(people + 10)
    ]
    # ~2,000 characters with characters that grow when escaped, and one PR reference.
    long_line = "Worked on the <migration> & the rollout of #12. " + "More <detail> & more. " * 80
    standups = [
        standup(
            member.user_id,
            done=[f"{long_line} ({n})" for n in range(4)],
            next_=[long_line] * 3 + [carried(index)],
            blocked=[long_line] * 2,
        )
        for index, member in enumerate(team[:people])
    ]
    asks = [
        ask(f"{long_line[:300]} {index}", to=team[(index + 1) % people].user_id, to_name="x")
        for index in range(people)
    ]
    follow_ups = [follow_up(index, f"Follow-up {index}: {long_line}") for index in range(1, 61)]
    pulls = [
        pull(number, repo=f"repo{number % 4}", created_at=NOW - timedelta(days=number % 20))
        for number in range(1, 2001)
    ]
    fetched = Fetched[dict[str, PullRequestLookup]](data=lookups(pull(12)))
    months = tuple(month(2026, m, 100000 + m * 1000) for m in range(5, 11))
    # Everyone carried the long line for 4 weeks and kept its blocker; one promise and one
    # blocker each went away; the 10 who sent nothing now had promised 3 things last week.
    earlier_standups = [
        earlier(
            member.user_id,
            weeks,
            next_=[carried(index), f"Write design doc {index}"],
            blocked=[long_line, f"Waiting for vendor quote {index}"],
        )
        for index, member in enumerate(team[:people])
        for weeks in (1, 2, 3)
    ] + [
        earlier(member.user_id, 1, next_=[f"{long_line} {n}" for n in range(3)])
        for member in team[people:]
    ]
    return build_digest(
        **inputs(
            team=team,
            standups=standups,
            asks=asks,
            open_follow_ups=follow_ups[:open_follow_ups],
            pr_lookups=fetched,
            board_pulls=Fetched[list[PullRequest]](data=pulls),
            billing=Fetched[ActionsBilling](data=ActionsBilling(org="acme", months=months)),
            repos=[f"acme/repo{index}" for index in range(4)],
            history=history(*earlier_standups),
        )
    )


def test_a_200_person_team_fits_slack_limits_and_nobody_is_lost() -> None:
    digest = big_team_digest()
    messages = render_digest_messages(digest)
    for message in messages:
        assert_within_limits(message)
    assert [m.seq for m in messages] == list(range(len(messages)))
    assert messages[0].kind == "main" and not messages[0].thread
    assert all(m.thread for m in messages[1:])

    notes = "\n".join(s for m in messages if m.kind == "notes" for s in all_text(list(m.blocks)))
    for person in digest.reported:
        assert f"*{person.name}* · _sent" in notes, person.name
    main = "\n".join(
        s for m in messages if m.kind.startswith("main") for s in all_text(list(m.blocks))
    )
    for person in digest.missing:
        assert person.name in main
    for group in digest.asks:  # every ask is shown, even if the main message runs over
        assert f"<@{group.to.user_id}>" in main
    assert "…" in notes  # long items were cut
    for person in digest.promises:  # everyone's promises, those without a standup too
        shown = "_sent" if person.reported else "_no standup this week_"
        assert f"*{person.person.name}* · {shown}" in notes, person.person.name
    assert len(digest.carried_for(3)) == 200 and len(digest.resolved_blockers) == 200
    last_notes = [m for m in messages if m.kind == "notes"][-1]
    assert "Person 209" in last_notes.text  # the fallback names those without a standup too
    assert main.count("_4th week, first promised") == 10  # the first ten, then a count
    assert "_…and 190 more in the notes in the thread._" in main
    assert "_…and 190 more._" in main  # resolved blockers, likewise
    follow_ups = [m for m in messages if m.kind == "follow_up"]
    assert [m.follow_up_id for m in follow_ups] == list(range(1, 61))
    assert len({m.kind for m in messages if m.kind == "notes"}) == 1
    assert sum(1 for m in messages if m.kind == "notes") >= 8


def test_sixty_open_follow_ups_are_sixty_messages() -> None:
    items = [follow_up(index, f"Follow-up number {index}") for index in range(1, 61)]
    messages = render_digest_messages(build_digest(**inputs(open_follow_ups=items)))
    own = [m for m in messages if m.kind == "follow_up"]
    assert len(own) == 60
    assert all(f"Follow-up number {m.follow_up_id}" in m.text for m in own)


# --- injection ----------------------------------------------------------------------------


def test_nothing_people_typed_can_ping_mention_or_link() -> None:
    messages = render_digest_messages(evil_digest())
    found = everything(messages)
    assert any("🎉" in s for s in found)  # the text is there, just inert
    for text in found:
        assert "<!" not in text
        assert "<@U1|" not in text
        assert "<https://evil" not in text
        assert not BROADCAST.search(text), text
        for token in re.findall(r"<([^<>]*)>", text):
            assert re.fullmatch(r"@U[0-9]", token) or re.fullmatch(
                r"https://github\.com/acme/api/pull/13\|acme/api#13|https://github\.com/acme/api/pull/13\|#13",
                token,
            ), token
    assert f"@{WORD_JOINER}channel" in "\n".join(found)


def test_a_forged_owner_id_cannot_become_markup() -> None:
    item = follow_up(9, "x", owner_user_id="U1|x> <!channel", done_by="U2> <!here")
    for status in ("open", "done"):
        text, blocks = render_follow_up_message(item.model_copy(update={"status": status}), now=NOW)
        for shown in [text, *all_text(blocks)]:
            assert "<!" not in shown and "<@U1|" not in shown


# --- imports ------------------------------------------------------------------------------


def test_digests_import_no_slack_http_database_scheduler_or_matplotlib() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import digests\n"
        "for module in pkgutil.iter_modules(digests.__path__):\n"
        "    importlib.import_module('digests.' + module.name)\n"
        "banned = ('slack_sdk', 'slack_bolt', 'httpx', 'sqlite3', 'sqlite_utils',"
        " 'apscheduler', 'matplotlib')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in banned)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("module", ["digests.render.blocks", "digests.build"])
def test_rendering_messages_does_not_import_matplotlib(module: str) -> None:
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        f"import {module}\n"
        "from digests.render.blocks import render_digest_messages\n"
        "from digests.build import build_digest\n"
        "from digests.sample import build_sample_inputs\n"
        "messages = render_digest_messages("
        "build_digest(**build_sample_inputs(datetime(2026, 11, 30, 9, tzinfo=UTC))))\n"
        "assert any(m.kind == 'chart' for m in messages)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
