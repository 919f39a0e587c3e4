import pytest
from hypothesis import given
from hypothesis import strategies as st

from digests.escape import BIDI_CONTROLS
from digests.models import EVERYONE, Ask, FollowUp
from digests.parsing import (
    MAX_ASKS_PER_STANDUP,
    MAX_FIELD_CHARS,
    MAX_FOLLOW_UPS_PER_CYCLE,
    NOTHING_WORDS,
    AnswerTo,
    MemberDirectory,
    StandupForm,
    ask_line,
    follow_up_cap_error,
    follow_up_line,
    form_from_standup,
    parse_addressed_items,
    parse_addressed_line,
    parse_command,
    parse_github_login,
    read_answer,
    read_answer_metadata,
    read_form,
    readable_line,
    rich_text_to_text,
    says_nothing,
    split_items,
    validate_answer,
    validate_form,
)
from digests.render import action_ids
from digests.render.views import answer_metadata
from tests.conftest import NOW, TEAM, member
from tests.factories import MEETING
from tests.fakes.slack_payloads import rich_text_value

DIRECTORY = MemberDirectory(TEAM)


def test_items_are_lines_without_list_markers() -> None:
    assert split_items("- one\n\n* two\n  3. three\n• four\n   \n") == [
        "one",
        "two",
        "three",
        "four",
    ]
    assert split_items(None) == [] and split_items("") == []


def test_a_mention_resolves_by_id() -> None:
    line = parse_addressed_line("<@U2> can you review acme/api#12?", DIRECTORY)
    assert line.person is not None and line.person.user_id == "U2"
    assert line.person.name == "Hesham" and line.text == "can you review acme/api#12?"


def test_at_name_resolves_by_handle_display_or_first_name() -> None:
    for typed in ("@hesham", "@Hesham", "@sam.k", "@mira"):
        line = parse_addressed_line(f"{typed} please look", DIRECTORY)
        assert line.person is not None and line.person.user_id is not None, typed
        assert line.text == "please look"


def test_name_colon_resolves_real_names_and_everyone() -> None:
    line = parse_addressed_line("Mira Chen: the runbook", DIRECTORY)
    assert line.person is not None and line.person.user_id == "U3"
    everyone = parse_addressed_line("Everyone: fill in the survey", DIRECTORY)
    assert everyone.person is not None and everyone.person.everyone
    assert everyone.person.name == EVERYONE and everyone.text == "fill in the survey"


def test_an_unknown_at_name_stays_as_an_unresolved_person() -> None:
    line = parse_addressed_line("@bob review the doc", DIRECTORY)
    assert line.person is not None and not line.person.resolved and line.person.name == "bob"


def test_a_word_and_colon_that_names_nobody_is_ordinary_text() -> None:
    line = parse_addressed_line("Note: the deploy is Friday", DIRECTORY)
    assert line.person is None and line.text == "Note: the deploy is Friday"
    url = parse_addressed_line("https://example.com/x is down", DIRECTORY)
    assert url.person is None


def test_an_ambiguous_first_name_does_not_guess() -> None:
    directory = MemberDirectory(
        [member("U7", "alex.k", "Alex Kim"), member("U8", "alex.r", "Alex Roy")]
    )
    line = parse_addressed_line("@Alex hi there", directory)
    assert line.person is not None and line.person.user_id is None
    assert parse_addressed_line("@alex.r hi", directory).person.user_id == "U8"  # type: ignore[union-attr]


def test_rich_text_is_flattened_and_broadcasts_are_inert() -> None:
    value = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "user", "user_id": "U2"},
                    {"type": "text", "text": " look at "},
                    {"type": "link", "url": "https://github.com/acme/api/pull/1"},
                    {"type": "text", "text": " "},
                    {"type": "broadcast", "range": "channel"},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "bullet",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "second"}]},
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "usergroup", "usergroup_id": "S1"}],
                    },
                ],
            },
        ],
    }
    text = rich_text_to_text(value)
    assert text.splitlines() == [
        "<@U2> look at https://github.com/acme/api/pull/1 @channel",
        "second",
        "@group",
    ]
    assert "<!" not in text


