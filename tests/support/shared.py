"""The reference data beside the checkout: ``../shared/pabulib`` (real participatory
budgets) and ``../shared/polis`` (real Pol.is conversations). CI lays ``shared/``
there; a plain ``git clone`` has none, and the tests that read it skip, saying why.

``GONGZHI_SHARED`` names another folder to look in instead (an empty one shows
what a plain clone runs).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def shared_root() -> Path:
    configured = os.environ.get("GONGZHI_SHARED")
    return Path(configured) if configured else ROOT.parent / "shared"


def shared_folder(name: str) -> Path:
    """``<shared>/<name>``, whether or not it is there."""
    return shared_root() / name


def shared_missing(name: str, marker: str) -> str | None:
    """Why the tests needing ``<shared>/<name>`` skip (``marker``: a file that must be
    there), or None when the folder is there."""
    folder = shared_folder(name)
    if (folder / marker).exists():
        return None
    return (
        f"{folder} is absent: the shared {name} data lies beside the checkout in CI "
        "(GONGZHI_SHARED names another folder)"
    )


def needs_shared(name: str, marker: str) -> pytest.MarkDecorator:
    """Skip, with the reason, unless ``<shared>/<name>/<marker>`` exists."""
    reason = shared_missing(name, marker)
    return pytest.mark.skipif(reason is not None, reason=reason or "")
