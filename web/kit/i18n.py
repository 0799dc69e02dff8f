"""Translations: Simplified Chinese by default, English on request.

Source strings (msgids) are English. Catalogs are the ``.po`` files in
``web/translations``, compiled in memory at start-up, so no binary ``.mo`` file
is kept in the repository. The current request's locale lives in a context
variable that the Jinja ``_()`` and the Python ``gettext`` below both read.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup

LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
TRANSLATIONS_DIR = Path(__file__).parent.parent / "translations"

_catalogs: dict[str, NullTranslations] = {}
_NO_CATALOG = NullTranslations()  # for a locale without a catalog: texts as written
#: Per locale, a template's ``_("...")`` without parameters, translated once (see
#: ``template_gettext``); emptied whenever the catalogs are loaded.
_template_texts: dict[str, dict[str, Markup]] = {}
#: Template texts are msgids, a bounded set; past this many nothing more is kept.
TEMPLATE_TEXTS_KEPT = 20_000
current_locale: ContextVar[str] = ContextVar("current_locale", default="zh_CN")


def load_catalogs() -> None:
    _template_texts.clear()
    for locale in LOCALES:
        po = TRANSLATIONS_DIR / f"{locale}.po"
        if not po.exists():
            _catalogs[locale] = NullTranslations()
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        _catalogs[locale] = Translations(fp=buffer)


def translations(locale: str | None = None) -> NullTranslations:
    if not _catalogs:
        load_catalogs()
    catalog = _catalogs.get(locale or current_locale.get())
    return _NO_CATALOG if catalog is None else catalog  # one, not a new one per call


def gettext(message: str, **params: object) -> str:
    text = translations().gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations().ngettext(singular, plural, n)
    return text % ({"num": n} | params)


_ = gettext


def template_gettext(message: str, **params: object) -> Markup:
    """Jinja's ``_()`` and ``gettext()`` (newstyle, autoescaped: the translation
    is markup and ``%`` always formats, as jinja2.ext's own does), without its three
    nested context calls per string; a layout has two dozen of them on every page.
    A text without parameters depends only on the locale, so it is translated once."""
    locale = current_locale.get()
    if params:
        return Markup(translations(locale).gettext(message)) % params
    texts = _template_texts.get(locale)
    if texts is None:
        texts = _template_texts.setdefault(locale, {})
    text = texts.get(message)
    if text is None:
        text = Markup(translations(locale).gettext(message)) % {}
        if len(texts) < TEMPLATE_TEXTS_KEPT:
            texts[message] = text
    return text


# Minutes are enough for people; seconds only clutter deadlines and logs.
DATETIME_PATTERNS = {"zh_CN": "y年M月d日 HH:mm", "en": "d MMM y, HH:mm"}


# Babel parses a locale given by name on every call, scanning its list of locale
# names; on a page of a hundred dates that was half the page's CPU.
_babel_locales: dict[str, Locale] = {}


def babel_locale(name: str) -> Locale:
    if name not in _babel_locales:
        _babel_locales[name] = Locale.parse(name)
    return _babel_locales[name]


def _zh_cn(t: datetime) -> str:  # DATETIME_PATTERNS["zh_CN"]: y年M月d日 HH:mm
    return f"{t.year}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"


def _en(t: datetime) -> str:  # DATETIME_PATTERNS["en"]: d MMM y, HH:mm
    month = babel_locale("en").months["format"]["abbreviated"][t.month]
    return f"{t.day} {month} {t.year}, {t.hour:02d}:{t.minute:02d}"


#: The default patterns written out: Babel reads the pattern field by field on every
#: call (15 us a date in Chinese, 78 in English; a list page shows dozens). Each gives
#: what Babel gives (tests/unit/kit/test_i18n_dates.py compares them).
_DEFAULT_FORMATS = {"zh_CN": _zh_cn, "en": _en}


def format_datetime(value: datetime | None, fmt: str | None = None) -> str:
    if value is None:
        return ""
    locale = current_locale.get()
    if fmt is None and isinstance(value, datetime) and locale in _DEFAULT_FORMATS:
        # As Babel: a naive time is UTC.
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return _DEFAULT_FORMATS[locale](aware.astimezone(LOCAL_TZ))
    pattern = fmt or DATETIME_PATTERNS.get(locale, "medium")
    return babel_format_datetime(value, pattern, tzinfo=LOCAL_TZ, locale=babel_locale(locale))


def choose_locale(cookie: str | None, default: str) -> str:
    return cookie if cookie in LOCALES else default
