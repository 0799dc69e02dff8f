"""The reference page of issue 17: bare Starlette + Jinja2 + SQLAlchemy listing 50 rows.

    uvicorn reference:app --app-dir bench --workers 2   (REFERENCE_DATABASE_URL=...)

It reads 50 rows of the ``areas`` table from the database under test (the same
file or server, the same driver as the portal), renders them with a Jinja2
template and answers; no middleware, sessions or translations. bench/bench_city.py
gives every page's req/s as a ratio to this page measured in the same run.
"""

from __future__ import annotations

import os

from jinja2 import Environment
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><title>areas</title><table>"
    "{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.code }}</td>"
    "<td>{{ row.name }}</td><td>{{ row.path }}</td></tr>{% endfor %}</table>"
)
engine = create_engine(os.environ.get("REFERENCE_DATABASE_URL", "sqlite:///var/gongzhi.db"))
QUERY = text("SELECT id, code, name, path FROM areas ORDER BY id LIMIT 50")


def rows_page(request: Request) -> HTMLResponse:
    """Synchronous, so Starlette runs it in its threadpool (the query blocks)."""
    with engine.connect() as conn:
        rows = conn.execute(QUERY).all()
    return HTMLResponse(TEMPLATE.render(rows=rows))


app = Starlette(routes=[Route("/", rows_page)])
