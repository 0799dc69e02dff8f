"""``gongzhi import-roll`` and ``gongzhi import-deputies``: roll imports with progress;
``gongzhi rolls recount``: the roll's per-community counts rebuilt from the roll."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy.orm import sessionmaker

from participation.areas import area_by_code
from participation.db import make_engine
from participation.deputies import get_congress
from participation.errors import DomainError
from participation.roll_import import job_errors, run_job, start_job
from participation.rolls import ImportJob, rebuild_counts
from web.kit import i18n
from web.kit.session_scope import session_scope
from web.settings import settings_or_exit


def _progress(job: ImportJob) -> None:
    print(
        f"\r{job.status:<10} {job.processed_rows:>8} rows checked, {job.error_count} problems",
        end="",
        file=sys.stderr,
        flush=True,
    )


def _run(kind: str, path: str, scope_code: str | None, congress_id: int | None) -> int:
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as error:
        print(f"gongzhi: cannot read {path}: {error}", file=sys.stderr)
        return 2
    i18n.current_locale.set(settings.default_locale)
    try:
        with sessions.begin() as session:
            scope_path = None
            if scope_code:
                area = area_by_code(session, scope_code)
                if area is None:
                    print(f"gongzhi: no area has the code {scope_code}", file=sys.stderr)
                    return 2
                scope_path = area.path
            if congress_id is not None:
                get_congress(session, congress_id)
            job = start_job(session, kind, path.rsplit("/", 1)[-1], None, scope_id=congress_id)
        job = run_job(
            sessions,
            job.id,
            data,
            secret=settings.id_hash_key.encode(),
            scope_path=scope_path,
            progress=_progress,
        )
    except DomainError as error:
        print(f"gongzhi: {i18n.gettext(error.message, **error.params)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(file=sys.stderr)
    if job.status != "done":
        for e in job_errors(job):
            where = f"row {e['row']}, {e['column']}: " if e["row"] else ""
            reason, params = e["reason"], e["params"]
            print(where + i18n.gettext(reason, **params), file=sys.stderr)
        print(f"nothing imported ({job.error_count} problems)", file=sys.stderr)
        return 1
    print(f"{job.imported_rows} rows imported")
    return 0


def cmd_import_roll(args: argparse.Namespace) -> int:
    return _run("residents", args.file, args.scope, None)


def cmd_import_deputies(args: argparse.Namespace) -> int:
    return _run("deputies", args.file, None, args.congress_id)


def cmd_recount(args: argparse.Namespace) -> int:
    """Rebuild ``roll_counts`` (participation.rolls.rebuild_counts) in one transaction:
    after a restore, or rows of the roll written by hand past the portal."""
    with session_scope(settings_or_exit()) as session:
        communities = rebuild_counts(session)
    print(f"roll counts rebuilt: {communities} communities with entries")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("import-roll", help="import the resident roll (CSV or XLSX)")
    p.add_argument("file")
    p.add_argument("--scope", help="area code the roll must stay within")
    p.set_defaults(func=cmd_import_roll)
    p = sub.add_parser("import-deputies", help="import a congress's deputy roll")
    p.add_argument("congress_id", type=int)
    p.add_argument("file")
    p.set_defaults(func=cmd_import_deputies)
    p = sub.add_parser("rolls", help="the resident roll's upkeep")
    rsub = p.add_subparsers(dest="rolls_command", required=True)
    r = rsub.add_parser(
        "recount", help="rebuild each community's roll counts from the roll (after a restore)"
    )
    r.set_defaults(func=cmd_recount)
