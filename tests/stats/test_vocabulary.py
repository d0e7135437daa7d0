"""The published vocabulary: every platform name anyone types folds to a key on the fixed list
or to "other"; spellings people use find their platform."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tipline.stats import vocabulary


@given(st.text(max_size=200))
def test_any_typed_name_is_a_listed_key_or_other(name: str) -> None:
    key = vocabulary.platform_key(name)
    if name.strip():
        assert key in vocabulary.PLATFORMS or key == vocabulary.OTHER
        assert vocabulary.published_key("platform", key, frozenset())
    else:
        assert key is None


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Instagram", "instagram"),
        ("insta ", "instagram"),
        ("IG", "instagram"),
        ("Snap chat", "snapchat"),
        ("twitter", "x"),
        ("X.com", "x"),
        ("Cash App", "cash_app"),
        ("Jenny Doe at Riverside High", "other"),
        ("<b>Insta</b>", "other"),
        ("+1 555 0142", "other"),
    ],
)
def test_spellings_people_type(typed: str, key: str) -> None:
    assert vocabulary.platform_key(typed) == key


def test_publication_refuses_what_is_not_listed() -> None:
    directory = frozenset({"Sample Social (synthetic)"})
    assert vocabulary.published_key("notices", "Sample Social (synthetic)", directory)
    assert not vocabulary.published_key("notices", "leaky-site.example", directory)
    assert not vocabulary.published_key("victim_gender", "Jenny Doe", directory)
    assert not vocabulary.published_key("demand", "<b>x</b>", directory)
    assert vocabulary.published_key("victim_age", "13-15", directory)
    assert not vocabulary.published_key("victim_age", "Jenny", directory)
    assert not vocabulary.published_key("a figure nobody listed", "anything", directory)
