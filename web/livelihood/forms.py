"""Reading the solicitation form into a draft, through the one form reader."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from participation.errors import N_
from participation.livelihood.rules import SUBMITTER_KINDS, CandidateDraft
from web.kit.forms import FormReader

#: Each text of a submission: its message when left empty, and how much of it is kept.
CANDIDATE_TEXTS = (
    ("name", N_("Give the project a name."), 120),
    ("background", N_("Explain the background."), None),
    ("content", N_("Describe what will be built or done."), None),
    ("department", N_("Name the implementing department."), 120),
    ("funds_source", N_("Say where the funds come from."), 120),
)


def read_candidate(
    fields: Mapping[str, str], today: date
) -> tuple[CandidateDraft | None, dict[str, str]]:
    """A solicited project as typed: every text given, the funds a positive whole
    number of yuan, a completion date (YYYY-MM-DD) after ``today``, a submitter kind.

    Invariant: either a draft and no problems, or no draft and a message per field.
    """
    reader = FormReader(dict(fields))
    texts = {}
    for name, message, kept in CANDIDATE_TEXTS:
        value = reader.text(name)
        if not value:
            reader.problems[name] = message
        texts[name] = value[:kept] if kept else value
    funds = reader.money("funds_yuan", required=True)
    if "funds_yuan" in reader.problems:
        reader.problems["funds_yuan"] = N_("Enter the funds as a positive whole number of yuan.")
    complete_by = reader.day("complete_by", required=True)
    if "complete_by" in reader.problems:
        reader.problems["complete_by"] = N_("Enter the completion date.")
    elif complete_by is not None and complete_by <= today:
        reader.problems["complete_by"] = N_("The completion date must be in the future.")
    kind = reader.choice("submitter_kind", SUBMITTER_KINDS, required=False) or "public"
    if "submitter_kind" in reader.problems:
        reader.problems["submitter_kind"] = N_("Choose who submits the project.")
    if reader.problems or funds is None or complete_by is None:
        return None, dict(reader.problems)
    return (
        CandidateDraft(
            name=texts["name"],
            background=texts["background"],
            content=texts["content"],
            department=texts["department"],
            funds_yuan=funds,
            funds_source=texts["funds_source"],
            complete_by=complete_by,
            submitter_kind=kind,
        ),
        {},
    )
