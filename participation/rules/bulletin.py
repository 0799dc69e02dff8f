"""The public bulletin of a closed ballot box: ballots, a hash chain, the tally.

Ballots are listed in receipt-hash order (which says nothing about cast order).
Each link is ``sha256(previous link || canonical JSON of the entry)``, starting
from ``sha256(canonical JSON of the box header)``; the last link is the root.
Changing, adding, removing or reordering any ballot changes the root.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def receipt_hash(code: str) -> str:
    """The hash under which a voter's receipt code appears in the bulletin."""
    normalized = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalized.encode()).hexdigest()


def chain(header: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Links of the hash chain: one per entry, after the header's own hash."""
    link = hashlib.sha256(canonical(header)).hexdigest()
    links = []
    for entry in entries:
        link = hashlib.sha256(link.encode() + canonical(entry)).hexdigest()
        links.append(link)
    return links


def build_bulletin(
    header: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], tally: Mapping[str, Any]
) -> dict[str, Any]:
    """Assemble the bulletin; entries are sorted by their receipt hash first."""
    ordered = sorted(entries, key=lambda e: (e["receipt_hash"], canonical(e)))
    links = chain(header, ordered)
    return {
        "format": "gongzhi-bulletin/1",
        "box": dict(header),
        "ballots": [dict(e) | {"link": link} for e, link in zip(ordered, links, strict=True)],
        "root": links[-1] if links else hashlib.sha256(canonical(header)).hexdigest(),
        "tally": dict(tally),
    }


def chain_problems(bulletin: Mapping[str, Any]) -> list[str]:
    """Where the bulletin's chain does not hold (empty when it is intact)."""
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
    root = links[-1] if links else hashlib.sha256(canonical(bulletin["box"])).hexdigest()
    if bulletin.get("root") != root:
        problems.append("root does not match the ballots")
    hashes = [b["receipt_hash"] for b in bulletin["ballots"]]
    if hashes != sorted(hashes):
        problems.append("ballots are not in receipt-hash order")
    return problems
