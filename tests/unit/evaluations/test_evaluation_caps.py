"""Quota caps as organizers type them: "cell = cap", one per line."""

from __future__ import annotations

import pytest

from consultations.evaluations.rules.quotas import MAX_CAP, parse_caps


def test_caps_are_read_with_full_width_signs_and_digits() -> None:
    assert parse_caps("东社区 = ²\n\n西社区＝３\n一社区 / 45-59 = 10") == {
        "东社区": 2,  # NFKC, as web.kit.forms reads every number
        "西社区": 3,
        "一社区 / 45-59": 10,
    }
    assert parse_caps("") == {}


@pytest.mark.parametrize(
    "text",
    [
        "东社区 = ٣",
        "东社区 = 三",
        "东社区 = -1",
        "东社区 = 1.5",
        "东社区",
        "= 3",
        f"东社区 = {MAX_CAP + 1}",
        "东社区 = 99999999999999999999",
    ],
)
def test_anything_else_is_unreadable(text: str) -> None:
    assert parse_caps(text) is None
