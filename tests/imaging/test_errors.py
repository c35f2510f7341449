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
