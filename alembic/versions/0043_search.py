"""search: the index of public records and its change log

``search_docs`` (one row per public record, its jieba-segmented words) and
``search_changes`` (records changed since the indexer last ran), ``search_marks``
(the highest id of each family looked at, for rows inserted without the ORM's unit
of work). The full-text
index is each engine's own: on SQLite an FTS5 table over ``search_docs.words``
(external content, kept in step by triggers); on PostgreSQL a stored generated
``tsvector`` column (the 'simple' configuration: the words are already segmented)
with a GIN index. ``gongzhi search reindex`` fills the index for existing records.

Revision ID: 0043
Revises: 0038
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0043"
down_revision: str | None = "0046"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "words, content='search_docs', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN"
    " INSERT INTO search_fts(rowid, words) VALUES (new.id, new.words); END",
    "CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, words) VALUES ('delete', old.id, old.words); END",
    "CREATE TRIGGER search_docs_au AFTER UPDATE OF words ON search_docs BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, words) VALUES ('delete', old.id, old.words);"
    " INSERT INTO search_fts(rowid, words) VALUES (new.id, new.words); END",
)
PG_FTS = (
    "ALTER TABLE search_docs ADD COLUMN tsv tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED",
    "CREATE INDEX ix_search_docs_tsv ON search_docs USING gin (tsv) WITH (fastupdate = off)",
)


def upgrade() -> None:
    op.create_table(
        "search_docs",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("area_path", sa.String(length=255), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_search_docs_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_docs")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_docs_kind_ref_id")),
    )
    with op.batch_alter_table("search_docs") as batch:
        batch.create_index("ix_search_docs_kind_day", ["kind", "day"], unique=False)
        batch.create_index(batch.f("ix_search_docs_area_path"), ["area_path"], unique=False)
        batch.create_index(batch.f("ix_search_docs_year"), ["year"], unique=False)
    op.create_table(
        "search_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_changes")),
    )
    op.create_table(
        "search_marks",
        sa.Column("family", sa.String(length=24), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("family", name=op.f("pk_search_marks")),
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else PG_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_marks")
    op.drop_table("search_changes")
    op.drop_table("search_docs")
