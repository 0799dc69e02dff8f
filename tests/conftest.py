"""Shared fixtures: a migrated database per test (SQLite copy of a template, or a
PostgreSQL database cloned from a template), the app, and form-aware clients."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from participation import accounts, sealing
from participation.accounts import Account
from participation.areas import Area, create_area
from participation.ballots.mixing import batch_clock
from participation.db import make_engine
from participation.passwords import use_cheap_hashing
from participation.requests import tracking_keys
from participation.rules.areas import AreaKind
from participation.rules.permissions import Role
from tests.support.client import FormClient
from tests.support.departments import add_departments
from tests.support.pg import Cluster, start_cluster
from tests.support.world import MakeClient, World
from web.app import create_app
from web.migrate import upgrade
from web.settings import Settings

# The demo database fixtures (demo_template, demo_url, demo_app, demo_client), registered
# once here so that the demo is seeded once per run, not once per module using them.
pytest_plugins = ["tests.support.demo_db"]

PASSWORD = "correct horse"
use_cheap_hashing()
sealing.use_secret(Settings().secret_key)  # services tested without an app seal too
tracking_keys.use_key(Settings().id_hash_key)  # and file resident requests

# Tests check behaviour, benchmarks check speed: no per-example time limit, which
# failed property tests at random whenever the shared machine was busy.
hypothesis_settings.register_profile("gongzhi", deadline=None)
hypothesis_settings.load_profile("gongzhi")


@pytest.fixture(autouse=True)
def _sealing_key() -> None:
    """Every test starts with the default secret's sealing key (a test that runs a
    server with another secret switches to it before opening what it sealed)."""
    sealing.use_secret(Settings().secret_key)
    # Each worker process counts casts per box id to know when to look for a batch
    # to open; box ids repeat from one test database to the next.
    batch_clock.casts.clear()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE gongzhi_template"))
        admin.dispose()
        upgrade(cluster.url("gongzhi_template"))
        yield cluster
    finally:
        cluster.stop()


_pg_counter = 0


def _pg_database(cluster: Cluster) -> str:
    global _pg_counter
    _pg_counter += 1
    name = f"t{_pg_counter}"
    admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE gongzhi_template"))
    admin.dispose()
    return cluster.url(name)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "test.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def any_db_url(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    return _pg_database(request.getfixturevalue("pg_cluster"))


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        environment="test", database_url=db_url, base_url="http://testserver", cheap_hashing=True
    )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session for service tests; the test decides when to commit."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app(settings: Settings) -> Iterator[Starlette]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: Starlette) -> Iterator[FormClient]:
    with FormClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def make_client(app: Starlette) -> Iterator[MakeClient]:
    """More clients (other people) against the same app."""
    made: list[FormClient] = []

    def make() -> FormClient:
        c = FormClient(app, base_url="http://testserver")
        c.__enter__()
        made.append(c)
        return c

    yield make
    for c in made:
        c.__exit__(None, None, None)


@pytest.fixture
def world(engine: Engine) -> World:
    """A small area tree and one account per role, committed. Password: PASSWORD."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        city = create_area(s, code="C1", name="测试市", kind=AreaKind.CITY, parent=None)
        district = create_area(s, code="D1", name="一区", kind=AreaKind.DISTRICT, parent=city)
        street = create_area(s, code="S1", name="一街道", kind=AreaKind.STREET, parent=district)
        community = create_area(s, code="M1", name="一社区", kind=AreaKind.COMMUNITY, parent=street)
        other = create_area(s, code="M2", name="二社区", kind=AreaKind.COMMUNITY, parent=street)
        grid = create_area(s, code="G1", name="一网格", kind=AreaKind.GRID, parent=community)
        people: dict[str, Account] = {}
        scopes: dict[Role, Area | None] = {Role.ADMIN: None, Role.STAFF: district}
        for role in Role:
            account = accounts.sign_up(
                s,
                login=role.value.replace("_", ""),
                password=PASSWORD,
                display_name=f"测试{role.value}",
            )
            accounts.grant_role(s, account, role, scopes.get(role, community))
            people[role.value] = account
        people["nobody"] = accounts.sign_up(
            s, login="nobody", password=PASSWORD, display_name="无角色"
        )
        add_departments(s)
    return {
        "city": city,
        "district": district,
        "street": street,
        "community": community,
        "other": other,
        "grid": grid,
        "people": people,
    }
