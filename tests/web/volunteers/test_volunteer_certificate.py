"""The certificate PDF (WeasyPrint): every field of 志愿服务记录证明 is in the
PDF's text layer, and the QR code on the page decodes to the verification URL's
modules (checked by rasterising the page and reading the module grid)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
import segno
from PIL import Image
from starlette.applications import Starlette

from volunteers.models import Certificate
from web.volunteers.pdf import certificate_html, render_pdf

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdftoppm")),
    reason="needs poppler-utils",
)

URL = "https://gongzhi.example.cn/volunteers/verify/VC20261201-0007"


def _cert() -> Certificate:
    return Certificate(
        number="VC20261201-0007",
        account_id=1,
        holder_name="王秀英",
        masked_id="1101**********002X",
        volunteer_number="V510108000123",
        minutes=12 * 60 + 30,
        service_content="敬老助老、社区环境整治",
        issuer="成华区志愿服务联合会",
        issued_at=datetime(2026, 11, 30, 17, 0, tzinfo=UTC),  # 12月1日 in Chengdu
    )


def _run(*args: str) -> bytes:
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout


def test_pdf_holds_every_field_and_the_verification_url(app: Starlette, tmp_path: Path) -> None:
    pdf = render_pdf(app.state.templates, _cert(), URL)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = "".join(_run("pdftotext", str(path), "-").decode().split())
    for expected in (
        "志愿服务记录证明",
        "王秀英",
        "1101**********002X",
        "V510108000123",
        "12小时30分钟",
        "敬老助老、社区环境整治",
        "成华区志愿服务联合会",
        "2026年12月01日",
        "VC20261201-0007",
        URL,
    ):
        assert expected in text, expected
    assert "Noto-Sans-CJK-SC" in _run("pdffonts", str(path)).decode()  # embedded


def test_qr_code_on_the_page_is_the_verification_url(app: Starlette, tmp_path: Path) -> None:
    assert "<svg" in certificate_html(app.state.templates, _cert(), URL)
    path = tmp_path / "c.pdf"
    path.write_bytes(render_pdf(app.state.templates, _cert(), URL))
    _run("pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", str(path), str(tmp_path / "p"))
    page = Image.open(tmp_path / "p.png").convert("L")
    width, height = page.size
    # The QR code is the only dark block in the right third below the table.
    right = page.crop((width * 2 // 3, height // 3, width, height))
    dark = right.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert dark is not None
    qr = right.crop(dark)
    expected = segno.make(URL, error="m").matrix
    n = len(expected)
    cell_w, cell_h = qr.size[0] / n, qr.size[1] / n
    assert abs(cell_w - cell_h) < 0.5  # square modules
    seen = [
        [
            int(cast(int, qr.getpixel((int((x + 0.5) * cell_w), int((y + 0.5) * cell_h)))) < 128)
            for x in range(n)
        ]
        for y in range(n)
    ]
    assert seen == [[int(bool(v)) for v in row] for row in expected]
