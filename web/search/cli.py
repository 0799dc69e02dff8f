"""``gongzhi search reindex``: rebuild the search index from the records.

The worker's ``search-index`` job keeps the index current; this rebuilds it whole,
e.g. after ``gongzhi migrate`` added the index to a portal with records, or when
the segmentation changed. One transaction: searches see the old index until it
commits.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from search.indexing import reindex_all
from web.kit.session_scope import session_scope
from web.settings import settings_or_exit


def cmd_reindex(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    started = time.monotonic()
    last: dict[str, int] = {}

    def progress(family: str, done: int) -> None:
        if done - last.get(family, 0) >= 10_000:
            last[family] = done
            print(f"  {family}: {done}", file=sys.stderr)

    with session_scope(settings) as session:
        total = reindex_all(session, progress)
    print(f"{total} records indexed in {time.monotonic() - started:.1f} s")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("search", help="the search index")
    ssub = p.add_subparsers(dest="search_command", required=True)
    r = ssub.add_parser("reindex", help="rebuild the search index from every public record")
    r.set_defaults(func=cmd_reindex)
