"""A labelled face set for measuring face detectors (recall, false positives).

How it is made: real faces come from the one photograph of a person that a package
installed here ships, matplotlib's ``sample_data/grace_hopper.jpg`` (a portrait whose face
box, (175, 120, 180, 220), was checked by eye); synthetic faces are samples.draw_face in
three skin tones. Both are pasted at known boxes into the generated scenes of
samples.photo, at six sizes (a quarter down to 1/50 of the image width), plain,
mirrored and darkened, or turned by 8 degrees and brightened. Images are 2000x1500, the
working size of a 12 MP photo in the pipeline. Scenes with no face at all make the
negatives. One real identity is a small sample of people: the set measures sizes,
lighting and pose, not diversity of faces.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageEnhance

from tests.imaging import samples

WIDTH, HEIGHT = 2000, 1500
#: Face width as a fraction of the image width.
FACE_FRACTIONS = (0.25, 0.12, 0.07, 0.045, 0.03, 0.02)
HOPPER_FACE = (175, 120, 180, 220)  # x, y, w, h in grace_hopper.jpg
SKINS = ((224, 186, 160), (120, 82, 62), (190, 140, 110))
NEGATIVE_SCENES = 10


@dataclass(frozen=True)
class Labelled:
    name: str
    image: Image.Image  # RGB, WIDTH x HEIGHT
    faces: tuple[tuple[int, int, int, int], ...]  # x, y, w, h


def hopper() -> Image.Image:
    import matplotlib

    return Image.open(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg").convert("RGB")


def _real_face(portrait: Image.Image, face_px: int, variant: int) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """The portrait scaled so its face is ``face_px`` wide, and the face box in it."""
    fx, fy, fw, fh = HOPPER_FACE
    if variant == 1:
        portrait = ImageEnhance.Brightness(portrait.transpose(Image.Transpose.FLIP_LEFT_RIGHT)).enhance(0.55)
        fx = portrait.width - fx - fw
    elif variant == 2:
        portrait = ImageEnhance.Brightness(portrait.rotate(8, resample=Image.Resampling.BICUBIC)).enhance(1.3)
    scale = face_px / fw
    size = (round(portrait.width * scale), round(portrait.height * scale))
    box = (round(fx * scale), round(fy * scale), round(fw * scale), round(fh * scale))
    return portrait.resize(size, Image.Resampling.LANCZOS), box


@lru_cache(maxsize=1)
def face_set() -> tuple[Labelled, ...]:
    portrait = hopper()
    items = []
    for size_index, fraction in enumerate(FACE_FRACTIONS):
        face_px = round(WIDTH * fraction)
        for variant in range(3):
            scene = samples.photo(WIDTH, HEIGHT, seed=100 + size_index * 3 + variant)
            real, (rx, ry, rw, rh) = _real_face(portrait, face_px, variant)
            left, top = WIDTH // 8, max(0, (HEIGHT - real.height) // 2)
            scene.paste(real, (left, top))
            cartoon_px = round(face_px * 1.6)  # draw_face's oval fills ~60% of its square
            cx, cy = WIDTH * 5 // 8, (HEIGHT - cartoon_px) // 2
            samples.draw_face(scene, (cx, cy, cx + cartoon_px, cy + cartoon_px), skin=SKINS[variant])
            oval_w, oval_h = round(cartoon_px * 0.6), round(cartoon_px * 0.8)
            cartoon_box = (cx + (cartoon_px - oval_w) // 2, cy + (cartoon_px - oval_h) // 2, oval_w, oval_h)
            items.append(Labelled(f"faces-{fraction:g}-v{variant}", scene,
                                  ((left + rx, top + ry, rw, rh), cartoon_box)))
    for seed in range(NEGATIVE_SCENES):
        items.append(Labelled(f"no-face-{seed}", samples.photo(WIDTH, HEIGHT, seed=500 + seed), ()))
    return tuple(items)


def matches(found: tuple[int, int, int, int], truth: tuple[int, int, int, int]) -> bool:
    """Each box's centre lies inside the other: the detection covers that face."""
    def centre_in(a, b) -> bool:
        cx, cy = a[0] + a[2] / 2, a[1] + a[3] / 2
        return b[0] <= cx <= b[0] + b[2] and b[1] <= cy <= b[1] + b[3]

    return centre_in(found, truth) and centre_in(truth, found)


def score(detect) -> dict:
    """Recall and false positives of ``detect(image) -> boxes`` over the set."""
    faces = hits = false_positives = 0
    missed = []
    for item in face_set():
        boxes = list(detect(item.image))
        faces += len(item.faces)
        for truth in item.faces:
            if any(matches(box, truth) for box in boxes):
                hits += 1
            else:
                missed.append(f"{item.name}@{truth[2]}px")
        false_positives += sum(1 for box in boxes if not any(matches(box, t) for t in item.faces))
    return {"faces": faces, "found": hits, "recall": round(hits / faces, 3), "false_positives": false_positives,
            "images": len(face_set()), "missed": missed}
