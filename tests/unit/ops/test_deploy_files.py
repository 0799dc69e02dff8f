"""deploy/ agrees with the code: the units run commands the CLI accepts, the
environment file sets only declared settings, nginx keeps what the README promises.
(deploy/test_deploy.py runs them for real where nginx is installed.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from web.cli import build_parser
from web.settings import SETTINGS

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


@pytest.mark.parametrize("unit", sorted((DEPLOY / "systemd").glob("*.service")))
def test_every_unit_runs_a_command_the_cli_accepts(unit: Path) -> None:
    text = unit.read_text()
    assert "EnvironmentFile=/etc/gongzhi/gongzhi.env" in text
    [start] = re.findall(r"^ExecStart=(.*)$", text, flags=re.M)
    words = shlex.split(start.replace("%i", "8001").replace("%%", "%"))
    if words[0] == "/bin/sh":  # sh -c 'exec .../gongzhi backup FILE'
        words = shlex.split(words[2].removeprefix("exec ").replace("$(date +%F)", "DAY"))
    assert words[0] == "/opt/gongzhi/.venv/bin/gongzhi"
    build_parser().parse_args(words[1:])  # exits (fails the test) if it does not parse


def test_the_environment_file_sets_only_declared_settings() -> None:
    names = re.findall(r"^(GONGZHI_[A-Z_]+)=", (DEPLOY / "gongzhi.env").read_text(), flags=re.M)
    declared = {spec.env for spec in SETTINGS.values()}
    assert set(names) <= declared
    assert {
        "GONGZHI_ENV",
        "GONGZHI_SECRET_KEY",
        "GONGZHI_ID_HASH_KEY",
        "GONGZHI_TRUST_PROXY",
    } <= set(names)


def test_nginx_keeps_the_promises() -> None:
    site = (DEPLOY / "nginx/gongzhi.conf").read_text()
    proxy = (DEPLOY / "nginx/gongzhi-proxy.conf").read_text()
    assert "listen 443 ssl" in site and "ssl_certificate " in site
    assert "return 301 https://" in site
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    # Static files: a year when the URL names the content's hash, a week without.
    versions = re.search(r"map \$arg_v \$gongzhi_static_cache \{(.*?)\n\}", site, re.S)
    assert versions is not None
    assert re.search(r'"~\^\[0-9a-f\]\{10\}\$" "public, max-age=31536000, immutable";', versions[1])
    assert 'default "public, max-age=604800";' in versions[1]
    assert re.search(r"location /static/ \{[^}]*Cache-Control \$gongzhi_static_cache", site)
    # htmx through the portal, which checks the version: its header passes through.
    htmx = re.search(r"location = /static/vendor/htmx.min.js \{([^}]*)\}", site)
    assert htmx is not None and "Cache-Control" not in htmx[1]
    assert "client_max_body_size 32m;" in site  # the roll import's limit (web/kit/body_limit.py)
    for timeout in ("client_body_timeout", "client_header_timeout", "send_timeout"):
        assert timeout in site
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in proxy
    assert "X-Request-ID $request_id" in proxy
    assert "proxy_read_timeout" in proxy
    assert "non_idempotent" not in proxy  # a POST that reached a host is never resent
