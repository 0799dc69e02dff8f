"""How department names are compared: whitespace only, never a guess."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.rules.departments import label, normalise_name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("住建局", "住建局"),
        (" 住建局 ", "住建局"),
        ("住建局\u3000", "住建局"),
        ("东湖区 住房和城乡建设局", "东湖区住房和城乡建设局"),
        ("东湖区\t\u3000住房和城乡建设局", "东湖区住房和城乡建设局"),
        ("Housing   Bureau ", "Housing Bureau"),
        # Different departments stay different: no abbreviation is expanded.
        ("区住建局", "区住建局"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_name(typed: str, name: str) -> None:
    assert normalise_name(typed) == name


@given(st.text())
def test_normalising_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.text(alphabet="住建局区东湖 \u3000\t"))
def test_names_differing_only_in_spaces_between_chinese_characters_are_one(text: str) -> None:
    assert normalise_name(text) == "".join(text.split())


def test_label_prefers_the_short_name() -> None:
    assert label("东湖区住房和城乡建设局", "区住建局") == "区住建局"
    assert label("东湖区住房和城乡建设局", "") == "东湖区住房和城乡建设局"
