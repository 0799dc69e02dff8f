"""Photo dimensions are read from the image's own header, whatever its format."""

from __future__ import annotations

import io

import pytest

from participation.budgets.rules import image_size, photo_size_problem
from tests.support.images import png


def pillow_image(fmt: str, size: tuple[int, int], **options: object) -> bytes:
    image_module = pytest.importorskip("PIL.Image")
    out = io.BytesIO()
    image_module.new("RGB", size, (200, 30, 30)).save(out, fmt, **options)
    return out.getvalue()


def test_png_sizes() -> None:
    assert image_size(png(4, 3)) == (4, 3)
    assert image_size(png(4, 3, declared=(60000, 60000))) == (60000, 60000)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("JPEG", {}), ("JPEG", {"progressive": True}), ("WEBP", {}), ("WEBP", {"lossless": True})],
)
def test_jpeg_and_webp_sizes(fmt: str, options: dict[str, object]) -> None:
    assert image_size(pillow_image(fmt, (37, 21), **options)) == (37, 21)


@pytest.mark.parametrize(
    ("data", "refused"),
    [
        (png(4, 3), False),
        (png(4, 3, declared=(60000, 60000)), True),
        (png(4, 3, declared=(12001, 10)), True),
        (png(4, 3, declared=(8000, 8000)), True),  # 64 megapixels
        (png(4, 3, declared=(0, 10)), True),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, True),  # no header to read
        (b"\xff\xd8\xff" + b"\x00" * 20, True),
    ],
)
def test_photo_size_problem(data: bytes, refused: bool) -> None:
    assert (photo_size_problem(data) is not None) is refused


def test_image_size_never_raises_on_truncated_headers() -> None:
    whole = png(4, 3)
    for end in range(len(whole)):
        image_size(whole[:end])
