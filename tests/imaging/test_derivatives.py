import hashlib
import io

import exifread
import pytest
from PIL import Image

from surveys.imaging.derivatives import Derivatives, make_derivatives
from surveys.imaging.evidence import read_evidence
from surveys.imaging.fingerprints import Fingerprints
from tests.imaging import samples
from tests.imaging.samples import limits

LEAKY_INFO_KEYS = {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "photoshop", "iptc", "comment"}


def assert_clean(jpeg: bytes) -> None:
    """No EXIF/GPS/XMP/ICC/maker notes/serials, by Pillow, exifread and raw bytes."""
    img = Image.open(io.BytesIO(jpeg))
    assert img.format == "JPEG"
    assert len(img.getexif()) == 0
    assert not (LEAKY_INFO_KEYS & set(img.info)), img.info.keys()
    assert img.applist == [] or all(m[0] == "APP0" for m in img.applist), [m[0] for m in img.applist]
    tags = exifread.process_file(io.BytesIO(jpeg), details=True)
    assert not any(k.startswith(("GPS", "EXIF", "MakerNote", "Image")) for k in tags), list(tags)
    assert "JPEGThumbnail" not in tags
    for needle in (b"Exif", b"http://ns.adobe.com/xap", b"GPSLatitude", b"exif:GPS",
                   samples.BODY_SERIAL.encode(), b"SERIAL-C39XK2QWJ1", b"Apple", b"iPhone",
                   b"ICC_PROFILE", b"Photoshop 3.0"):
        assert needle not in jpeg, needle


def test_original_has_the_metadata_we_strip(gps_jpeg):
    img = Image.open(io.BytesIO(gps_jpeg))
    assert img.getexif().get_ifd(0x8825)  # GPS IFD
    assert b"exif:GPSLatitude" in img.info["xmp"]
    assert "icc_profile" in img.info
    tags = exifread.process_file(io.BytesIO(gps_jpeg))
    assert "GPS GPSLatitude" in tags and "EXIF MakerNote" in tags and "JPEGThumbnail" in tags


def test_jpeg_derivatives_carry_no_metadata_and_evidence_keeps_it(gps_jpeg):
    digest = hashlib.sha256(gps_jpeg).hexdigest()
    before = bytes(gps_jpeg)
    d = make_derivatives(gps_jpeg, limits=limits())
    ev = read_evidence(gps_jpeg, limits=limits())
    assert gps_jpeg == before and hashlib.sha256(gps_jpeg).hexdigest() == digest == ev.sha256
    assert ev.latitude == pytest.approx(31.2304, abs=1e-6) and ev.make == "Apple"
    assert_clean(d.display)
    assert_clean(d.thumbnail)


def test_heic_derivatives_carry_no_metadata(gps_heic):
    img = Image.open(io.BytesIO(gps_heic))  # pillow-heif registered by the tests/imaging run
    assert img.getexif().get_ifd(0x8825) and b"GPSLatitude" in img.info["xmp"]
    d = make_derivatives(gps_heic, limits=limits())
    assert_clean(d.display)
    assert_clean(d.thumbnail)
    assert d.display_size == (900, 1200)  # oriented
    ev = read_evidence(gps_heic, limits=limits())
    assert ev.latitude == pytest.approx(-33.8688, abs=1e-6)


def test_plain_pillow_resave_would_leak_gps(gps_heic):
    """Why derivatives are rebuilt from pixels: re-saving the decoded image keeps EXIF."""
    img = Image.open(io.BytesIO(gps_heic))
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=img.info["exif"])
    assert Image.open(buf).getexif().get_ifd(0x8825)


def test_sizes_and_types(gps_jpeg):
    d = make_derivatives(gps_jpeg, limits=limits())
    assert isinstance(d, Derivatives) and isinstance(d.fingerprints, Fingerprints)
    assert d.display_size == (1200, 900)  # never upscaled
    assert d.thumbnail_size == (320, 240)
    assert Image.open(io.BytesIO(d.display)).size == d.display_size
    assert Image.open(io.BytesIO(d.thumbnail)).size == d.thumbnail_size
    assert Image.open(io.BytesIO(d.display)).mode == "RGB"


def test_large_jpeg_is_downscaled():
    d = make_derivatives(samples.jpeg_with_metadata(width=4000, height=3000), thumbnail_px=256, limits=limits())
    assert d.display_size == (1600, 1200)
    assert d.thumbnail_size == (256, 192)


def test_custom_display_size_portrait():
    d = make_derivatives(samples.jpeg_with_metadata(width=900, height=1200), display_px=600, limits=limits())
    assert d.display_size == (450, 600)


