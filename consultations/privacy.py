"""What exporting and closing an account do with the consultations' and
evaluations' tables (see participation.privacy.tables)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultations.evaluations import models as _evaluation_models  # noqa: F401
from consultations.models import Topic
from participation.privacy.tables import (
    STAFF_WORK,
    Entry,
    Person,
    anonymise,
    both,
    plain,
    rows,
    scrub_objects,
    table,
)


def _surveys(session: Session, person: Person) -> list[dict[str, Any]]:
    """The evaluations this person answered (answers are stored without who gave
    them, so only that they answered) and their unsent drafts, with answers."""
    keys = [f"resident:{n}" for n in person.roll_entry_ids]
    if not keys:
        return []
    p, d, e = table("eval_participations"), table("eval_drafts"), table("evaluations")
    submitted = session.execute(
        select(e.c.id, e.c.title)
        .join(p, p.c.evaluation_id == e.c.id)
        .where(p.c.respondent_key.in_(keys))
    ).mappings()
    drafts = session.execute(
        select(d.c.evaluation_id, d.c.answers_json, d.c.started_at).where(
            d.c.respondent_key.in_(keys)
        )
    ).mappings()
    return [{"submitted": True, **{k: plain(v) for k, v in r.items()}} for r in submitted] + [
        {"submitted": False, **{k: plain(v) for k, v in r.items()}} for r in drafts
    ]


def _erase_drafts(session: Session, person: Person) -> None:
    from sqlalchemy import delete

    keys = [f"resident:{n}" for n in person.roll_entry_ids]
    if keys:
        d = table("eval_drafts")
        session.execute(delete(d).where(d.c.respondent_key.in_(keys)))


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "consultation_topics",
        ("proposer_id",),
        rows("consultation_topics", "proposer_id"),
        both(
            anonymise("consultation_topics", "proposer_id", label=("proposer_public_name",)),
            scrub_objects(Topic, "proposer_id", "title", "body"),  # the search index notes it
        ),
    ),
    Entry("consultation_topics", ("decided_by",), kept=STAFF_WORK),
    Entry(
        "consultation_cosignatures",
        ("account_id",),
        rows("consultation_cosignatures", "account_id"),
        kept="a co-signature counted towards a topic's threshold; points at the anonymised account",
    ),
    Entry(
        "consultation_attendance",
        ("account_id",),
        rows("consultation_attendance", "account_id"),
        kept="the meeting's quorum record; points at the anonymised account",
    ),
    Entry("consultation_attendance", ("recorded_by",), kept=STAFF_WORK),
    Entry(
        "consultation_posts",
        ("author_id",),
        rows("consultation_posts", "author_id"),
        anonymise("consultation_posts", "author_id", label=("author_name",), scrub=("body",)),
    ),
    Entry("consultation_posts", ("hidden_by",), kept=STAFF_WORK),
    Entry(
        "consultation_post_reports",
        ("reporter_id",),
        rows("consultation_post_reports", "reporter_id"),
        anonymise("consultation_post_reports", "reporter_id", scrub=("reason",)),
    ),
    Entry(
        "consultation_objections",
        ("author_id",),
        rows("consultation_objections", "author_id"),
        anonymise("consultation_objections", "author_id", label=("author_name",), scrub=("body",)),
    ),
    Entry("consultation_objections", ("answered_by",), kept=STAFF_WORK),
    Entry("consultations", ("recorder_id", "host_id", "created_by"), kept=STAFF_WORK),
    Entry(
        "opinion_statements",
        ("author_id",),
        rows("opinion_statements", "author_id"),
        anonymise("opinion_statements", "author_id", scrub=("text",)),
    ),
    Entry(
        "opinion_votes",
        ("account_id",),
        rows("opinion_votes", "account_id"),
        kept="votes on statements shape the opinion map; points at the anonymised account",
    ),
    Entry(
        "representative_candidacies",
        ("account_id",),
        rows("representative_candidacies", "account_id"),
        anonymise(
            "representative_candidacies",
            "account_id",
            label=("public_name",),
            scrub=("statement",),
        ),
    ),
    Entry(
        "representative_roster",
        ("account_id",),
        rows("representative_roster", "account_id"),
        anonymise("representative_roster", "account_id", label=("public_name",)),
    ),
    Entry("eval_participations", (), _surveys, _erase_drafts),
    Entry(
        "eval_panel_members",
        ("account_id",),
        rows("eval_panel_members", "account_id"),
        kept="a panel's scores refer to its members; points at the anonymised account",
    ),
    Entry("eval_panels", ("created_by",), kept=STAFF_WORK),
    Entry("evaluations", ("created_by",), kept=STAFF_WORK),
    Entry("eval_department_responses", ("responded_by",), kept=STAFF_WORK),
)
