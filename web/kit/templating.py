"""Jinja environment and page rendering (whole page, or one named block for htmx).

A swappable region is a block whose name is the id of the element it
replaces; an htmx request whose ``HX-Target`` names such a block gets only it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2_fragments import render_block
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.kit import display, htmx, i18n, labels, wording
from web.kit.auth import current_user_or_none
from web.kit.page_cache import form_token
from web.kit.security import csrf_token
from web.kit.static_urls import project_assets

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"


class _CodeGenerator(CodeGenerator):
    """Compiles ``_("...")`` to a direct call of ``_`` instead of ``context.call``
    (which looks for pass_context and friends on every call: a third of a layout's
    rendering went there). Right because make_environment sets ``_`` to
    ``i18n.template_gettext``, a plain function that takes no context."""

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name == "_"
            and not forward_caller
            and not self.environment.is_async
            and not self.environment.sandboxed
        ):
            self.write("(")
            self.visit(node.node, frame)
            self.write(")(*()")  # signature() writes each argument after a comma
            self.signature(node, frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)


class _Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator


@jinja2.pass_context
def csrf_field(context: jinja2.runtime.Context) -> markupsafe.Markup:
    """The hidden CSRF input every POST form carries: ``{{ csrf_field() }}``."""
    token = markupsafe.escape(context.get("csrf_token", ""))
    return markupsafe.Markup(f'<input type="hidden" name="csrf_token" value="{token}">')


def make_environment(
    *, auto_reload: bool = True, static_url: Callable[[str], str] | None = None
) -> jinja2.Environment:
    """``auto_reload``: look at each template file's time on every use (three or
    more per page) and reload it when edited; for development only. ``static_url``:
    a static file's versioned URL (web/kit/static_urls.py; the app passes its own)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        auto_reload=auto_reload,
        autoescape=jinja2.select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s, **kw: i18n.gettext(s, **kw),
        lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    # Every template here is autoescaped (select_autoescape(default=True), and no
    # template turns it off), so ``_`` and ``gettext`` can be one plain call each.
    env.globals["_"] = env.globals["gettext"] = i18n.template_gettext
    env.filters["datetime"] = i18n.format_datetime
    env.globals["LOCALE_NAMES"] = i18n.LOCALE_NAMES
    env.globals["csrf_field"] = csrf_field
    env.globals["static_url"] = static_url or project_assets(watch=auto_reload).url
    env.globals["ROLE_LABELS"] = labels.ROLE_LABELS
    env.globals["AREA_KIND_LABELS"] = labels.AREA_KIND_LABELS
    env.globals["ROLL_LABELS"] = labels.ROLL_LABELS
    env.globals["FORM_LABELS"] = labels.FORM_LABELS
    env.globals["RULE_LABELS"] = labels.RULE_LABELS
    env.globals["JOB_STATUS"] = labels.JOB_STATUS
    env.globals["outcome_text"] = wording.outcome_text
    env.globals["lead_time_text"] = wording.lead_time_text
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    block: str | None = None,
) -> HTMLResponse:
    """The whole page, or for htmx the block named by ``HX-Target`` (or by
    ``block``, when the route retargets the swap)."""
    env: jinja2.Environment = request.app.state.templates
    ctx = base_context(request) | (context or {})
    block = block or htmx.target(request)
    tmpl = env.get_template(template)
    if block and block in tmpl.blocks:
        # A block rendered alone does not run the template's top-level imports.
        macros = env.get_template("_macros.html").make_module(ctx)
        html = render_block(env, template, block, ctx | {"m": macros})
    else:
        html = tmpl.render(ctx)
    response = HTMLResponse(html, status_code=status, headers=headers)
    return htmx.add_vary(response)  # type: ignore[return-value]


def base_context(request: Request) -> dict[str, Any]:
    user = current_user_or_none(request)
    return {
        "request": request,
        "user": user,
        "age_friendly": display.age_friendly(request, user),
        "display_next": display.return_path(request),
        "locale": i18n.current_locale.get(),
        "csrf_token": form_token(request, csrf_token(request))
        if "session" in request.scope
        else "",
        "flashes": pop_flashes(request),
        "form": {},
        "errors": {},
    }


def flash(request: Request, message: str, kind: str = "info") -> None:
    """Queue a message (an English msgid, translated when shown) for the next page."""
    request.session.setdefault("flash", []).append([kind, message])


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    if "session" not in request.scope:
        return []
    return [(k, i18n.gettext(m)) for k, m in request.session.pop("flash", [])]
