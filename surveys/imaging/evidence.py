"""Evidence read from the untouched original bytes: hash, size, EXIF time/GPS/camera.

Only Pillow (plus pillow-heif for HEIC) is used. ``data`` is never modified; all
parsing is defensive: a malformed EXIF field yields ``None``/"" for that field, never an
exception. Only undecodable images raise :class:`UndecodableImage`.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .errors import UndecodableImage

# EXIF tag numbers (0th IFD / Exif IFD / GPS IFD / IFD1)
_ORIENTATION = 0x0112
_MAKE, _MODEL, _SOFTWARE, _DATETIME = 0x010F, 0x0110, 0x0131, 0x0132
_DATETIME_ORIGINAL, _OFFSET_TIME, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9010, 0x9011
_SUBSEC_TIME_ORIGINAL = 0x9291
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
_GPS_TIMESTAMP, _GPS_DATESTAMP = 7, 29
_THUMB_OFFSET, _THUMB_LENGTH = 0x0201, 0x0202

_EXIF_DT = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


@dataclass(frozen=True)
class PhotoEvidence:
    sha256: str
    format: str  # "jpeg" | "png" | "webp" | "heic"
    width: int  # after EXIF orientation
    height: int
    taken_at: datetime | None  # aware
    taken_at_has_offset: bool
    modified_at: datetime | None  # EXIF DateTime (0th IFD), aware
    latitude: float | None
    longitude: float | None
    gps_time: datetime | None  # UTC aware
    make: str
    model: str
    software: str
    exif_thumbnail_mismatch: bool | None  # None when there is no embedded thumbnail

    def as_dict(self) -> dict:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, datetime):
                out[key] = value.isoformat()
        return out


def read_evidence(data: bytes, *, site_tz: str = "Asia/Shanghai") -> PhotoEvidence:
    """Read the evidence of an original upload. Raises UndecodableImage."""
    from . import _decode

    data = bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    img, fmt = _decode.open_image(data)
    tz = _zone(site_tz)
    try:
        exif = img.getexif()
    except Exception:  # corrupt EXIF must not hide the rest of the evidence
        exif = None
    ifd0: dict = dict(exif) if exif is not None else {}
    exif_ifd = _sub_ifd(exif, "Exif")
    gps_ifd = _sub_ifd(exif, "GPSInfo")

    # pillow-heif applies the HEIF transforms on decode and resets the EXIF tag to 1,
    # keeping the original value in info["original_orientation"].
    if fmt == "heic":
        orientation = _int(img.info.get("original_orientation")) or 1
        width, height = img.size
    else:
        orientation = _int(ifd0.get(_ORIENTATION)) or 1
        width, height = img.size
        if orientation in (5, 6, 7, 8):
            width, height = height, width

    taken_at, has_offset = _exif_datetime(
        exif_ifd.get(_DATETIME_ORIGINAL), exif_ifd.get(_OFFSET_TIME_ORIGINAL), tz,
        subsec=exif_ifd.get(_SUBSEC_TIME_ORIGINAL),
    )
    modified_at, _ = _exif_datetime(ifd0.get(_DATETIME), exif_ifd.get(_OFFSET_TIME), tz)
    lat = _gps_coord(gps_ifd.get(_GPS_LAT), gps_ifd.get(_GPS_LAT_REF), 90.0, "S")
    lon = _gps_coord(gps_ifd.get(_GPS_LON), gps_ifd.get(_GPS_LON_REF), 180.0, "W")
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        lat = lon = None  # (0, 0) is what broken GPS stacks write without a fix

    thumb = _exif_thumbnail(img, exif)
    # Decode the pixels (JPEG: at 1/8 scale, a few ms) so that truncated or corrupt
    # uploads fail here too; the small image also serves the thumbnail comparison.
    # HEIC is only decoded when needed (a full decode costs ~0.3 s at 12 MP; libheif
    # already validated the container on open, make_derivatives decodes it anyway).
    mismatch = None
    if fmt != "heic" or thumb is not None:
        if fmt == "jpeg":
            img.draft("L", (64, 64))
        main = _decode.load(img)
        if thumb is not None:
            mismatch = _thumbnail_mismatch(thumb, main, fmt, orientation)

    return PhotoEvidence(
        sha256=digest,
        format=fmt,
        width=int(width),
        height=int(height),
        taken_at=taken_at,
        taken_at_has_offset=has_offset,
        modified_at=modified_at,
        latitude=lat,
        longitude=lon,
        gps_time=_gps_datetime(gps_ifd.get(_GPS_DATESTAMP), gps_ifd.get(_GPS_TIMESTAMP)),
        make=_text(ifd0.get(_MAKE)),
        model=_text(ifd0.get(_MODEL)),
        software=_text(ifd0.get(_SOFTWARE)),
        exif_thumbnail_mismatch=mismatch,
    )


# ---------------------------------------------------------------- EXIF value parsing
def _zone(name: str):
    try:
        return ZoneInfo(name)
    except Exception:
        return timezone.utc


def _sub_ifd(exif, name: str) -> dict:
    if exif is None:
        return {}
    from PIL.ExifTags import IFD

    try:
        return dict(exif.get_ifd(getattr(IFD, name)))
    except Exception:
        return {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (tuple, list)):
        value = " ".join(str(v) for v in value)
    return str(value).replace("\x00", "").strip()[:200]


def _int(value: Any) -> int | None:
    try:
        if isinstance(value, (tuple, list)):
            value = value[0]
        return int(value)
    except Exception:
        return None


def _float(value: Any) -> float | None:
    try:
        if isinstance(value, tuple) and len(value) == 2:  # raw (num, den)
            num, den = value
            return float(num) / float(den) if den else None
        result = float(value)
    except Exception:
        return None
    return result if result == result and result not in (float("inf"), float("-inf")) else None


def _exif_datetime(value: Any, offset: Any, tz, subsec: Any = None) -> tuple[datetime | None, bool]:
    text = _text(value)
    match = _EXIF_DT.match(text)
    if not match:
        return None, False
    try:
        parts = [int(p) for p in match.groups()]
        result = datetime(*parts)
    except ValueError:  # "0000:00:00 00:00:00" and friends
        return None, False
    sub = re.sub(r"\D", "", _text(subsec))[:6]
    if sub:
        result = result.replace(microsecond=int(sub.ljust(6, "0")))
    off = _OFFSET.match(_text(offset))
    if off:
        sign, hh, mm = off.groups()
        delta = timedelta(hours=int(hh), minutes=int(mm))
        if delta <= timedelta(hours=14):
            return result.replace(tzinfo=timezone(-delta if sign == "-" else delta)), True
    return result.replace(tzinfo=tz), False


def _gps_coord(value: Any, ref: Any, limit: float, negative_ref: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (tuple, list)):
        value = (value,)
    parts = [_float(v) for v in value[:3]]
    if not parts or any(p is None for p in parts):
        return None
    deg = parts[0] + (parts[1] / 60.0 if len(parts) > 1 else 0.0) + (
        parts[2] / 3600.0 if len(parts) > 2 else 0.0
    )
    if _text(ref).upper().startswith(negative_ref):
        deg = -abs(deg)
    if not -limit <= deg <= limit:
        return None
    return round(deg, 7)


def _gps_datetime(datestamp: Any, timestamp: Any) -> datetime | None:
    m = re.match(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})", _text(datestamp))
    if not m or not isinstance(timestamp, (tuple, list)) or len(timestamp) < 3:
        return None
    hms = [_float(v) for v in timestamp[:3]]
    if any(v is None or v < 0 for v in hms):
        return None
    try:
        day = date(*(int(p) for p in m.groups()))
        seconds = hms[0] * 3600 + hms[1] * 60 + hms[2]
        if seconds >= 86400 + 1:
            return None
        return datetime.combine(day, time(), tzinfo=timezone.utc) + timedelta(seconds=seconds)
    except (ValueError, OverflowError):
        return None


# ---------------------------------------------------------------- embedded thumbnail
#: Above these the embedded thumbnail is judged not to show the main image.
THUMB_DHASH_MAX = 14  # Hamming distance of 8x8 difference hashes (of 64)
THUMB_MEAN_DIFF_MAX = 18.0  # mean absolute grey-level difference at 16x16 (of 255)

_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM",
              5: "TRANSPOSE", 6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}


def _raw_tiff(img) -> bytes | None:
    raw = img.info.get("exif")
    if not isinstance(raw, (bytes, bytearray)):
        return None
    raw = bytes(raw)
    if raw.startswith(b"Exif\x00\x00"):
        return raw[6:]
    idx = raw.find(b"Exif\x00\x00", 0, 16)  # HEIF: 4-byte header offset, then "Exif\0\0"
    if idx >= 0:
        return raw[idx + 6:]
    return raw if raw[:2] in (b"II", b"MM") else None


def _exif_thumbnail(img, exif) -> bytes | None:
    """The JPEG thumbnail in IFD1 (b"" when IFD1 points at something unreadable)."""
    if exif is None:
        return None
    try:
        from PIL.ExifTags import IFD

        ifd1 = exif.get_ifd(IFD.IFD1)
        offset, length = int(ifd1[_THUMB_OFFSET]), int(ifd1[_THUMB_LENGTH])
    except Exception:
        return None
    tiff = _raw_tiff(img)
    if not tiff or length <= 0 or offset < 0 or offset + length > len(tiff):
        return b""
    return tiff[offset:offset + length]


def _thumbnail_mismatch(thumb_bytes: bytes, main, fmt: str, orientation: int) -> bool:
    from PIL import Image

    try:
        thumb = Image.open(io.BytesIO(thumb_bytes))
        thumb.load()
        thumb = thumb.convert("L")
    except Exception:
        return True  # a thumbnail that is not an image is not what a camera writes
    main = main.convert("L")
    method = _TRANSPOSE.get(orientation)
    if method:  # thumbnails are stored in the sensor's orientation, like the main image
        thumb = thumb.transpose(getattr(Image.Transpose, method))
        if fmt != "heic":  # libheif already applied the HEIF transforms to `main`
            main = main.transpose(getattr(Image.Transpose, method))
    thumb = _crop_to_aspect(thumb, main.width / main.height)
    return _differs(thumb, main)


def _crop_to_aspect(img, aspect: float):
    """Remove letterbox bars: centre-crop ``img`` to ``aspect`` if it differs by >3%."""
    w, h = img.size
    current = w / h
    if abs(current - aspect) / aspect <= 0.03:
        return img
    if current > aspect:  # too wide: crop width
        new_w = max(1, round(h * aspect))
        left = (w - new_w) // 2
        return img.crop((left, 0, left + new_w, h))
    new_h = max(1, round(w / aspect))
    top = (h - new_h) // 2
    return img.crop((0, top, w, top + new_h))


def _differs(a, b) -> bool:
    from PIL import Image

    def dhash(im) -> int:
        px = list(im.resize((9, 8), Image.Resampling.BOX).getdata())
        bits = 0
        for row in range(8):
            for col in range(8):
                bits = (bits << 1) | (px[row * 9 + col] > px[row * 9 + col + 1])
        return bits

    small_a = list(a.resize((16, 16), Image.Resampling.BOX).getdata())
    small_b = list(b.resize((16, 16), Image.Resampling.BOX).getdata())
    mean_diff = sum(abs(x - y) for x, y in zip(small_a, small_b)) / 256.0
    distance = (dhash(a) ^ dhash(b)).bit_count()
    return distance > THUMB_DHASH_MAX or mean_diff > THUMB_MEAN_DIFF_MAX
