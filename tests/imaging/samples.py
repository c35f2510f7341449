"""In-memory sample images for tests (importable by any test module).

    from tests.imaging import samples
    data = samples.jpeg_with_metadata(lat=31.2, lon=121.4)

Everything is deterministic: the same arguments give the same bytes. ``photo(seed)``
draws a photo-like scene (gradient sky/ground, shapes, texture); different seeds are
perceptually different, the same seed is pixel-identical.

EXIF is written by a small TIFF writer here (Pillow cannot write an IFD1 thumbnail):
IFD0 (Make/Model/Software/DateTime/Orientation), Exif IFD (DateTimeOriginal,
OffsetTimeOriginal, MakerNote, BodySerialNumber), GPS IFD and IFD1 (JPEG thumbnail).
"""
from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone
from fractions import Fraction

from PIL import Image, ImageDraw, ImageFilter

DEFAULT_LAT = 31.2304  # Shanghai
DEFAULT_LON = 121.4737
DEFAULT_TAKEN_AT = datetime(2024, 5, 14, 15, 30, 12)
MAKER_NOTE = b"Apple iOS\x00\x00\x01MM" + b"SERIAL-C39XK2QWJ1" + bytes(range(32))
BODY_SERIAL = "C39XK2QWJ1"

XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">
   <exif:GPSLatitude>{lat}</exif:GPSLatitude>
   <exif:GPSLongitude>{lon}</exif:GPSLongitude>
   <xmp:CreatorTool>{software}</xmp:CreatorTool>
   <photoshop:DateCreated>{taken}</photoshop:DateCreated>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


