"""The public bulletin of a closed ballot box: receipts, ballots, a hash chain, the tally.

Format 2 (``gongzhi-bulletin/2``) lists the receipt hashes of the online ballots
(sorted) apart from the ballots' contents (sorted by their canonical JSON), so a
voter can find their receipt (their ballot was counted) but no receipt points
at a content (nobody can prove to a buyer how they voted). The chain starts
from ``sha256(canonical JSON of the box header)``, takes in each receipt hash
(``sha256(link || hash)``), then each ballot (``sha256(link || canonical JSON
of the entry)``, the ballot's ``link``); the last link is the root. Changing,
adding, removing or reordering any receipt or ballot changes the root.

Format 1 (published before) paired each ballot with its receipt hash, listed in
receipt-hash order; :func:`chain_problems` still checks it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMAT = "gongzhi-bulletin/2"
FORMAT_V1 = "gongzhi-bulletin/1"


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def receipt_hash(code: str) -> str:
    """The hash under which a voter's receipt code appears in the bulletin."""
    normalized = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _start(header: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(header)).hexdigest()


def _extend(link: str, entries: Iterable[Mapping[str, Any]]) -> list[str]:
    links = []
    for entry in entries:
        link = hashlib.sha256(link.encode() + canonical(entry)).hexdigest()
        links.append(link)
    return links


def chain(header: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Format 1: links of the hash chain, one per entry, after the header's own hash."""
    return _extend(_start(header), entries)


def receipts_link(header: Mapping[str, Any], receipts: Sequence[str]) -> str:
    """Format 2: the link after the header and every receipt hash."""
    link = _start(header)
    for receipt in receipts:
        link = hashlib.sha256(link.encode() + receipt.encode()).hexdigest()
    return link


def _ballot_order(entry: Mapping[str, Any]) -> bytes:
    return canonical({k: v for k, v in entry.items() if k != "link"})


def build_bulletin(
    header: Mapping[str, Any],
    receipts: Iterable[str],
    entries: Sequence[Mapping[str, Any]],
    tally: Mapping[str, Any],
) -> dict[str, Any]:
    """Assemble a format 2 bulletin: receipts sorted, entries (``content`` and
    ``source``) sorted by their canonical JSON, which says nothing about who cast
    them or when."""
    hashes = sorted(receipts)
    ordered = sorted(entries, key=_ballot_order)
    start = receipts_link(header, hashes)
    links = _extend(start, ordered)
    return {
        "format": FORMAT,
        "box": dict(header),
        "receipts": hashes,
        "ballots": [dict(e) | {"link": link} for e, link in zip(ordered, links, strict=True)],
        "root": links[-1] if links else start,
        "tally": dict(tally),
    }


def receipt_hashes(bulletin: Mapping[str, Any]) -> set[str]:
    """The receipt hashes a bulletin lists (either format)."""
    if bulletin.get("format") == FORMAT_V1:
        return {b["receipt_hash"] for b in bulletin["ballots"]}
    return set(bulletin.get("receipts", []))


def chain_problems(bulletin: Mapping[str, Any]) -> list[str]:
    """Where the bulletin's chain does not hold (empty when it is intact)."""
    if bulletin.get("format") == FORMAT_V1:
        return _chain_problems_v1(bulletin)
    receipts = bulletin.get("receipts")
    if not isinstance(receipts, list) or not all(isinstance(r, str) for r in receipts):
        return ["receipts: malformed (not a list of hashes)"]
    for n, ballot in enumerate(bulletin["ballots"], start=1):
        if not isinstance(ballot, Mapping) or "content" not in ballot:
            return [f"ballot {n}: malformed (no content)"]
    problems = []
    if receipts != sorted(set(receipts)):
        problems.append("receipts are not sorted or not unique")
    entries = [{k: v for k, v in b.items() if k != "link"} for b in bulletin["ballots"]]
    start = receipts_link(bulletin["box"], receipts)
    links = _extend(start, entries)
    for n, (ballot, link) in enumerate(zip(bulletin["ballots"], links, strict=True), start=1):
        if ballot.get("link") != link:
            problems.append(f"ballot {n}: link does not match its content")
            break
    if bulletin.get("root") != (links[-1] if links else start):
        problems.append("root does not match the receipts and ballots")
    orders = [_ballot_order(e) for e in entries]
    if orders != sorted(orders):
        problems.append("ballots are not in canonical order")
    online = sum(1 for e in entries if e.get("source", "online") == "online")
    if online != len(receipts):
        problems.append(f"{online} online ballots but {len(receipts)} receipts")
    return problems


def _chain_problems_v1(bulletin: Mapping[str, Any]) -> list[str]:
    problems = []
    for n, ballot in enumerate(bulletin["ballots"], start=1):
        if not isinstance(ballot.get("receipt_hash"), str) or "content" not in ballot:
            return [f"ballot {n}: malformed (no receipt hash or no content)"]
    entries = [{k: v for k, v in b.items() if k != "link"} for b in bulletin["ballots"]]
    links = chain(bulletin["box"], entries)
    for n, (ballot, link) in enumerate(zip(bulletin["ballots"], links, strict=True), start=1):
        if ballot.get("link") != link:
            problems.append(f"ballot {n}: link does not match its content")
            break
    root = links[-1] if links else _start(bulletin["box"])
    if bulletin.get("root") != root:
        problems.append("root does not match the ballots")
    hashes = [b["receipt_hash"] for b in bulletin["ballots"]]
    if hashes != sorted(hashes):
        problems.append("ballots are not in receipt-hash order")
    return problems
