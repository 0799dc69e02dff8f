"""Templates' ``_()`` is one plain call translated once per locale; it keeps
jinja2.ext's newstyle meaning: the translation is markup, parameters are
escaped, ``%`` always formats, and each locale gets its own text."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from markupsafe import Markup

from web.kit import i18n
from web.kit.templating import make_environment


@pytest.fixture
def render() -> Iterator[Callable[[str, str], str]]:
    i18n.load_catalogs()
    env = make_environment()

    def go(source: str, locale: str) -> str:
        token = i18n.current_locale.set(locale)
        try:
            return env.from_string(source).render()
        finally:
            i18n.current_locale.reset(token)

    yield go


def test_each_locale_gets_its_own_text(render: Callable[[str, str], str]) -> None:
    for _ in range(2):  # the second time from what was kept
        assert render('{{ _("Sign in") }}', "zh_CN") == "登录"
        assert render('{{ _("Sign in") }}', "en") == "Sign in"
        assert render('{{ gettext("Sign in") }}', "zh_CN") == "登录"


def test_parameters_are_escaped_and_percent_formats(render: Callable[[str, str], str]) -> None:
    page = '{{ _("Page %(n)s of %(total)s", n="<b>", total=2) }}'
    assert render(page, "zh_CN") == "第 &lt;b&gt; 页，共 2 页"
    assert render(page, "en") == "Page &lt;b&gt; of 2"
    assert render('{{ _("100%% sure") }}', "en") == "100% sure"
    assert render("{% trans n=3 %}Page {{ n }}{% endtrans %}", "en") == "Page 3"


def test_loading_the_catalogs_again_forgets_what_was_kept(
    render: Callable[[str, str], str],
) -> None:
    assert render('{{ _("Sign in") }}', "en") == "Sign in"
    i18n._template_texts["en"]["Sign in"] = Markup("stale")
    i18n.load_catalogs()
    assert render('{{ _("Sign in") }}', "en") == "Sign in"


def test_in_loops_macros_and_blocks(render: Callable[[str, str], str]) -> None:
    # Compiled to a direct call (web.kit.templating._CodeGenerator) wherever it stands.
    loop = '{% for n in [1, 2] %}{{ _("Page %(n)s of %(total)s", n=n, total=2) }};{% endfor %}'
    assert render(loop, "en") == "Page 1 of 2;Page 2 of 2;"
    macro = '{% macro m(x) %}{{ _(x) }}{% endmacro %}{{ m("Sign in") }}'
    assert render(macro, "zh_CN") == "登录"
    block = '{% block b %}{% set x = "Sign in" %}{{ _(x) }}{% endblock %}'
    assert render(block, "zh_CN") == "登录"
