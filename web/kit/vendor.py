"""Third-party browser assets, served from the installed Python packages that ship them.

htmx comes from the ``forge-htmx`` wheel, which carries htmx's own minified
build and has no dependencies; we locate the file through the package metadata
without importing the package (it belongs to another framework).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, files
from pathlib import Path

ASSETS = {"htmx.min.js": ("forge-htmx", "forgehtmx/static/htmx/htmx.min.js")}


def asset_path(name: str) -> Path:
    distribution, relative = ASSETS[name]
    try:
        for entry in files(distribution) or []:
            if str(entry) == relative:
                return Path(str(entry.locate()))
    except PackageNotFoundError:
        pass
    raise RuntimeError(f"{name}: install the {distribution} package (pip install -e .)")
