"""Static files' URLs carry a hash of their content, so browsers may keep them a year.

Templates name a static file through one Jinja global, ``static_url("css/site.css")``,
which gives ``/static/css/site.css?v=<the first 10 hex digits of its SHA-256>``. A
release that changes a file changes its URL, and browsers fetch it anew; one that
does not keeps the URL, and browsers keep the file.

Each file is hashed once per process, at its first use (watching each file's time
and size instead while developing, with the templates' ``auto_reload``). A request
whose ``v`` is the current file's hash is answered with a year's ``immutable``
cache; without ``v`` (old pages, ``/favicon.ico``'s redirect) with the week it
always had; with another ``v`` (a page from a host still on the last release, or
a made-up one) with ``no-cache``, so that no browser keeps this file under another
content's URL. nginx does the same from disk (deploy/nginx/gongzhi.conf).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from starlette.datastructures import QueryParams
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from web.kit import vendor

#: The project's own CSS, scripts and images.
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
#: The URL prefix the static folder is mounted at.
PREFIX = "/static/"
#: htmx's name under the prefix (served from its installed package, web/kit/vendor.py).
HTMX = "vendor/htmx.min.js"
#: A URL with the file's hash never changes content: a year, not even revalidated.
VERSIONED = "public, max-age=31536000, immutable"
#: A URL without a version: the week it always had (revalidated with the ETag after).
UNVERSIONED = "public, max-age=604800"
#: A version that is not the file's: ask every time.
MISMATCHED = "no-cache"
#: How many hex digits of the SHA-256 go into the URL.
DIGITS = 10


class StaticAssets:
    """The static files a page may name: ``directory``'s, and ``vendor``'s (a name
    under ``/static/`` served from another place, such as an installed package)."""

    def __init__(self, directory: Path, *, vendor: Mapping[str, Path], watch: bool) -> None:
        self.directory = directory.resolve()
        self.vendor = dict(vendor)
        self.watch = watch
        # name -> (the file's time and size when hashed, the hash)
        self._versions: dict[str, tuple[tuple[int, int], str]] = {}

    def path_of(self, name: str) -> Path:
        """The file ``name`` stands for; LookupError if none (or outside the folder)."""
        if name in self.vendor:
            return self.vendor[name]
        path = (self.directory / name).resolve()
        if not path.is_relative_to(self.directory) or not path.is_file():
            raise LookupError(f"no static file {name!r} in {self.directory}")
        return path

    def version(self, name: str) -> str:
        """The first hex digits of the SHA-256 of the file's content."""
        known = self._versions.get(name)
        if known is not None and not self.watch:
            return known[1]
        path = self.path_of(name)
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        if known is not None and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGITS]
        self._versions[name] = (stamp, digest)
        return digest

    def url(self, name: str) -> str:
        """``/static/NAME?v=HASH``: what a template writes as ``static_url(NAME)``."""
        return f"{PREFIX}{name}?v={self.version(name)}"

    def cache_control(self, name: str, query_string: bytes) -> str:
        """The Cache-Control for ``name`` asked with this query string."""
        asked = QueryParams(query_string.decode("latin-1")).getlist("v")
        if not asked:
            return UNVERSIONED
        try:
            current = self.version(name)
        except LookupError:
            return MISMATCHED
        return VERSIONED if asked == [current] else MISMATCHED

    def vendor_response(self, name: str, scope: Scope, media_type: str) -> Response:
        """A vendor file, with the cache its URL's version earns."""
        cache = self.cache_control(name, scope.get("query_string", b""))
        return FileResponse(
            self.vendor[name], media_type=media_type, headers={"Cache-Control": cache}
        )


def project_assets(*, watch: bool) -> StaticAssets:
    """The portal's static files: static/, and htmx from its package."""
    return StaticAssets(STATIC_DIR, vendor={HTMX: vendor.asset_path("htmx.min.js")}, watch=watch)


class VersionedStaticFiles(StaticFiles):
    """The static folder, each answer with the cache its URL's version earns."""

    def __init__(self, assets: StaticAssets) -> None:
        super().__init__(directory=assets.directory)
        self.assets = assets

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            name = path.replace(os.sep, "/")
            response.headers["Cache-Control"] = self.assets.cache_control(
                name, scope.get("query_string", b"")
            )
        return response
