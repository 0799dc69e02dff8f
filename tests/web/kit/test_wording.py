"""Chinese wording a new user tripped over: durations, lead times, vote thresholds,
empty names, roles shown twice, and one name for the Method of Equal Shares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from participation.ballots.tally.adapters import votes_to_pass
from participation.rules.roll_rows import name_errors
from tests.conftest import PASSWORD
from tests.web.volunteers.test_volunteers import team_and_shift  # noqa: F401  (fixture)
from web.kit import i18n
from web.kit.wording import lead_time_text, outcome_text
from web.volunteers.shared import hours_text

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def english() -> Iterator[None]:
    token = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(token)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(755, "12 小时 35 分"), (180, "3 小时"), (30, "30 分钟"), (0, "0 小时"), (61, "1 小时 1 分")],
)
def test_hours_read_as_a_duration(minutes: int, text: str) -> None:
    assert hours_text(minutes) == text


def test_hours_read_as_a_duration_in_english(english: None) -> None:
    assert hours_text(755) == "12 h 35 min"


@pytest.mark.parametrize(
    ("hours", "text"), [(336, "14 天"), (24, "1 天"), (2, "2 小时"), (36, "1 天 12 小时")]
)
def test_lead_times_read_in_days_and_hours(hours: int, text: str) -> None:
    assert lead_time_text(hours) == text


@pytest.mark.parametrize(
    ("needed", "strict", "votes"),
    [
        (Fraction(45, 2), True, 23),
        (Fraction(22), True, 23),
        (Fraction(22), False, 22),
        (Fraction(45, 2), False, 23),
        (Fraction(0), True, 1),
    ],
)
def test_votes_to_pass(needed: Fraction, strict: bool, votes: int) -> None:
    assert votes_to_pass(needed, strict) == votes


def test_below_threshold_states_the_votes_needed() -> None:
    text = outcome_text("Below the threshold of %(needed)s", {"needed": "45/2"})
    assert "23" in text and "45/2" not in text
    assert outcome_text("Adopted", {}) == i18n.gettext("Adopted")


def test_an_empty_name_is_asked_for_not_told_it_is_too_long(client: Any) -> None:
    response = client.submit(
        "/signup",
        {"login": "13912345678", "password": "long enough", "display_name": "  "},
        page="/signup",
    )
    assert response.status_code == 422
    message = re.search(r'id="f-display_name-error">([^<]*)<', response.text)
    assert message is not None
    assert "请填写" in message.group(1) and "不超过" not in message.group(1)
    long_name = client.submit(
        "/signup",
        {"login": "13912345678", "password": "long enough", "display_name": "名" * 61},
        page="/signup",
    )
    assert "不超过 60" in long_name.text


def test_an_empty_team_name_is_asked_for(client: Any, world: dict[str, Any]) -> None:
    client.sign_in("communityworker", PASSWORD)
    response = client.submit(
        "/admin/volunteers/teams",
        {
            "name": "",
            "area_id": str(world["community"].id),
            "kind": "featured",
            "join_mode": "open",
        },
        page="/admin/volunteers",
    )
    assert response.status_code == 422
    assert "请填写服务队名称" in response.text and "不超过 100" not in response.text


def test_an_empty_roll_name_is_reported_as_missing() -> None:
    [error] = name_errors(3, "")
    assert "missing" in error.reason and "longer" not in error.reason
    [error] = name_errors(3, "名" * 61)
    assert "longer" in error.reason and "missing" not in error.reason


def test_a_member_role_is_shown_once(
    app: Any,
    team_and_shift: tuple[int, int, Any],  # noqa: F811
    make_client: Any,
) -> None:
    team_id, _, leader = team_and_shift
    member = make_client()
    member.sign_in("volunteer", PASSWORD)
    page = f"/volunteers/teams/{team_id}"
    assert member.submit(f"{page}/join", page=page).status_code == 303
    mine = member.get(page).text
    assert "队员 · 队员" not in mine
    assert re.search(r'data-membership="active">队员<', mine)
    roster = leader.get(f"/lead/teams/{team_id}").text
    assert "队员 · 队员" not in roster


def test_the_shift_page_states_the_sign_up_lead_time_in_days(
    team_and_shift: tuple[int, int, Any],  # noqa: F811
    make_client: Any,
) -> None:
    _, shift_id, _ = team_and_shift
    page = make_client().get(f"/volunteers/shifts/{shift_id}").text
    rules = re.search(r'id="shift-rules">([^<]*)<', page)
    assert rules is not None
    assert "开始前 14 天开放报名" in rules.group(1)


def test_equal_shares_has_one_chinese_name_everywhere() -> None:
    names: set[str] = set()
    for pattern in ("web/**/*.py", "web/**/*.html", "web/translations/*.po", "README.md"):
        for path in ROOT.glob(pattern):
            names |= set(re.findall(r"[\u4e00-\u9fff]{2}份额法", path.read_text(encoding="utf-8")))
    assert names == {"均等份额法"}
    assert "均等份额法" in (ROOT / "README.md").read_text(encoding="utf-8")
