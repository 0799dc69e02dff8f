"""``gongzhi verify BULLETIN.json``: recompute a published tally and its hash chain."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from participation.ballots.rules.bulletin import chain_problems
from participation.ballots.rules.counting import count_bulletin


def verify_bulletin(bulletin: dict[str, Any]) -> list[str]:
    """Everything wrong with a bulletin; empty when chain and tally both hold."""
    try:
        problems = chain_problems(bulletin)
        ballots = bulletin["ballots"]
        tally = count_bulletin(
            bulletin["box"],
            [b["content"] for b in ballots],
            [b.get("source", "online") != "online" for b in ballots],
        )
    except (KeyError, TypeError, ValueError) as error:
        return [f"not a readable bulletin: {error!r}"]
    if tally != bulletin.get("tally"):
        problems.append("the published tally differs from the tally of the published ballots")
    return problems


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        with open(args.file, encoding="utf-8") as fh:
            bulletin = json.load(fh)
    except (OSError, json.JSONDecodeError) as error:
        print(f"gongzhi verify: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    problems = verify_bulletin(bulletin)
    if problems:
        for problem in problems:
            print(f"FAILED: {problem}")
        return 1
    print(f"OK: {len(bulletin['ballots'])} ballots, root {bulletin['root']}, tally recomputed")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="recompute a bulletin's tally and hash chain")
    p.add_argument("file")
    p.set_defaults(func=cmd_verify)
