"""The volunteer service certificate (志愿服务记录证明) as a PDF: an HTML template
rendered by WeasyPrint, the portal's one PDF library, with the system's Noto CJK
font (``make runtime-deps``) and the QR code to the public verification page as
inline SVG (segno), so it stays sharp at any zoom and needs no image files.
"""

from __future__ import annotations

from typing import Any

import segno
from jinja2 import Environment

from volunteers.models import Certificate
from web.kit.i18n import LOCAL_TZ

TEMPLATE = "volunteers/certificate_pdf.html"


def certificate_html(env: Environment, cert: Certificate, verify_url: str) -> str:
    hours, minutes = divmod(cert.minutes, 60)
    context: dict[str, Any] = {
        "cert": cert,
        "hours": hours,
        "minutes": minutes,
        "issued_on": f"{cert.issued_at.astimezone(LOCAL_TZ):%Y年%m月%d日}",
        "verify_url": verify_url,
        "qr_svg": segno.make(verify_url, error="m").svg_inline(scale=4, border=2),
    }
    return env.get_template(TEMPLATE).render(context)


def render_pdf(env: Environment, cert: Certificate, verify_url: str) -> bytes:
    """Render in a worker thread: WeasyPrint takes a few hundred ms of CPU."""
    from weasyprint import HTML  # imported on use: it loads Pango, slow at start-up

    return bytes(HTML(string=certificate_html(env, cert, verify_url)).write_pdf())