def test_commands() -> None:
    assert parse_command("").name == "open"
    assert parse_command("  HELP ").name == "help"
    assert parse_command("github octocat").argument == "octocat"
    assert parse_command("followup @mira send notes").argument == "@mira send notes"
    assert parse_command("what is this").name == "unknown"


def test_github_logins() -> None:
    assert parse_github_login("@octo-cat") == "octo-cat"
    assert parse_github_login("https://github.com/octocat/") == "octocat"
    assert parse_github_login("bad login") is None
    assert parse_github_login("-nope") is None


@given(st.text())
def test_any_text_parses_without_raising_and_keeps_its_words(text: str) -> None:
    for item in split_items(text):
        line = parse_addressed_line(item, DIRECTORY)
        assert line.text.strip() and line.typed == item
        if line.person is None:
            assert line.text == item  # no person: the whole line is the text
        else:
            # A person: the text is what follows the name, so name and text give the line back.
            assert item.endswith(line.text) and len(line.text) < len(item) or line.text == item


@given(st.text())
def test_any_command_text_parses(text: str) -> None:
    command = parse_command(text)
    assert command.name in {"open", "help", "github", "followup", "unknown"}


@given(
    st.sampled_from(TEAM),
    st.text(min_size=1).filter(lambda t: t.strip() and "\n" not in t and "\r" not in t),
)
def test_a_mention_always_resolves_to_its_member(member, text: str) -> None:  # type: ignore[no-untyped-def]
    line = parse_addressed_line(f"<@{member.user_id}> {text}", DIRECTORY)
    assert line.person is not None and line.person.user_id == member.user_id


# --- "none" is not an item (issue 15.7) ---------------------------------------------------------

PUNCTUATION = st.text(alphabet=".,;:!?-—–…()[]'\"*_/ ", max_size=4)


@given(
    st.sampled_from(sorted(NOTHING_WORDS)),
    st.lists(st.booleans(), min_size=40, max_size=40),
    PUNCTUATION,
    PUNCTUATION,
)
def test_none_in_any_case_and_punctuation_is_not_an_item(
    word: str, upper: list[bool], before: str, after: str
) -> None:
    cased = "".join(c.upper() if u else c for c, u in zip(word, upper, strict=False))
    cased = cased.replace(" ", "/") if word == "n a" else cased
    typed = f"{before}{cased}{after}"
    assert says_nothing(typed)
    assert split_items(f"- {typed}\nreal work\n{typed}") == ["real work"]


@given(PUNCTUATION.filter(lambda t: t.strip()))
def test_punctuation_alone_is_not_an_item(typed: str) -> None:
    assert split_items(typed) == []


@pytest.mark.parametrize(
    "typed",
    ["None of the tests pass", "nothing works on staging", "no CI for two days", "n/a tests fail",
     "+1", "#12", ":tada:", "none-yet-merged branch"],
)  # fmt: skip
def test_an_item_that_says_more_than_none_stays(typed: str) -> None:
    assert split_items(typed) == [typed]


def test_a_form_of_only_nones_asks_for_something() -> None:
    errors = validate_form(StandupForm(done="n/a", next="-", blocked="None."))
    assert set(errors) == {"done"} and "at least one" in errors["done"]


# --- @channel and @here mean the team (issue 11.10) ----------------------------------------------


