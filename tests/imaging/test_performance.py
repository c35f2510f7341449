"""A 12-megapixel phone photo goes through the whole pipeline without a full-size decode.

Speed itself is measured by bench/photo_bench.py, not by timed tests.
"""
import pytest

from surveys.imaging import decode
from surveys.imaging.derivatives import make_derivatives
from surveys.imaging.evidence import read_evidence
from surveys.imaging.original import process_original
from tests.imaging import samples
from tests.imaging.samples import limits


@pytest.fixture
def decoded_sizes(monkeypatch):
    sizes = []
    real = decode.decode

    def recording_decode(opened, **kwargs):
        decoded = real(opened, **kwargs)
        sizes.append(decoded.size)
        return decoded

    monkeypatch.setattr(decode, "decode", recording_decode)
    return sizes


def test_12mp_jpeg_is_decoded_at_reduced_scale(decoded_sizes):
    data = samples.face_image(4000, 3000, faces=2, face_px=900, quality=92)
    ev = read_evidence(data, limits=limits())
    d = make_derivatives(data, limits=limits())
    assert (ev.width, ev.height) == (4000, 3000) and ev.exif_thumbnail_mismatch is False
    assert d.display_size == (1600, 1200) and d.faces_blurred == 2
    # DCT scaling: 1/8 to validate and compare the EXIF thumbnail (itself decoded small),
    # 1/2 for the display.
    assert decoded_sizes == [(500, 375), (100, 75), (2000, 1500)]


def test_the_worker_decodes_once_for_evidence_and_derivatives(decoded_sizes):
    data = samples.face_image(4000, 3000, faces=2, face_px=900, quality=92)
    processed = process_original(data, limits=limits(), site_tz="Asia/Shanghai")
    assert processed.evidence == read_evidence(data, limits=limits())
    assert processed.derivatives.display_size == (1600, 1200) and processed.derivatives.faces_blurred == 2
    assert decoded_sizes[:2] == [(2000, 1500), (100, 75)]  # the original once; then its EXIF thumbnail


def test_12mp_heic_end_to_end(decoded_sizes):
    data = samples.heic_with_metadata(4000, 3000)
    ev = read_evidence(data, limits=limits())
    d = make_derivatives(data, limits=limits())
    assert (ev.width, ev.height) == (4000, 3000)
    assert d.display_size == (1600, 1200)
    assert decoded_sizes[-1] == (4000, 3000)  # no draft mode for HEIC: one full decode
