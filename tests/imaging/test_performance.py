"""A 12-megapixel phone photo goes through the whole pipeline without a full-size decode.

Speed itself is measured by bench/photo_bench.py, not by timed tests.
"""
import pytest

from surveys.imaging import _decode
from surveys.imaging.derivatives import make_derivatives
from surveys.imaging.evidence import read_evidence
from tests.imaging import samples


@pytest.fixture
def decoded_sizes(monkeypatch):
    sizes = []
    load = _decode.load

    def recording_load(img):
        loaded = load(img)
        sizes.append(loaded.size)
        return loaded

    monkeypatch.setattr(_decode, "load", recording_load)
    return sizes


def test_12mp_jpeg_is_decoded_at_reduced_scale(decoded_sizes):
    data = samples.face_image(4000, 3000, faces=2, face_px=900, quality=92)
    ev = read_evidence(data)
    d = make_derivatives(data)
    assert (ev.width, ev.height) == (4000, 3000) and ev.exif_thumbnail_mismatch is False
    assert d.display_size == (1600, 1200) and d.faces_blurred == 2
    # JPEG draft mode: 1/8 scale to validate and compare the EXIF thumbnail, 1/2 for the display.
    assert decoded_sizes == [(500, 375), (2000, 1500)]


def test_12mp_heic_end_to_end(decoded_sizes):
    data = samples.heic_with_metadata(4000, 3000)
    ev = read_evidence(data)
    d = make_derivatives(data)
    assert (ev.width, ev.height) == (4000, 3000)
    assert d.display_size == (1600, 1200)
    assert decoded_sizes[-1] == (4000, 3000)  # no draft mode for HEIC: one full decode
