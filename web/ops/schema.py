"""Is the database at the code's migration head? For /readyz and ``gongzhi worker``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from web.migrate import alembic_config


@cache
def code_heads() -> frozenset[str]:
    """The migration heads this code was written for (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


@dataclass(frozen=True)
class SchemaState:
    database: frozenset[str]
    code: frozenset[str]

    @property
    def current(self) -> bool:
        return self.database == self.code

    def explain(self) -> str:
        """Why the database and the code disagree, for an operator."""
        if self.current:
            return "the database is at the migration head"
        known = self.database <= _all_revisions()
        if not self.database:
            return "the database has no migrations applied: run `gongzhi migrate`"
        if not known:
            return (
                f"the database is at {', '.join(sorted(self.database))}, which this code "
                "does not know: the code is older than the database; deploy the new release"
            )
        return (
            f"the database is at {', '.join(sorted(self.database))}, the code at "
            f"{', '.join(sorted(self.code))}: run `gongzhi migrate`"
        )


@cache
def _all_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config(""))
    return frozenset(rev.revision for rev in script.walk_revisions())


def schema_state(engine: Engine) -> SchemaState:
    """The database's revisions against the code's (raises if the database is down)."""
    with engine.connect() as connection:
        database = frozenset(MigrationContext.configure(connection).get_current_heads())
    return SchemaState(database, code_heads())
