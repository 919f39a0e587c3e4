"""The modal's checklist of last week's promises (digests.checklist), on anything people typed:
what a tick does to Done and Next, editing in the same cycle (no Done line twice, no tick lost),
the modal within Slack's limits (checked by the fake Slack's validators), and what crosses the
modal in `private_metadata`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from digests.checklist import (
    MAX_LISTED,
    MAX_OPTIONS,
    Checklist,
    apply_ticks,
    build_checklist,
    checklist_metadata,
    fingerprint,
    promises_of,
    read_checklist_metadata,
    read_ticked,
    ticked_texts,
    untick_done,
)
from digests.models import Standup
from digests.parsing import MAX_FIELD_CHARS, StandupForm, form_from_standup, split_items
from digests.render.views import build_standup_view
from tests.conftest import NOW
from tests.factories import MEETING
from tests.fakes.slack import MAX_PRIVATE_METADATA, validate_view

LAST = MEETING - timedelta(weeks=1)

# Lines as people type them, leaning towards what grows when escaped and what Slack parses.
line = (
    st.lists(
        st.one_of(
            st.sampled_from(["&", "<", ">", "<!channel>", "@here", "\u202e", "*", "é", "🎉"]),
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
        ),
        min_size=1,
        max_size=40,
    )
    .map("".join)
    .map(lambda text: " ".join(text.split()))
    .filter(lambda text: bool(split_items(text)))
    .map(lambda text: split_items(text)[0])
)
lines = st.lists(line, max_size=8)


def standup(meeting: Any, *, done: Any = (), next_: Any = ()) -> Standup:
    return Standup(
        user_id="U1",
        user_name="kevin",
        meeting_date=meeting,
        submitted_at=NOW,
        done=tuple(done),
        next=tuple(next_),
    )


def submit(form: StandupForm, checklist: Checklist | None, ticks: set[int]) -> Standup:
    """What the submission stores: the form's lines with the ticked promises applied."""
    promises = checklist.promises if checklist else ()
    done, next_ = apply_ticks(
        split_items(form.done), split_items(form.next), ticked_texts(promises, ticks)
    )
    return standup(MEETING, done=done, next_=next_)


@given(lines, lines, lines, st.data())
def test_ticked_promises_are_done_once_first_and_never_next(
    promises: list[str], done: list[str], next_: list[str], data: st.DataObject
) -> None:
    ticked = data.draw(
        st.lists(st.sampled_from(promises), unique=True) if promises else st.just([])
    )
    got_done, got_next = apply_ticks(done, next_, ticked)
    in_order = [p for p in dict.fromkeys(ticked)]
    assert list(got_done[: len(in_order)]) == in_order
    assert all(got_done.count(text) == 1 for text in ticked)
    assert not set(ticked) & set(got_next)
    assert list(got_done[len(in_order) :]) == [d for d in done if d not in ticked]
    assert list(got_next) == [n for n in next_ if n not in ticked]
    assert apply_ticks(done, next_, ()) == (tuple(done), tuple(next_))  # no ticks, as typed


@given(lines, lines, lines, st.data())
def test_editing_in_the_same_cycle_shows_the_ticks_and_changes_nothing(
    promised: list[str], typed_done: list[str], typed_next: list[str], data: st.DataObject
) -> None:
    """Open in a new cycle, tick, submit; open again: the ticks come back ticked, the Done box
    holds only what was typed, and submitting that unchanged stores the same lines."""
    last = standup(LAST, next_=promised)
    promises = promises_of(last)
    assume(promises)
    typed_done = [d for d in typed_done if d not in promises]  # a typed promise is a tick
    ticks = set(data.draw(st.sets(st.integers(0, len(promises) - 1))))
    first = build_checklist(last, None)
    assert first is not None and first.ticked == frozenset()
    opened = form_from_standup(None, checklist=first)
    assert split_items(opened.next) == list(promises) and opened.done == ""
    saved = submit(
        StandupForm(done="\n".join(typed_done), next="\n".join(typed_next)), first, ticks
    )
    again = build_checklist(last, saved)
    assert again is not None and again.ticked == frozenset(ticks)
    edit = form_from_standup(saved, checklist=again)
    assert split_items(edit.done) == typed_done  # the ticked ones are ticks, not lines
    assert saved == submit(edit, again, set(again.ticked))
    # Unticking one takes it out of Done (it is not put back in Next).
    if ticks:
        one = min(ticks)
        unticked = submit(edit, again, set(ticks) - {one})
        assert promises[one] not in unticked.done and unticked.next == saved.next


