"""Reading the proposal form into a draft, through the one form reader."""

from __future__ import annotations

from collections.abc import Mapping

from participation.budgets.rules import ProposalDraft
from participation.errors import N_
from web.kit.forms import FormReader

#: Each text of a proposal: its message when left empty, and its longest length.
PROPOSAL_TEXTS = (
    ("title", N_("Give the project a title."), 120),
    ("description", N_("Describe the project."), 4000),
    ("location", N_("Say where in the area the project is."), 200),
    ("beneficiaries", N_("Say who benefits from the project."), 200),
)


def read_proposal(fields: Mapping[str, str]) -> tuple[ProposalDraft | None, dict[str, str]]:
    """A proposal as typed: every text given and within its length, the estimated cost
    a positive whole number of yuan (full-width digits, separators and 元 allowed).

    Invariant: either a draft and no problems, or no draft and a message per field.
    """
    reader = FormReader(dict(fields))
    texts = {}
    for name, message, longest in PROPOSAL_TEXTS:
        texts[name] = reader.text(name, max_length=longest)
        if not texts[name]:
            reader.problems[name] = message
    cost = reader.money("cost_yuan", required=True)
    if "cost_yuan" in reader.problems:
        reader.problems["cost_yuan"] = N_(
            "Enter the estimated cost as a positive whole number of yuan."
        )
    if reader.problems or cost is None:
        return None, dict(reader.problems)
    return (
        ProposalDraft(
            title=texts["title"],
            description=texts["description"],
            location=texts["location"],
            cost_yuan=cost,
            beneficiaries=texts["beneficiaries"],
        ),
        {},
    )
