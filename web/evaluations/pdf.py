"""HTML → PDF with WeasyPrint, in the reader's language, with the CJK font.

The report template is standalone HTML (print styles, no navigation); fonts come
from the system through Pango (Debian's fonts-noto-cjk, see `make runtime-deps`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from web.kit.templating import base_context


def render_pdf(request: Request, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango, which takes a while

    env = request.app.state.templates
    html = env.get_template(template).render(base_context(request) | context)
    return bytes(HTML(string=html, base_url=str(request.base_url)).write_pdf())


def pdf_response(
    request: Request, template: str, context: dict[str, Any], filename: str
) -> Response:
    return Response(
        render_pdf(request, template, context),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
