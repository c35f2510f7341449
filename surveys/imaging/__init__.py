"""Pure photo processing: evidence from original bytes, clean derivatives, fingerprints, flags.

No Django imports anywhere in this package. Heavy libraries (Pillow plugins, numpy,
OpenCV, imagehash, simplejpeg, pillow-heif) are imported only inside the modules that need them,
never here, so ``import surveys.imaging.flags`` stays cheap for the web process.

Modules:
  errors       UndecodableImage
  decode       the one decoder of untrusted bytes: DecodeLimits, open_image, decode, check
                                                           (Pillow, simplejpeg, pillow-heif)
  evidence     read_evidence(data) -> PhotoEvidence        (Pillow, imagehash)
  derivatives  make_derivatives(data) -> Derivatives       (Pillow, numpy, OpenCV, imagehash)
  original     process_original(data) -> evidence and derivatives from one decode
  fingerprints fingerprints(image), reuse_distance(a, b), REUSE_THRESHOLD
  flags        evaluate_flags(...), haversine_m(...)       (pure Python)
"""
