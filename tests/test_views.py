"""Every view and DM the bot builds fits Slack's limits whatever people typed (issue 15.3):
checked with the fake Slack's own validation of blocks and views, on hostile text."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from digests.escape import ELLIPSIS, escape_mrkdwn
from digests.models import (
    AddressedLine,
    Ask,
    Cycle,
    FollowUp,
    Person,
    PersonPromises,
    Promise,
    Standup,
    TrendPoint,
)
from digests.parsing import (
    FIELDS,
    MAX_ASKS_PER_STANDUP,
    MAX_FIELD_CHARS,
    AnswerTo,
    MemberDirectory,
    StandupForm,
    form_from_standup,
    read_answer_metadata,
)
from digests.render import action_ids
from digests.render.views import (
    MAX_MESSAGE_BLOCK_TEXT,
    build_answer_view,
    build_away_blocks,
    build_full_text_view,
    build_home_view,
    build_standup_view,
    fit_field,
    render_answer_dm,
    render_ask_dm,
    render_follow_up_added,
    render_standup_confirmation,
    render_unknown_command,
)
from tests.conftest import NOW, TEAM
from tests.factories import MEETING, all_text
from tests.fakes.slack import MAX_UPDATE_TEXT, validate_blocks, validate_view

CYCLE = Cycle(meeting_date=MEETING, starts_at=NOW - timedelta(days=7), ends_at=NOW)

# What people type, leaning towards what grows when escaped (&, <, >) and what Slack parses.
hostile = st.lists(
    st.one_of(
        st.sampled_from(["&", "<", ">", "<!channel>", "@here", "\u202e", "\x00", "*", "\n"]),
        st.text(max_size=20),
    ),
    max_size=400,
).map("".join)
one_line = hostile.map(lambda text: " ".join(text.split()) or "x").map(lambda t: t[:3000])


def ask(text: str, number: int, **extra: object) -> Ask:
    values: dict[str, object] = {
        "id": number,
        "from_user_id": "U1",
        "from_name": "Kevin",
        "to_user_id": "U2",
        "to_name": "Hesham",
        "text": text,
        "meeting_date": MEETING,
    }
    values.update(extra)
    return Ask(**values)  # type: ignore[arg-type]


def block_text(blocks: list[dict[str, object]]) -> int:
    return sum(len(text) for text in all_text(blocks))


ASK_STATES = st.sampled_from(["open", "done", "answered"])


@given(
    st.lists(st.tuples(one_line, ASK_STATES, hostile), min_size=1, max_size=MAX_ASKS_PER_STANDUP)
)
def test_an_ask_dm_fits_one_message_whatever_was_asked_or_answered(
    asks_typed: list[tuple[str, str, str]],
) -> None:
    asks = [
        ask(
            text,
            number,
            status="open" if state == "open" else "done",
            closed_by=None if state == "open" else "U2",
            answer=(answer or "x") if state == "answered" else None,
            answered_at=NOW if state == "answered" else None,
            answered_by="U2" if state == "answered" else None,
        )
        for number, (text, state, answer) in enumerate(asks_typed, start=1)
    ]
    text, blocks = render_ask_dm(asks)
    assert validate_blocks(blocks, pointer="/blocks", max_blocks=50) == []
    assert block_text(blocks) <= MAX_MESSAGE_BLOCK_TEXT
    assert len(text) <= MAX_UPDATE_TEXT  # chat.update's limit, the lower one
    shown = " ".join(all_text(blocks))
    for a in asks:
        actions = next(b for b in blocks if b.get("block_id") == f"ask_{a.id}")["elements"]
        mine = [(e["action_id"], e["value"]) for e in actions]
        if a.answered:
            expected = [(action_ids.ANSWER_ASK, str(a.id))]  # Edit answer; never Reopen
        elif a.status == "done":
            expected = [(action_ids.REOPEN_ASK, str(a.id)), (action_ids.ANSWER_ASK, str(a.id))]
        else:
            expected = [(action_ids.ANSWER_ASK, str(a.id)), (action_ids.CLOSE_ASK, str(a.id))]
        assert [m for m in mine if m[0] != action_ids.SHOW_FULL_TEXT] == expected
        # What is cut has a way to the whole text: "Read all" for the ask, and for the answer.
        if escape_mrkdwn(a.text) not in shown:
            assert (action_ids.SHOW_FULL_TEXT, f"ask:{a.id}") in mine
        if a.answer is not None and not all(
            line in shown for line in escape_mrkdwn(a.answer.strip()).split("\n")
        ):
            assert (action_ids.SHOW_FULL_TEXT, f"answer:{a.id}") in mine


@given(one_line, hostile, st.booleans())
def test_the_answer_modal_and_the_answer_dm_fit_whatever_was_typed(
    asked: str, typed: str, edited: bool
) -> None:
    answer_text = typed.strip() or "x"
    modal = build_answer_view(ask(asked, 7, answer=answer_text if edited else None))
    assert validate_view(modal, kind="modal") == []
    assert read_answer_metadata(modal["private_metadata"]) == AnswerTo(ask_id=7)
    [box] = [b for b in modal["blocks"] if b["type"] == "input"]
    assert box["block_id"] == action_ids.ANSWER_BLOCK
    assert box["element"].get("initial_value") == (answer_text[:3000] if edited else None)
    answered = ask(asked, 7, answer=answer_text, answered_at=NOW, answered_by="U2")
    text, blocks = render_answer_dm(answered, edited=edited)
    assert validate_blocks(blocks, pointer="/blocks", max_blocks=50) == []
    assert block_text(blocks) <= MAX_MESSAGE_BLOCK_TEXT and len(text) <= MAX_UPDATE_TEXT
    for rendered in (text, *all_text(blocks)):
        assert "<!channel>" not in rendered and "\u202e" not in rendered and "\x00" not in rendered
    buttons = [e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    shown = " ".join(all_text(blocks))
    if not all(line in shown for line in escape_mrkdwn(answer_text).split("\n")):
        assert "answer:7" in buttons


@given(one_line)
def test_the_read_all_modal_holds_the_whole_text(text: str) -> None:
    view = build_full_text_view("Ask", "An ask from <@U1>:", text)
    assert validate_view(view, kind="modal") == []
    shown = "".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert shown == (escape_mrkdwn(text) or "_(no text)_")


@given(
    st.lists(one_line, max_size=30),
    st.lists(one_line, max_size=30),
    st.booleans(),
)
def test_app_home_fits_whatever_was_typed(
    follow_up_texts: list[str], ask_texts: list[str], everyone: bool
) -> None:
    follow_ups = [
        FollowUp(id=n, text=t, owner_user_id="U1", owner_name="Kevin", created_at=NOW)
        for n, t in enumerate(follow_up_texts, start=1)
    ]
    asks = [ask(t, n, everyone=everyone) for n, t in enumerate(ask_texts, start=1)]
    outcomes = ["delivered", "carried", "not_reported", "away"]
    promises = PersonPromises(
        person=Person(user_id="U1", name="Kevin"),
        reported=everyone,
        promises=tuple(
            Promise(
                text=t,
                outcome=outcomes[n % 4],
                weeks_carried=n % 5 + 1,  # type: ignore[arg-type]
                first_promised=MEETING,
            )  # fmt: skip
            for n, t in enumerate(ask_texts)
        ),
    )
    trend = [
        TrendPoint(
            meeting_date=MEETING - timedelta(weeks=n),
            team_size=9,
            reported=n,
            promised=n * 3,
            delivered=n,
        )  # fmt: skip
        for n in range(8, -1, -1)
    ]
    view = build_home_view(
        user_id="U1",
        cycle=CYCLE,
        standup=None,
        follow_ups=follow_ups,
        asks_to_me=asks,
        team_size=4,
        submitted=1,
        away_blocks=build_away_blocks(today=MEETING, planned=[], status=None),
        promises=promises,
        trend=trend,
    )
    assert validate_view(view, kind="home") == []
    answers = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["value"] for e in answers if e["action_id"] == action_ids.ANSWER_ASK] == [
        str(a.id) for a in asks[:20]
    ]
    for block in view["blocks"]:
        if block["type"] == "section" and block["text"]["text"].endswith(ELLIPSIS):
            assert not block["text"]["text"][:-1].rstrip().endswith("&")  # no entity cut


@given(st.lists(hostile.map(lambda t: t[:MAX_FIELD_CHARS]), min_size=5, max_size=5))
def test_the_modal_fits_whatever_was_typed(fields: list[str]) -> None:
    form = StandupForm(
        **{block_id: text for (block_id, _, _), text in zip(FIELDS, fields, strict=True)}
    )
    view = build_standup_view(form, meeting_date=MEETING, editing=True)
    assert validate_view(view, kind="modal") == []
    for block in view["blocks"]:
        if block["type"] == "input":
            value = block["element"].get("initial_value", "")
            assert len(value) <= block["element"]["max_length"]
            assert value == getattr(form, block["block_id"])  # what fitted is shown whole


def test_an_old_standup_that_no_longer_fits_says_what_is_left_out() -> None:
    lines = [f"line {n} " + "x" * 290 for n in range(11)]  # 3,300 characters
    form = StandupForm(follow_ups="\n".join(lines))
    view = build_standup_view(form, meeting_date=MEETING, editing=True)
    assert validate_view(view, kind="modal") == []
    kept, overflow = fit_field(form.follow_ups)
    assert kept.split("\n") + overflow == lines and len(kept) <= MAX_FIELD_CHARS
    text = " ".join(all_text(view["blocks"]))
    assert "did not fit in the box" in text and "submitting removes them" in text
    assert all(line in text for line in overflow)


@given(hostile, st.lists(one_line, max_size=10))
def test_answers_and_confirmations_fit_a_message(typed: str, names: list[str]) -> None:
    assert len(render_unknown_command(typed)) <= MAX_UPDATE_TEXT
    follow_up = FollowUp(id=1, text=typed or "x", owner_user_id=None, owner_name=typed,
                         created_at=NOW)  # fmt: skip
    for shortcut in (True, False):
        answer = render_follow_up_added(
            follow_up,
            by_user_id="U1",
            meeting_date=MEETING,
            unmatched_name=typed,
            from_shortcut=shortcut,
        )
        assert len(answer) <= MAX_UPDATE_TEXT
    lines = [AddressedLine(person=Person(name=name), text="x") for name in names]
    asks = tuple(ask("x", n, to_user_id=None, to_name=name) for n, name in enumerate(names))
    standup = Standup(
        user_id="U1", user_name="Kevin", meeting_date=MEETING, submitted_at=NOW, asks=asks
    )
    assert len(render_standup_confirmation(standup, lines, lines)) <= MAX_UPDATE_TEXT


def test_a_pre_filled_form_comes_from_the_typed_lines() -> None:
    typed = ask("review", 1, typed="@hesham review")
    form = form_from_standup(
        Standup(
            user_id="U1",
            user_name="Kevin",
            meeting_date=MEETING,
            submitted_at=NOW,
            asks=(typed,),
        ),
        follow_ups=["Mira: send it"],
        directory=MemberDirectory(TEAM),
    )
    assert form.asks == "@hesham review" and form.follow_ups == "Mira: send it"
