"""Reading submitted forms into plain values."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from web.security import PARSED_FORM


async def parsed_form(request: Request) -> FormData:
    """The submitted form, parsed once (the CSRF check may have parsed it already)."""
    form = request.scope.get("state", {}).get(PARSED_FORM)
    return form if isinstance(form, FormData) else await request.form()


async def form_fields(request: Request) -> dict[str, str]:
    """Text fields of a submitted form, stripped; uploads are left out."""
    form = await parsed_form(request)
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


async def upload(request: Request, name: str) -> UploadFile | None:
    form = await parsed_form(request)
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


# Every printable ASCII character but the space stays as typed; the rest is
# percent-encoded, so the answer is always a valid header value.
_KEEP = "".join(chr(c) for c in range(0x21, 0x7F))
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def _leaves_site(path: str) -> bool:
    """Whether a browser could read ``path`` as another host or origin: it removes
    tabs and newlines anywhere and reads a backslash as a slash (WHATWG URL), so
    any control character or backslash is refused outright."""
    return (
        not path.startswith("/")
        or path.startswith("//")
        or bool(_UNSAFE.search(path))
        or bool(urlsplit(path).netloc or urlsplit(path).scheme)
    )


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect to another host after sign-in.

    Invariant: the answer is ``default`` or an ASCII path starting with one "/"
    that stays on this site after the browser's own normalisation, and still
    does after being percent-decoded up to three times (so a route that decodes
    it again cannot be led off-site either).
    """
    if not value:
        return default
    level = value
    for _ in range(4):
        if _leaves_site(level):
            return default
        decoded = unquote(level)
        if decoded == level:
            break
        level = decoded
    else:
        return default  # still encoded after four rounds: nobody types that
    return quote(value, safe=_KEEP)
