"""The page cache (web/kit/page_cache.py): a public page is shown again from one
statement while no table it read has changed, and never once one has, whoever
wrote it; each visitor's forms carry their own token; signed-in people, htmx,
refusals and the next minute get a page rendered for them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation.areas import Area
from participation.db import make_engine
from participation.notices import notify
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import statements
from tests.support.world import MakeClient, World

NOW = datetime(2026, 12, 5, 9, 0, 30, tzinfo=UTC)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """On SQLite and on PostgreSQL (where the counters move after the commit)."""
    return any_db_url


def _reads_areas(client: FormClient, path: str = "/areas", **kwargs: object) -> tuple[bool, str]:
    """(whether showing ``path`` read the areas table, the page)."""
    with statements() as seen:
        page = client.get(path, **kwargs)  # type: ignore[arg-type]
    assert page.status_code in (200, 404), page.status_code
    return any("FROM areas" in sql for sql in seen), page.text


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form"
    return found.group(1)


def test_a_public_page_is_shown_again_without_reading_its_tables(
    app: Starlette, make_client: MakeClient, world: World
) -> None:
    app.state.fixed_now = NOW
    first, second = make_client(), make_client()
    read, page = _reads_areas(first)
    assert read and "测试市" in page
    with statements() as seen:
        again = second.get("/areas")
    assert not any("FROM areas" in sql for sql in seen)
    assert len(seen) <= 1, seen  # BEGIN on SQLite (the counters are read by the driver)
    assert again.text.replace(_token(again.text), "") == page.replace(_token(page), "")


def test_a_write_by_another_process_shows_on_the_next_view(
    app: Starlette, client: FormClient, world: World, db_url: str
) -> None:
    app.state.fixed_now = NOW
    assert "测试市" in _reads_areas(client)[1]
    other = make_engine(db_url)  # another process's engine over the same database
    try:
        with Session(other) as s, s.begin():
            s.execute(update(Area).where(Area.id == world["city"].id).values(name="新城市"))
    finally:
        other.dispose()
    read, page = _reads_areas(client)
    assert read and "新城市" in page and "测试市" not in page
    assert not _reads_areas(client)[0]  # and is kept again


def test_a_write_to_a_table_the_page_did_not_read_keeps_it(
    app: Starlette, client: FormClient, world: World, engine: Engine
) -> None:
    app.state.fixed_now = NOW
    _reads_areas(client)
    with Session(engine) as s, s.begin():
        notify(s, world["people"]["admin"].id, "test", "Hello", now=NOW)
    assert not _reads_areas(client)[0]


def test_each_visitor_gets_their_own_form_token(
    app: Starlette, make_client: MakeClient, world: World
) -> None:
    app.state.fixed_now = NOW
    first, second = make_client(), make_client()
    one = _token(first.get("/areas").text)
    read, page = _reads_areas(second)
    two = _token(page)
    assert not read and one != two
    assert f'"X-CSRF-Token": "{two}"' in page  # htmx's header too
    for client, token in ((first, one), (second, two)):
        switched = client.post(
            "/lang",
            data={"csrf_token": token, "lang": "en", "next": "/areas"},
            follow_redirects=False,
        )
        assert switched.status_code == 303, switched.text


def test_languages_and_display_modes_are_kept_apart(
    app: Starlette, make_client: MakeClient, world: World
) -> None:
    app.state.fixed_now = NOW
    chinese = _reads_areas(make_client())[1]
    english_client = make_client()
    english_client.cookies.set("lang", "en")
    read, english = _reads_areas(english_client)
    assert read and english != chinese and 'lang="en"' in english
    large = make_client()
    large.cookies.set("display", "age-friendly")
    read, page = _reads_areas(large)
    assert read and "age-friendly" in page


def test_signed_in_people_and_htmx_get_a_page_of_their_own(
    app: Starlette, make_client: MakeClient, client: FormClient, world: World
) -> None:
    app.state.fixed_now = NOW
    _reads_areas(make_client())
    assert _reads_areas(make_client(), headers={"HX-Request": "true"})[0]
    client.sign_in("admin", PASSWORD)
    assert _reads_areas(client)[0]
    assert _reads_areas(client)[0]


def test_the_next_minute_renders_the_page_again(
    app: Starlette, client: FormClient, world: World
) -> None:
    app.state.fixed_now = NOW
    assert _reads_areas(client)[0]
    app.state.fixed_now = NOW + timedelta(seconds=20)  # 09:00:50, the same minute
    assert not _reads_areas(client)[0]
    app.state.fixed_now = NOW + timedelta(seconds=30)  # 09:01:00
    assert _reads_areas(client)[0]


def test_a_refusal_is_not_kept(app: Starlette, client: FormClient, world: World) -> None:
    app.state.fixed_now = NOW
    missing = "/areas/999999"
    first = client.get(missing)
    assert first.status_code == 404
    with statements() as seen:
        assert client.get(missing).status_code == 404
    assert any("FROM areas" in sql for sql in seen)  # rendered again, not replayed


def test_off_when_set_to_zero(db_url: str, world: World) -> None:
    from web.app import create_app
    from web.settings import Settings

    settings = Settings(
        environment="test",
        database_url=db_url,
        base_url="http://testserver",
        cheap_hashing=True,
        page_cache_mb=0,
    )
    app = create_app(settings)
    try:
        with FormClient(app, base_url="http://testserver") as c:
            assert _reads_areas(c)[0] and _reads_areas(c)[0]
    finally:
        app.state.engine.dispose()


def test_a_hard_reload_renders_the_page_anew(
    app: Starlette, client: FormClient, world: World
) -> None:
    app.state.fixed_now = NOW
    assert _reads_areas(client)[0]
    assert _reads_areas(client, headers={"Cache-Control": "no-cache"})[0]
    assert not _reads_areas(client)[0]
