"""deploy/nginx/gongzhi.conf run by Debian's nginx (skipped where it is not installed):
a static file asked with a version is kept a year, ``immutable``; without one, or
with something that is no version, a week as before; htmx keeps the header the
portal gives it (the portal checks the version against the file it serves).
The whole deployment is ``make test-deploy``; this is its static part, quick."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.test_deploy import find_nginx, nginx_config
from tests.support.pg import free_port
from tests.support.servers import wait_until_serving

YEAR = "public, max-age=31536000, immutable"
WEEK = "public, max-age=604800"
#: What the stand-in for the portal says of htmx, to be passed on as it is.
PORTAL_SAYS = "no-cache"

NGINX = find_nginx()
pytestmark = pytest.mark.skipif(NGINX is None, reason="needs Debian's nginx")


class _Portal(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Cache-Control", PORTAL_SAYS)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"//")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def front(tmp_path: Path) -> Iterator[str]:
    portal = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    threading.Thread(target=portal.serve_forever, daemon=True).start()
    port = free_port()
    assert NGINX is not None
    conf = nginx_config(tmp_path, port, [portal.server_port, portal.server_port])
    nginx = subprocess.Popen(
        [NGINX, "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"https://127.0.0.1:{port}"
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/", nginx)  # answers 400: plain HTTP
        yield base
    finally:
        nginx.terminate()
        nginx.wait(timeout=60)
        portal.shutdown()
        portal.server_close()


def test_nginx_keeps_a_versioned_file_a_year_and_others_a_week(front: str) -> None:
    with httpx.Client(base_url=front, verify=False, timeout=30) as http:
        versioned = http.get("/static/css/site.css?v=0123456789")
        assert versioned.status_code == 200
        assert versioned.headers["cache-control"] == YEAR
        for query in ("", "?v=", "?v=012345678", "?v=0123456789a", "?v=%E5%85%B1", "?x=1"):
            plain = http.get(f"/static/css/site.css{query}")
            assert plain.status_code == 200, query
            assert plain.headers["cache-control"] == WEEK, query
        missing = http.get("/static/css/none.css?v=0123456789")
        assert missing.status_code == 404 and "cache-control" not in missing.headers
        htmx = http.get("/static/vendor/htmx.min.js?v=0123456789")
        assert htmx.status_code == 200 and htmx.headers["cache-control"] == PORTAL_SAYS
