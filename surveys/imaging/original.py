"""An original upload processed in one pass: one decode serves evidence, hashes and derivatives."""
from __future__ import annotations

from dataclasses import dataclass

from . import decode
from .derivatives import Derivatives, derive, working_image
from .evidence import PhotoEvidence, evidence_of


@dataclass(frozen=True)
class Processed:
    evidence: PhotoEvidence
    derivatives: Derivatives


def process_original(data: bytes, *, limits: decode.DecodeLimits, site_tz: str, blur_faces: bool = True) -> Processed:
    """Evidence and derivatives of ``data`` from a single decode. Raises UndecodableImage."""
    opened = decode.open_image(data, limits)
    pixels = working_image(opened)
    return Processed(evidence=evidence_of(opened, pixels, site_tz=site_tz),
                     derivatives=derive(opened, pixels, blur_faces=blur_faces))
