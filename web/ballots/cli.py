"""The ballot commands: ``gongzhi verify BULLETIN.json`` recomputes a published tally
and its hash chain; ``gongzhi pb tally FILE.pb --rule RULE [--tie-break ORDER]
[--json] [--explain]`` selects projects from a pabulib file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from participation.ballots.pabulib import load
from participation.ballots.rules.bulletin import chain_problems
from participation.ballots.rules.counting import count_bulletin
from participation.ballots.tally.equal_shares import TIE_BREAKS
from participation.ballots.tally.pb import DEFAULT_TIE_BREAK, RULES, tally


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


def cmd_pb_tally(args: argparse.Namespace) -> int:
    try:
        election = load(args.file)
    except (OSError, KeyError, ValueError) as error:
        print(f"gongzhi pb: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    outcome = tally(election, args.rule, args.tie_break)
    ties = [msg % params if params else msg for msg, params in outcome.notes]
    tie_break = f"{args.tie_break} ({TIE_BREAKS[args.tie_break]})"
    if args.json:
        data: dict[str, Any] = {"rule": args.rule, "selected": list(outcome.selected)}
        if args.explain:
            data["reasons"] = {
                k: msg % params if params else msg for k, (msg, params) in outcome.reasons.items()
            }
            data["tie_break"] = args.tie_break
            data["ties"] = ties
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(" ".join(outcome.selected))
    if args.explain:
        for key in election.projects:
            message, params = outcome.reasons.get(key, ("Not funded", {}))
            print(f"{key}: {message % params if params else message}")
        if ties:
            print(f"Ties, broken by the tie-break {tie_break}:")
            for line in ties:
                print(f"  {line}")
        else:
            print(f"No ties (the tie-break would have been {tie_break}).")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="recompute a bulletin's tally and hash chain")
    p.add_argument("file")
    p.set_defaults(func=cmd_verify)
    pb = sub.add_parser("pb", help="participatory budgets in the pabulib format")
    pb_sub = pb.add_subparsers(dest="pb_command", required=True)
    p = pb_sub.add_parser("tally", help="select projects from a .pb file by a rule")
    p.add_argument("file")
    p.add_argument("--rule", choices=RULES, required=True)
    p.add_argument(
        "--tie-break",
        choices=list(TIE_BREAKS),
        default=DEFAULT_TIE_BREAK,
        help="order of equal scores: "
        + "; ".join(f"{k}: {v}" for k, v in TIE_BREAKS.items())
        + f" (default {DEFAULT_TIE_BREAK})",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--explain", action="store_true")
    p.set_defaults(func=cmd_pb_tally)
