"""Files to attach in tests, made here with Pillow: a photo that carries its GPS position and
camera in EXIF, a plain PNG, a small PDF, and hostile ones."""

from __future__ import annotations

import io
import os

from PIL import Image

CAMERA = "Zorblax SecretCam 9000"
COMMENT = b"taken at Quillfeather Lane 17"
GPS_IFD = 0x8825
MAKE = 0x010F


def photo_with_location(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG whose EXIF names the camera and the place it was taken, with a comment."""
    image = Image.new("RGB", size, (30, 120, 200))
    for x in range(0, size[0], 40):  # something to look at, so it is not one flat colour
        image.paste((250, 200, 20), (x, 0, x + 20, size[1]))
    exif = Image.Exif()
    exif[MAKE] = CAMERA
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=COMMENT, quality=95)
    return out.getvalue()


def png(size: tuple[int, int] = (200, 120), color: tuple[int, int, int] = (220, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    """A one-page PDF (Pillow writes a real one)."""
    out = io.BytesIO()
    Image.new("RGB", (100, 100), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def decompression_bomb() -> bytes:
    """A PNG of a few kilobytes that decodes to 400 million pixels."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    return out.getvalue()


def html_posing_as_png() -> bytes:
    return b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def noisy_png(side: int = 400) -> bytes:
    """A PNG of random pixels: it does not compress, so it is about 3 bytes per pixel."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()
