"""plan sources as a record kind and id, not a web path

Plan items and judgements stored the page of their source (``source_url``, e.g.
``/budgets/proposals/7``); the domain now stores what the source is and the web
side decides where it is shown. Items get ``source_id`` (the record their
``source_kind`` implies: a budget proposal, a livelihood cycle, a consultation, an
evaluation, an earlier plan item); judgements get ``source_record`` and
``source_id`` (a livelihood cycle, an evaluation, a panel). Both are read from the
stored paths, which every version of the code wrote in the shapes below; a path of
another shape (none was written) leaves the new columns empty. ``source_url`` is
dropped; the downgrade writes it back from the kind and id.

Revision ID: 0022
Revises: 0015
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As web/plan/sources.RECORD_PAGES at this revision: the record each path shows.
PAGES = {
    "budget_proposal": "/budgets/proposals/{id}",
    "livelihood_cycle": "/livelihood/{id}/result",
    "consultation": "/consultations/{id}",
    "evaluation": "/evaluations/{id}",
    "panel": "/panels/{id}",
    "plan_item": "/plan/items/{id}",
}
_PATHS = [
    (record, re.compile("^" + re.escape(page).replace(r"\{id\}", r"(\d+)") + r"(?:[#?].*)?$"))
    for record, page in PAGES.items()
]
# As participation.plan.sources.RECORD_OF_KIND at this revision.
RECORD_OF_KIND = {
    "livelihood_project": "livelihood_cycle",
    "community_budget": "budget_proposal",
    "consultation": "consultation",
    "rectification": "evaluation",
    "satisfaction": "livelihood_cycle",
    "carried_over": "plan_item",
}


def _record(url: str | None) -> tuple[str, int] | None:
    for record, pattern in _PATHS:
        found = pattern.match(url or "")
        if found:
            return record, int(found.group(1))
    return None


def _url(record: str | None, record_id: int | None) -> str:
    page = PAGES.get(record or "")
    return page.format(id=record_id) if page and record_id is not None else ""


items = sa.table(
    "plan_items",
    sa.column("id", sa.Integer),
    sa.column("source_kind", sa.String),
    sa.column("source_url", sa.String),
    sa.column("source_id", sa.Integer),
)
judgements = sa.table(
    "plan_judgements",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("source_url", sa.String),
    sa.column("source_record", sa.String),
    sa.column("source_id", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("plan_judgements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source_record", sa.String(length=30), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))

    conn = op.get_bind()
    for row_id, kind, url in conn.execute(
        sa.select(items.c.id, items.c.source_kind, items.c.source_url)
    ).all():
        found = _record(url)
        if found and found[0] == RECORD_OF_KIND.get(kind):
            conn.execute(items.update().where(items.c.id == row_id).values(source_id=found[1]))
    for row_id, url in conn.execute(sa.select(judgements.c.id, judgements.c.source_url)).all():
        found = _record(url)
        if found:
            conn.execute(
                judgements.update()
                .where(judgements.c.id == row_id)
                .values(source_record=found[0], source_id=found[1])
            )

    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.drop_column("source_url")
    with op.batch_alter_table("plan_judgements", schema=None) as batch_op:
        batch_op.drop_column("source_url")


def downgrade() -> None:
    for table in ("plan_items", "plan_judgements"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("source_url", sa.String(length=300), nullable=False, server_default="")
            )

    conn = op.get_bind()
    for row_id, kind, source_id in conn.execute(
        sa.select(items.c.id, items.c.source_kind, items.c.source_id)
    ).all():
        url = _url(RECORD_OF_KIND.get(kind), source_id)
        if url:
            conn.execute(items.update().where(items.c.id == row_id).values(source_url=url))
    for row_id, kind, record, source_id in conn.execute(
        sa.select(
            judgements.c.id, judgements.c.kind, judgements.c.source_record, judgements.c.source_id
        )
    ).all():
        url = _url(record, source_id)
        if url and kind == "satisfaction" and record == "livelihood_cycle":
            url += "#satisfaction"
        if url:
            conn.execute(
                judgements.update().where(judgements.c.id == row_id).values(source_url=url)
            )

    with op.batch_alter_table("plan_judgements", schema=None) as batch_op:
        batch_op.drop_column("source_id")
        batch_op.drop_column("source_record")
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.drop_column("source_id")
