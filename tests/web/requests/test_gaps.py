"""Bad input of issue 15 not covered elsewhere, through HTTP: a wrong secret takes the
same path as an unknown number (not only the same page); a unit cannot record its
own return visit; a handling record's attachments that are not images, or too large,
are refused in Chinese and store nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.requests import closing, handling
from participation.requests import tracking as tracking_service
from participation.requests.models import RequestFile, RequestStep, ResidentRequest
from participation.requests.rules.tracking import secret_matches
from tests.support.client import FormClient
from tests.support.images import png
from tests.support.requests import NOW, file, route_to_community, verify_resident
from tests.support.world import MakeClient, World


@contextmanager
def _recorded(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """The SQL statements the app runs and the secret checks it makes meanwhile."""
    seen: dict[str, list[Any]] = {"sql": [], "checks": []}
    real = secret_matches

    def spy(key: bytes, number: str, secret: str, stored: str, scheme: int = 2) -> bool:
        seen["checks"].append((len(stored), scheme))
        return real(key, number, secret, stored, scheme)

    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen["sql"].append(sql.split()[0].upper() + " " + sql.split(" FROM ")[-1].split()[0])

    engine = app.state.engine
    with monkeypatch.context() as patch:
        patch.setattr(tracking_service, "secret_matches", spy)
        event.listen(engine, "before_cursor_execute", statement)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", statement)


def test_a_wrong_secret_takes_the_same_path_as_an_unknown_number(
    app: Starlette,
    make_client: MakeClient,
    engine: Engine,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same status, same page, and the same work: one keyed check against a stored
    value of the same shape, the same statements (the miss counted the same way), so
    neither the answer nor the time it takes says whether the number exists."""
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        request, _ = file(s, world)
    answers = {}
    for label, number in (("wrong", request.number), ("unknown", "20990101000000")):
        with _recorded(app, monkeypatch) as seen:
            page = make_client().submit(
                "/requests/track",
                {"number": number, "secret": "ABCDEFGHJK"},
                page="/requests/track",
            )
        answers[label] = (page.status_code, page.text.replace(number, "#"), seen)
    wrong, unknown = answers["wrong"], answers["unknown"]
    assert wrong[0] == unknown[0] == 404
    assert "没有与该受理编号和查询码相符的诉求" in wrong[1]

    def strip(text: str) -> str:
        import re

        return re.sub(r'value="[^"]*"|csrf[^>]*|Token": "[^"]*"', "", text)

    assert strip(wrong[1]) == strip(unknown[1])
    assert wrong[2]["checks"] == unknown[2]["checks"] == [(64, 2)]
    assert wrong[2]["sql"] == unknown[2]["sql"]


def _closed(engine: Engine, world: World) -> ResidentRequest:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        verify_resident(s, world)
        request, _ = file(s, world)
        staff = world["people"]["unit_staff"].id
        handling.accept(s, request, request.unit_id or 0, NOW, staff)
        handling.propose_closure(s, request, request.unit_id or 0, "已清理", NOW, staff)
        closing.confirm(s, request, NOW, request.requester_id)
    return request


def test_the_unit_cannot_record_its_own_return_visit(
    app: Starlette, client: FormClient, make_client: MakeClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    request = _closed(engine, world)
    base = f"/admin/requests/{request.id}"
    client.sign_in("unitstaff")  # handled it
    own = client.submit(f"{base}/visit", {"rating": "satisfied", "comment": "很满意"}, page=base)
    assert own.status_code == 403
    assert "回访须由诉求人在线进行，或由承办单位以外的工作人员进行" in own.text
    with Session(engine) as s:
        assert not s.get(ResidentRequest, request.id).rating  # type: ignore[union-attr]
        assert not s.scalar(
            select(func.count()).where(
                RequestStep.request_id == request.id, RequestStep.kind.like("visit_%")
            )
        )
    outside = make_client()
    outside.sign_in("staff")  # the district's staff: routes, did not handle it
    done = outside.submit(f"{base}/visit", {"rating": "basic", "comment": "电话回访"}, page=base)
    assert done.status_code == 303
    with Session(engine) as s:
        assert s.get(ResidentRequest, request.id).rating == "basic"  # type: ignore[union-attr]


def test_attachments_that_are_not_images_or_too_large_store_nothing(
    app: Starlette, client: FormClient, engine: Engine, world: World
) -> None:
    app.state.fixed_now = NOW
    with Session(engine, expire_on_commit=False) as s, s.begin():
        route_to_community(s, world)
        request, _ = file(s, world)
        handling.accept(s, request, request.unit_id or 0, NOW, world["people"]["unit_staff"].id)
    base = f"/admin/requests/{request.id}"
    client.sign_in("unitstaff")

    def count() -> tuple[int, int]:
        with Session(engine) as s:
            return (
                int(s.scalar(select(func.count()).select_from(RequestStep)) or 0),
                int(s.scalar(select(func.count()).select_from(RequestFile)) or 0),
            )

    before = count()
    record = {"note": "已清理", "minutes": "30", "kind": "action"}
    for name, data, words in (
        ("a.pdf", b"%PDF-1.4 not an image", "照片须为 JPEG、PNG 或 WebP 格式"),
        ("a.png", png(4, 4) + b"\0" * (2 * 1024 * 1024), "照片超过 2 MB"),
    ):
        refused = client.submit(
            f"{base}/record", record, page=base, files=[("attachments", (name, data, "image/png"))]
        )
        assert refused.status_code == 422, name
        assert words in refused.text, name
    assert count() == before
    fine = client.submit(
        f"{base}/record",
        record,
        page=base,
        files=[("attachments", ("a.png", png(4, 4), "image/png"))],
    )
    assert fine.status_code == 303
    assert count() == (before[0] + 1, before[1] + 1)
