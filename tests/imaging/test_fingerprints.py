import itertools

import pytest
from PIL import Image

from surveys.imaging.derivatives import make_derivatives
from surveys.imaging.fingerprints import (REUSE_THRESHOLD, Fingerprints, fingerprints, hamming,
                                          reuse_distance)
from tests.imaging import samples
from tests.imaging.samples import limits

T = Image.Transpose


def fp_of(img: Image.Image, **save) -> Fingerprints:
    return make_derivatives(samples.jpeg_bytes(img, **save), blur_faces=False, limits=limits()).fingerprints


@pytest.fixture(scope="module")
def base():
    return samples.photo(1600, 1200, seed=11)


@pytest.fixture(scope="module")
def base_fp(base):
    return fp_of(base)


def test_shape(base_fp):
    assert len(base_fp.phash) == 16 and len(base_fp.dhash) == 16
    assert len(base_fp.variants) == 7
    int(base_fp.phash, 16)
    assert Fingerprints.from_dict(base_fp.as_dict()) == base_fp


def test_same_seed_identical_different_seed_differs():
    assert samples.photo(seed=3).tobytes() == samples.photo(seed=3).tobytes()
    assert fingerprints(samples.photo(seed=3)) == fingerprints(samples.photo(seed=3))
    assert reuse_distance(fingerprints(samples.photo(seed=3)), fingerprints(samples.photo(seed=4))) \
        > REUSE_THRESHOLD


@pytest.mark.parametrize("name,make", [
    ("reencoded q60", lambda im: fp_of(im, quality=60)),
    ("resized 50%", lambda im: fp_of(im.resize((im.width // 2, im.height // 2)))),
    ("rotated 90", lambda im: fp_of(im.transpose(T.ROTATE_90))),
    ("rotated 180", lambda im: fp_of(im.transpose(T.ROTATE_180))),
    ("rotated 270", lambda im: fp_of(im.transpose(T.ROTATE_270))),
    ("mirrored", lambda im: fp_of(im.transpose(T.FLIP_LEFT_RIGHT))),
    ("flipped", lambda im: fp_of(im.transpose(T.FLIP_TOP_BOTTOM))),
    ("all at once", lambda im: fp_of(im.resize((800, 600)).transpose(T.ROTATE_90)
                                     .transpose(T.FLIP_LEFT_RIGHT), quality=60)),
    ("cropped 5%", lambda im: fp_of(im.crop((40, 30, im.width - 40, im.height - 30)))),
])
def test_copies_are_within_threshold(base, base_fp, name, make):
    copy = make(base)
    assert reuse_distance(base_fp, copy) <= REUSE_THRESHOLD, name
    assert reuse_distance(copy, base_fp) <= REUSE_THRESHOLD, name


def test_rotation_via_exif_tag_is_the_same_picture(base, base_fp):
    rotated_tag = make_derivatives(samples.jpeg_with_metadata(image=base, orientation=6),
                                   blur_faces=False, limits=limits()).fingerprints
    assert reuse_distance(base_fp, rotated_tag) <= REUSE_THRESHOLD


def test_unrelated_photos_are_not_reuse():
    fps = [fp_of(samples.photo(1200, 900, seed=200 + i)) for i in range(10)]
    for a, b in itertools.permutations(fps, 2):
        assert reuse_distance(a, b) > REUSE_THRESHOLD


def test_hamming():
    assert hamming("ff00", "ff00") == 0
    assert hamming("ff00", "00ff") == 16
    with pytest.raises(ValueError):
        hamming("ff", "ffff")


def test_reuse_distance_needs_no_image_library():
    import subprocess
    import sys

    code = ("import sys; from surveys.imaging.fingerprints import Fingerprints, reuse_distance;"
            "a = Fingerprints('0'*16, '0'*16, ('f'*16,)*7);"
            "assert reuse_distance(a, a) == 0;"
            "bad = [m for m in ('PIL', 'numpy', 'cv2', 'imagehash', 'pillow_heif') if m in sys.modules];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
