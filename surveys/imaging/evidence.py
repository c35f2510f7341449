"""Evidence read from the untouched original bytes: hash, size, capture time, GPS, camera.

Only Pillow (plus pillow-heif for HEIC) and ImageHash are used. ``data`` is never
modified; all parsing is defensive: a malformed field yields ``None``/"" for that field,
never an exception. Only undecodable images raise :class:`UndecodableImage`.

The capture time comes from EXIF DateTimeOriginal; where EXIF lacks it, from the XMP
packet (exif:DateTimeOriginal, then xmp:CreateDate), then from the maker note (Pentax's
Date/Time tags, the one maker-note layout here that records the capture time apart from
EXIF).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from PIL.ExifTags import GPS, IFD, Base

from . import decode as decoding
from .errors import UndecodableImage

_EXIF_DT = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")
#: An XMP date (ISO 8601, as XMP writes it): date and time to the minute at least.
_XMP_DT = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
#: XMP properties holding the capture time, best first (any namespace prefix).
_XMP_CAPTURE = ("DateTimeOriginal", "CreateDate")
#: Pentax maker note: "AOC\0" + byte order, then an IFD whose offsets count from the note's start.
_PENTAX_DATE, _PENTAX_TIME = 0x0006, 0x0007
#: Image.transpose methods for EXIF orientations 2-8.
_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM",
              5: "TRANSPOSE", 6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}


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
    taken_at_source: str = ""  # "exif" | "xmp" | "maker_note" | "" (no capture time)

    def as_dict(self) -> dict:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, datetime):
                out[key] = value.isoformat()
        return out


def read_evidence(data: bytes, *, limits: decoding.DecodeLimits, site_tz: str = "Asia/Shanghai") -> PhotoEvidence:
    """Read the evidence of an original upload. Raises UndecodableImage."""
    opened = decoding.open_image(data, limits)
    # The pixels are decoded (a JPEG at 1/8 scale) so that corrupt uploads fail here too;
    # the small image also serves the thumbnail comparison.
    return evidence_of(opened, decoding.decode(opened, at_least=(64, 64)), site_tz=site_tz)


def evidence_of(opened: decoding.Opened, pixels, *, site_tz: str) -> PhotoEvidence:
    """The evidence of an opened original whose pixels (any scale, raw orientation except
    for HEIC, which libheif orients) were decoded by the caller."""
    img, fmt = opened.image, opened.format
    tz = _zone(site_tz)
    try:
        exif = img.getexif()
    except Exception:  # corrupt EXIF must not hide the rest of the evidence
        exif = None
    ifd0: dict = dict(exif) if exif is not None else {}
    exif_ifd = _sub_ifd(exif, IFD.Exif)
    gps_ifd = _sub_ifd(exif, IFD.GPSInfo)

    # pillow-heif applies the HEIF transforms on decode and resets the EXIF tag to 1,
    # keeping the original value in info["original_orientation"].
    width, height = img.size
    if fmt == "heic":
        orientation = _int(img.info.get("original_orientation")) or 1
    else:
        orientation = _int(ifd0.get(Base.Orientation)) or 1
        if orientation in (5, 6, 7, 8):
            width, height = height, width

    taken_at, has_offset, source = _capture_time(img, exif_ifd, tz)
    modified_at, _ = _exif_datetime(ifd0.get(Base.DateTime), exif_ifd.get(Base.OffsetTime), tz)
    lat = _gps_coord(gps_ifd.get(GPS.GPSLatitude), gps_ifd.get(GPS.GPSLatitudeRef), 90.0, "S")
    lon = _gps_coord(gps_ifd.get(GPS.GPSLongitude), gps_ifd.get(GPS.GPSLongitudeRef), 180.0, "W")
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        lat = lon = None  # (0, 0) is what broken GPS stacks write without a fix

    thumb = _exif_thumbnail(img, exif)
    mismatch = None if thumb is None else _thumbnail_mismatch(thumb, pixels, opened, orientation)

    return PhotoEvidence(
        sha256=hashlib.sha256(opened.data).hexdigest(),
        format=fmt,
        width=int(width),
        height=int(height),
        taken_at=taken_at,
        taken_at_has_offset=has_offset,
        taken_at_source=source,
        modified_at=modified_at,
        latitude=lat,
        longitude=lon,
        gps_time=_gps_datetime(gps_ifd.get(GPS.GPSDateStamp), gps_ifd.get(GPS.GPSTimeStamp)),
        make=_text(ifd0.get(Base.Make)),
        model=_text(ifd0.get(Base.Model)),
        software=_text(ifd0.get(Base.Software)),
        exif_thumbnail_mismatch=mismatch,
    )


# ---------------------------------------------------------------- capture time
def _capture_time(img, exif_ifd: dict, tz) -> tuple[datetime | None, bool, str]:
    """(time, has its own UTC offset, where it was found), EXIF first."""
    taken, has_offset = _exif_datetime(
        exif_ifd.get(Base.DateTimeOriginal), exif_ifd.get(Base.OffsetTimeOriginal), tz,
        subsec=exif_ifd.get(Base.SubsecTimeOriginal),
    )
    if taken is not None:
        return taken, has_offset, "exif"
    xmp = _xmp_text(img)
    for name in _XMP_CAPTURE:
        taken, has_offset = _xmp_datetime(_xmp_property(xmp, name), tz)
        if taken is not None:
            return taken, has_offset, "xmp"
    taken = _maker_note_datetime(exif_ifd.get(Base.MakerNote), tz)
    if taken is not None:
        return taken, False, "maker_note"
    return None, False, ""


def _xmp_text(img) -> str:
    raw = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp") or b""
    if isinstance(raw, str):
        return raw
    return bytes(raw).decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else ""


def _xmp_property(xmp: str, name: str) -> str:
    """A simple XMP property's value, written as an element or as an attribute. Read with
    a pattern, not an XML parser: the packet is untrusted and only dates are wanted."""
    if not xmp:
        return ""
    match = re.search(rf"<(?:[\w.-]+:)?{name}\b[^>]*>\s*([^<]{{1,64}}?)\s*</", xmp) or re.search(
        rf"\s(?:[\w.-]+:)?{name}\s*=\s*[\"']([^\"']{{1,64}})[\"']", xmp)
    return match.group(1) if match else ""


def _xmp_datetime(text: str, tz) -> tuple[datetime | None, bool]:
    match = _XMP_DT.match(text or "")
    if not match:
        return None, False
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        result = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                          int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None, False
    return _zoned(result, "+00:00" if offset == "Z" else offset or "", tz)


def _maker_note_datetime(note: Any, tz) -> datetime | None:
    """Pentax's Date (year as uint16, month, day) and Time (hour, minute, second) tags."""
    if not isinstance(note, (bytes, bytearray)) or not note.startswith(b"AOC\x00"):
        return None
    note = bytes(note)
    order = {b"MM": ">", b"II": "<"}.get(note[4:6], ">")  # old bodies write two spaces: big-endian
    tags = _ifd_entries(note, 6, order)
    day, clock = tags.get(_PENTAX_DATE), tags.get(_PENTAX_TIME)
    if day is None or clock is None or len(day) < 4 or len(clock) < 3:
        return None
    try:
        return datetime(int.from_bytes(day[:2], "big" if order == ">" else "little"), day[2], day[3],
                        clock[0], clock[1], clock[2], tzinfo=tz)
    except ValueError:
        return None


