"""The baseline: a bare Starlette app answering one short HTML page."""

from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route


async def hello(request: object) -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>hello</title><p>hello</p>")


app = Starlette(routes=[Route("/", hello)])
