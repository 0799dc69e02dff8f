"""``gongzhi requests sweep`` closes proposals left unanswered, from cron."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from participation.areas import create_area
from participation.db import make_engine, utcnow
from participation.requests import handling
from participation.requests.models import ResidentRequest
from participation.rules.areas import AreaKind
from tests.support.requests import file, route_to_community
from web.cli import main as cli_main


def test_the_sweep_closes_what_was_left_unanswered(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("GONGZHI_DATABASE_URL", url)
    assert cli_main(["migrate"]) == 0
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        city = create_area(s, code="C", name="市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D", name="区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S", name="街", kind=AreaKind.STREET, parent=district)
        community = create_area(s, code="M", name="社区", kind=AreaKind.COMMUNITY, parent=street)
        grid = create_area(s, code="G", name="网格", kind=AreaKind.GRID, parent=community)
        places = {"district": district, "grid": grid, "people": {}}
        route_to_community(s, places)
        long_ago = utcnow() - timedelta(days=10)
        request, _ = file(s, places, requester=None, now=long_ago)
        handling.accept(s, request, request.unit_id or 0, long_ago, None)  # type: ignore[arg-type]
        handling.propose_closure(s, request, request.unit_id or 0, "已办", long_ago, None)  # type: ignore[arg-type]
    assert cli_main(["requests", "sweep"]) == 0
    assert "1 requests closed" in capsys.readouterr().out
    with Session(engine) as s:
        stored = s.get(ResidentRequest, request.id)
        assert stored is not None and stored.closure == "not_confirmed"
    engine.dispose()
