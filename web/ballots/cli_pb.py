"""``gongzhi pb tally FILE.pb --rule RULE [--tie-break ORDER] [--json] [--explain]``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from participation.ballots.pabulib import load
from participation.ballots.tally.equal_shares import TIE_BREAKS
from participation.ballots.tally.pb import DEFAULT_TIE_BREAK, RULES, tally


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
