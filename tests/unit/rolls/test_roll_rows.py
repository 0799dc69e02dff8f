from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from participation.rules.roll_rows import (
    RESIDENT_FIELDS,
    RowError,
    check_resident_row,
    map_header,
    missing_columns,
    parse_date,
    text_of,
)
from tests.support.people import person

SECRET = b"test"
COMMUNITIES = {"M1": "/1/2/3/4/", "M2": "/1/2/3/5/"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1980-01-31", date(1980, 1, 31)),
        ("1980/1/31", date(1980, 1, 31)),
        ("19800131", date(1980, 1, 31)),
        ("1980年1月31日", date(1980, 1, 31)),
        (datetime(1980, 1, 31, 0, 0), date(1980, 1, 31)),
        (date(1980, 1, 31), date(1980, 1, 31)),
        ("1980-02-30", None),
        ("31/01/1980", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_headers_in_chinese_and_english() -> None:
    chinese = map_header(["姓名", "身份证号", "出生日期", "社区代码", "户号", "手机号", "备注"])
    english = map_header(["Name", "ID Number", "birth_date", "community_code", "household_id"])
    assert set(chinese.values()) >= set(RESIDENT_FIELDS)
    assert missing_columns(english, RESIDENT_FIELDS) == []
    assert missing_columns(map_header(["姓名"]), RESIDENT_FIELDS) == [
        "id_number",
        "birth_date",
        "community_code",
        "household_id",
    ]


def test_spreadsheet_numbers_become_text() -> None:
    assert text_of(1203.0) == "1203"
    assert text_of(None) == ""


def row(n: int = 1, **changes: object) -> dict[str, object]:
    name, number, born = person(n)
    values: dict[str, object] = {
        "name": name,
        "id_number": number,
        "birth_date": born,
        "community_code": "M1",
        "household_id": "H1",
        "phone": "",
    }
    return values | changes


def reasons(result: object) -> list[str]:
    assert isinstance(result, list)
    return [e.column for e in result if isinstance(e, RowError)]


def test_a_good_row() -> None:
    record = check_resident_row(2, row(), SECRET, COMMUNITIES, None)
    assert not isinstance(record, list)
    assert record.community_code == "M1" and len(record.id_hash) == 64
    assert person(1)[1] not in repr(record)


@pytest.mark.parametrize(
    ("changes", "columns"),
    [
        ({"name": ""}, ["name"]),
        ({"id_number": "123"}, ["id_number"]),
        ({"birth_date": date(1901, 1, 1)}, ["id_number"]),  # differs from the ID
        ({"birth_date": "sometime"}, ["birth_date"]),
        ({"community_code": "M9"}, ["community_code"]),
        ({"household_id": ""}, ["household_id"]),
        ({"phone": "call me"}, ["phone"]),
        ({"name": "", "household_id": ""}, ["name", "household_id"]),
    ],
)
def test_bad_rows_name_their_columns(changes: dict[str, Any], columns: list[str]) -> None:
    assert reasons(check_resident_row(7, row(**changes), SECRET, COMMUNITIES, None)) == columns


def test_scope_keeps_importers_in_their_area() -> None:
    inside = check_resident_row(2, row(), SECRET, COMMUNITIES, "/1/2/3/4/")
    outside = check_resident_row(2, row(community_code="M2"), SECRET, COMMUNITIES, "/1/2/3/4/")
    assert not isinstance(inside, list)
    assert reasons(outside) == ["community_code"]
