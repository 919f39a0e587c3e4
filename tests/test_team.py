"""Slack users become members; a GitHub login is guessed from the profile where it shows."""

from __future__ import annotations

from bot.slack.members import guess_github_login, member_from_slack


def test_a_github_link_in_a_custom_profile_field_is_the_login() -> None:
    profile = {"fields": {"Xf1": {"value": "https://github.com/kortiz", "alt": "GitHub"}}}
    assert guess_github_login(profile) == "kortiz"
    assert guess_github_login({"title": "Backend · github.com/hali/"}) == "hali"


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
            "fields": {"X": {"value": "https://github.com/mchen"}},
        },
    }
    member = member_from_slack(user)
    assert member.label == "Mira Chen" and member.tz == "Europe/Berlin"
    assert member.github_login == "mchen" and not member.is_bot
    assert member_from_slack({"id": "USLACKBOT", "name": "slackbot"}).is_bot
