"""render_markdown: complete meeting notes, and nothing people typed becomes a link or HTML.

Golden file: tests/golden/digest.md is the sample team's notes at a fixed time. Regenerate it
with `UPDATE_GOLDEN=1 uv run pytest tests/test_digest_markdown.py`; read the diff, then commit.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from digests.build import build_digest
from digests.models import ActionsBilling, Fetched
from digests.render import markdown
from digests.render.markdown import escape_markdown, render_markdown
from digests.sample import build_sample_inputs
from tests.factories import (
    evil_digest,
    inputs,
    promises_inputs,
    standup,
)

GOLDEN = Path(__file__).parent / "golden" / "digest.md"
SAMPLE_NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def sample_markdown() -> str:
    return render_markdown(build_digest(**build_sample_inputs(SAMPLE_NOW)))


def test_sample_notes_match_the_golden_file() -> None:
    text = sample_markdown()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), "rerun with UPDATE_GOLDEN=1 and review"


PROMISES_GOLDEN = Path(__file__).parent / "golden" / "promises.md"


def test_every_promise_and_blocker_outcome_matches_its_golden_file() -> None:
    """A fixed sample (tests.factories.promises_inputs) in which every outcome occurs, and every
    state of an ask (answered ones with their answers)."""
    text = render_markdown(build_digest(**promises_inputs()))
    if os.environ.get("UPDATE_GOLDEN"):
        PROMISES_GOLDEN.write_text(text, encoding="utf-8")
    assert text == PROMISES_GOLDEN.read_text(encoding="utf-8"), "rerun with UPDATE_GOLDEN=1"
    for shown in (
        "- **Delivered 3 of 8 promised (38%)** last week",
        "## Carried 3+ weeks (1)\n\n- Write the runbook — **Kevin** · _4th week, first promised",
        "- ✅ Ship the export API — _delivered_",  # in Done, by its words
        "- ✅ Review web#1187 — _delivered_",  # in Done, by its pull request
        "- ✅ Rate limiting (#418) — _delivered · PR merged_",
        "- 🔁 Draft the Q1 roadmap — _carried · 2nd week_",
        "- 🔁 Write the runbook — _carried · 4th week_",
        "- ❔ Hiring plan — _not reported_",
        "### maya\n\n_No standup this week_\n\n**Delivered 0 of 1 promised** last week",
        "No VPN access · _new_",
        "Waiting on staging DB credentials · _still blocked since Mon 16 Nov · 3 weeks_",
        "- **Kevin** — ~~Design sign-off~~ · _resolved after 1 week_",
        "| Mon 30 Nov | 2 of 3 (67%) | 3 of 8 (38%) |",
        "### Jordan\n\n_Away this week: promises not counted_\n\n**Promised** last week\n\n"
        "- 🌴 Migrate to date-fns — _away, not counted_",
        # Asks: answered (the answer under it, on one line), answered from last week, open.
        "- Can you rotate the staging DB credentials? — _from Kevin_ · 💬 answered\n"
        "  - 💬 **Hesham Nasser:** Rotated on Friday: the new ones are in the vault. Ping me",
        "- Share the query plan of the slow dashboard — _from Hesham Nasser_ · _asked Mon 23 Nov_"
        " · 💬 answered\n  - 💬 **Kevin:** It is in the ticket",
        "- Pair on the Safari login loop? — _from Kevin_ · _open since Mon 23 Nov_",
        "- ~~Review the runbook draft~~ — _from Kevin_ · done",
    ):
        assert shown in text, shown


def test_notes_have_every_section_a_meeting_needs() -> None:
    text = sample_markdown()
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == [
        "Summary",
        "Carried 3+ weeks (1)",
        "Blockers",
        "Asks",
        "Notes",
        "Trend",
        "Pull requests",
        "Follow-ups",
        "CI billing — GitHub Actions (acme)",
    ]
    for name in ("Hesham", "Kevin", "Maya Lindqvist", "Priya R", "Tomás"):
        assert f"\n### {name}\n" in text
    assert "- **Away (1):** Jordan (until Fri 27 Nov)" in text
    assert "- Review [mobile#91](https://github.com/acme/mobile/pull/91), it touches" in text
    assert (
        "- 🟢 [acme/api#418](https://github.com/acme/api/pull/418) Rate limit the public API"
        " per token — open · CI running · review required"
    ) in text
    assert "- ❔ acme/web#1190 — unknown PR (not found)" in text


def test_follow_ups_show_owner_age_and_source() -> None:
    text = sample_markdown()
    assert (
        "- **Pin the macOS runner image so builds stop breaking on Xcode updates** — Priya R"
        " · 19 days old · source: [notes.acme.example]"
        "(https://notes.acme.example/standup/weekly#runner-images)"
    ) in text
    assert "— Hesham · 12 days old · source: the standup for Mon 16 Nov" in text
    assert "### Done since Mon 23 Nov (2)" in text
    assert (
        "- ~~Delete the unused self-hosted runners~~ — Hesham · done by Kevin on Thu 26 Nov" in text
    )


def test_billing_table_has_minutes_by_sku_and_dollars_per_month() -> None:
    text = sample_markdown()
    assert (
        "| Month | Actions Linux (min) | Actions Windows (min) | Actions macOS (min) "
        "| Total (min) | Gross | Discount | Net |"
    ) in text
    assert "| Jun 2026 | 198,200 | 3,400 | 940 | 202,540 | $1,281.48 | $1,254.72 | $26.76 |" in text
    assert "| Nov 2026 (so far) |" in text
    assert "**Jun 2026 (peak) 202,540 min → Oct 2026 95,540 min:** −107,000 min/mo;" in text


def test_board_table_counts_per_repository() -> None:
    text = sample_markdown()
    assert "| acme/api | 2 | 2 | 2 | 1 | 1 |" in text
    assert "**Merged this cycle by:** Hesham 2 · Priya R 2 · Kevin 1" in text


def test_missing_data_is_named_with_the_reason() -> None:
    digest = build_digest(
        **inputs(pr_lookups=None, board_pulls=None, billing=None, github_problem="no token")
    )
    text = render_markdown(digest)
    assert "> - PR states, the PR board and CI billing: no token" in text
    assert "## Pull requests" not in text and "## CI billing" not in text


def test_billing_without_access_says_why() -> None:
    billing = ActionsBilling(org="acme", problem="billing needs an org owner's token")
    text = render_markdown(build_digest(**inputs(billing=Fetched[ActionsBilling](data=billing))))
    assert "Not shown: billing needs an org owner's token." in text


def test_an_empty_week_still_renders() -> None:
    text = render_markdown(build_digest(**inputs(team=[])))
    assert "Nobody sent a standup this cycle." in text
    assert "No open follow-ups." in text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("[click](https://evil.example)", r"\[click\](https://evil.example)"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("a | b", r"a \| b"),
        ("# not a heading", r"\# not a heading"),
        ("line one\nline two", "line one line two"),
        ("`code` and \\", r"\`code\` and \\"),
        ("R&D", "R&amp;D"),
    ],
)
def test_escape_markdown(typed: str, shown: str) -> None:
    assert escape_markdown(typed) == shown


def test_nothing_people_typed_becomes_a_link_or_html() -> None:
    text = render_markdown(evil_digest())
    assert "🎉" in text
    assert "<" not in text and ">" not in text.replace("\n> ", "\n")  # only our quote block
    for label, url in LINK.findall(text):
        assert url in {"https://github.com/acme/api/pull/13"}, (label, url)
    assert "[click]" not in text


def test_a_long_item_is_kept_whole_in_the_notes() -> None:
    long_item = "word " * 800
    digest = build_digest(**inputs(standups=[standup("U1", done=[long_item])]))
    assert long_item.strip() in render_markdown(digest)


def test_templates_fail_loudly_on_a_missing_value() -> None:
    template = markdown._environment().from_string("{{ digest.no_such_field }}")
    with pytest.raises(UndefinedError):
        template.render(digest=build_digest(**inputs()))
