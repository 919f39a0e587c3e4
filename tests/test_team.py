"""Slack users become members; a GitHub login is guessed from the profile where it shows."""

from __future__ import annotations

import pytest

from bot.slack.members import guess_github_login, member_from_slack


def test_a_github_link_in_the_title_or_status_is_the_login() -> None:
    assert guess_github_login({"title": "Backend · github.com/hali/"}) == "hali"
    assert guess_github_login({"status_text": "PRs: https://github.com/kortiz"}) == "kortiz"


@pytest.mark.parametrize(
    "fields",
    [
        {"Xf1": {"value": "https://github.com/kortiz", "alt": "GitHub"}},  # users.profile.get
        None,
        [{"id": "Xf1", "value": "https://github.com/kortiz"}],  # an array: raised before
        "junk",
    ],
)
def test_custom_profile_fields_are_not_read_whatever_their_shape(fields: object) -> None:
    """users.list never carries custom fields, so the bot does not read them (it would need
    users.profile.get per person); `/standup github <login>` links a login instead."""
    user = {"id": "U9", "name": "kim", "profile": {"title": "Backend", "fields": fields}}
    assert member_from_slack(user).github_login is None
    assert guess_github_login({"title": "github.com/hali", "fields": fields}) == "hali"


def test_no_link_no_guess() -> None:
    assert guess_github_login({"title": "Backend engineer", "fields": {}}) is None
    assert guess_github_login({"status_text": "see github.com"}) is None


def test_a_slack_user_becomes_a_member() -> None:
    user = {
        "id": "U9",
        "name": "mira",
        "real_name": "Mira Chen",
        "tz": "Europe/Berlin",
        "deleted": False,
        "is_bot": False,
        "profile": {
            "display_name": "",
            "real_name": "Mira Chen",
            "title": "Platform · github.com/mchen",
        },
    }
    member = member_from_slack(user)
    assert member.label == "Mira Chen" and member.tz == "Europe/Berlin"
    assert member.github_login == "mchen" and not member.is_bot
    assert member_from_slack({"id": "USLACKBOT", "name": "slackbot"}).is_bot
