"""Which passwords may be chosen (participation.rules.password_policy)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation.rules.password_policy import (
    COMMON,
    GUESSABLE,
    PERSONAL,
    TOO_LONG,
    TOO_SHORT,
    password_problem,
)

ME = ("13912345678", "zhangsan88", "张三")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("1234567", TOO_SHORT),
        ("12345678", COMMON),
        ("password", COMMON),
        ("Password1", COMMON),
        ("qwertyuiop", COMMON),
        ("woaini1314", COMMON),
        ("1qaz2wsx3edc", COMMON),
        ("aaaaaaaaaaaa", GUESSABLE),
        ("13912345678", PERSONAL),
        ("my13912345678", PERSONAL),
        ("ZhangSan88!!", PERSONAL),
        ("张三的密码很长很长", PERSONAL),
        ("x" * 257, TOO_LONG),
        ("correct horse", None),
        ("gongzhi-demo", None),
        ("河边的柳树发芽了", None),
    ],
)
def test_policy_table(password: str, problem: str | None) -> None:
    assert password_problem(password, ME) == problem


@given(st.text(max_size=7))
def test_short_passwords_are_always_refused(password: str) -> None:
    assert password_problem(password, ME) == TOO_SHORT


@given(st.text(min_size=0, max_size=12), st.text(min_size=0, max_size=12))
def test_a_password_containing_the_login_is_always_refused(before: str, after: str) -> None:
    password = before + "ZhangSan88" + after
    assert password_problem(password, ME) in {PERSONAL, TOO_LONG}
