"""``gongzhi pb tally FILE.pb --rule RULE [--json] [--explain]``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from participation.pabulib import load
from participation.tally.pb import RULES, tally


def cmd_pb_tally(args: argparse.Namespace) -> int:
    try:
        election = load(args.file)
    except (OSError, KeyError, ValueError) as error:
        print(f"gongzhi pb: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    outcome = tally(election, args.rule)
    if args.json:
        data: dict[str, Any] = {"rule": args.rule, "selected": list(outcome.selected)}
        if args.explain:
            data["reasons"] = {
                k: msg % params if params else msg for k, (msg, params) in outcome.reasons.items()
            }
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(" ".join(outcome.selected))
    if args.explain:
        for key in election.projects:
            message, params = outcome.reasons.get(key, ("Not funded", {}))
            print(f"{key}: {message % params if params else message}")
    return 0


def register(sub: Any) -> None:
    pb = sub.add_parser("pb", help="participatory budgets in the pabulib format")
    pb_sub = pb.add_subparsers(dest="pb_command", required=True)
    p = pb_sub.add_parser("tally", help="select projects from a .pb file by a rule")
    p.add_argument("file")
    p.add_argument("--rule", choices=RULES, required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--explain", action="store_true")
    p.set_defaults(func=cmd_pb_tally)
