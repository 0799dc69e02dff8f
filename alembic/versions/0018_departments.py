"""departments as records: full name, short name, area, mailbox; rows keep the id

``plan_departments`` (names created on the fly from typed text) becomes
``departments``. Every table that assigns a department (plan items, livelihood
candidates, evaluations, rectification items, consultations) gets a department id
beside its name text. The typed names become records, with only the obvious
duplicates folded: names equal after trimming and collapsing whitespace
(including the full-width space). 住建局 and 区住建局 stay two records: whether they
are one department is for staff to decide (merge, in the back office). New records
have no area (not placed) and take the mailbox of the old record of their name.

Revision ID: 0018
Revises: 0021
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, id column, name text column) of every table that assigns a department.
REFERENCES = [
    ("plan_items", "owner_department_id", "owner_department"),
    ("livelihood_candidates", "department_id", "department"),
    ("evaluations", "department_id", "department"),
    ("eval_rectifications", "owner_department_id", "owner_department"),
    ("consultations", "owner_department_id", "owner_department"),
]
_SPACE = re.compile(r"\s+")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) | (?=[\u3000-\u9fff\uff00-\uffef])")


def _normalise(text: str) -> str:
    # As participation.rules.departments.normalise_name at this revision.
    return _CJK_SPACE.sub("", _SPACE.sub(" ", text).strip())


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_departments_area_id_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_departments_name")),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_departments_area_id"), ["area_id"], unique=False)

    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_department_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_consultations_owner_department_id"),
            ["owner_department_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_consultations_owner_department_id_departments"),
            "departments",
            ["owner_department_id"],
            ["id"],
        )

    with op.batch_alter_table("eval_rectifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_department_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_eval_rectifications_owner_department_id"),
            ["owner_department_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_eval_rectifications_owner_department_id_departments"),
            "departments",
            ["owner_department_id"],
            ["id"],
        )

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_evaluations_department_id"), ["department_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_evaluations_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
        )

    with op.batch_alter_table("livelihood_candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_livelihood_candidates_department_id"), ["department_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_livelihood_candidates_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
        )

    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_department_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_plan_items_owner_department_id"), ["owner_department_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_items_owner_department_id_departments"),
            "departments",
            ["owner_department_id"],
            ["id"],
        )

    _records_from_names()
    op.drop_table("plan_departments")


def _records_from_names() -> None:
    conn = op.get_bind()
    old = sa.table("plan_departments", sa.column("name", sa.String), sa.column("email", sa.String))
    new = sa.table(
        "departments",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("short_name", sa.String),
        sa.column("email", sa.String),
    )
    emails: dict[str, str] = {}
    names: set[str] = set()
    for name, email in conn.execute(sa.select(old.c.name, old.c.email)):
        key = _normalise(name or "")
        if key:
            names.add(key)
            if email and not emails.get(key):
                emails[key] = email
    rows: dict[str, list[tuple[int, str]]] = {}
    for table_name, _id_column, text_column in REFERENCES:
        table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(text_column, sa.String))
        found = conn.execute(sa.select(table.c.id, table.c[text_column])).all()
        rows[table_name] = [(row_id, text) for row_id, text in found]
        names.update(k for k in (_normalise(t or "") for _i, t in found) if k)
    ids: dict[str, int] = {}
    for key in sorted(names):
        conn.execute(
            sa.insert(new).values(name=key[:120], short_name="", email=emails.get(key, ""))
        )
        ids[key] = conn.execute(sa.select(new.c.id).where(new.c.name == key[:120])).scalar_one()
    for table_name, id_column, text_column in REFERENCES:
        table = sa.table(
            table_name,
            sa.column("id", sa.Integer),
            sa.column(id_column, sa.Integer),
            sa.column(text_column, sa.String),
        )
        for row_id, text in rows[table_name]:
            key = _normalise(text or "")
            if key:
                conn.execute(
                    sa.update(table)
                    .where(table.c.id == row_id)
                    .values({id_column: ids[key], text_column: key[:120]})
                )


def downgrade() -> None:
    with op.batch_alter_table("plan_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_plan_items_owner_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_plan_items_owner_department_id"))
        batch_op.drop_column("owner_department_id")

    with op.batch_alter_table("livelihood_candidates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_livelihood_candidates_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_livelihood_candidates_department_id"))
        batch_op.drop_column("department_id")

    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_evaluations_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_evaluations_department_id"))
        batch_op.drop_column("department_id")

    with op.batch_alter_table("eval_rectifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_eval_rectifications_owner_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_eval_rectifications_owner_department_id"))
        batch_op.drop_column("owner_department_id")

    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_consultations_owner_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_consultations_owner_department_id"))
        batch_op.drop_column("owner_department_id")

    op.create_table(
        "plan_departments",
        sa.Column("id", sa.INTEGER(), nullable=False),
        sa.Column("name", sa.VARCHAR(length=120), nullable=False),
        sa.Column("email", sa.VARCHAR(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_departments")),
        sa.UniqueConstraint("name", name=op.f("uq_plan_departments_name")),
    )
    op.execute(
        "INSERT INTO plan_departments (id, name, email) SELECT id, name, email FROM departments"
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_departments_area_id"))

    op.drop_table("departments")
