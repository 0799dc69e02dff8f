"""The bulletin's hash chain detects any change to any ballot or receipt, and its
receipts are listed apart from the contents (a receipt proves nothing of a vote)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from participation.ballots.rules.bulletin import (
    FORMAT_V1,
    build_bulletin,
    chain,
    chain_problems,
    receipt_hash,
)

HEADER = {"id": 1, "title": "t", "items": [{"key": "1"}, {"key": "2"}]}
ballots_ = st.lists(
    st.fixed_dictionaries(
        {
            "content": st.fixed_dictionaries(
                {"approved": st.lists(st.sampled_from(["1", "2"]), unique=True)}
            )
        }
    ),
    min_size=1,
    max_size=8,
)


def bulletin_of(contents: list[dict[str, Any]]) -> dict[str, Any]:
    receipts = [receipt_hash(f"CODE-{n}") for n in range(len(contents))]
    entries = [c | {"source": "online"} for c in contents]
    published: dict[str, Any] = json.loads(
        json.dumps(build_bulletin(HEADER, receipts, entries, {"rows": []}))
    )
    return published


@given(ballots_)
def test_an_untouched_bulletin_verifies(contents: list[dict[str, Any]]) -> None:
    assert chain_problems(bulletin_of(contents)) == []


@settings(max_examples=200)
@given(ballots_, st.data())
def test_changing_any_byte_of_a_ballot_is_detected(
    contents: list[dict[str, Any]], data: st.DataObject
) -> None:
    bulletin = bulletin_of(contents)
    index = data.draw(st.integers(0, len(bulletin["ballots"]) - 1))
    ballot = bulletin["ballots"][index]
    text = json.dumps({k: v for k, v in ballot.items() if k != "link"}, sort_keys=True)
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != text[position]))
    changed_text = text[:position] + replacement + text[position + 1 :]
    try:
        changed = json.loads(changed_text)
    except ValueError:
        return  # no longer JSON: a reader rejects the bulletin outright
    if not isinstance(changed, dict):
        return
    tampered = copy.deepcopy(bulletin)
    tampered["ballots"][index] = changed | {"link": ballot["link"]}
    if tampered == bulletin:
        return  # the change did not alter the parsed content (e.g. whitespace)
    assert chain_problems(tampered) != []


def test_dropping_or_reordering_ballots_is_detected() -> None:
    bulletin = bulletin_of([{"content": {"approved": ["1"]}}, {"content": {"approved": ["2"]}}])
    dropped = copy.deepcopy(bulletin)
    dropped["ballots"].pop()
    assert chain_problems(dropped)
    swapped = copy.deepcopy(bulletin)
    swapped["ballots"].reverse()
    assert chain_problems(swapped)


def test_receipt_codes_are_normalized() -> None:
    assert receipt_hash("ab12-cd34") == receipt_hash("AB12CD34")


def test_receipts_are_listed_apart_from_contents() -> None:
    """No entry of the bulletin carries a receipt: the receipts are one sorted
    list, the contents another, in an order of their own."""
    bulletin = bulletin_of([{"content": {"approved": ["2"]}}, {"content": {"approved": ["1"]}}])
    assert bulletin["receipts"] == sorted(receipt_hash(f"CODE-{n}") for n in range(2))
    assert all(set(b) == {"content", "source", "link"} for b in bulletin["ballots"])
    assert [b["content"] for b in bulletin["ballots"]] == [{"approved": ["1"]}, {"approved": ["2"]}]


def test_changing_dropping_or_adding_a_receipt_is_detected() -> None:
    bulletin = bulletin_of([{"content": {"approved": ["1"]}}, {"content": {"approved": ["2"]}}])
    changed = copy.deepcopy(bulletin)
    changed["receipts"][0] = receipt_hash("OTHER")
    assert chain_problems(changed)
    dropped = copy.deepcopy(bulletin)
    dropped["receipts"].pop()
    assert chain_problems(dropped)
    added = copy.deepcopy(bulletin)
    added["receipts"] = sorted([*added["receipts"], receipt_hash("EXTRA")])
    assert chain_problems(added)


def test_a_format_1_bulletin_still_verifies() -> None:
    """Bulletins published before format 2 keep verifying as they were published."""
    entries = sorted(
        (
            {
                "receipt_hash": receipt_hash(f"C{n}"),
                "content": {"approved": [k]},
                "source": "online",
            }
            for n, k in enumerate(["1", "2"])
        ),
        key=lambda e: str(e["receipt_hash"]),
    )
    links = chain(HEADER, entries)
    bulletin: dict[str, Any] = {
        "format": FORMAT_V1,
        "box": HEADER,
        "ballots": [e | {"link": link} for e, link in zip(entries, links, strict=True)],
        "root": links[-1],
        "tally": {},
    }
    assert chain_problems(bulletin) == []
    bulletin["ballots"][0]["content"] = {"approved": ["1", "2"]}
    assert chain_problems(bulletin)
