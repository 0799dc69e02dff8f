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
from collections.abc import Collection
from datetime import date, datetime
from urllib.parse import quote, unquote, urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from participation.errors import N_, DomainError
from web.kit.i18n import LOCAL_TZ
from web.kit.security import PARSED_FORM


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


#: Dates people may type: wide enough for any plan or birth date, and inside what
#: Python and both databases hold.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def local_day(raw: str | None) -> date | None:
    """A date typed as YYYY-MM-DD (full-width digits allowed) between EARLIEST_DAY
    and LATEST_DAY; None when unreadable. Never raises."""
    text = normalised(raw or "")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def local_moment(raw: str | None) -> datetime | None:
    """A local date and time as a ``datetime-local`` input sends it (YYYY-MM-DDTHH:MM,
    optionally :SS; a space instead of the T is accepted), read on the portal's
    clock (Asia/Shanghai) and returned timezone-aware; None when unreadable.
    Never raises, and never falls back to "now"."""
    text = normalised(raw or "").replace(" ", "T", 1)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
        return None
    return moment.replace(tzinfo=LOCAL_TZ)


class FormReader:
    """The one way routes read typed fields: each reader returns a plain value and
    records a message for the field it could not read; :meth:`check` raises them
    all at once as one DomainError (re-rendered with the marked fields).

    Invariant: a reader never raises and never invents a value; an empty optional
    field gives the default, an unreadable one a message and the default.
    """

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        self.problems: dict[str, str] = {}

    def _raw(self, name: str) -> str:
        return normalised(self.fields.get(name, ""))

    def _missing(self, name: str, required: bool, message: str) -> None:
        if required:
            self.problems[name] = message

    def text(self, name: str, *, required: bool = False, max_length: int = 10_000) -> str:
        value = self.fields.get(name, "").strip()
        if not value:
            self._missing(name, required, N_("This field is required."))
        elif len(value) > max_length:
            self.problems[name] = N_("This text is too long.")
        return value

    def number(
        self,
        name: str,
        *,
        low: int = 0,
        high: int = INT64_MAX,
        default: int | None = None,
        required: bool = False,
    ) -> int | None:
        """A whole number in [low, high]."""
        if not self._raw(name):
            self._missing(name, required, N_("Enter a whole number."))
            return default
        value = whole_number(self.fields.get(name), low=low, high=high)
        if value is None:
            self.problems[name] = N_("Enter a whole number.")
            return default
        return value

    def money(
        self, name: str, *, low: int = 1, high: int = MAX_YUAN, required: bool = False
    ) -> int | None:
        """Whole yuan (thousands separators and a trailing 元 tolerated)."""
        if not self._raw(name):
            self._missing(name, required, N_("Enter an amount in whole yuan."))
            return None
        value = yuan(self.fields.get(name), low=low, high=high)
        if value is None:
            self.problems[name] = N_("Enter an amount in whole yuan.")
        return value

    def record(self, name: str, *, required: bool = False) -> int | None:
        """A record id chosen in a form (a select or a hidden field)."""
        if not self._raw(name):
            self._missing(name, required, N_("Choose one."))
            return None
        value = record_id(self.fields.get(name))
        if not value:
            self.problems[name] = N_("Choose one.")
            return None
        return value

    def choice(self, name: str, options: Collection[str], *, required: bool = True) -> str | None:
        value = self.fields.get(name, "").strip()
        if value in options:
            return value
        self._missing(name, required or bool(value), N_("Choose one."))
        return None

    def day(self, name: str, *, required: bool = False) -> date | None:
        if not self._raw(name):
            self._missing(name, required, N_("Enter a date."))
            return None
        value = local_day(self.fields.get(name))
        if value is None:
            self.problems[name] = N_("Enter a date as YYYY-MM-DD.")
        return value

    def moment(self, name: str, *, required: bool = False) -> datetime | None:
        """A local date and time (a ``datetime-local`` input)."""
        if not self._raw(name):
            self._missing(name, required, N_("Enter a date and time."))
            return None
        value = local_moment(self.fields.get(name))
        if value is None:
            self.problems[name] = N_("Enter a date and time as YYYY-MM-DD HH:MM.")
        return value

    def check(self, code: str = "form") -> None:
        """Raise every problem found so far as one DomainError (status 422)."""
        if self.problems:
            raise DomainError(
                code, N_("Please correct the marked fields."), fields=dict(self.problems)
            )
