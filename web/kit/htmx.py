"""The one module that spells htmx's HX- headers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def target(request: Request) -> str | None:
    return request.headers.get("HX-Target") if is_htmx(request) else None


def redirect(request: Request, url: str) -> Response:
    """303 for plain forms; for htmx, a full navigation via HX-Redirect."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def add_vary(response: Response) -> Response:
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
    return response


def retarget(response: Response, element_id: str) -> Response:
    """Swap the answer into another element than the one asked for (outerHTML)."""
    response.headers["HX-Retarget"] = f"#{element_id}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response