@pytest.mark.parametrize("orientation,corner", [(1, (0, 0)), (3, (1, 1)), (6, (1, 0)), (8, (0, 1))])
def test_orientation_applied_to_pixels(orientation, corner):
    """A red block at the stored top-left ends up where a viewer shows it."""
    img = Image.new("RGB", (800, 600), (20, 120, 220))
    img.paste((230, 20, 20), (0, 0, 200, 150))
    d = make_derivatives(samples.jpeg_with_metadata(image=img, orientation=orientation),
                         blur_faces=False, limits=limits())
    out = Image.open(io.BytesIO(d.display))
    w, h = out.size
    assert (w > h) == (orientation in (1, 3))
    x = 10 if corner[0] == 0 else w - 10
    y = 10 if corner[1] == 0 else h - 10
    r, g, b = out.getpixel((x, y))
    assert r > 180 and g < 80 and b < 80, (orientation, out.getpixel((x, y)))


def test_png_with_alpha_and_webp():
    d = make_derivatives(samples.png_bytes(alpha=True), limits=limits())
    assert d.display_size == (640, 480)
    assert_clean(d.display)
    top_left = Image.open(io.BytesIO(d.display)).getpixel((2, 2))
    assert min(top_left) > 230  # transparent -> white, not black
    d = make_derivatives(samples.webp_bytes(), limits=limits())
    assert d.display_size == (640, 480)
    assert_clean(d.display)


def test_icc_profile_never_reaches_the_output():
    d = make_derivatives(samples.jpeg_with_metadata(icc_profile=True), limits=limits())
    assert "icc_profile" not in Image.open(io.BytesIO(d.display)).info


def test_non_srgb_profile_is_converted(monkeypatch):
    from PIL import ImageCms

    from surveys.imaging import derivatives

    calls = []
    real = ImageCms.profileToProfile
    monkeypatch.setattr(ImageCms, "profileToProfile",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(ImageCms, "getProfileDescription", lambda p: "Display P3")
    d = make_derivatives(samples.jpeg_with_metadata(icc_profile=True), limits=limits())
    assert calls and d.display_size == (1200, 900)
    assert derivatives._SRGB is not None


def mean_diff(a, b, box) -> float:
    from PIL import ImageChops, ImageStat

    diff = ImageChops.difference(a.convert("L").crop(box), b.convert("L").crop(box))
    return ImageStat.Stat(diff).mean[0]


def test_faces_are_blurred():
    src = samples.face_picture(1200, 900, faces=2, seed=5, face_px=320)
    d = make_derivatives(samples.jpeg_with_metadata(image=src), limits=limits())
    assert d.faces_blurred == 2
    out = Image.open(io.BytesIO(d.display))
    # the detector no longer finds a face in the published image ...
    from surveys.imaging.derivatives import face_boxes

    assert face_boxes(src) and not face_boxes(out.convert("RGB"))
    # ... whose face areas changed a lot while the rest did not
    gap = (1200 - 2 * 320) // 3
    for i in range(2):
        x0 = gap + i * (320 + gap)
        assert mean_diff(out, src, (x0 + 60, 290 + 90, x0 + 260, 290 + 240)) > 15
    assert mean_diff(out, src, (0, 0, 150, 150)) < 6
    assert mean_diff(out, src, (0, 750, 1200, 900)) < 6
    undone = make_derivatives(samples.jpeg_with_metadata(image=src), blur_faces=False, limits=limits())
    assert undone.faces_blurred == 0


def test_faces_blurred_in_thumbnail_too(monkeypatch):
    from surveys.imaging import derivatives

    monkeypatch.setattr(derivatives, "face_boxes", lambda image: [(0, 0, 600, 450)])
    img = Image.new("RGB", (1200, 900), (200, 200, 200))
    for x in range(0, 600, 20):  # sharp stripes in the "face"
        img.paste((0, 0, 0), (x, 0, x + 10, 450))
    d = make_derivatives(samples.jpeg_bytes(img), limits=limits())
    assert d.faces_blurred == 1
    thumb = Image.open(io.BytesIO(d.thumbnail)).convert("L").crop((10, 10, 140, 100))
    lo, hi = thumb.getextrema()
    assert hi - lo < 150


def test_fingerprints_ignore_metadata_and_orientation_tag_copies():
    a = make_derivatives(samples.jpeg_with_metadata(seed=7), limits=limits()).fingerprints
    b = make_derivatives(samples.jpeg_with_metadata(seed=7, lat=None, lon=None, xmp_gps=False,
                                                    maker_note=False), limits=limits()).fingerprints
    assert a == b
