"""Reading submitted forms into plain values.

Numbers come from people typing on phones with Chinese input methods, and from
anyone at all: every integer read from a form or a query string goes through
:func:`whole_number` (or :func:`record_id`, :func:`yuan`), which normalises
full-width digits (１８０００) and refuses anything outside its bounds, so no
handler meets an ``int()`` that raises or a value the database cannot hold.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from web.security import PARSED_FORM


async def parsed_form(request: Request) -> FormData:
    """The submitted form, parsed once (the CSRF check may have parsed it already)."""
    form = request.scope.get("state", {}).get(PARSED_FORM)
    if isinstance(form, FormData):
        return form
    try:
        return await request.form()
    except HTTPException as error:
        # Starlette's reason is English and technical ("Part exceeded maximum size of
        # 1024KB."); the error page explains a form it could not read in the user's language.
        raise HTTPException(error.status_code) from error


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


#: The largest value a 64-bit signed database integer column holds.
INT64_MAX = 2**63 - 1
#: Record ids, in forms and URLs: far beyond any real table, safely inside 64 bits.
MAX_ID = 10**18 - 1
#: Amounts of money in yuan: a trillion is beyond any community, district or city budget.
MAX_YUAN = 10**12


def normalised(raw: str) -> str:
    """NFKC, stripped: full-width digits and signs (１８０００, －５) become ASCII ones."""
    return unicodedata.normalize("NFKC", raw).strip()


def whole_number(raw: str | None, *, low: int = 0, high: int = INT64_MAX) -> int | None:
    """The integer typed in ``raw`` if it lies in [low, high]; None otherwise.

    Accepts ASCII digits after NFKC normalisation (which turns full-width and
    superscript digits into ASCII ones) with an optional minus sign, nothing else
    (no other scripts' digits, no exponents, no spaces inside). Never raises.
    """
    text = normalised(raw or "")
    digits = text.removeprefix("-")
    if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def record_id(raw: str | None) -> int:
    """A record id from a form or query field; 0 (no such record) when unreadable."""
    return whole_number(raw, low=1, high=MAX_ID) or 0


def yuan(raw: str | None, *, low: int = 1, high: int = MAX_YUAN) -> int | None:
    """A whole amount of yuan: digits, full-width or not, with thousands separators
    (, or ，) and a trailing 元 tolerated; None when unreadable or out of bounds."""
    text = normalised(raw or "").replace(",", "").removesuffix("元").strip()
    return whole_number(text, low=low, high=high)
