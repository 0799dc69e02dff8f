"""The search: a query's terms matched by the engine's full-text index, filtered by
kind, year and area, newest first, one page at a time.

SQLite matches through FTS5 (``search_fts``), PostgreSQL through the GIN-indexed
``tsv`` column; both see the same jieba words and the same terms (every query word,
as itself or as all of its parts), so both find the same records (tested on both).
Newest first is the order of the row ids (``search.models.doc_id``), which both
engines can follow without sorting every match. No count is taken: a page asks for
one row more than it shows to know whether another page follows, which keeps a
common word as cheap as a rare one to page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, Integer, String, column, func, select, text
from sqlalchemy.orm import Session

from participation.areas import Area
from search.models import SearchDoc
from search.rules.words import Query, fts5_match, highlight, parse_query, pg_tsquery
from search.sources import KINDS

PER_PAGE = 20
#: Pages beyond this are not served (refine the query instead).
MAX_PAGE = 50


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    year: int | None = None
    #: Only records of this area and below (an ``Area.path``).
    area_path: str | None = None


@dataclass(frozen=True)
class Hit:
    kind: str
    ref_id: int
    parent_id: int | None
    title: str
    #: The title in pieces, each saying whether it is a matched word (to highlight).
    pieces: list[tuple[str, bool]]
    area_name: str
    day: date


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    more: bool = False


def search(
    session: Session, typed: str, filters: Filters, page: int = 1, per_page: int = PER_PAGE
) -> Results:
    """The records matching ``typed`` (any text: see ``search.rules.words``)."""
    query = parse_query(typed)
    page = max(1, min(page, MAX_PAGE))
    if query.problem or not query.terms:
        return Results(query, page=page)
    sqlite = session.get_bind().dialect.name == "sqlite"
    where = []
    params: dict[str, object] = {
        "limit": per_page + 1,
        "offset": (page - 1) * per_page,
    }
    if sqlite:
        source = "search_fts JOIN search_docs d ON d.id = search_fts.rowid"
        order = "search_fts.rowid"  # the FTS index's own order: no sort of every match
        where.append("search_fts MATCH :match")
        params["match"] = fts5_match(query)
    else:
        source = "search_docs d"
        order = "d.id"  # ids sort as days do (search.models.doc_id)
        where.append("d.tsv @@ to_tsquery('simple', :match)")
        params["match"] = pg_tsquery(query)
    if filters.kind in KINDS:
        where.append("d.kind = :kind")
        params["kind"] = filters.kind
    if filters.year is not None:
        where.append("d.year = :year")
        params["year"] = filters.year
    if filters.area_path:
        where.append("d.area_path LIKE :path")
        params["path"] = filters.area_path + "%"
    sql = text(
        "SELECT d.kind, d.ref_id, d.parent_id, d.title, d.area_id, d.day"
        f" FROM {source} WHERE {' AND '.join(where)}"
        f" ORDER BY {order} DESC LIMIT :limit OFFSET :offset"
    ).columns(
        column("kind", String),
        column("ref_id", Integer),
        column("parent_id", Integer),
        column("title", String),
        column("area_id", Integer),
        column("day", Date),
    )
    rows = session.execute(sql, params).all()
    shown = rows[:per_page]
    area_ids = {r.area_id for r in shown if r.area_id is not None}
    names = (
        {i: n for i, n in session.execute(select(Area.id, Area.name).where(Area.id.in_(area_ids)))}
        if area_ids
        else {}
    )
    words = query.words
    hits = [
        Hit(
            r.kind,
            r.ref_id,
            r.parent_id,
            r.title,
            highlight(r.title, words),
            names.get(r.area_id, ""),
            r.day,
        )
        for r in shown
    ]
    return Results(query, hits, page, more=len(rows) > per_page)


def years(session: Session) -> list[int]:
    """The years from the newest indexed record's to the oldest's (for the filter): two
    reads of the year index's ends (a DISTINCT over every row took ~90 ms on
    PostgreSQL at city scale)."""
    newest = session.scalar(select(func.max(SearchDoc.year)))
    oldest = session.scalar(select(func.min(SearchDoc.year)))
    if newest is None or oldest is None:
        return []
    return list(range(newest, oldest - 1, -1))
