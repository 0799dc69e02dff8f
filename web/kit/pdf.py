"""Printable documents as PDF: a template rendered to HTML, then WeasyPrint.

The print template is self-contained (inline CSS, no external requests) and names
the Noto CJK font installed by `make runtime-deps`, so Chinese text renders.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from web.kit.templating import base_context


def render_pdf(request: Request, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango, slow at start-up

    env = request.app.state.templates
    html = env.get_template(template).render(base_context(request) | context)
    pdf: bytes = HTML(string=html, base_url=str(request.base_url)).write_pdf()
    return pdf


def pdf_response(
    request: Request, template: str, context: dict[str, Any], filename: str
) -> Response:
    """The rendered PDF as a download named ``filename``."""
    return Response(
        render_pdf(request, template, context),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