@given(
    st.sampled_from(["@channel", "@here", "@everyone", "<!channel>", "<!here>", "<!everyone|x>"]),
    st.lists(st.booleans(), min_size=12, max_size=12),
    st.sampled_from(["", ":", ",", " -"]),
    st.text(min_size=1).filter(lambda t: t.strip() and "\n" not in t and "\r" not in t),
)
def test_a_broadcast_at_the_start_of_a_line_means_everyone(
    word: str, upper: list[bool], punctuation: str, text: str
) -> None:
    cased = "".join(c.upper() if u else c for c, u in zip(word, upper, strict=False))
    line = parse_addressed_line(f"{cased}{punctuation} {text}", DIRECTORY)
    if line.person is not None and line.text.strip():
        assert line.person.everyone and line.person.name == EVERYONE
        assert line.person.user_id is None


def test_channel_as_a_word_is_not_a_broadcast() -> None:
    assert parse_addressed_line("Channel: the new one is #eng", DIRECTORY).person is None
    here = parse_addressed_line("@here please look", DIRECTORY)
    assert here.person is not None and here.person.everyone and here.text == "please look"


# --- ids that are not members (issue 11.4) -------------------------------------------------------


def test_a_mention_of_an_id_that_is_no_member_resolves_to_nobody() -> None:
    line = parse_addressed_line("<@UNOBODY> review this", DIRECTORY)
    assert line.person is not None and line.person.user_id is None
    assert line.person.name == "UNOBODY" and not line.person.resolved


# --- what was typed comes back on edit (issue 15.2) ----------------------------------------------


def ask_from(line: str) -> Ask:
    parsed = parse_addressed_line(line, DIRECTORY)
    person = parsed.person
    return Ask(
        from_user_id="U1",
        to_user_id=person.user_id if person else None,
        to_name=person.name if person else EVERYONE,
        everyone=person.everyone if person else True,
        text=parsed.text,
        meeting_date=MEETING,
        typed=parsed.typed,
    )


PEOPLE_TYPED = ["@hesham", "Mira Chen:", "Everyone:", "@bob", "<@U2>", "<@U4>", ""]


@given(
    st.lists(st.sampled_from(PEOPLE_TYPED), min_size=1, max_size=10),
    st.lists(st.text(alphabet="abc #12:", min_size=1, max_size=400), min_size=10, max_size=10),
)
def test_asks_come_back_as_typed_within_the_limit(people: list[str], texts: list[str]) -> None:
    typed = [f"{p} {t}".strip() for p, t in zip(people, texts, strict=False)]
    field = "\n".join(line for line in typed if split_items(line))[:MAX_FIELD_CHARS]
    asks = [ask_from(line) for line in split_items(field)]
    form = form_from_standup(Standup_(asks), follow_ups=[], directory=DIRECTORY)
    assert len(form.asks) <= MAX_FIELD_CHARS
    # Parsed again, every line reaches the same person with the same text.
    again = parse_addressed_items(form.asks, DIRECTORY)
    assert [(line.person and line.person.user_id, line.text) for line in again] == [
        (a.to_user_id, a.text) for a in asks
    ]


def Standup_(asks: list[Ask]):  # type: ignore[no-untyped-def]
    from digests.models import Standup

    return Standup(user_id="U1", user_name="Kevin", meeting_date=MEETING, submitted_at=NOW,
                   asks=tuple(asks))  # fmt: skip


def test_a_leading_mention_shows_as_the_handle_when_it_names_only_that_member() -> None:
    assert readable_line("<@U2> review #3", DIRECTORY) == "@hesham review #3"
    assert readable_line("<@UNOBODY> hi", DIRECTORY) == "<@UNOBODY> hi"
    ambiguous = MemberDirectory([member("U7", "alex"), member("U8", "alex.r", "", "alex")])
    assert readable_line("<@U7> hi", ambiguous) == "<@U7> hi"  # "@alex" would not find U7 alone