def _ifd_entries(block: bytes, start: int, order: str) -> dict[int, bytes]:
    """The raw value bytes of each entry of the TIFF IFD at ``start`` (offsets from the
    block's start), for the entry types the maker note uses (bytes / undefined)."""
    import struct

    try:
        (count,) = struct.unpack_from(order + "H", block, start)
        entries = {}
        for i in range(min(count, 512)):
            tag, kind, n, value = struct.unpack_from(order + "HHL4s", block, start + 2 + 12 * i)
            if kind not in (1, 7) or n > 64:
                continue
            if n <= 4:
                entries[tag] = value[:n]
            else:
                (offset,) = struct.unpack(order + "L", value)
                entries[tag] = block[offset:offset + n]
        return entries
    except struct.error:
        return {}


# ---------------------------------------------------------------- EXIF value parsing
def _zone(name: str):
    try:
        return ZoneInfo(name)
    except Exception:
        return timezone.utc


def _sub_ifd(exif, ifd: IFD) -> dict:
    if exif is None:
        return {}
    try:
        return dict(exif.get_ifd(ifd))
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
    return _zoned(result, _text(offset), tz)


def _zoned(naive: datetime, offset: str, tz) -> tuple[datetime, bool]:
    """``naive`` in its own UTC offset ("+08:00") when that is a real one, else in ``tz``."""
    off = _OFFSET.match(offset)
    if off:
        sign, hh, mm = off.groups()
        delta = timedelta(hours=int(hh), minutes=int(mm))
        if delta <= timedelta(hours=14):
            return naive.replace(tzinfo=timezone(-delta if sign == "-" else delta)), True
    return naive.replace(tzinfo=tz), False


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
        ifd1 = exif.get_ifd(IFD.IFD1)
        offset, length = int(ifd1[Base.JpegIFOffset]), int(ifd1[Base.JpegIFByteCount])
    except Exception:
        return None
    tiff = _raw_tiff(img)
    if not tiff or length <= 0 or offset < 0 or offset + length > len(tiff):
        return b""
    return tiff[offset:offset + length]


def _thumbnail_mismatch(thumb_bytes: bytes, main, opened: decoding.Opened, orientation: int) -> bool:
    from PIL import Image

    try:  # untrusted bytes like the rest: through the same decoder and limits
        thumb = decoding.decode(decoding.open_image(thumb_bytes, opened.limits), at_least=(64, 64)).convert("L")
    except UndecodableImage:
        return True  # a thumbnail that is not an image is not what a camera writes
    main = main.convert("L")
    if max(main.size) > 512:  # the comparison works at 16x16: no need to transpose megapixels
        main = main.reduce(max(main.size) // 256)
    method = _TRANSPOSE.get(orientation)
    if method:  # thumbnails are stored in the sensor's orientation, like the main image
        thumb = thumb.transpose(getattr(Image.Transpose, method))
        if opened.format != "heic":  # libheif already applied the HEIF transforms to `main`
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
    import imagehash
    from PIL import Image

    small_a = a.resize((16, 16), Image.Resampling.BOX).getdata()
    small_b = b.resize((16, 16), Image.Resampling.BOX).getdata()
    mean_diff = sum(abs(x - y) for x, y in zip(small_a, small_b)) / 256.0
    distance = imagehash.dhash(a) - imagehash.dhash(b)
    return distance > THUMB_DHASH_MAX or mean_diff > THUMB_MEAN_DIFF_MAX
