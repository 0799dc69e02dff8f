"""Reading paper ballots typed by tellers, one ballot per line.

- choose / budget: the item keys marked, separated by spaces: ``1 3 5`` (a blank
  line is a blank ballot)
- ranked: item keys in order of preference: ``3 1 2``
- yes_no: one letter per item in ballot order, Y (yes) N (no) A (abstain): ``YNA``
- satisfaction: one letter per item, S (satisfied) B (basically) D (dissatisfied)
  A (abstain): ``SBD``
- cumulative: ``key:points`` pairs: ``1:3 2:2``

Reading never judges validity: an over-marked ballot is read as marked, and is
void when counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from participation.ballots.rules.ballot_forms import FormKind

YES_NO_LETTERS = {"Y": "yes", "N": "no", "A": "abstain"}
GRADE_LETTERS = {"S": "satisfied", "B": "basic", "D": "dissatisfied", "A": "abstain"}


class LineError(ValueError):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def read_lines(kind: FormKind, item_keys: Sequence[str], text: str) -> list[dict[str, Any]]:
    """Parse the teller's text into raw ballots; raises LineError(line) on nonsense."""
    ballots: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.replace(",", " ").replace("，", " ").split()
        if kind in (FormKind.CHOOSE, FormKind.BUDGET):
            ballots.append({"approved": tokens})
        elif kind is FormKind.RANKED:
            ballots.append({"ranking": tokens})
        elif kind is FormKind.CUMULATIVE:
            points: dict[str, int] = {}
            for token in tokens:
                key, _, value = token.partition(":")
                if not value.isdigit():
                    raise LineError(number)
                points[key] = points.get(key, 0) + int(value)
            ballots.append({"points": points})
        else:
            letters = "".join(tokens).upper()
            table = YES_NO_LETTERS if kind is FormKind.YES_NO else GRADE_LETTERS
            if len(letters) != len(item_keys) or any(c not in table for c in letters):
                raise LineError(number)
            field = "choices" if kind is FormKind.YES_NO else "grades"
            ballots.append({field: {k: table[c] for k, c in zip(item_keys, letters, strict=True)}})
    return ballots


def read_counts(item_keys: Sequence[str], text: str) -> dict[str, list[int]]:
    """Per-item counts typed as ``item: n [n n ...]``, one item per line.

    Raises LineError(line) for a line that is not an item followed by numbers.
    """
    counts: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, _, rest = line.replace("：", ":").partition(":")
        values = rest.replace(",", " ").split()
        if key.strip() not in item_keys or not values or not all(v.isdigit() for v in values):
            raise LineError(number)
        counts[key.strip()] = [int(v) for v in values]
    return counts
