"""The app package's two icons, drawn without an imaging library.

Teams wants ``color.png`` (192×192, full colour) and ``outline.png`` (32×32, white on a
transparent background). The motif is two interlocking links — a "łącznik". Shapes are signed
distance fields, so edges are anti-aliased with one evaluation per pixel; PNG is written with
zlib by hand (RGBA, 8 bits per channel).
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable

ACCENT = (0x1B, 0x4F, 0x8A)  # the manifest's accentColor
ACCENT_HEX = "#1B4F8A"
WHITE = (255, 255, 255)

Distance = Callable[[float, float], float]


def color_icon(size: int = 192) -> bytes:
    """A white pair of links on a rounded accent-coloured square."""
    background = _rounded_square(size, radius=size * 0.19)
    glyph = _links(size, radius=size * 0.16, stroke=size * 0.065)
    pixels = bytearray()
    for y in range(size):
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            base = _coverage(background(px, py))
            ink = _coverage(glyph(px, py))
            rgb = (round(c + (w - c) * ink) for c, w in zip(ACCENT, WHITE, strict=True))
            pixels += bytes((*rgb, round(255 * base)))
    return png(size, size, bytes(pixels))


def outline_icon(size: int = 32) -> bytes:
    """The same links, white on transparent (Teams tints it)."""
    glyph = _links(size, radius=size * 0.19, stroke=size * 0.085)
    pixels = bytearray()
    for y in range(size):
        for x in range(size):
            alpha = round(255 * _coverage(glyph(x + 0.5, y + 0.5)))
            pixels += bytes((*WHITE, alpha)) if alpha else b"\x00\x00\x00\x00"
    return png(size, size, bytes(pixels))


def png(width: int, height: int, rgba: bytes) -> bytes:
    """Encode RGBA pixels (row by row) as a PNG file."""
    if len(rgba) != width * height * 4:
        raise ValueError("pixel data does not match the size")
    stride = width * 4
    raw = b"".join(b"\x00" + rgba[row * stride:(row + 1) * stride] for row in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _coverage(distance: float) -> float:
    """How much of a pixel lies inside a shape, from the signed distance to its edge."""
    return min(1.0, max(0.0, 0.5 - distance))


def _rounded_square(size: int, *, radius: float) -> Distance:
    half = size / 2

    def distance(x: float, y: float) -> float:
        qx = abs(x - half) - (half - radius)
        qy = abs(y - half) - (half - radius)
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - radius

    return distance


def _links(size: int, *, radius: float, stroke: float) -> Distance:
    """Two overlapping rings side by side."""
    cy = size / 2
    left, right = size / 2 - radius * 0.8, size / 2 + radius * 0.8

    def distance(x: float, y: float) -> float:
        ring_left = abs(math.hypot(x - left, y - cy) - radius) - stroke / 2
        ring_right = abs(math.hypot(x - right, y - cy) - radius) - stroke / 2
        return min(ring_left, ring_right)

    return distance
