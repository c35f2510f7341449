"""Opening untrusted image bytes safely (internal).

All decoding goes through :func:`open_image` / :func:`load` so every failure mode of
Pillow and pillow-heif surfaces as :class:`UndecodableImage` with a readable message.
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageFile

from .errors import UndecodableImage

#: Largest accepted image, in pixels (after decoding). 120 MP covers 108 MP phone sensors.
MAX_PIXELS = 120_000_000

# Pillow's own decompression-bomb guard: warns above MAX_IMAGE_PIXELS and raises above
# twice that. Our explicit check in open_image() rejects anything above MAX_PIXELS first,
# from the header alone; aligning Pillow's guard keeps the two consistent.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

#: Pillow format name -> our format name.
FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}

#: Pillow openers tried (MPO files are opened by the JPEG opener).
_OPENERS = ["JPEG", "PNG", "WEBP", "HEIF"]

_heif_registered = False


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _megapixels(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]} = {size[0] * size[1] / 1e6:.0f} megapixels"


def too_large_message(size: tuple[int, int] | None = None) -> str:
    dims = f" ({_megapixels(size)})" if size else ""
    return f"The image is too large{dims}; the limit is {MAX_PIXELS / 1e6:.0f} megapixels."


def open_image(data: bytes) -> tuple[Image.Image, str]:
    """Identify ``data`` (header only, no pixel decoding). Returns (image, format)."""
    if not data:
        raise UndecodableImage("The file is empty.")
    _register_heif()
    try:
        with warnings.catch_warnings():  # oversize images are rejected just below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=_OPENERS)
    except Image.DecompressionBombError:
        raise UndecodableImage(too_large_message()) from None
    except Image.UnidentifiedImageError:
        if data[4:8] == b"ftyp":
            raise UndecodableImage(
                "The HEIC/HEIF file is truncated or corrupt (the upload may be incomplete)."
            ) from None
        raise UndecodableImage(
            "The file is not a supported image (JPEG, PNG, WebP or HEIC expected)."
        ) from None
    except Exception as exc:  # malformed headers raise all sorts of things
        raise UndecodableImage(f"The image header is corrupt ({_short(exc)}).") from None
    fmt = FORMATS.get(img.format or "")
    if fmt is None:  # pragma: no cover - formats= already restricts this
        raise UndecodableImage(f"Unsupported image format {img.format}.")
    w, h = img.size
    if w <= 0 or h <= 0:
        raise UndecodableImage("The image has no pixels.")
    if w * h > MAX_PIXELS:
        raise UndecodableImage(too_large_message(img.size))
    return img, fmt


def load(img: Image.Image) -> Image.Image:
    """Decode pixels, turning truncation/corruption into UndecodableImage."""
    try:
        img.load()
    except Image.DecompressionBombError:
        raise UndecodableImage(too_large_message(img.size)) from None
    except (OSError, SyntaxError, EOFError) as exc:
        msg = str(exc).lower()
        if "truncat" in msg or isinstance(exc, EOFError):
            raise UndecodableImage(
                "The image data is truncated (the upload may be incomplete)."
            ) from None
        raise UndecodableImage(f"The image data is corrupt ({_short(exc)}).") from None
    except MemoryError:
        raise UndecodableImage(too_large_message(img.size)) from None
    except Exception as exc:
        raise UndecodableImage(f"The image data is corrupt ({_short(exc)}).") from None
    return img


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]