def test_asks_and_follow_ups_stored_before_lines_were_kept_are_written_out() -> None:
    old = Ask(from_user_id="U1", to_user_id="U4", to_name="Sam K", text="book it",
              meeting_date=MEETING)  # fmt: skip
    assert ask_line(old, DIRECTORY) == "@sam.k book it"
    everyone = old.model_copy(update={"to_user_id": None, "everyone": True})
    assert ask_line(everyone, DIRECTORY) == "Everyone: book it"
    follow_up = FollowUp(id=1, text="send it", owner_user_id="U3", owner_name="Mira",
                         created_at=NOW)  # fmt: skip
    assert follow_up_line(follow_up, "U1", DIRECTORY) == "@mira send it"
    assert follow_up_line(follow_up, "U3", DIRECTORY) == "send it"


# --- caps (issue 11.5) ---------------------------------------------------------------------------


def test_more_asks_than_the_cap_are_refused_with_the_reason() -> None:
    asks = "\n".join(f"@hesham {n}" for n in range(MAX_ASKS_PER_STANDUP + 1))
    errors = validate_form(StandupForm(done="a", asks=asks))
    assert set(errors) == {"asks"} and str(MAX_ASKS_PER_STANDUP + 1) in errors["asks"]
    fits = "\n".join(f"@hesham {n}" for n in range(MAX_ASKS_PER_STANDUP))
    assert validate_form(StandupForm(done="a", asks=fits)) == {}


def test_the_follow_up_cap_counts_what_was_raised_this_cycle() -> None:
    assert follow_up_cap_error(0, MAX_FOLLOW_UPS_PER_CYCLE) is None
    assert follow_up_cap_error(MAX_FOLLOW_UPS_PER_CYCLE, 0) is None
    message = follow_up_cap_error(18, 3)
    assert message is not None and "at most 20" in message and "2 more fit" in message


# --- control characters on the way in (issue 11.9) -----------------------------------------------


@given(st.text())
def test_read_form_removes_controls_and_bidi_overrides(text: str) -> None:
    form = read_form({"done": {"value": {"type": "plain_text_input", "value": text}}})
    assert not any(char in form.done for char in [*BIDI_CONTROLS, "\x00", "\x1b", "\r"])


# --- answering an ask ---------------------------------------------------------------------------


@given(st.text(), st.booleans())
def test_an_answer_is_read_whatever_was_typed(typed: str, rich: bool) -> None:
    leaf = (
        {"type": "rich_text_input", "rich_text_value": rich_text_value(typed)}
        if rich
        else {"type": "plain_text_input", "value": typed or None}
    )
    answer = read_answer({action_ids.ANSWER_BLOCK: {"value": leaf}})
    assert answer == answer.strip()
    assert not set(answer) & (set(BIDI_CONTROLS) | {"\x00", "\r", "\x1b"})
    problem = validate_answer(answer)
    assert (problem is None) == (bool(answer) and len(answer) <= MAX_FIELD_CHARS)


def test_an_answer_keeps_its_lines() -> None:
    leaf = {"type": "plain_text_input", "value": "  yes\r\nsee #12\n\n  "}
    assert read_answer({action_ids.ANSWER_BLOCK: {"value": leaf}}) == "yes\nsee #12"
    assert read_answer({}) == "" and validate_answer("") is not None
    assert "3,001" in (validate_answer("x" * 3001) or "")


@given(st.one_of(st.text(max_size=80), st.none(), st.integers(), st.binary(max_size=20)))
def test_the_answer_modals_metadata_is_read_from_anything(text: object) -> None:
    found = read_answer_metadata(text)
    assert found is None or found.ask_id >= 0


@given(st.integers(0, 10**18 - 1), st.booleans())
def test_the_answer_modals_metadata_names_its_ask(ask_id: int, from_home: bool) -> None:
    found = read_answer_metadata(answer_metadata(ask_id, from_home=from_home))
    assert found == AnswerTo(ask_id=ask_id, from_home=from_home)
    for forged in ('{"answer_to": true}', '{"answer_to": -1}', '{"answer_to": "7"}', "[7]"):
        assert read_answer_metadata(forged) is None
