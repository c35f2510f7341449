"""Pure photo processing: evidence from original bytes, clean derivatives, fingerprints, flags.

No Django imports anywhere in this package. Heavy libraries (Pillow plugins, numpy,
OpenCV, imagehash, pillow-heif) are imported only inside the modules that need them,
never here, so ``import surveys.imaging.flags`` stays cheap for the web process.

Modules:
  errors       UndecodableImage
  evidence     read_evidence(data) -> PhotoEvidence        (Pillow)
  derivatives  make_derivatives(data) -> Derivatives       (Pillow, numpy, OpenCV, imagehash)
  fingerprints fingerprints(image), reuse_distance(a, b), REUSE_THRESHOLD
  flags        evaluate_flags(...), haversine_m(...)       (pure Python)
"""
