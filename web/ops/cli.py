"""``gongzhi worker``, ``gongzhi backup`` and ``gongzhi restore``."""

from __future__ import annotations

import argparse
import logging.config
from typing import Any

from web.ops.logs import log_config
from web.settings import settings_or_exit


def cmd_worker(args: argparse.Namespace) -> int:
    from web.ops.worker import run_worker

    logging.config.dictConfig(log_config())
    return run_worker(settings_or_exit(), once=args.once)


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="run every periodic job (one per host; see README)")
    p.add_argument("--once", action="store_true", help="run each job once for now, then exit")
    p.set_defaults(func=cmd_worker)
