"""Decoded-size limits: checked from the header, before any pixel is decoded, by the one
decoder the upload check and the worker share. Memory is measured in a fresh process
(peak resident size), since Pillow's buffers are invisible to tracemalloc."""
import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from PIL import Image

from surveys.imaging import decode
from surveys.imaging.decode import DecodeLimits
from surveys.imaging.derivatives import make_derivatives
from surveys.imaging.errors import UndecodableImage
from surveys.imaging.evidence import read_evidence
from tests.imaging import samples

ROOT = Path(__file__).resolve().parents[2]
MB = 2**20


@lru_cache(maxsize=1)
def deep_png() -> bytes:
    return samples.deep_png(10_000, 8_000)  # about 1 MB on disk, 160 MB decoded


def test_pillow_global_guard_is_left_as_pillow_ships_it():
    assert Image.MAX_IMAGE_PIXELS == int(1024 * 1024 * 1024 // 4 // 3)


@pytest.mark.parametrize("mode, expected", [("1", 1), ("L", 1), ("I;16", 2), ("I;16B", 2), ("P", 4), ("RGB", 4),
                                            ("RGBA", 4), ("CMYK", 4), ("I", 4)])
def test_bytes_per_pixel_follow_the_mode(mode, expected):
    assert decode.bytes_per_pixel(mode) == expected


def test_a_deep_png_over_the_decoded_size_limit_is_refused_from_its_header(monkeypatch):
    small = DecodeLimits(max_pixels=100_000_000, max_decoded_bytes=100 * MB)
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("pixels decoded"))
    for func in (decode.check, lambda data, lim: read_evidence(data, limits=lim),
                 lambda data, lim: make_derivatives(data, limits=lim)):
        with pytest.raises(UndecodableImage, match=r"153 MB to decode \(10000x8000, mode I;16\); the limit is 100 MB"):
            func(deep_png(), small)


def test_the_same_pixels_in_rgb_take_twice_the_bytes_of_16_bit_grey():
    grey = DecodeLimits(max_pixels=10**6, max_decoded_bytes=2 * 1000 * 1000)
    decode.check(samples.deep_png(1000, 1000), grey)  # 2 bytes per pixel: fits exactly
    with pytest.raises(UndecodableImage, match="to decode"):
        decode.check(samples.png_bytes(1000, 1000), grey)  # 4 bytes per pixel


def test_jpeg_counts_the_pixels_of_its_reduced_decode():
    data = samples.jpeg_with_metadata(width=4000, height=3000, exif_thumbnail=False)
    tight = DecodeLimits(max_pixels=12_000_000, max_decoded_bytes=2000 * 1500 * 4)
    assert make_derivatives(data, limits=tight).display_size == (1600, 1200)  # decoded at 2000x1500
    with pytest.raises(UndecodableImage, match="to decode"):
        make_derivatives(data, limits=DecodeLimits(12_000_000, 2000 * 1500 * 4 - 1))


def _peak_mb(tmp_path, call: str, settings) -> dict:
    """Run ``call`` on the deep PNG in a fresh interpreter; its peak RSS growth in MB."""
    source = tmp_path / "deep.png"
    source.write_bytes(deep_png())
    script = f"""
import json, resource, sys
from surveys.imaging import decode
from surveys.imaging.decode import DecodeLimits
from surveys.imaging.errors import UndecodableImage
from surveys.imaging.original import process_original
from surveys.imaging.evidence import read_evidence
import surveys.imaging.derivatives, imagehash, cv2, simplejpeg  # imports are not the image's cost
data = open(sys.argv[1], "rb").read()
limits = DecodeLimits(max_pixels={settings.PHOTO_MAX_PIXELS}, max_decoded_bytes=int(sys.argv[2]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    result = {call}
    outcome = "ok"
except UndecodableImage as exc:
    outcome = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"peak_mb": (after - before) / 1024, "outcome": outcome}}))
"""
    def run(cap: int) -> dict:
        done = subprocess.run([sys.executable, "-c", script, str(source), str(cap)], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    return run


@pytest.mark.parametrize("call, bound_mb", [
    # The upload check holds the decoded image (153 MB) and nothing more.
    ("decode.check(data, limits)", 200),
    # The worker: the decoded image plus display-sized copies (was 2.1 GB).
    ("process_original(data, limits=limits, site_tz='UTC')", 300),
])
def test_memory_of_a_deep_png_stays_within_its_decoded_size(tmp_path, settings, call, bound_mb):
    run = _peak_mb(tmp_path, call, settings)
    accepted = run(settings.PHOTO_MAX_DECODED_BYTES)
    assert accepted["outcome"] == "ok"
    assert accepted["peak_mb"] < bound_mb, accepted
    refused = run(64 * MB)
    assert "to decode" in refused["outcome"]
    assert refused["peak_mb"] < 20, refused
