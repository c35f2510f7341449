import pytest

from tests.imaging import samples


@pytest.fixture(scope="session")
def gps_jpeg() -> bytes:
    """JPEG with GPS in EXIF and XMP, MakerNote, serial, EXIF thumbnail and ICC profile."""
    return samples.jpeg_with_metadata(lat=31.2304, lon=121.4737, seed=1)


@pytest.fixture(scope="session")
def gps_heic() -> bytes:
    return samples.heic_with_metadata(lat=-33.8688, lon=151.2093, orientation=6, seed=2)
