import hashlib
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from surveys.imaging.evidence import PhotoEvidence, read_evidence
from tests.imaging import samples
from tests.imaging.samples import limits

CST = timezone(timedelta(hours=8))


def test_jpeg_evidence_from_original(gps_jpeg):
    before = bytes(gps_jpeg)
    ev = read_evidence(gps_jpeg, limits=limits())
    assert gps_jpeg == before
    assert ev.sha256 == hashlib.sha256(gps_jpeg).hexdigest()
    assert ev.format == "jpeg"
    assert (ev.width, ev.height) == (1200, 900)
    assert ev.taken_at == datetime(2024, 5, 14, 15, 30, 12, tzinfo=CST)
    assert ev.taken_at.utcoffset() == timedelta(hours=8)
    assert ev.taken_at_has_offset is True
    assert ev.modified_at == ev.taken_at
    assert ev.latitude == pytest.approx(31.2304, abs=1e-6)
    assert ev.longitude == pytest.approx(121.4737, abs=1e-6)
    assert ev.gps_time == datetime(2024, 5, 14, 7, 30, 12, tzinfo=timezone.utc)
    assert (ev.make, ev.model, ev.software) == ("Apple", "iPhone 13", "17.1")
    assert ev.exif_thumbnail_mismatch is False


def test_negative_coordinates_from_refs():
    ev = read_evidence(samples.jpeg_with_metadata(lat=-22.9068, lon=-43.1729), limits=limits())
    assert ev.latitude == pytest.approx(-22.9068, abs=1e-6)
    assert ev.longitude == pytest.approx(-43.1729, abs=1e-6)


@pytest.mark.parametrize("orientation,size", [(1, (1200, 900)), (3, (1200, 900)),
                                              (6, (900, 1200)), (8, (900, 1200))])
def test_orientation_swaps_dimensions(orientation, size):
    ev = read_evidence(samples.jpeg_with_metadata(orientation=orientation), limits=limits())
    assert (ev.width, ev.height) == size
    assert ev.exif_thumbnail_mismatch is False


