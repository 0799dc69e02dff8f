"""The change log: which indexed records changed, written where they change.

Why a log and a worker rather than writing the index in each area's services: the
index must follow every service of nine record families, written by other people
in other areas, and it needs jieba (about 0.4-3 s to load, and milliseconds per
text) which a request that files a request or signs up for a shift should not pay.
So one ORM hook (``after_flush`` on every ``Session``) notes the (family, id) of
every indexed record that was added, deleted, or changed in a field the index
reads, in the same transaction: a rolled-back change leaves no note, a committed
one always does. The worker's ``search-index`` job reindexes what the notes name
(``search.indexing.drain``), every minute; ``gongzhi search reindex`` rebuilds all
(after bulk loads that bypass the ORM, such as ``gongzhi demo --scale city``).

What the index reads is declared beside each family's loader (``search.sources``):
the record's own ``fields``, and its ``reaches`` into other tables: a plan item is
filed under its plan's area and year, every record under its area's path, a request
is found by its place's name, a shift by its activity's and team's words. A change
to one of those notes every record that reads the changed row.

Two ways of writing are watched:

- the unit of work (objects added, deleted or changed, then flushed): ``after_flush``;
- UPDATE and DELETE statements run outside the unit of work (``session.execute(
  update(Model)...)``, as a department's rename rewrites the name on every evaluation
  assigned to it, or a Core ``update(table)``): the engine's ``before_execute`` notes
  the rows the statement's WHERE clause (or its rows' ids) names, before it runs.
  Bulk loads by INSERT are seen by the indexer's marks instead (``search.indexing``).

The hook writes one multi-row INSERT per flush that touched indexed records, and
nothing otherwise: a shift's sign-up counters, for one, are not indexed fields.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, Delete, Engine, Update, event, insert, inspect, select
from sqlalchemy.orm import Mapper, Session, UOWTransaction
from sqlalchemy.orm.exc import UnmappedColumnError

from search.models import SearchChange
from search.sources import SOURCES, Reach

#: Indexed classes: their family in ``search.sources.SOURCES`` and the fields it reads.
WATCHED: dict[type, tuple[str, frozenset[str]]] = {
    source.table: (family, source.fields) for family, source in SOURCES.items()
}
#: The classes whose fields other families' docs read: (family, reach) by class.
REACHES: dict[type, list[tuple[str, Reach]]] = {}
for _family, _source in SOURCES.items():
    for _reach in _source.reaches:
        REACHES.setdefault(_reach.model, []).append((_family, _reach))
#: The fields of each class that some doc reads.
READ: dict[type, frozenset[str]] = {
    cls: frozenset().union(
        WATCHED[cls][1] if cls in WATCHED else (),
        *(reach.fields for _, reach in REACHES.get(cls, ())),
    )
    for cls in (*WATCHED, *REACHES)
}
#: Every class either of the above names, by table name (for UPDATE statements).
BY_TABLE: dict[str, type] = {
    cls.__table__.name: cls  # type: ignore[attr-defined]
    for cls in (*WATCHED, *REACHES)
}


def _changed(obj: Any, fields: frozenset[str]) -> frozenset[str]:
    """Those of ``fields`` this flush changes on ``obj``."""
    attrs = inspect(obj).attrs
    return frozenset(name for name in fields if attrs[name].history.has_changes())


class _Notes:
    """The (family, id) pairs a flush or a statement touches, and the rows of other
    tables whose readers must be looked up (by family and reach)."""

    def __init__(self) -> None:
        self.notes: set[tuple[str, int]] = set()
        self.reached: dict[tuple[str, int], tuple[Reach, set[int]]] = {}

    def add(
        self, cls: type, ids: Iterable[int], changed: frozenset[str] | None, *, new: bool = False
    ) -> None:
        """Rows ``ids`` of ``cls`` changed in ``changed`` (None: every field, as when
        added or deleted); rows just added have no readers in other tables yet."""
        ids = [i for i in ids if i is not None]
        if not ids:
            return
        watched = WATCHED.get(cls)
        if watched is not None and (changed is None or changed & watched[1]):
            self.notes.update((watched[0], i) for i in ids)
        for family, reach in () if new else REACHES.get(cls, ()):
            if changed is None or changed & reach.fields:
                key = (family, id(reach))
                self.reached.setdefault(key, (reach, set()))[1].update(ids)

    def write(self, connection: Connection) -> None:
        """Look up the readers of the reached rows and insert every note, at once."""
        for (family, _), (reach, ids) in self.reached.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                readers = connection.execute(reach.records(chunk)).scalars()
                self.notes.update((family, ref_id) for ref_id in readers)
        if self.notes:
            connection.execute(
                insert(SearchChange),
                [{"kind": kind, "ref_id": ref_id} for kind, ref_id in sorted(self.notes)],
            )


def _added(session: Session) -> set[tuple[type, int]]:
    """The read rows this session's transaction inserted: a record reading one of them
    was inserted or changed (to point to it) in the same transaction, and is noted for
    that, so a change to such a row (an area's path, set just after its insert) needs
    no look-up of its readers."""
    root = session.get_transaction()
    kept = session.info.get("search_added")
    if kept is None or kept[0] is not root:
        kept = session.info["search_added"] = (root, set())
    added: set[tuple[type, int]] = kept[1]
    return added


def record_changes(session: Session, flush_context: UOWTransaction) -> None:
    """Note every indexed record this flush added, deleted or changed (see above)."""
    notes = _Notes()
    added = _added(session)
    for obj in session.new:
        if type(obj) in READ:
            added.add((type(obj), obj.id))
            notes.add(type(obj), [obj.id], None, new=True)
    for obj in session.deleted:
        if type(obj) in READ:
            notes.add(type(obj), [obj.id], None, new=(type(obj), obj.id) in added)
    for obj in session.dirty:
        fields = READ.get(type(obj))
        changed = _changed(obj, fields) if fields else None
        if changed:
            notes.add(type(obj), [obj.id], changed, new=(type(obj), obj.id) in added)
    if notes.notes or notes.reached:
        notes.write(session.connection())


def _set_fields(cls: type, statement: Any, rows: list[dict[str, Any]]) -> frozenset[str]:
    """The attributes an UPDATE statement sets (its values, or the rows it is given)."""
    mapper: Mapper[Any] = inspect(cls)
    names: set[str] = set()
    for key in statement._values or ():
        if isinstance(key, str):
            names.add(key)
        else:
            try:
                names.add(mapper.get_property_by_column(key).key)
            except UnmappedColumnError:
                names.add(str(key.key))
    names.update(str(k) for k in rows[0])  # the rows of an executemany share their keys
    return frozenset(names)


def _statement_ids(
    connection: Connection, cls: type, statement: Any, rows: list[dict[str, Any]]
) -> Collection[int]:
    """The ids of the rows an UPDATE or DELETE statement will touch: those its WHERE
    clause selects, with each set of parameters it is run with."""
    if all("id" in row for row in rows):
        return [row["id"] for row in rows]  # by primary key, row by row
    query = select(cls.id)  # type: ignore[attr-defined]
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return {i for row in rows for i in connection.execute(query, row).scalars()}


#: The session whose transaction runs on a connection (set as the transaction begins).
_SESSIONS: weakref.WeakKeyDictionary[Connection, weakref.ref[Session]] = weakref.WeakKeyDictionary()


def _remember_session(session: Session, transaction: Any, connection: Connection) -> None:
    _SESSIONS[connection] = weakref.ref(session)


def record_statement_changes(
    connection: Connection,
    statement: Any,
    multiparams: list[dict[str, Any]],
    params: dict[str, Any],
    execution_options: Any,
) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
    """Note the indexed records an UPDATE or DELETE statement run outside the unit of
    work changes (an ORM-enabled ``update(Model)``, a Core ``update(table)``), before it
    runs. A connection event, not ``do_orm_execute``: that one would cost every ORM
    statement of every page about 3 microseconds, this one an ``isinstance``."""
    unchanged = statement, multiparams, params  # (``retval``: no wrapper per statement)
    if not isinstance(statement, Update | Delete):
        return unchanged
    cls = BY_TABLE.get(getattr(statement.table, "name", ""))
    if cls is None:
        return unchanged
    owner = _SESSIONS.get(connection)
    session = owner() if owner is not None else None
    if session is not None and session._flushing:
        return unchanged  # the unit of work's own statement: ``record_changes`` notes it
    rows = list(multiparams) or [params or {}]
    changed = None if isinstance(statement, Delete) else _set_fields(cls, statement, rows)
    if changed is not None and not changed & READ[cls]:
        return unchanged  # e.g. the plan board's stored statuses, a request's tracking key
    notes = _Notes()
    notes.add(cls, _statement_ids(connection, cls, statement, rows), changed)
    notes.write(connection)
    return unchanged


def install() -> None:
    """Hook ``record_changes`` into every session and ``record_statement_changes`` into
    every engine (idempotent)."""
    if not event.contains(Session, "after_flush", record_changes):
        event.listen(Session, "after_flush", record_changes)
    if not event.contains(Session, "after_begin", _remember_session):
        event.listen(Session, "after_begin", _remember_session)
    if not event.contains(Engine, "before_execute", record_statement_changes):
        event.listen(Engine, "before_execute", record_statement_changes, retval=True)


install()
