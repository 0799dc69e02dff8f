"""``gongzhi worker``, ``gongzhi backup`` and ``gongzhi restore``."""

from __future__ import annotations

import argparse
import logging.config
import sys
from pathlib import Path
from typing import Any

from web.ops.logs import log_config
from web.settings import settings_or_exit


def cmd_worker(args: argparse.Namespace) -> int:
    from web.ops.worker import run_worker

    logging.config.dictConfig(log_config())
    return run_worker(settings_or_exit(), once=args.once)


def cmd_backup(args: argparse.Namespace) -> int:
    from web.ops.backup import BackupError, backup

    try:
        print(backup(settings_or_exit().database_url, Path(args.file)))
    except BackupError as error:
        print(f"gongzhi backup: {error}", file=sys.stderr)
        return 2
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from web.ops.backup import BackupError, restore

    try:
        print(restore(settings_or_exit().database_url, Path(args.file), replace=args.replace))
    except BackupError as error:
        print(f"gongzhi restore: {error}", file=sys.stderr)
        return 2
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="run every periodic job (one per host; see README)")
    p.add_argument("--once", action="store_true", help="run each job once for now, then exit")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("backup", help="back up the database to FILE, also while it serves")
    p.add_argument("file")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup FILE into an empty database")
    p.add_argument("file")
    p.add_argument("--replace", action="store_true", help="overwrite a database that has data")
    p.set_defaults(func=cmd_restore)