@given(st.lists(line, max_size=MAX_LISTED + 15), st.data())
def test_the_modal_with_any_checklist_fits_slacks_limits(
    promised: list[str], data: st.DataObject
) -> None:
    last = standup(LAST, next_=promised)
    current = None
    if data.draw(st.booleans(), label="editing"):
        current = standup(MEETING, done=data.draw(st.lists(st.sampled_from(promised or ["x"]))))
    checklist = build_checklist(last, current)
    form = form_from_standup(current, checklist=checklist)
    assume(all(len(getattr(form, name)) <= MAX_FIELD_CHARS for name in ("done", "next")))
    view = build_standup_view(
        form, meeting_date=MEETING, editing=current is not None, checklist=checklist
    )
    assert validate_view(view, kind="modal") == []  # ≤ 100 blocks, options, initial_options
    boxes = [b for b in view["blocks"] if b.get("block_id", "").startswith("promises_")]
    if checklist is None:
        assert boxes == [] and "private_metadata" not in view
        return
    options = [o for b in boxes for o in b["element"]["options"]]
    assert all(len(b["element"]["options"]) <= MAX_OPTIONS for b in boxes)
    assert [int(o["value"]) for o in options] == list(range(len(checklist.listed)))
    assert all(len(o["text"]["text"]) <= 75 and "<!channel>" not in o["text"]["text"]
               for o in options)  # fmt: skip
    if checklist.more:
        assert f"{checklist.more} more" in str(view["blocks"]) or "1 more" in str(view["blocks"])
    # The submission finds the same promises from what crossed the modal.
    ref = read_checklist_metadata(view["private_metadata"])
    assert len(view["private_metadata"]) <= MAX_PRIVATE_METADATA
    assert ref is not None and ref.meeting_date == LAST and ref.count == len(checklist.promises)
    assert ref.fingerprint == fingerprint(promises_of(last))
    values = {b["block_id"]: {"delivered": {"type": "checkboxes", "selected_options": options}}
              for b in boxes}  # fmt: skip
    assert ticked_texts(checklist.promises, read_ticked(values, ref.count)) == checklist.listed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),  # fmt: skip
    max_leaves=20,
)


@given(
    st.dictionaries(
        st.sampled_from(["promises_0", "promises_1", "done", "promises_x"]) | st.text(max_size=12),
        json_values,
        max_size=5,
    ),
    st.integers(-5, 100),
)
def test_reading_ticks_takes_anything_and_keeps_only_listed_indexes(
    values: dict[str, Any], count: int
) -> None:
    ticked = read_ticked(values, count)
    assert all(0 <= index < min(count, MAX_LISTED) for index in ticked)


@given(st.one_of(st.text(max_size=200), json_values.map(str), st.none(), st.integers()))
def test_reading_the_metadata_takes_anything(text: object) -> None:
    found = read_checklist_metadata(text)
    assert found is None or found.count > 0


def test_the_metadata_stays_small_whatever_the_promises() -> None:
    promises = tuple(f"{n} " + "&<>" * 900 for n in range(200))  # 540,000 characters
    checklist = Checklist(meeting_date=LAST, promises=promises)
    assert len(checklist_metadata(checklist)) < 120
    assert untick_done(("a", "b"), None) == ["a", "b"]
    assert promises_of(None) == () and build_checklist(standup(LAST), None) is None
