"""The demo data set as a test database: seeded once per test run, copied per test.

Fuzzers need records to aim at (a shift with a roster, a congress with deputies, a
budget round collecting proposals): with the empty ``world`` most requests stop at
"not found" before any field is read; and the tests of the demo itself read it.
Seeding takes half a minute, so it happens once: the fixtures are registered once,
by tests/conftest.py (a test module that imported them would get a seeding of its
own), and the xdist workers of one run share the template under a file lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from tests.support.client import FormClient
from web.app import create_app
from web.cli import load_demo
from web.settings import Settings

DEMO_PASSWORD = "gongzhi-demo"
RESIDENTS = 300  # people on the demo roll (the command's default, 2,000, is slower)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded demo database; never written to (tests use ``demo_url``'s copy)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, which every worker shares
    folder = base / "demo-template"
    folder.mkdir(exist_ok=True)
    path, said = folder / "demo.db", folder / "seeded.txt"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the one seeding
        if not said.exists():
            seeding = folder / "seeding.db"
            seeding.unlink(missing_ok=True)
            text = load_demo(
                Settings(
                    environment="development",
                    database_url=f"sqlite:///{seeding}",
                    cheap_hashing=True,
                ),
                residents=RESIDENTS,
            )
            seeding.replace(path)
            said.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def demo_seed_text(demo_template: Path) -> str:
    """What ``load_demo`` printed when it seeded the template."""
    return (demo_template.parent / "seeded.txt").read_text(encoding="utf-8")


def demo_settings(url: str) -> Settings:
    """Settings for an app on a copy of the demo."""
    return Settings(
        environment="test", database_url=url, base_url="http://testserver", cheap_hashing=True
    )


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def demo_app(demo_url: str) -> Iterator[Starlette]:
    application = create_app(demo_settings(demo_url))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def demo_client(demo_app: Starlette) -> Iterator[FormClient]:
    with FormClient(demo_app, base_url="http://testserver") as c:
        yield c
