"""Checking and cleaning an uploaded file before anything is stored.

* The type comes from the bytes (puremagic's signatures), never from the file name or the
  type the client declared: PNG, JPEG, WebP, GIF and PDF are accepted, nothing else.
* Images are decoded by Pillow with the decoder of the sniffed format only, refused when they
  would decode to more than `MAX_PIXELS` (a "decompression bomb": a few kilobytes that expand
  to gigabytes), turned upright by their EXIF orientation and re-encoded from their pixels
  alone: EXIF (GPS position, camera serial), XMP, ICC profiles and comments are dropped, and
  any bytes hidden after the image data (a script, a zip) do not survive. Animated GIF and
  WebP keep their first frame; a GIF is stored as PNG. Each image gets a WebP thumbnail.
* PDFs are kept byte for byte: they are only ever served as downloads (api/attachments.py).
* File names are the sender's own words, so they are checked like text: no path separators,
  no markup, no control or invisible formatting characters; the extension is made to match
  the real type.

Errors name the problem (`errors.InvalidInput`, `errors.TooLarge`) and never quote the file's
name or bytes, which are personal data.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

import puremagic
from PIL import Image, ImageOps

from batondesk.errors import InvalidInput, TooLarge

# A 40-megapixel photo decodes to 160 MB of RGBA; the limit bounds the memory one upload takes.
MAX_PIXELS = 40_000_000
THUMBNAIL_BOX = (320, 320)
MAX_FILENAME_CHARS = 200
JPEG_QUALITY = 90
THUMBNAIL_QUALITY = 80


@dataclass(frozen=True)
class FileType:
    content_type: str
    kind: str  # "image" or "pdf"
    pillow_format: str | None  # the only decoder Pillow may use
    extensions: tuple[str, ...]  # the first is the one given to a stored file


FILE_TYPES = {
    t.content_type: t
    for t in (
        FileType("image/png", "image", "PNG", (".png",)),
        FileType("image/jpeg", "image", "JPEG", (".jpg", ".jpeg", ".jfif")),
        FileType("image/webp", "image", "WEBP", (".webp",)),
        FileType("image/gif", "image", "GIF", (".gif",)),
        FileType("application/pdf", "pdf", None, (".pdf",)),
    )
}
ALLOWED_DESCRIPTION = "PNG, JPEG, WebP or GIF images, or PDF documents"
# What a cleaned image is stored as: its own format, except GIF (one frame) as PNG.
_STORED_AS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/png"}
_KNOWN_EXTENSIONS = {ext for t in FILE_TYPES.values() for ext in t.extensions}
# Characters a file name may not hold: path separators (the name is never a path), markup and
# quotes (it is shown in pages and sent in a Content-Disposition header).
_FORBIDDEN_IN_NAMES = set('/\\<>"')


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, cleaned, ready to be sealed and stored."""

    kind: str
    content_type: str
    filename: str
    content: bytes
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


def check_file(data: bytes, filename: str | None, *, max_bytes: int) -> CheckedFile:
    """Check an upload and return what to store. Raises `TooLarge` (over `max_bytes`) or
    `InvalidInput` (bad name, unsupported or broken content, too many pixels)."""
    name = check_filename(filename)
    if not data:
        raise InvalidInput("the file is empty", code="empty_file")
    if len(data) > max_bytes:
        raise TooLarge(
            f"the file has {len(data):,} bytes; the limit is {max_bytes:,}",
            code="attachment_too_large",
        )
    file_type = sniff_type(data)
    if file_type.kind == "pdf":
        return CheckedFile("pdf", file_type.content_type, _with_extension(name, file_type), data)
    return _clean_image(data, name, file_type)


def check_filename(filename: str | None) -> str:
    """The sender's file name, trimmed, if it is one a person could have typed."""
    name = (filename or "").strip()
    if not name:
        raise InvalidInput("the file has no name", code="invalid_filename")
    if len(name) > MAX_FILENAME_CHARS:
        raise InvalidInput(
            f"the file name has {len(name)} characters; the limit is {MAX_FILENAME_CHARS}",
            code="invalid_filename",
        )
    if _FORBIDDEN_IN_NAMES & set(name):
        raise InvalidInput('the file name may not contain / \\ < > or "', code="invalid_filename")
    # Control characters, and invisible formatting ones such as U+202E (right-to-left
    # override), which can disguise "gpj.exe" as "exe.jpg".
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise InvalidInput(
            "the file name holds control or invisible formatting characters",
            code="invalid_filename",
        )
    if name.strip(".") == "":
        raise InvalidInput("the file name is only dots", code="invalid_filename")
    return name


