"""The reference page of issue 17: bare Starlette + Jinja2 + SQLAlchemy listing 50 rows.

    uvicorn reference:app --app-dir bench --workers 2   (REFERENCE_DATABASE_URL=...)

It reads 50 rows of the ``areas`` table from the database under test (the same
file or server, the same driver as the portal), renders them with a Jinja2
template and answers; no middleware, sessions or translations. bench/bench_city.py
gives every page's req/s as a ratio to this page measured in the same run.

``/signed-in`` is the least a page for a signed-in person does besides: it reads
the portal's session cookie (Starlette's signed cookie, ``REFERENCE_SECRET`` =
the portal's secret key), reads the person's name and whether the session was
ended in one statement, and shows the name above the same 50 rows; a cookie that
does not verify gets 403. It measures what being signed in costs by itself.
"""

from __future__ import annotations

import json
import os
from base64 import b64decode

from itsdangerous import BadSignature, TimestampSigner
from jinja2 import Environment
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><title>areas</title><table>"
    "{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.code }}</td>"
    "<td>{{ row.name }}</td><td>{{ row.path }}</td></tr>{% endfor %}</table>"
)
SIGNED_IN = Environment(autoescape=True).from_string(
    "<!doctype html><title>areas</title><p>{{ name }}</p><table>"
    "{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.code }}</td>"
    "<td>{{ row.name }}</td><td>{{ row.path }}</td></tr>{% endfor %}</table>"
)
SIGNER = TimestampSigner(os.environ.get("REFERENCE_SECRET", "unset"))
PERSON = text(
    "SELECT display_name, EXISTS (SELECT 1 FROM ended_sessions WHERE sid = :sid) AS ended "
    "FROM accounts WHERE id = :uid AND is_active AND session_epoch = :epoch"
)
engine = create_engine(os.environ.get("REFERENCE_DATABASE_URL", "sqlite:///var/gongzhi.db"))
QUERY = text("SELECT id, code, name, path FROM areas ORDER BY id LIMIT 50")


def rows_page(request: Request) -> HTMLResponse:
    """Synchronous, so Starlette runs it in its threadpool (the query blocks)."""
    with engine.connect() as conn:
        rows = conn.execute(QUERY).all()
    return HTMLResponse(TEMPLATE.render(rows=rows))


def signed_in_page(request: Request) -> Response:
    """The rows under the signed-in person's name (403 without a valid session)."""
    try:
        raw = SIGNER.unsign(request.cookies.get("gongzhi_session", ""), max_age=14 * 86400)
        session = json.loads(b64decode(raw))
    except (BadSignature, ValueError):
        return Response(status_code=403)
    with engine.connect() as conn:
        asked = {key: session.get(key) for key in ("uid", "sid", "epoch")}
        person = conn.execute(PERSON, asked).first()
        if person is None or person.ended:
            return Response(status_code=403)
        rows = conn.execute(QUERY).all()
    return HTMLResponse(SIGNED_IN.render(name=person.display_name, rows=rows))


app = Starlette(routes=[Route("/", rows_page), Route("/signed-in", signed_in_page)])
