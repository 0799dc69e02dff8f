"""Render a certificate as a one-page A4 PDF with a Chinese font and a QR code
linking to its public verification page.

fpdf2 embeds a subset of Noto Sans CJK SC (OpenType/CFF, read from Debian's
fonts-noto-cjk collection), so the file stays small and renders anywhere.
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from fpdf import FPDF

from volunteers.models import Certificate

FONT_CANDIDATES = (
    # (file, index in the collection: 2 is "Noto Sans CJK SC")
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), 2),
)


class FontMissing(RuntimeError):
    pass


def _font() -> tuple[Path, int]:
    for path, index in FONT_CANDIDATES:
        if path.exists():
            return path, index
    raise FontMissing("no CJK font: install Debian's fonts-noto-cjk (make system-deps)")


def render_pdf(cert: Certificate, verify_url: str) -> bytes:
    path, index = _font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"志愿服务记录证明 {cert.number}")
    pdf.add_page()
    pdf.add_font("cjk", fname=str(path), collection_font_number=index)
    pdf.set_font("cjk", size=24)
    pdf.set_y(30)
    pdf.cell(0, 14, "志愿服务记录证明", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, f"证明编号:{cert.number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    hours, minutes = divmod(cert.minutes, 60)
    rows = [
        ("姓名", cert.holder_name),
        ("身份证号", cert.masked_id),
        ("志愿者编号", cert.volunteer_number),
        ("服务时长", f"{hours} 小时 {minutes} 分钟"),
        ("服务内容", cert.service_content),
        ("出具单位", cert.issuer),
        ("出具日期", f"{cert.issued_at:%Y年%m月%d日}"),
    ]
    pdf.set_font("cjk", size=13)
    for label, value in rows:
        pdf.set_x(30)
        pdf.cell(35, 11, label)
        pdf.multi_cell(120, 11, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("cjk", size=11)
    pdf.set_x(30)
    pdf.multi_cell(
        150,
        7,
        "兹证明上述志愿者的服务记录真实有效。扫描右侧二维码或访问下列网址,"
        "可查验本证明的真伪及状态。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(30)
    pdf.multi_cell(120, 7, verify_url, new_x="LMARGIN", new_y="NEXT")
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=150, y=pdf.get_y() - 30, w=35)
    return bytes(pdf.output())
