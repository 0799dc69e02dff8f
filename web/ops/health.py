"""``/healthz`` (the process answers), ``/readyz`` (it can serve: the database
answers and is at the code's migration head) and ``/metrics`` (Prometheus).

None of them opens the per-request database session (web.kit.dbsession skips
them): /readyz must answer 503, not fail, when the database is down.
"""

from __future__ import annotations

import ipaddress

from prometheus_client.exposition import choose_encoder
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from web.ops.schema import schema_state

#: Headers a proxy adds: a request carrying one did not come from the scraper directly.
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    try:
        state = await run_in_threadpool(schema_state, request.app.state.engine)
    except Exception as error:
        reason = f"the database does not answer: {type(error).__name__}"
        return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)
    if not state.current:
        return JSONResponse({"status": "not ready", "reason": state.explain()}, status_code=503)
    return JSONResponse({"status": "ready"})


def may_scrape(request: Request) -> bool:
    """Only a direct connection from a configured address. Behind nginx every
    request's peer is the proxy (loopback, allowed by default), so a request that
    carries a proxy's header is refused whatever its peer."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    return any(peer in network for network in request.app.state.settings.metrics_networks)


async def metrics(request: Request) -> Response:
    if not may_scrape(request):
        return PlainTextResponse("Not Found", status_code=404)
    # The format the scraper asks for (Prometheus text, or OpenMetrics), as the client
    # library's own HTTP server chooses it.
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    body = await run_in_threadpool(encode, request.app.state.metrics.registry)
    return Response(body, headers={"Content-Type": content_type})


routes = [
    Route("/healthz", healthz),
    Route("/readyz", readyz),
    Route("/metrics", metrics),
]