def sniff_type(data: bytes) -> FileType:
    """The accepted type the bytes are, by their signature."""
    try:
        sniffed = puremagic.from_string(data, mime=True)
    except puremagic.PureError:
        sniffed = ""
    file_type = FILE_TYPES.get(sniffed)
    if file_type is None or (file_type.kind == "pdf" and not data.startswith(b"%PDF-")):
        raise InvalidInput(
            f"the file's content is not one of the accepted types ({ALLOWED_DESCRIPTION})",
            code="unsupported_file_type",
        )
    return file_type


def _with_extension(name: str, file_type: FileType) -> str:
    """`name` with the extension of the type the file really is."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in file_type.extensions:
        return name
    stem = name[: -len(suffix)] if suffix in _KNOWN_EXTENSIONS else name
    return (stem or "file") + file_type.extensions[0]


def _unreadable() -> InvalidInput:
    return InvalidInput(
        "the image could not be read: it is damaged or not what its content says",
        code="unreadable_image",
    )


def _too_many_pixels(width: int, height: int) -> InvalidInput:
    return InvalidInput(
        f"the image is {width} x {height} pixels; the limit is {MAX_PIXELS:,} pixels",
        code="image_too_large",
    )


def _clean_image(data: bytes, name: str, file_type: FileType) -> CheckedFile:
    assert file_type.pillow_format is not None
    with warnings.catch_warnings():
        # Pillow only warns between its own limit and twice it; here that is a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[file_type.pillow_format])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidInput(
                f"the image would decode to more than {MAX_PIXELS:,} pixels",
                code="image_too_large",
            ) from None
        # Decoders meet hostile bytes here: whatever they raise means "not a readable image"
        # (a 422), never a server error.
        except Exception:
            raise _unreadable() from None
        width, height = image.size
        # Checked from the header, before a single pixel is decoded.
        if width * height > MAX_PIXELS:
            raise _too_many_pixels(width, height)
        try:
            image.seek(0)  # the first frame of an animation
            image.load()
            upright = ImageOps.exif_transpose(image)
            pixels = _pixels_only(upright)
        except Image.DecompressionBombError:
            raise _too_many_pixels(width, height) from None
        except Exception:
            raise _unreadable() from None
    stored_type = FILE_TYPES[_STORED_AS[file_type.pillow_format]]
    content = _encode(pixels, stored_type)
    thumbnail = pixels.copy()
    thumbnail.thumbnail(THUMBNAIL_BOX)
    preview = io.BytesIO()
    thumbnail.save(preview, "WEBP", quality=THUMBNAIL_QUALITY)
    return CheckedFile(
        "image",
        stored_type.content_type,
        _with_extension(name, stored_type),
        content,
        preview.getvalue(),
        pixels.width,
        pixels.height,
    )


def _pixels_only(image: Image.Image) -> Image.Image:
    """The image's pixels in RGB, RGBA or L, with none of its metadata."""
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if transparent else ("L" if image.mode in ("1", "L") else "RGB")
    pixels = image.convert(mode)
    # Savers fall back on `info` for comments, ICC profiles and transparency: start empty.
    pixels.info = {}
    return pixels


def _encode(pixels: Image.Image, stored_type: FileType) -> bytes:
    out = io.BytesIO()
    if stored_type.pillow_format == "JPEG":
        flat = pixels.convert("RGB") if pixels.mode == "RGBA" else pixels
        flat.save(out, "JPEG", quality=JPEG_QUALITY)
    elif stored_type.pillow_format == "WEBP":
        pixels.save(out, "WEBP", quality=JPEG_QUALITY)
    else:
        pixels.save(out, "PNG")
    return out.getvalue()
