"""Small real images, made in memory (no image library needed)."""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int, *, declared: tuple[int, int] | None = None) -> bytes:
    """A grey PNG of ``width`` × ``height``; ``declared`` puts other dimensions in its
    header (what a decompression bomb does: a tiny file that claims to be huge)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    w, h = declared or (width, height)
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
