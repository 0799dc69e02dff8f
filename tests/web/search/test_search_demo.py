"""The demo: every kind of record it loads is found once ``gongzhi search reindex``
ran, and the worker's job has the demo's change notes to work through."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.db import make_engine
from participation.plan.models import PlanItem
from search.models import SearchDoc
from tests.support.client import FormClient


def test_the_reindex_command_indexes_the_demo_and_the_page_finds_it(
    demo_url: str, demo_client: FormClient
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "search", "reindex"],
        env=dict(os.environ, GONGZHI_DATABASE_URL=demo_url),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    assert "records indexed" in done.stdout
    engine = make_engine(demo_url)
    with Session(engine) as s:
        kinds = set(s.scalars(select(SearchDoc.kind).distinct()))
        item = s.scalars(select(PlanItem).order_by(PlanItem.id)).first()
        assert item is not None
        title, item_id = item.title, item.id
        assert (s.scalar(select(func.count()).select_from(SearchDoc)) or 0) > 0
    engine.dispose()
    assert {"plan_item", "consultation", "topic", "team", "shift", "evaluation"} <= kinds
    assert {"budget_proposal", "livelihood_project", "request"} <= kinds
    page = demo_client.get("/search", params={"q": title})
    assert page.status_code == 200
    assert f'href="/plan/items/{item_id}"' in page.text
