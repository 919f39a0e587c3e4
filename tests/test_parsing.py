from hypothesis import given
from hypothesis import strategies as st

from digests.models import EVERYONE
from digests.parsing import (
    MemberDirectory,
    parse_addressed_line,
    parse_command,
    parse_github_login,
    rich_text_to_text,
    split_items,
)
from tests.conftest import TEAM, member

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
        assert line.text.strip()
        # Nothing a person typed is lost: the text, with the person, covers the line's words.
        rest = line.text if line.person is None else line.text
        assert rest in item or line.person is not None


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
