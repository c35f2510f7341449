"""Capture time where EXIF lacks DateTimeOriginal: the XMP packet, then the maker note."""
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, PngImagePlugin

from surveys.imaging.evidence import read_evidence
from tests.imaging import samples
from tests.imaging.samples import limits

TAKEN = datetime(2024, 5, 14, 15, 30, 12)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def jpeg_without_exif_time(*, xmp: bytes | None = None, maker_note: bytes | None = None) -> bytes:
    exif_ifd = [(0x927C, "U", maker_note)] if maker_note else []
    exif = samples.build_exif([(0x010F, "A", "PENTAX")], exif_ifd)
    extra = {"xmp": xmp} if xmp else {}
    return samples.jpeg_bytes(samples.photo(400, 300), exif=exif, **extra)


@pytest.mark.parametrize("as_attributes", [False, True])
def test_xmp_date_time_original_with_offset(as_attributes):
    xmp = samples.xmp_with({"exif:DateTimeOriginal": "2024-05-14T15:30:12.25+08:00"}, as_attributes=as_attributes)
    ev = read_evidence(jpeg_without_exif_time(xmp=xmp), limits=limits())
    assert ev.taken_at == TAKEN.replace(microsecond=250_000, tzinfo=timezone(timedelta(hours=8)))
    assert ev.taken_at_has_offset is True and ev.taken_at_source == "xmp"


def test_xmp_create_date_without_offset_is_read_in_the_site_zone():
    xmp = samples.xmp_with({"xmp:CreateDate": "2024-05-14T15:30"})
    ev = read_evidence(jpeg_without_exif_time(xmp=xmp), limits=limits(), site_tz="Europe/Berlin")
    assert ev.taken_at == datetime(2024, 5, 14, 15, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert ev.taken_at_has_offset is False and ev.taken_at_source == "xmp"


def test_xmp_date_time_original_wins_over_create_date_and_utc_is_an_offset():
    xmp = samples.xmp_with({"xmp:CreateDate": "2020-01-01T00:00:00", "exif:DateTimeOriginal": "2024-05-14T07:30:12Z"})
    ev = read_evidence(jpeg_without_exif_time(xmp=xmp), limits=limits())
    assert ev.taken_at == TAKEN.replace(tzinfo=timezone(timedelta(hours=8)))
    assert ev.taken_at.utcoffset() == timedelta(0) and ev.taken_at_has_offset


def test_exif_wins_over_xmp(gps_jpeg):
    data = samples.jpeg_with_metadata(image=samples.photo(400, 300), exif_thumbnail=False)
    ev = read_evidence(data, limits=limits())
    assert ev.taken_at_source == "exif" and ev.taken_at == TAKEN.replace(tzinfo=timezone(timedelta(hours=8)))


def test_xmp_in_a_png():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", samples.xmp_with({"exif:DateTimeOriginal": "2024-05-14T15:30:12"}).decode())
    buf = io.BytesIO()
    samples.photo(300, 200).save(buf, "PNG", pnginfo=info)
    ev = read_evidence(buf.getvalue(), limits=limits())
    assert ev.taken_at == TAKEN.replace(tzinfo=SHANGHAI) and ev.taken_at_source == "xmp"


@pytest.mark.parametrize("value", ["garbage", "2024-13-40T25:61:00", "2024-05-14", "", "2024-05-14T15:30:12+99:00"])
def test_bad_xmp_dates_give_no_time_or_the_site_zone(value):
    xmp = samples.xmp_with({"exif:DateTimeOriginal": value})
    ev = read_evidence(jpeg_without_exif_time(xmp=xmp), limits=limits())
    if value.endswith("+99:00"):  # the offset is impossible, the time itself is fine
        assert ev.taken_at == TAKEN.replace(tzinfo=SHANGHAI) and not ev.taken_at_has_offset
    else:
        assert ev.taken_at is None and ev.taken_at_source == ""


@pytest.mark.parametrize("byteorder", ["MM", "II"])
def test_pentax_maker_note_time(byteorder):
    note = samples.pentax_maker_note(TAKEN, byteorder=byteorder)
    ev = read_evidence(jpeg_without_exif_time(maker_note=note), limits=limits(), site_tz="Asia/Shanghai")
    assert ev.taken_at == TAKEN.replace(tzinfo=SHANGHAI)
    assert ev.taken_at_has_offset is False and ev.taken_at_source == "maker_note"


def test_xmp_wins_over_the_maker_note():
    xmp = samples.xmp_with({"exif:DateTimeOriginal": "2024-05-14T15:30:12+08:00"})
    note = samples.pentax_maker_note(datetime(2001, 1, 1, 1, 1, 1))
    ev = read_evidence(jpeg_without_exif_time(xmp=xmp, maker_note=note), limits=limits())
    assert ev.taken_at_source == "xmp" and ev.taken_at.year == 2024


@pytest.mark.parametrize("note", [b"AOC\x00MM\xff\xff", b"AOC\x00MM", samples.MAKER_NOTE, b"AOC\x00MM" + b"\x00\x02" + b"\xff" * 30])
def test_malformed_or_other_maker_notes_give_no_time(note):
    ev = read_evidence(jpeg_without_exif_time(maker_note=note), limits=limits())
    assert ev.taken_at is None


def test_derivatives_never_carry_the_xmp_time():
    from surveys.imaging.derivatives import make_derivatives

    xmp = samples.xmp_with({"exif:DateTimeOriginal": "2024-05-14T15:30:12+08:00"})
    d = make_derivatives(jpeg_without_exif_time(xmp=xmp), limits=limits())
    assert b"2024-05-14" not in d.display and "xmp" not in Image.open(io.BytesIO(d.display)).info
