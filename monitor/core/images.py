"""Picture dimensions read from the file header, before anything is decoded.

A 1 MB PNG can declare 20000 x 20000 pixels (1.2 GB once decoded): uploads are checked here
first, and decoded only when the declared size is within the limit.
"""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (SOF0..SOF15 without DHT C4, JPG C8 and DAC CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def image_dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) declared by a PNG or JPEG header; ValueError for anything else."""
    if data.startswith(PNG_SIGNATURE):
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise ValueError("not a readable PNG image")
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_dimensions(data)
    raise ValueError("not a JPEG or PNG image")


def _jpeg_dimensions(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("not a readable JPEG image")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF:
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        if marker == 0xDA or length < 2:  # scan data before any frame header
            break
        pos += 2 + length
    raise ValueError("not a readable JPEG image")


def check_image_size(data: bytes, max_pixels: int) -> None:
    """ValueError when the picture's header declares more than `max_pixels` pixels."""
    width, height = image_dimensions(data)
    if width * height > max_pixels:
        raise ValueError(
            f"the image declares {width} x {height} pixels, more than the {max_pixels} allowed"
        )
