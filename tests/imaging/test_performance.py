"""A 12-megapixel phone JPEG must go through the whole pipeline quickly (draft mode)."""
import time

import pytest

from surveys.imaging.derivatives import make_derivatives
from surveys.imaging.evidence import read_evidence
from tests.imaging import samples

BUDGET_S = 1.5  # measured ~0.3 s on the 2-core dev box; generous for loaded CI machines


@pytest.fixture(scope="module")
def twelve_mp() -> bytes:
    return samples.face_image(4000, 3000, faces=2, face_px=900, quality=92)


def test_12mp_jpeg_end_to_end(twelve_mp):
    make_derivatives(samples.jpeg_with_metadata(200, 150))  # warm-up: imports, cascade load
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        ev = read_evidence(twelve_mp)
        d = make_derivatives(twelve_mp)
        best = min(best, time.perf_counter() - start)
    assert (ev.width, ev.height) == (4000, 3000) and ev.exif_thumbnail_mismatch is False
    assert d.display_size == (1600, 1200) and d.faces_blurred == 2
    print(f"\n12 MP JPEG: read_evidence + make_derivatives best of 3 = {best * 1000:.0f} ms")
    assert best < BUDGET_S


def test_12mp_heic_end_to_end():
    data = samples.heic_with_metadata(4000, 3000)
    make_derivatives(samples.jpeg_with_metadata(200, 150))
    start = time.perf_counter()
    read_evidence(data)
    d = make_derivatives(data)
    elapsed = time.perf_counter() - start
    print(f"\n12 MP HEIC: read_evidence + make_derivatives = {elapsed * 1000:.0f} ms")
    assert d.display_size == (1600, 1200)
    assert elapsed < 2 * BUDGET_S  # no draft mode for HEIC: full decode
