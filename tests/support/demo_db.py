"""The demo data set as a test database: seeded once per test session, copied per test.

Fuzzers need records to aim at (a shift with a roster, a congress with deputies, a
budget round collecting proposals): with the empty ``world`` most requests stop at
"not found" before any field is read.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import FormClient
from web.app import create_app
from web.cli import load_demo
from web.settings import Settings

DEMO_PASSWORD = "gongzhi-demo"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    load_demo(
        Settings(environment="development", database_url=url, cheap_hashing=True), residents=300
    )
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def demo_app(demo_url: str):  # type: ignore[no-untyped-def]
    settings = Settings(
        environment="test", database_url=demo_url, base_url="http://testserver", cheap_hashing=True
    )
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def demo_client(demo_app) -> Iterator[FormClient]:  # type: ignore[no-untyped-def]
    with FormClient(demo_app, base_url="http://testserver") as c:
        yield c
