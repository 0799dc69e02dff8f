"""Pure rules for keeping contents apart from the people who gave them.

A secret ballot (or an evaluation response) is stored sealed, beside its voter's
participation, and is opened into the table of contents only in batches that
mix several voters (see participation/ballots/mixing.py). These rules say which
pending contents to open, and how large a sealed plaintext must be so that its
length gives nothing away.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from participation.ballots.rules.ballot_forms import GRADES, YES_NO_CHOICES, BallotForm, FormKind


def to_open(pending: int, mix: int, final: bool, rng: random.Random) -> list[int]:
    """Indices (into the ``pending`` sealed contents) to open now.

    Invariants: ``final`` opens all; otherwise nothing opens while fewer than
    ``2 * mix`` are pending, and then all but ``mix`` of them, chosen at random,
    so that every batch opened before the end holds at least ``mix`` contents and
    the ones left behind mix into a later batch.
    """
    if mix < 1:
        raise ValueError("mix must be at least 1")
    if final:
        return list(range(pending))
    if pending < 2 * mix:
        return []
    return sorted(rng.sample(range(pending), pending - mix))


def padded_size(length: int, size: int) -> int:
    """``size`` when ``length`` fits in it, else the next power of two (at least 64)."""
    if length <= size:
        return size
    total = 64
    while total < length:
        total *= 2
    return total


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, sort_keys=True).encode())


def ballot_bound(form: BallotForm, keys: Sequence[str]) -> int:
    """Bytes of the longest canonical content a valid ballot of ``form`` over items
    ``keys`` can have (JSON as casting stores it), so that every ballot of a box
    can be padded to one size. Unbounded points count as 12 digits per item."""
    kind = form.kind
    if kind in (FormKind.CHOOSE, FormKind.BUDGET):
        return _json_size({"approved": sorted(keys)})
    if kind is FormKind.RANKED:
        return _json_size({"ranking": list(keys)})
    if kind is FormKind.CUMULATIVE:
        cap = min(p for p in (form.points, form.max_per_item, 10**12 - 1) if p is not None)
        return _json_size({"points": {k: cap for k in keys}})
    marks, field = (YES_NO_CHOICES, "choices") if kind is FormKind.YES_NO else (GRADES, "grades")
    longest = max(marks, key=len)
    return _json_size({field: {k: longest for k in keys}})


def answers_bound(limits: Mapping[str, int]) -> int:
    """Bytes of the longest answers JSON for questions ``key -> longest answer in
    characters`` (4 bytes a character: UTF-8 at worst, JSON escapes of control
    characters aside, which the next power of two absorbs)."""
    return _json_size({k: "" for k in limits}) + 4 * sum(limits.values())


def shuffled(items: Iterable[Any], rng: random.Random) -> list[Any]:
    """A uniformly shuffled copy of ``items``."""
    out = list(items)
    rng.shuffle(out)
    return out
