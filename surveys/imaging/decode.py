"""The one decoder for untrusted image bytes: the upload check and the worker both use it.

Limits come from the caller (this package reads no settings): :class:`DecodeLimits`, built
from PHOTO_MAX_PIXELS and PHOTO_MAX_DECODED_BYTES. Both are checked from the header alone,
before a single pixel is decoded:

- the pixel count of the image as stored;
- the decoded size: the pixels that will be decoded (JPEG decodes at a reduced DCT scale)
  times the bytes per pixel Pillow keeps for the mode the pipeline works in, so a small
  16-bit or palette PNG cannot unpack into gigabytes.

JPEG pixels are decoded by libjpeg-turbo in strict mode (simplejpeg): entropy-coded data
that stops early is refused even when an end-of-image marker follows it, where Pillow
would fill the missing part with grey and report nothing. Every failure of Pillow,
simplejpeg or pillow-heif surfaces as :class:`UndecodableImage` with a readable sentence.
Pillow's process-wide MAX_IMAGE_PIXELS is left as Pillow ships it.
"""
from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image

from .errors import UndecodableImage

#: Pillow format name -> our format name.
FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}

#: Pillow openers tried (MPO files are opened by the JPEG opener).
_OPENERS = ["JPEG", "PNG", "WEBP", "HEIF"]

#: libjpeg warnings that mean pixels are missing or wrong (the rest, such as padding
#: before a marker, are harmless and accepted).
_JPEG_DATA_ERRORS = ("premature end", "huffman", "instead of rst", "invalid sos", "bogus")

_heif_registered = False


@dataclass(frozen=True)
class DecodeLimits:
    max_pixels: int
    max_decoded_bytes: int


@dataclass(frozen=True)
class Opened:
    """An identified image whose pixels are not decoded yet."""

    image: Image.Image
    format: str  # "jpeg" | "png" | "webp" | "heic"
    data: bytes
    limits: DecodeLimits


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def bytes_per_pixel(mode: str) -> int:
    """Bytes Pillow keeps per pixel for an image the pipeline works on in ``mode`` (it
    stores every multi-band mode in 4 bytes; palette images are expanded to RGBA)."""
    if mode in ("1", "L"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def open_image(data: bytes, limits: DecodeLimits) -> Opened:
    """Identify ``data`` from its header and check the pixel cap (no pixel decoding)."""
    data = bytes(data)
    if not data:
        raise UndecodableImage("The file is empty.")
    _register_heif()
    try:
        with warnings.catch_warnings():  # the caps are checked just below, from our settings
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=_OPENERS)
    except Image.DecompressionBombError:  # beyond twice Pillow's own guard: no cap is that high
        raise UndecodableImage(f"The image is too large; the limit is {_megapixels(limits.max_pixels)}.") from None
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
    if w * h > limits.max_pixels:
        raise UndecodableImage(
            f"The image is too large ({w}x{h} = {_megapixels(w * h)}); the limit is {_megapixels(limits.max_pixels)}."
        )
    return Opened(img, fmt, data, limits)


def decode(opened: Opened, *, at_least: tuple[int, int] | None = None) -> Image.Image:
    """The pixels of ``opened``. A JPEG is decoded at the smallest DCT scale that keeps
    both sides >= ``at_least`` (raw orientation); other formats at full size. The decoded
    size is checked against the limit first. Raises UndecodableImage."""
    img, fmt = opened.image, opened.format
    size = _jpeg_scaled_size(img.size, at_least) if fmt == "jpeg" else img.size
    needed = size[0] * size[1] * bytes_per_pixel(img.mode)
    if needed > opened.limits.max_decoded_bytes:
        raise UndecodableImage(
            f"The image would take {needed / 2**20:,.0f} MB to decode ({img.size[0]}x{img.size[1]}, mode "
            f"{img.mode}); the limit is {opened.limits.max_decoded_bytes / 2**20:,.0f} MB."
        )
    if fmt == "jpeg":
        return _decode_jpeg(opened, size)
    return _load(img)


def check(data: bytes, limits: DecodeLimits) -> Opened:
    """Everything that makes an upload acceptable, at the least cost: the header, both
    caps, and the pixels decoded (a JPEG at 1/8 scale, strictly). Returns the opened image."""
    opened = open_image(data, limits)
    decode(opened, at_least=(1, 1))
    return opened


def _jpeg_scaled_size(size: tuple[int, int], at_least: tuple[int, int] | None) -> tuple[int, int]:
    """libjpeg-turbo scales by n/8 (n = 1..8): the smallest that keeps both sides >= at_least."""
    w, h = size
    if at_least is None:
        return size
    for n in range(1, 9):
        scaled = (math.ceil(w * n / 8), math.ceil(h * n / 8))
        if scaled[0] >= at_least[0] and scaled[1] >= at_least[1]:
            return scaled
    return size


def _decode_jpeg(opened: Opened, size: tuple[int, int]) -> Image.Image:
    import simplejpeg

    img = opened.image
    colorspace = {"L": "GRAY", "CMYK": "CMYK"}.get(img.mode, "RGB")
    kwargs = {"colorspace": colorspace, "min_width": size[0], "min_height": size[1]}
    try:
        try:
            pixels = simplejpeg.decode_jpeg(opened.data, strict=True, **kwargs)
        except ValueError as exc:
            if any(sign in str(exc).lower() for sign in _JPEG_DATA_ERRORS):
                raise
            pixels = simplejpeg.decode_jpeg(opened.data, strict=False, **kwargs)  # a harmless warning
    except ValueError as exc:
        message = str(exc).lower()
        if "premature end" in message:
            raise UndecodableImage("The image data is truncated (the upload may be incomplete).") from None
        raise UndecodableImage(f"The image data is corrupt ({_short(exc)}).") from None
    if colorspace == "CMYK":
        # Adobe's inverted CMYK and its colour transform are Pillow's to interpret: the
        # strict decode above vouched for the data, Pillow decodes it at the same scale.
        img.draft("CMYK", size)
        return _load(img)
    decoded = Image.fromarray(pixels[:, :, 0] if colorspace == "GRAY" else pixels,
                              "L" if colorspace == "GRAY" else "RGB")
    decoded.info = dict(img.info)  # icc_profile, exif: what the colour conversion and orientation read
    return decoded


def _load(img: Image.Image) -> Image.Image:
    """Decode pixels with Pillow, turning truncation/corruption into UndecodableImage."""
    try:
        img.load()
    except Image.DecompressionBombError:  # pragma: no cover - open_image already refused it
        raise UndecodableImage("The image is too large.") from None
    except (OSError, SyntaxError, EOFError) as exc:
        msg = str(exc).lower()
        if "truncat" in msg or isinstance(exc, EOFError):
            raise UndecodableImage(
                "The image data is truncated (the upload may be incomplete)."
            ) from None
        raise UndecodableImage(f"The image data is corrupt ({_short(exc)}).") from None
    except MemoryError:
        raise UndecodableImage("The image is too large to decode.") from None
    except Exception as exc:
        raise UndecodableImage(f"The image data is corrupt ({_short(exc)}).") from None
    return img


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.{0 if pixels >= 10**7 else 1}f} megapixels"


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]
