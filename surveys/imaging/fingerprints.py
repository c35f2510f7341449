"""Perceptual fingerprints for spotting reused photos.

``fingerprints()`` needs Pillow + imagehash (imported lazily); ``reuse_distance()`` is
pure Python over the hex strings, so comparing stored fingerprints loads no image library.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

#: Photos whose reuse_distance is at most this are treated as the same picture.
#: Chosen from tests/imaging/test_fingerprints.py: re-encoded (q60) / resized (50%) /
#: rotated / mirrored / brightened copies measure 0-2, 5%-cropped copies 3-7; the
#: closest of 1,560 pairs of unrelated generated photos was 14 (mean ~26), of 64 bits.
REUSE_THRESHOLD = 10

_VARIANTS = ("ROTATE_90", "ROTATE_180", "ROTATE_270", "FLIP_LEFT_RIGHT",
             "FLIP_TOP_BOTTOM", "TRANSPOSE", "TRANSVERSE")


@dataclass(frozen=True)
class Fingerprints:
    phash: str  # 64-bit hex
    dhash: str  # 64-bit hex
    variants: tuple[str, ...]  # phash of rot90/180/270, mirror LR/TB, transpose, transverse

    def as_dict(self) -> dict:
        return {"phash": self.phash, "dhash": self.dhash, "variants": list(self.variants)}

    @classmethod
    def from_dict(cls, data: dict) -> "Fingerprints":
        return cls(data["phash"], data["dhash"], tuple(data.get("variants") or ()))


def fingerprints(image: "Image.Image") -> Fingerprints:
    """Fingerprints of an (already oriented) image. Any size; the display size is plenty."""
    import imagehash
    from PIL import Image

    grey = image.convert("L")
    # phash works on a 32x32 greyscale; rotating/mirroring that square is the same as
    # hashing the rotated/mirrored image, and 8x cheaper than transposing the photo.
    small = grey.resize((32, 32), Image.Resampling.LANCZOS, reducing_gap=2.0)
    phash = str(imagehash.phash(small))
    variants = tuple(
        str(imagehash.phash(small.transpose(getattr(Image.Transpose, name)))) for name in _VARIANTS
    )
    dhash = str(imagehash.dhash(grey.resize((64, 64), Image.Resampling.BOX)))
    return Fingerprints(phash=phash, dhash=dhash, variants=variants)


def hamming(a: str, b: str) -> int:
    """Bit distance between two equal-length hex hashes."""
    if len(a) != len(b):
        raise ValueError("hashes of different lengths")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def reuse_distance(a: Fingerprints, b: Fingerprints) -> int:
    """Smallest distance between ``a`` and ``b`` or any rotation/mirror of ``b``
    (phash against b's phash and variants; dhash against dhash)."""
    candidates = [hamming(a.phash, b.phash), hamming(a.dhash, b.dhash)]
    candidates += [hamming(a.phash, v) for v in b.variants]
    return min(candidates)