# ------------------------------------------------------------------ pixels
def photo(width: int = 1200, height: int = 900, seed: int = 0) -> Image.Image:
    """A photo-like RGB image with structure, from a seed."""
    rnd = random.Random(seed)
    # work at a modest size, then scale: fast even for 12 MP
    w0, h0 = min(width, 800), min(height, 800)
    if width > 800 or height > 800:
        scale = 800 / max(width, height)
        w0, h0 = max(8, round(width * scale)), max(8, round(height * scale))
    top = tuple(rnd.randrange(40, 230) for _ in range(3))
    bottom = tuple(rnd.randrange(20, 200) for _ in range(3))
    horizon = rnd.uniform(0.3, 0.7)
    grad = Image.linear_gradient("L").resize((w0, h0))
    sky = Image.new("RGB", (w0, h0), top)
    ground = Image.new("RGB", (w0, h0), bottom)
    img = Image.composite(ground, sky, grad)
    draw = ImageDraw.Draw(img)
    hy = int(h0 * horizon)
    draw.rectangle((0, hy, w0, h0), fill=tuple(rnd.randrange(0, 256) for _ in range(3)))
    for _ in range(rnd.randrange(8, 16)):
        x0, y0 = rnd.randrange(-w0 // 4, w0), rnd.randrange(-h0 // 4, h0)
        x1, y1 = x0 + rnd.randrange(w0 // 12, w0 // 2), y0 + rnd.randrange(h0 // 12, h0 // 2)
        color = tuple(rnd.randrange(0, 256) for _ in range(3))
        kind = rnd.random()
        if kind < 0.4:
            draw.rectangle((x0, y0, x1, y1), fill=color)
        elif kind < 0.75:
            draw.ellipse((x0, y0, x1, y1), fill=color)
        else:
            pts = [(rnd.randrange(0, w0), rnd.randrange(0, h0)) for _ in range(rnd.randrange(3, 6))]
            draw.polygon(pts, fill=color)
    for _ in range(rnd.randrange(10, 30)):  # poles, wires, edges
        draw.line(
            [(rnd.randrange(0, w0), rnd.randrange(0, h0)), (rnd.randrange(0, w0), rnd.randrange(0, h0))],
            fill=tuple(rnd.randrange(0, 256) for _ in range(3)), width=rnd.randrange(1, 6),
        )
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.frombytes("L", (w0, h0), rnd.randbytes(w0 * h0)).convert("RGB")
    img = Image.blend(img, noise, 0.06)
    if (w0, h0) != (width, height):
        img = img.resize((width, height), Image.Resampling.BICUBIC)
    return img


# ------------------------------------------------------------------ EXIF writer
_TYPES = {"B": 1, "A": 2, "H": 3, "L": 4, "R": 5, "U": 7}
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}


def _encode_value(kind: str, value, bo: str) -> tuple[int, int, bytes]:
    t = _TYPES[kind]
    if kind == "A":
        raw = value.encode("utf-8") + b"\x00"
        return t, len(raw), raw
    if kind in ("U", "B"):
        raw = bytes(value)
        return t, len(raw), raw
    values = value if isinstance(value, (tuple, list)) else (value,)
    if kind == "H":
        return t, len(values), b"".join(struct.pack(bo + "H", v) for v in values)
    if kind == "L":
        return t, len(values), b"".join(struct.pack(bo + "L", v) for v in values)
    if kind == "R":
        raw = b""
        for v in values:
            f = Fraction(v).limit_denominator(1_000_000)
            raw += struct.pack(bo + "LL", f.numerator, f.denominator)
        return t, len(values), raw
    raise ValueError(kind)


def _ifd(entries: list[tuple[int, str, object]], start: int, bo: str, next_ifd: int = 0) -> bytes:
    """Serialise one IFD placed at offset ``start`` (from the TIFF header)."""
    entries = sorted(entries, key=lambda e: e[0])
    n = len(entries)
    data_start = start + 2 + 12 * n + 4
    table, data = b"", b""
    for tag, kind, value in entries:
        t, count, raw = _encode_value(kind, value, bo)
        if len(raw) <= 4:
            table += struct.pack(bo + "HHL", tag, t, count) + raw.ljust(4, b"\x00")
        else:
            table += struct.pack(bo + "HHLL", tag, t, count, data_start + len(data))
            data += raw + (b"\x00" if len(raw) % 2 else b"")
    return struct.pack(bo + "H", n) + table + struct.pack(bo + "L", next_ifd) + data


def _ifd_size(entries, bo) -> int:
    return len(_ifd(entries, 0, bo))


def build_exif(
    ifd0: list, exif_ifd: list | None = None, gps_ifd: list | None = None,
    thumbnail: bytes | None = None, byteorder: str = "MM", prefix: bool = True,
) -> bytes:
    """A complete EXIF block (``Exif\\0\\0`` + TIFF). Entries are (tag, kind, value),
    kind one of A (ascii), H (short), L (long), R (rational), U (undefined), B (byte)."""
    bo = ">" if byteorder == "MM" else "<"
    ifd0 = list(ifd0)
    # placeholders so that sizes are final
    if exif_ifd is not None:
        ifd0.append((0x8769, "L", 0))
    if gps_ifd is not None:
        ifd0.append((0x8825, "L", 0))
    off0 = 8
    size0 = _ifd_size(ifd0, bo)
    off_exif = off0 + size0
    size_exif = _ifd_size(exif_ifd, bo) if exif_ifd is not None else 0
    off_gps = off_exif + size_exif
    size_gps = _ifd_size(gps_ifd, bo) if gps_ifd is not None else 0
    off_ifd1 = off_gps + size_gps
    ifd1 = None
    if thumbnail is not None:
        ifd1 = [(0x0103, "H", 6), (0x0201, "L", 0), (0x0202, "L", len(thumbnail))]
        off_thumb = off_ifd1 + _ifd_size(ifd1, bo)
        ifd1 = [(0x0103, "H", 6), (0x0201, "L", off_thumb), (0x0202, "L", len(thumbnail))]
    ifd0 = [e for e in ifd0 if e[0] not in (0x8769, 0x8825)]
    if exif_ifd is not None:
        ifd0.append((0x8769, "L", off_exif))
    if gps_ifd is not None:
        ifd0.append((0x8825, "L", off_gps))
    out = (b"MM\x00\x2a" if bo == ">" else b"II\x2a\x00") + struct.pack(bo + "L", off0)
    out += _ifd(ifd0, off0, bo, next_ifd=off_ifd1 if ifd1 else 0)
    if exif_ifd is not None:
        out += _ifd(exif_ifd, off_exif, bo)
    if gps_ifd is not None:
        out += _ifd(gps_ifd, off_gps, bo)
    if ifd1:
        out += _ifd(ifd1, off_ifd1, bo) + thumbnail
    return (b"Exif\x00\x00" if prefix else b"") + out


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    deg = int(value)
    minutes_f = (value - deg) * 60
    minutes = int(minutes_f)
    seconds = Fraction(round((minutes_f - minutes) * 60 * 10000), 10000)
    return Fraction(deg), Fraction(minutes), seconds


def exif_block(
    *, width: int, height: int, lat: float | None, lon: float | None,
    taken_at: datetime | None, offset: str | None, make: str, model: str, software: str,
    orientation: int = 1, maker_note: bool = True, thumbnail: bytes | None = None,
    modified_at: datetime | None = None, gps_time: datetime | None | bool = True,
    byteorder: str = "MM",
) -> bytes:
    ifd0: list = [(0x0112, "H", orientation)]
    if make:
        ifd0.append((0x010F, "A", make))
    if model:
        ifd0.append((0x0110, "A", model))
    if software:
        ifd0.append((0x0131, "A", software))
    stamp = modified_at or taken_at
    if stamp is not None:
        ifd0.append((0x0132, "A", stamp.strftime("%Y:%m:%d %H:%M:%S")))
    exif_ifd: list = [(0xA002, "L", width), (0xA003, "L", height), (0xA431, "A", BODY_SERIAL)]
    if taken_at is not None:
        exif_ifd.append((0x9003, "A", taken_at.strftime("%Y:%m:%d %H:%M:%S")))
        exif_ifd.append((0x9004, "A", taken_at.strftime("%Y:%m:%d %H:%M:%S")))
        if offset:
            exif_ifd.append((0x9011, "A", offset))
            exif_ifd.append((0x9010, "A", offset))
    if maker_note:
        exif_ifd.append((0x927C, "U", MAKER_NOTE))
    gps_ifd = None
    if lat is not None and lon is not None:
        gps_ifd = [
            (0, "B", b"\x02\x02\x00\x00"),
            (1, "A", "N" if lat >= 0 else "S"), (2, "R", _dms(lat)),
            (3, "A", "E" if lon >= 0 else "W"), (4, "R", _dms(lon)),
        ]
        if gps_time is True and taken_at is not None:
            local = taken_at.replace(tzinfo=_parse_offset(offset) or timezone(timedelta(hours=8)))
            gps_time = local.astimezone(timezone.utc)
        if isinstance(gps_time, datetime):
            g = gps_time.astimezone(timezone.utc)
            gps_ifd.append((7, "R", (Fraction(g.hour), Fraction(g.minute), Fraction(g.second))))
            gps_ifd.append((29, "A", g.strftime("%Y:%m:%d")))
    return build_exif(ifd0, exif_ifd, gps_ifd, thumbnail, byteorder=byteorder)


def _parse_offset(offset: str | None):
    if not offset:
        return None
    sign = -1 if offset[0] == "-" else 1
    hh, mm = offset[1:].split(":")
    return timezone(sign * timedelta(hours=int(hh), minutes=int(mm)))


def xmp_packet(lat: float, lon: float, software: str = "17.1", taken: str = "") -> bytes:
    def fmt(v: float, pos: str, neg: str) -> str:
        deg = int(abs(v))
        return f"{deg},{(abs(v) - deg) * 60:.4f}{pos if v >= 0 else neg}"

    return XMP_TEMPLATE.format(
        lat=fmt(lat, "N", "S"), lon=fmt(lon, "E", "W"), software=software, taken=taken
    ).encode("utf-8")


def jpeg_thumbnail(img: Image.Image, size=(160, 120)) -> bytes:
    thumb = img.copy()
    thumb.thumbnail(size)
    buf = io.BytesIO()
    thumb.convert("RGB").save(buf, "JPEG", quality=75)
    return buf.getvalue()


# ------------------------------------------------------------------ files
def jpeg_with_metadata(
    width: int = 1200, height: int = 900, lat: float | None = DEFAULT_LAT,
    lon: float | None = DEFAULT_LON, taken_at: datetime | None = DEFAULT_TAKEN_AT,
    offset: str | None = "+08:00", make: str = "Apple", model: str = "iPhone 13",
    software: str = "17.1", orientation: int = 1, xmp_gps: bool = True,
    maker_note: bool = True, exif_thumbnail: bool | bytes = True, seed: int = 0,
    modified_at: datetime | None = None, gps_time: datetime | None | bool = True,
    icc_profile: bool = True, quality: int = 90, image: Image.Image | None = None,
) -> bytes:
    """A JPEG carrying EXIF (GPS, times, camera, MakerNote, serial), XMP GPS, an EXIF
    thumbnail and an ICC profile. ``width``/``height`` are the stored pixel dimensions
    (the orientation tag is only written; a viewer would rotate for 5-8).

    ``exif_thumbnail`` may be bytes to embed a specific (e.g. stale) thumbnail.
    ``gps_time`` True derives it from ``taken_at``/``offset``; a datetime sets it.
    """
    img = image if image is not None else photo(width, height, seed)
    if isinstance(exif_thumbnail, bytes):
        thumb = exif_thumbnail
    else:
        thumb = jpeg_thumbnail(img) if exif_thumbnail else None
    exif = exif_block(
        width=img.width, height=img.height, lat=lat, lon=lon, taken_at=taken_at,
        offset=offset, make=make, model=model, software=software, orientation=orientation,
        maker_note=maker_note, thumbnail=thumb, modified_at=modified_at, gps_time=gps_time,
    )
    kwargs: dict = {"exif": exif, "quality": quality}
    if xmp_gps and lat is not None and lon is not None:
        kwargs["xmp"] = xmp_packet(lat, lon, software, taken_at.isoformat() if taken_at else "")
    if icc_profile:
        kwargs["icc_profile"] = srgb_icc()
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def heic_with_metadata(
    width: int = 1200, height: int = 900, lat: float | None = DEFAULT_LAT,
    lon: float | None = DEFAULT_LON, taken_at: datetime | None = DEFAULT_TAKEN_AT,
    offset: str | None = "+08:00", make: str = "Apple", model: str = "iPhone 15 Pro",
    software: str = "17.4.1", orientation: int = 1, xmp_gps: bool = True,
    maker_note: bool = True, seed: int = 0, quality: int = 80,
) -> bytes:
    """A HEIC (via pillow-heif) with EXIF GPS/time/camera/MakerNote and XMP GPS.
    ``orientation`` is written to EXIF; pillow-heif turns it into HEIF transforms."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    img = photo(width, height, seed)
    exif = exif_block(
        width=width, height=height, lat=lat, lon=lon, taken_at=taken_at, offset=offset,
        make=make, model=model, software=software, orientation=orientation,
        maker_note=maker_note, thumbnail=None,
    )
    kwargs: dict = {"exif": exif, "quality": quality}
    if xmp_gps and lat is not None and lon is not None:
        kwargs["xmp"] = xmp_packet(lat, lon, software)
    buf = io.BytesIO()
    img.save(buf, "HEIF", **kwargs)
    return buf.getvalue()


def png_bytes(width: int = 640, height: int = 480, seed: int = 0, alpha: bool = False) -> bytes:
    img = photo(width, height, seed)
    if alpha:
        img = img.convert("RGBA")
        img.putalpha(Image.linear_gradient("L").resize((width, height)))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def webp_bytes(width: int = 640, height: int = 480, seed: int = 0, exif: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    kwargs = {"quality": 80}
    if exif is not None:
        kwargs["exif"] = exif
    photo(width, height, seed).save(buf, "WEBP", **kwargs)
    return buf.getvalue()


def jpeg_bytes(img: Image.Image, quality: int = 90, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality, **kwargs)
    return buf.getvalue()


def srgb_icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def truncated_jpeg(fraction: float = 0.5) -> bytes:
    data = jpeg_with_metadata(width=800, height=600, exif_thumbnail=False)
    return data[: int(len(data) * fraction)]


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">L", len(payload)) + kind + payload + struct.pack(
        ">L", zlib.crc32(kind + payload) & 0xFFFFFFFF
    )


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A few hundred bytes declaring a 2.5-gigapixel greyscale image (1-bit rows of zeros)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = compressor.compress(row * 64) + compressor.flush(zlib.Z_SYNC_FLUSH)
    ihdr = struct.pack(">LLBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))


def not_an_image() -> bytes:
    return b"%PDF-1.4\n% this is not a photo\n" + bytes(range(256)) * 4


# ------------------------------------------------------------------ faces
def draw_face(img: Image.Image, box: tuple[int, int, int, int], skin=(224, 186, 160)) -> None:
    """Draw a frontal cartoon face in ``box`` (x0, y0, x1, y1), in place. OpenCV's
    frontal-face Haar cascade detects it (dark eyes/brows/mouth on a lighter oval)."""
    x0, y0, x1, y1 = box
    size = min(x1 - x0, y1 - y0)
    layer = Image.new("RGB", (size, size), (70, 60, 55))
    d = ImageDraw.Draw(layer)
    cx = cy = size / 2
    fw, fh = size * 0.30, size * 0.40
    d.ellipse((cx - fw, cy - fh, cx + fw, cy + fh), fill=skin)
    ey = cy - fh + 2 * fh * 0.42
    dark = (40, 30, 30)
    for sx in (-1, 1):
        ex = cx + sx * fw * 0.42
        d.ellipse((ex - fw * 0.2, ey - fw * 0.1, ex + fw * 0.2, ey + fw * 0.1), fill=dark)
        d.rectangle((ex - fw * 0.3, ey - fw * 0.32, ex + fw * 0.3, ey - fw * 0.22), fill=(60, 45, 40))
    shade = tuple(max(0, c - 35) for c in skin)
    d.polygon([(cx, ey + fw * 0.1), (cx - fw * 0.12, ey + fw * 0.65), (cx + fw * 0.12, ey + fw * 0.65)],
              fill=shade)
    my = ey + fw * 0.95
    d.ellipse((cx - fw * 0.38, my - fw * 0.08, cx + fw * 0.38, my + fw * 0.08), fill=(120, 50, 50))
    layer = layer.filter(ImageFilter.GaussianBlur(max(1, size // 100)))
    img.paste(layer, (x0, y0))


def face_picture(width: int = 1200, height: int = 900, faces: int = 1, seed: int = 0,
                 face_px: int = 360) -> Image.Image:
    """A photo-like scene with ``faces`` synthetic faces side by side."""
    img = photo(width, height, seed)
    gap = (width - faces * face_px) // (faces + 1)
    top = (height - face_px) // 2
    for i in range(faces):
        x = gap + i * (face_px + gap)
        draw_face(img, (x, top, x + face_px, top + face_px))
    return img


def face_image(width: int = 1200, height: int = 900, faces: int = 1, seed: int = 0,
               face_px: int = 360, **metadata) -> bytes:
    """JPEG of :func:`face_picture`, with the usual metadata (see jpeg_with_metadata)."""
    return jpeg_with_metadata(image=face_picture(width, height, faces, seed, face_px), **metadata)


def limits():
    """The decode limits from the settings, as the upload check and the worker use them."""
    from surveys.services.photos import decode_limits

    return decode_limits()


def deep_png(width: int = 10_000, height: int = 8_000) -> bytes:
    """A 16-bit greyscale PNG of ``width`` x ``height`` that compresses to well under a
    megabyte (a smooth ramp) but takes 2 bytes per pixel once decoded."""
    ramp = b"".join(((x * 65535) // max(1, width - 1)).to_bytes(2, "big") for x in range(width))
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(b"\x00" + ramp) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">LLBBBBB", width, height, 16, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))


def truncated_jpeg_with_end_marker(fraction: float = 0.6) -> bytes:
    """A JPEG cut inside its compressed data, with a valid end-of-image marker appended
    (what an interrupted upload that a client "repaired" looks like)."""
    data = jpeg_with_metadata(width=800, height=600, exif_thumbnail=False)
    return data[: int(len(data) * fraction)] + b"\xff\xd9"


def pentax_maker_note(taken_at: datetime, byteorder: str = "MM") -> bytes:
    """A Pentax maker note ("AOC\\0" + byte order + IFD) holding the capture time in its
    Date (year as uint16, month, day) and Time (hour, minute, second) tags."""
    bo = ">" if byteorder == "MM" else "<"
    date_value = struct.pack(bo + "H", taken_at.year) + bytes([taken_at.month, taken_at.day])
    time_value = bytes([taken_at.hour, taken_at.minute, taken_at.second, 0])
    entries = struct.pack(bo + "H", 2)
    entries += struct.pack(bo + "HHL", 0x0006, 7, 4) + date_value
    entries += struct.pack(bo + "HHL", 0x0007, 7, 3) + time_value
    return b"AOC\x00" + byteorder.encode() + entries + struct.pack(bo + "L", 0)


def xmp_with(properties: dict[str, str], *, as_attributes: bool = False) -> bytes:
    """An XMP packet with the given ``prefix:Name`` -> value properties, written as
    elements or as attributes of rdf:Description (both forms occur in real files)."""
    namespaces = ('xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
                  'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"')
    if as_attributes:
        attrs = " ".join(f'{name}="{value}"' for name, value in properties.items())
        body = f'<rdf:Description rdf:about="" {namespaces} {attrs}/>'
    else:
        elements = "".join(f"<{name}>{value}</{name}>" for name, value in properties.items())
        body = f'<rdf:Description rdf:about="" {namespaces}>{elements}</rdf:Description>'
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{body}</rdf:RDF></x:xmpmeta>'
            '<?xpacket end="w"?>').encode("utf-8")
