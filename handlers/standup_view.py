"""The /standup modal as data: building it, and reading a submission back (pure)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.models import Ask, Standup
from bot.parsing import rich_text_to_text, split_items

CALLBACK_ID = "standup_submit"
ACTION_ID = "value"
MAX_FIELD_CHARS = 3000  # Slack's plain_text_input limit; also enforced here, server-side

# (block_id, label, placeholder)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("done", "Done", "What you finished since the last standup: one item per line"),
    ("next", "Next", "What you will do before the next one: one item per line"),
    ("blocked", "Blocked", "Anything stopping you: one item per line"),
    ("asks", "Asks", "One per line, starting with the person: @name …, Name: … or Everyone: …"),
    ("follow_ups", "Follow-ups", "One per line; start with a person to give it an owner"),
)


@dataclass(frozen=True)
class StandupForm:
    """The five fields as typed, one string each (lines not yet parsed)."""

    done: str = ""
    next: str = ""
    blocked: str = ""
    asks: str = ""
    follow_ups: str = ""

    def is_empty(self) -> bool:
        return not any(split_items(getattr(self, name)) for name, _, _ in FIELDS)


def form_from_standup(
    standup: Standup | None,
    *,
    follow_ups: list[str] | None = None,
    done_from: Standup | None = None,
) -> StandupForm:
    """Pre-fill: this cycle's standup as sent, or a fresh one whose Done is last cycle's Next."""
    if standup is not None:
        return StandupForm(
            done="\n".join(standup.done),
            next="\n".join(standup.next),
            blocked="\n".join(standup.blocked),
            asks="\n".join(_ask_line(ask) for ask in standup.asks),
            follow_ups="\n".join(follow_ups or []),
        )
    if done_from is not None:
        return StandupForm(done="\n".join(done_from.next))
    return StandupForm()


def _ask_line(ask: Ask) -> str:
    if ask.everyone:
        return f"Everyone: {ask.text}"
    if ask.to_user_id:
        return f"<@{ask.to_user_id}> {ask.text}"
    return f"@{ask.to_name} {ask.text}"


def build_standup_view(form: StandupForm, *, meeting_date: date, editing: bool) -> dict[str, Any]:
    title_date = meeting_date.strftime("%b %-d")
    intro = (
        f"You already sent your standup for the meeting on *{meeting_date:%A %B %-d}*: "
        "edit it below and submit to replace it."
        if editing
        else f"For the meeting on *{meeting_date:%A %B %-d}*. One item per line; "
        "leave out what does not apply."
    )
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": intro}}]
    for block_id, label, placeholder in FIELDS:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": ACTION_ID,
            "multiline": True,
            "max_length": MAX_FIELD_CHARS,
            "placeholder": {"type": "plain_text", "text": placeholder[:150]},
        }
        value = getattr(form, block_id)
        if value:
            element["initial_value"] = value[:MAX_FIELD_CHARS]
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "optional": True,
                "label": {"type": "plain_text", "text": label},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": f"Standup · {title_date}"[:24]},
        "submit": {"type": "plain_text", "text": "Update" if editing else "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"meeting_date": meeting_date.isoformat()}),
        "blocks": blocks,
    }


def read_form(state_values: dict[str, Any]) -> StandupForm:
    """The five fields from `view.state.values`, plain_text_input or rich_text_input alike."""
    texts: dict[str, str] = {}
    for block_id, _, _ in FIELDS:
        for leaf in (state_values.get(block_id) or {}).values():
            if not isinstance(leaf, dict):
                continue
            if leaf.get("type") == "rich_text_input":
                texts[block_id] = rich_text_to_text(leaf.get("rich_text_value"))
            else:
                texts[block_id] = leaf.get("value") or ""
            break
    return StandupForm(**texts)


def validate_form(form: StandupForm) -> dict[str, str]:
    """Errors per block id: too long, or nothing filled in at all. Empty when the form is fine."""
    errors = {
        block_id: f"{label} is {len(getattr(form, block_id)):,} characters; "
        f"the most is {MAX_FIELD_CHARS:,}. Move some of it to another field or shorten it."
        for block_id, label, _ in FIELDS
        if len(getattr(form, block_id)) > MAX_FIELD_CHARS
    }
    if not errors and form.is_empty():
        errors["done"] = "Fill in at least one field: what you did, what is next, or a blocker."
    return errors
