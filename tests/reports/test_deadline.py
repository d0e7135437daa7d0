"""Deadlines read by meaning, in English and Spanish: a time or a day ahead with a threat raises
a minor's report; past times, routine days and amounts do not.

The phrasings in data/deadline_phrasings.json were written by someone who never saw the rules
(two batches, "dev" and "held_out", 25 deadlines and 15 non-deadlines per language each). The
rules were written against "dev"; "held_out" was scored once (first score: recall 20/25 English,
19/25 Spanish; false alarms 2/15 and 1/15), then its misses were looked at and fixed, so the
figures held below are fitted on both batches, not a measurement of new input.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tipline.reports import priority
from tipline.reports.deadline import deadline_words
from tipline.reports.distress import normalise

DATA = json.loads((Path(__file__).parent / "data" / "deadline_phrasings.json").read_text())


@pytest.mark.parametrize("split", ["dev", "held_out"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_twenty_five_phrasings_of_a_deadline_are_read(split: str, lang: str) -> None:
    missed = [t for t in DATA[split][lang]["deadline"] if not deadline_words(t)]
    assert missed == []


@pytest.mark.parametrize("split", ["dev", "held_out"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_past_times_and_routine_days_are_not_deadlines(split: str, lang: str) -> None:
    raised = [(t, deadline_words(t)) for t in DATA[split][lang]["no_deadline"] if deadline_words(t)]
    # "Tonight is my recital" / "Esta noche tengo el recital": tonight, said with a threat in the
    # same breath, is read as a deadline on purpose (a missed deadline costs more than a false
    # one, which only moves a report within the queue's first tiers).
    assert len(raised) <= 1, raised


@pytest.mark.parametrize(
    "text",
    [
        "He said I have until tomorrow to pay or he posts them.",
        "Le dijo que tiene hasta mañana para pagar.",
        "They want money b4 midnite",
        "pay by 9pm or else",
        "media hora para mandar el dinero",
    ],
)
def test_a_minor_threatened_with_a_deadline_is_tier_two(text: str) -> None:
    prio = priority.assess(
        self_harm_risk=False,
        child_in_danger=False,
        sextortion=True,
        financial=True,
        victim_ages=[15],
        source="public",
        description=text,
    )
    assert prio == priority.Priority(2, "minor threatened with a deadline")


@given(st.text(max_size=400))
def test_any_text_is_read_without_error_and_phrases_come_from_it(text: str) -> None:
    found = deadline_words(text)
    assert len(found) == len(set(found))
    assert all(phrase in normalise(text) for phrase in found)
