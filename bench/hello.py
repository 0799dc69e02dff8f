"""The baseline: a bare Starlette app answering one short HTML page."""

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route


async def hello(request: object) -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>hello</title><p>hello</p>")


async def see_other(request: object) -> RedirectResponse:
    """What a form post answers: 303 to a page (bench_signup.py's baseline)."""
    return RedirectResponse("/", status_code=303)


app = Starlette(routes=[Route("/", hello), Route("/form", see_other, methods=["POST"])])
