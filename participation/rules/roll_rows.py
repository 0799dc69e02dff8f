"""Rows of a roll file (resident or deputy roll): header mapping and validation.

Pure: rows come in as plain values (strings, or dates from spreadsheets), and
come out as records ready to store or as errors with the row, the column and
a reason (an English msgid).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from participation.errors import N_
from participation.rules.identity import id_hash, id_number_problem, normalize_id_number

# Accepted column titles (lower-cased, spaces removed) -> field name.
HEADER_ALIASES = {
    "name": "name", "姓名": "name",
    "id_number": "id_number", "idnumber": "id_number", "身份证号": "id_number",
    "身份证号码": "id_number", "公民身份号码": "id_number",
    "birth_date": "birth_date", "birthdate": "birth_date", "出生日期": "birth_date",
    "community_code": "community_code", "community": "community_code",
    "社区代码": "community_code", "社区": "community_code", "社区(村)代码": "community_code",
    "household_id": "household_id", "household": "household_id", "户号": "household_id",
    "phone": "phone", "手机号": "phone", "手机号码": "phone", "联系电话": "phone",
    "constituency": "constituency", "选区": "constituency",
}  # fmt: skip
RESIDENT_FIELDS = ("name", "id_number", "birth_date", "community_code", "household_id")
DEPUTY_FIELDS = ("name", "id_number")
PHONE = re.compile(r"^\+?\d{7,15}$")

ID_REASONS = {
    "shape": N_("the ID number must have 18 characters: 17 digits and a digit or X"),
    "checksum": N_("the ID number's check digit is wrong"),
    "birth_date": N_("the ID number holds an impossible birth date"),
    "birth_mismatch": N_("the birth date differs from the one in the ID number"),
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str
    params: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "params": self.params,
        }


def map_header(titles: Iterable[object]) -> dict[int, str]:
    """Column index -> field name, for the columns we know."""
    mapping = {}
    for index, title in enumerate(titles):
        key = str(title or "").strip().lower().replace(" ", "")
        if key in HEADER_ALIASES:
            mapping[index] = HEADER_ALIASES[key]
    return mapping


def missing_columns(mapping: Mapping[int, str], required: Iterable[str]) -> list[str]:
    present = set(mapping.values())
    return [f for f in required if f not in present]


def parse_date(value: object) -> date | None:
    """Dates as typed in Chinese spreadsheets: 1980-01-31, 1980/1/31, 19800131, 1980年1月31日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets turn household numbers into floats
    return str(value).strip()


def name_errors(line: int, name: str) -> list[RowError]:
    if not name:
        return [RowError(line, "name", N_("the name is missing"))]
    if len(name) > 60:
        return [RowError(line, "name", N_("the name is longer than 60 characters"))]
    return []


@dataclass(frozen=True)
class ResidentRecord:
    name: str
    id_hash: str
    birth_date: date
    community_code: str
    household_code: str
    phone: str | None


def check_resident_row(
    line: int,
    values: Mapping[str, object],
    secret: bytes,
    communities: Mapping[str, str],
    scope_path: str | None,
) -> ResidentRecord | list[RowError]:
    """Validate one resident row.

    ``communities`` maps community codes to area paths; ``scope_path`` limits
    the importer to communities inside their area (None: anywhere).
    """
    name = text_of(values.get("name"))
    errors = name_errors(line, name)
    number = normalize_id_number(text_of(values.get("id_number")))
    born = parse_date(values.get("birth_date"))
    if born is None:
        errors.append(
            RowError(line, "birth_date", N_("the birth date cannot be read (use 1980-01-31)"))
        )
    problem = id_number_problem(number, born)
    if problem:
        errors.append(RowError(line, "id_number", ID_REASONS[problem]))
    code = text_of(values.get("community_code"))
    path = communities.get(code)
    if path is None:
        errors.append(
            RowError(
                line, "community_code", N_("no community has the code %(code)s"), {"code": code}
            )
        )
    elif scope_path is not None and not path.startswith(scope_path):
        errors.append(
            RowError(
                line,
                "community_code",
                N_("community %(code)s is outside your area"),
                {"code": code},
            )
        )
    household = text_of(values.get("household_id"))
    if not household or len(household) > 40:
        errors.append(RowError(line, "household_id", N_("the household number is missing")))
    phone = text_of(values.get("phone")) or None
    if phone is not None and not PHONE.match(phone.replace("-", "").replace(" ", "")):
        errors.append(RowError(line, "phone", N_("the phone number cannot be read")))
    if errors:
        return errors
    assert born is not None
    return ResidentRecord(name, id_hash(secret, number), born, code, household, phone)


@dataclass(frozen=True)
class DeputyRecord:
    name: str
    id_hash: str
    constituency: str
    phone: str | None


def check_deputy_row(
    line: int, values: Mapping[str, object], secret: bytes
) -> DeputyRecord | list[RowError]:
    name = text_of(values.get("name"))
    errors = name_errors(line, name)
    number = normalize_id_number(text_of(values.get("id_number")))
    problem = id_number_problem(number)
    if problem:
        errors.append(RowError(line, "id_number", ID_REASONS[problem]))
    phone = text_of(values.get("phone")) or None
    if errors:
        return errors
    return DeputyRecord(
        name, id_hash(secret, number), text_of(values.get("constituency"))[:120], phone
    )
