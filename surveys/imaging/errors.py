"""Errors raised by the imaging package (pure: no image libraries imported)."""


class UndecodableImage(ValueError):
    """The upload cannot be processed as an image.

    ``str(exc)`` is a human-readable sentence suitable for the photo's ``error`` field.
    """
