"""``gongzhi demo --serve --port N`` and ``gongzhi serve --port N``: the links the
portal prints and builds (QR codes, calendar feeds, certificate checks, the CSRF
origin) name the port it serves on, not the default 8000."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import web.cli
from web.cli import main as cli_main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """uvicorn.run and the (slow) demo seeding replaced by recorders."""
    seen: dict[str, Any] = {}
    # Set, then removed: monkeypatch restores the environment afterwards, also the
    # value the command writes.
    monkeypatch.setenv("GONGZHI_BASE_URL", "unset")
    monkeypatch.delenv("GONGZHI_BASE_URL")
    monkeypatch.setenv("GONGZHI_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")

    def run(app: str, **options: Any) -> None:
        seen["options"] = options
        seen["base_url"] = os.environ.get("GONGZHI_BASE_URL")

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setattr(web.cli, "load_demo", lambda settings, **kw: "Demo data loaded.\n")
    return seen


def test_demo_on_another_port_prints_and_builds_links_to_that_port(
    served: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["demo", "--serve", "--port", "8123"]) == 0
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in printed
    assert ":8000" not in printed
    assert served["options"]["port"] == 8123
    assert served["base_url"] == "http://127.0.0.1:8123"


def test_serve_on_another_port_builds_links_to_that_port(served: dict[str, Any]) -> None:
    assert cli_main(["serve", "--port", "8124"]) == 0
    assert served["base_url"] == "http://127.0.0.1:8124"


def test_a_configured_base_url_is_kept(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONGZHI_BASE_URL", "https://gongzhi.example.cn")
    assert cli_main(["serve", "--port", "8125"]) == 0
    assert served["base_url"] == "https://gongzhi.example.cn"
