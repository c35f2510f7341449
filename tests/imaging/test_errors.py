import io

import pytest

from surveys.imaging.derivatives import make_derivatives
from surveys.imaging.errors import UndecodableImage
from surveys.imaging.evidence import read_evidence
from tests.imaging import samples
from tests.imaging.samples import limits

BOTH = [read_evidence, make_derivatives]


@pytest.mark.parametrize("func", BOTH)
def test_truncated_jpeg(func):
    with pytest.raises(UndecodableImage, match="truncated"):
        func(samples.truncated_jpeg(), limits=limits())


@pytest.mark.parametrize("func", BOTH)
@pytest.mark.parametrize("data", [b"", b"hello", samples.not_an_image(), b"\xff\xd8\xff" + b"\x00" * 50,
                                  b"\x89PNG\r\n\x1a\n" + b"\x00" * 40])
def test_not_an_image(func, data):
    with pytest.raises(UndecodableImage) as exc:
        func(data, limits=limits())
    assert isinstance(exc.value, ValueError)
    assert str(exc.value) and str(exc.value)[0].isupper()


@pytest.mark.parametrize("func", BOTH)
def test_decompression_bomb(func):
    bomb = samples.bomb_png()
    assert len(bomb) < 20_000
    with pytest.raises(UndecodableImage, match="too large"):
        func(bomb, limits=limits())


@pytest.mark.parametrize("func", BOTH)
def test_just_over_the_cap(func, settings):
    with pytest.raises(UndecodableImage, match="too large"):
        func(samples.bomb_png(width=settings.PHOTO_MAX_PIXELS // 10_000 + 10, height=10_000), limits=limits())


@pytest.mark.parametrize("func", BOTH)
def test_unsupported_format(func):
    import io

    buf = io.BytesIO()
    samples.photo(100, 100).save(buf, "GIF")
    with pytest.raises(UndecodableImage, match="not a supported image"):
        func(buf.getvalue(), limits=limits())


def test_truncated_heic(gps_heic):
    with pytest.raises(UndecodableImage):
        make_derivatives(gps_heic[: len(gps_heic) // 2], limits=limits())


@pytest.mark.filterwarnings("ignore:Truncated File Read")
def test_malformed_exif_still_processes():
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03" + b"\xff" * 40
    data = samples.jpeg_bytes(samples.photo(400, 300), exif=exif)
    ev = read_evidence(data, limits=limits())
    assert (ev.width, ev.height) in ((400, 300), (300, 400))
    assert ev.taken_at is None and ev.latitude is None
    d = make_derivatives(data, limits=limits())
    assert d.display_size in ((400, 300), (300, 400))


@pytest.mark.parametrize("func", BOTH)
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.99])
def test_truncated_jpeg_with_a_valid_end_marker(func, fraction):
    from PIL import Image

    data = samples.truncated_jpeg_with_end_marker(fraction)
    Image.open(io.BytesIO(data)).load()  # Pillow alone fills the missing part with grey
    with pytest.raises(UndecodableImage, match="truncated"):
        func(data, limits=limits())


def test_padding_before_the_end_marker_is_harmless():
    data = samples.jpeg_with_metadata(width=800, height=600, exif_thumbnail=False)
    padded = data[:-2] + b"\x00" * 16 + data[-2:]  # libjpeg: "16 extraneous bytes before marker 0xd9"
    assert read_evidence(padded, limits=limits()).width == 800
    assert make_derivatives(padded, limits=limits()).display_size == (800, 600)


def test_cmyk_jpeg_is_checked_strictly_and_decoded_by_pillow():
    buf = io.BytesIO()
    samples.photo(800, 600).convert("CMYK").save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    assert make_derivatives(data, limits=limits()).display_size == (800, 600)
    with pytest.raises(UndecodableImage, match="truncated"):
        make_derivatives(data[: len(data) // 2] + b"\xff\xd9", limits=limits())