def test_naive_time_read_in_site_timezone():
    data = samples.jpeg_with_metadata(offset=None, gps_time=False)
    ev = read_evidence(data, site_tz="Europe/Berlin", limits=limits())
    assert ev.taken_at_has_offset is False
    assert ev.taken_at == datetime(2024, 5, 14, 15, 30, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    assert ev.taken_at.utcoffset() == timedelta(hours=2)  # CEST in May
    default = read_evidence(data, limits=limits())
    assert default.taken_at.utcoffset() == timedelta(hours=8)  # Asia/Shanghai


def test_offset_wins_over_site_timezone():
    ev = read_evidence(samples.jpeg_with_metadata(offset="-05:00"), site_tz="Asia/Shanghai", limits=limits())
    assert ev.taken_at.utcoffset() == timedelta(hours=-5)
    assert ev.taken_at_has_offset


def test_heic_from_iphone(gps_heic):
    ev = read_evidence(gps_heic, limits=limits())
    assert ev.format == "heic"
    assert ev.sha256 == hashlib.sha256(gps_heic).hexdigest()
    assert (ev.width, ev.height) == (900, 1200)  # stored 1200x900, orientation 6
    assert ev.latitude == pytest.approx(-33.8688, abs=1e-6)
    assert ev.longitude == pytest.approx(151.2093, abs=1e-6)
    assert ev.taken_at == datetime(2024, 5, 14, 15, 30, 12, tzinfo=CST)
    assert (ev.make, ev.model) == ("Apple", "iPhone 15 Pro")
    assert ev.exif_thumbnail_mismatch is None


def test_png_and_webp_without_metadata():
    for data, fmt in ((samples.png_bytes(), "png"), (samples.webp_bytes(), "webp")):
        ev = read_evidence(data, limits=limits())
        assert ev.format == fmt and (ev.width, ev.height) == (640, 480)
        assert ev.taken_at is None and ev.latitude is None and ev.gps_time is None
        assert ev.exif_thumbnail_mismatch is None
        assert ev.make == ev.model == ev.software == ""


def test_webp_with_exif():
    exif = samples.exif_block(width=640, height=480, lat=40.0, lon=116.5,
                              taken_at=samples.DEFAULT_TAKEN_AT, offset="+08:00",
                              make="Xiaomi", model="14", software="MIUI")
    ev = read_evidence(samples.webp_bytes(exif=exif), limits=limits())
    assert (ev.latitude, ev.longitude, ev.make) == (40.0, 116.5, "Xiaomi")


def test_edit_inputs_software_and_modified_time():
    data = samples.jpeg_with_metadata(software="Adobe Photoshop 25.0 (Windows)",
                                      modified_at=datetime(2024, 6, 1, 9, 0, 0))
    ev = read_evidence(data, limits=limits())
    assert ev.software == "Adobe Photoshop 25.0 (Windows)"
    assert ev.modified_at == datetime(2024, 6, 1, 9, 0, 0, tzinfo=CST)


def test_stale_exif_thumbnail_is_a_mismatch():
    stale = samples.jpeg_thumbnail(samples.photo(seed=99))
    ev = read_evidence(samples.jpeg_with_metadata(exif_thumbnail=stale), limits=limits())
    assert ev.exif_thumbnail_mismatch is True


def test_local_edit_not_reflected_in_thumbnail_is_a_mismatch():
    from PIL import ImageDraw

    original = samples.photo(1200, 900, seed=3)
    thumb = samples.jpeg_thumbnail(original)
    edited = original.copy()
    ImageDraw.Draw(edited).rectangle((0, 0, 700, 500), fill=(250, 250, 250))  # paint out a third
    ev = read_evidence(samples.jpeg_with_metadata(image=edited, exif_thumbnail=thumb), limits=limits())
    assert ev.exif_thumbnail_mismatch is True


def test_letterboxed_thumbnail_still_matches():
    from PIL import Image

    img = samples.photo(1600, 900, seed=4)  # 16:9 body, 4:3 thumbnail with bars
    small = img.resize((160, 90))
    boxed = Image.new("RGB", (160, 120))
    boxed.paste(small, (0, 15))
    ev = read_evidence(samples.jpeg_with_metadata(image=img, exif_thumbnail=samples.jpeg_bytes(boxed)), limits=limits())
    assert ev.exif_thumbnail_mismatch is False


def test_garbage_exif_values_do_not_crash():
    exif = samples.build_exif(
        [(0x0132, "A", "0000:00:00 00:00:00"), (0x010F, "A", "  Canon\x00 ")],
        [(0x9003, "A", "garbage"), (0x9011, "A", "+99:99")],
        [(1, "A", "N"), (2, "R", (0, 0, 0)), (3, "A", "E"), (4, "R", (0, 0, 0)), (29, "A", "x")],
    )
    ev = read_evidence(samples.jpeg_bytes(samples.photo(300, 200), exif=exif), limits=limits())
    assert ev.taken_at is None and ev.modified_at is None
    assert ev.latitude is None and ev.longitude is None  # (0, 0) is "no fix"
    assert ev.gps_time is None
    assert ev.make == "Canon"


def test_as_dict_is_json_serialisable(gps_jpeg):
    import json

    d = read_evidence(gps_jpeg, limits=limits()).as_dict()
    assert json.loads(json.dumps(d))["taken_at"] == "2024-05-14T15:30:12+08:00"
    assert set(d) == {f for f in PhotoEvidence.__dataclass_fields__}


def test_little_endian_exif():
    from PIL import Image  # noqa: F401

    exif = samples.build_exif([(0x010F, "A", "SAMSUNG")], [], [(1, "A", "S"), (2, "R", (10, 30, 0)),
                              (3, "A", "W"), (4, "R", (20, 15, 0))], byteorder="II")
    ev = read_evidence(samples.jpeg_bytes(samples.photo(300, 200), exif=exif), limits=limits())
    assert ev.make == "SAMSUNG"
    assert ev.latitude == pytest.approx(-10.5) and ev.longitude == pytest.approx(-20.25)
