"""Photo pipeline benchmark: throughput at full load against the raw pipeline, CPU per photo,
and the options for getting there (face detectors with their recall, one decode, resampling).

    .venv/bin/python bench/photo_bench.py                   # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fieldsurvey .venv/bin/python bench/photo_bench.py

On PostgreSQL it creates (and drops) the database `fieldsurvey_bench_photo`. Media go to a temp
folder (filesystem storage). Writes bench/results/photo.json.

- raw: the least any pipeline must do, nothing else: sha256 of the bytes, Pillow open with
  draft decoding, exif_transpose, resize to 1600 px and 320 px, save both as JPEG, pHash.
- photo_process: the real service on a pending row (claim, read the original from storage,
  evidence, derivatives with face blurring, storage writes, reuse lookup, flags, the final
  update), on a generated 12-megapixel JPEG with EXIF and two faces.
- throughput at full load (the goal): as many OS processes as cores (fork), every one busy.
  Raw: each process runs the raw pipeline on its share of the photos. Pipeline: each calls
  photo_process on every pending row, the lease splitting the rows as between Celery
  workers (no broker). Rounds of raw and pipeline alternate, so both see the same load from
  whatever else runs on the machine; the ratio of medians is the figure. CPU seconds per
  photo (every thread of every process) are reported beside it.
- options: each measured in this process, alternating with the raw pipeline, as CPU per
  photo; face detectors also by recall and false positives on tests/imaging/face_set.py.
"""
import datetime as dt
import hashlib
import io
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import REDIS_URL  # noqa: E402

MEDIA = tempfile.mkdtemp(prefix="photo-bench-")
os.environ["MEDIA_ROOT"] = MEDIA
os.environ.setdefault("DATABASE_URL", f"sqlite:///{MEDIA}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "photo-bench")
os.environ.setdefault("CACHE_URL", REDIS_URL)  # required with DEBUG off (login throttling), unused here
os.environ.pop("PHOTO_TEST_DELAY_SECONDS", None)

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection, connections  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 5))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", os.cpu_count() or 1))
PHOTOS_PER_PROCESS = int(os.environ.get("BENCH_PHOTOS_PER_PROCESS", 6))
GOAL_THROUGHPUT, GOAL_CPU = 0.67, 1.5


def raw_pipeline(data: bytes) -> None:
    import imagehash
    from PIL import Image, ImageOps

    hashlib.sha256(data).hexdigest()
    img = Image.open(io.BytesIO(data))
    img.draft("RGB", (1600, 1200))
    img = ImageOps.exif_transpose(img)
    scale = 1600 / max(img.size)
    display = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS,
                         reducing_gap=3.0)
    thumbnail = display.resize((320, round(320 * display.height / display.width)), Image.Resampling.LANCZOS)
    for image in (display, thumbnail):
        image.save(io.BytesIO(), "JPEG", quality=82)
    imagehash.phash(display)


def haar_640(image) -> list:
    """The face search this project used before MTCNN: OpenCV's frontal-face Haar cascade on a
    640-px equalised grey copy, scale step 1.25, 6 neighbours, 20-px minimum."""
    import cv2
    import numpy as np
    from PIL import Image

    cascade = getattr(haar_640, "cascade", None)
    if cascade is None:
        cascade = haar_640.cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    scale = min(1.0, 640 / max(image.size))
    grey = image.convert("L").resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BOX)
    found = cascade.detectMultiScale(cv2.equalizeHist(np.asarray(grey)), scaleFactor=1.25, minNeighbors=6,
                                     minSize=(20, 20))
    return [tuple(int(v / scale) for v in box) for box in found]


def mtcnn_at(px: int):
    from surveys.imaging import derivatives

    def detect(image):
        saved = derivatives.FACE_DETECT_PX
        derivatives.FACE_DETECT_PX = px
        try:
            return derivatives.face_boxes(image)
        finally:
            derivatives.FACE_DETECT_PX = saved

    return detect


def new_photo(visit, data: bytes):
    from surveys.models import Photo

    photo = Photo(visit=visit, original_format="jpeg", original_size=len(data),
                  sha256=hashlib.sha256(data).hexdigest())
    photo.original.save("original", ContentFile(data), save=False)  # intake's work: not timed
    photo.save()
    return photo.pk


def timed(fn, cpu: list[float] | None = None) -> float:
    """Wall seconds of fn(); its CPU seconds (every thread of this process) go to `cpu`."""
    start, start_cpu = time.perf_counter(), time.process_time()
    fn()
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def summary(seconds: list[float]) -> dict:
    return {"median_ms": round(statistics.median(seconds) * 1000, 1), "min_ms": round(min(seconds) * 1000, 1),
            "runs_ms": [round(s * 1000, 1) for s in seconds]}


def load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


# ------------------------------------------------------------------ full load
def _raw_worker(data: bytes, count: int, out) -> None:
    start = time.process_time()
    for _ in range(count):
        raw_pipeline(data)
    out.put((count, time.process_time() - start))


def _pipeline_worker(ids, out) -> None:
    from surveys.services.photo_pipeline import PhotoLeased, photo_process

    connections.close_all()  # a forked child needs its own connection
    start = time.process_time()
    for photo_id in ids:
        try:
            photo_process(photo_id=photo_id)  # "ready" also for a row another process finished
        except PhotoLeased:
            pass  # another process has it
    out.put((0, time.process_time() - start))  # the photos are counted from the rows


def _run_processes(targets) -> tuple[float, int, float]:
    """Start one process per (function, args); (wall seconds, photos, CPU seconds)."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    workers = [context.Process(target=fn, args=(*args, out)) for fn, args in targets]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    return elapsed, sum(r[0] for r in results), sum(r[1] for r in results)


def full_load(visit, data: bytes) -> dict:
    from surveys.models import Photo

    photos = PROCESSES * PHOTOS_PER_PROCESS
    rounds = {"raw": [], "pipeline": []}
    for _ in range(ROUNDS):
        seconds, count, cpu = _run_processes([(_raw_worker, (data, PHOTOS_PER_PROCESS))] * PROCESSES)
        rounds["raw"].append({"photos_per_second": count / seconds, "cpu_ms_per_photo": cpu / count * 1000,
                              "load_1m": load()[0]})
        ids = [new_photo(visit, data) for _ in range(photos)]
        connections.close_all()
        seconds, _, cpu = _run_processes(
            [(_pipeline_worker, (ids[i * photos // PROCESSES:] + ids[:i * photos // PROCESSES],))
             for i in range(PROCESSES)])
        count = Photo.objects.filter(pk__in=ids, status="ready").count()
        assert count == photos, f"{count} of {photos} ready"
        rounds["pipeline"].append({"photos_per_second": count / seconds, "cpu_ms_per_photo": cpu / count * 1000,
                                   "load_1m": load()[0]})

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[kind])

    throughput = median("pipeline", "photos_per_second") / median("raw", "photos_per_second")
    cpu = median("pipeline", "cpu_ms_per_photo") / median("raw", "cpu_ms_per_photo")
    return {
        "method": f"{PROCESSES} OS processes (= cores), {photos} photos a round, {ROUNDS} rounds of raw and "
                  f"pipeline alternating; medians",
        "raw": {"photos_per_second": round(median("raw", "photos_per_second"), 2),
                "cpu_ms_per_photo": round(median("raw", "cpu_ms_per_photo"), 1)},
        "pipeline": {"photos_per_second": round(median("pipeline", "photos_per_second"), 2),
                     "cpu_ms_per_photo": round(median("pipeline", "cpu_ms_per_photo"), 1)},
        "throughput_ratio": round(throughput, 2), "goal_throughput_ratio": GOAL_THROUGHPUT,
        "cpu_ratio": round(cpu, 2), "goal_cpu_ratio": GOAL_CPU,
        "goal_met": throughput >= GOAL_THROUGHPUT and cpu <= GOAL_CPU,
        "rounds": {kind: [{k: round(v, 2) for k, v in r.items()} for r in runs] for kind, runs in rounds.items()},
    }


# ------------------------------------------------------------------ options
def cpu_against_raw(data: bytes, candidates: dict) -> dict:
    """CPU ms per call of each candidate, alternating with the raw pipeline in one loop."""
    cpu = {name: [] for name in ["raw_pipeline", *candidates]}
    for _ in range(RUNS):
        timed(lambda: raw_pipeline(data), cpu["raw_pipeline"])
        for name, fn in candidates.items():
            timed(fn, cpu[name])
    raw = statistics.median(cpu["raw_pipeline"])
    return {name: {"cpu_ms": round(statistics.median(runs) * 1000, 1),
                   "of_raw": round(statistics.median(runs) / raw, 2)} for name, runs in cpu.items()}


def face_options(data: bytes) -> dict:
    from PIL import Image

    from surveys.imaging.derivatives import face_boxes, working_image
    from surveys.imaging.decode import open_image
    from surveys.services.photos import decode_limits
    from tests.imaging import face_set

    rgb = working_image(open_image(data, decode_limits())).convert("RGB")  # what derive() searches
    detectors = {"haar_640 (before)": haar_640, "mtcnn_480 (now)": face_boxes, "mtcnn_640": mtcnn_at(640),
                 "mtcnn_400": mtcnn_at(400)}
    timing = cpu_against_raw(data, {name: (lambda d=d: d(rgb)) for name, d in detectors.items()})
    out = {"set": "tests/imaging/face_set.py: " + face_set.__doc__.split("\n\n")[1].replace("\n", " "),
           "raw_pipeline_cpu_ms": timing.pop("raw_pipeline")["cpu_ms"]}
    for name, detect in detectors.items():
        score = face_set.score(detect)
        out[name] = {**timing[name], "recall": score["recall"], "found": score["found"], "faces": score["faces"],
                     "false_positives": score["false_positives"], "images": score["images"],
                     "missed": score["missed"]}
    del Image
    return out


def pipeline_options(data: bytes) -> dict:
    from PIL import Image, ImageFilter

    from surveys.imaging.derivatives import _fit, make_derivatives
    from surveys.imaging.evidence import read_evidence
    from surveys.imaging.original import process_original
    from surveys.services.photos import decode_limits

    limits = decode_limits()
    display = Image.open(io.BytesIO(data))
    display.draft("RGB", (2000, 1500))
    display = display.convert("RGB")
    candidates = {
        "one decode (process_original)": lambda: process_original(data, limits=limits, site_tz="Asia/Shanghai"),
        "two decodes (read_evidence + make_derivatives)": lambda: (read_evidence(data, limits=limits),
                                                                   make_derivatives(data, limits=limits)),
        "process_original without face search": lambda: process_original(data, limits=limits, site_tz="UTC",
                                                                          blur_faces=False),
        "decode 2000x1500: Pillow draft": lambda: _pillow_draft(data),
        "decode 2000x1500: simplejpeg strict": lambda: _simplejpeg(data),
    }
    resizes = {f"Pillow {name}": (lambda image, m=method: image.resize((1600, 1200), m, reducing_gap=3.0))
               for name, method in (("LANCZOS", Image.Resampling.LANCZOS), ("BICUBIC", Image.Resampling.BICUBIC),
                                    ("BILINEAR", Image.Resampling.BILINEAR))}
    resizes["OpenCV INTER_CUBIC (now)"] = lambda image: _fit(image, 1600)
    for name, resize in resizes.items():
        candidates[f"resize 2000->1600 {name}"] = lambda r=resize: r(display)
    timing = cpu_against_raw(data, candidates)
    # Quality against Lanczos on this photo and on fine noise (the worst case for resampling).
    noise = Image.effect_noise((2000, 1500), 80).convert("RGB").filter(ImageFilter.GaussianBlur(0.7))
    for name, resize in resizes.items():
        if name != "Pillow LANCZOS":
            timing[f"resize 2000->1600 {name}"]["psnr_vs_lanczos_db"] = {
                "photo": _psnr(resizes["Pillow LANCZOS"](display), resize(display)),
                "fine noise": _psnr(resizes["Pillow LANCZOS"](noise), resize(noise))}
    return timing


def _pillow_draft(data: bytes):
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.draft("RGB", (2000, 1500))
    img.load()
    return img


def _simplejpeg(data: bytes):
    import simplejpeg

    return simplejpeg.decode_jpeg(data, min_width=2000, min_height=1500, strict=True)


def _psnr(a, b) -> float:
    import numpy as np

    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    mse = float(np.mean(diff * diff))
    return round(10 * math.log10(255 * 255 / mse), 1) if mse else float("inf")


def main() -> None:
    import cv2
    from PIL import __version__ as pillow_version

    from surveys.models import Site, Visit
    from surveys.services.photo_pipeline import photo_process
    from surveys.services.users import user_upsert
    from surveys.vocab import Role
    from tests.imaging import samples

    load_before = load()
    vendor = connection.vendor
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        "fieldsurvey_bench_photo" if vendor == "postgresql" else f"{MEDIA}/bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        data = samples.face_image(4000, 3000, faces=2, face_px=900, quality=92)
        reporter, _ = user_upsert(username="bench", role=Role.REPORTER, password="bench-password-1")
        site = Site.objects.create(name="Bench site", latitude=samples.DEFAULT_LAT,
                                   longitude=samples.DEFAULT_LON, radius_m=500)
        taken_at = samples.DEFAULT_TAKEN_AT.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        visit = Visit.objects.create(site=site, reporter=reporter, started_at=taken_at - dt.timedelta(minutes=30))

        raw_pipeline(data)  # warm-up: imports, face detector, first storage write
        photo_process(photo_id=new_photo(visit, data))
        raw, pipeline, raw_cpu, pipeline_cpu = [], [], [], []
        for _ in range(RUNS):
            raw.append(timed(lambda: raw_pipeline(data), raw_cpu))
            photo_id = new_photo(visit, data)
            pipeline.append(timed(lambda: photo_process(photo_id=photo_id), pipeline_cpu))
        connections.close_all()
        loaded = full_load(visit, data)
        results = {
            "date": dt.date.today().isoformat(),
            "machine": {"cpus": os.cpu_count(), "load_average_before": load_before, "load_average_after": None,
                        "python": platform.python_version(), "pillow": pillow_version,
                        "opencv": cv2.__version__, "database": vendor, "storage": "filesystem"},
            "image": {"pixels": "4000x3000", "bytes": len(data), "format": "JPEG q92, EXIF + GPS + XMP, 2 faces"},
            "full_load": loaded,
            "one_photo_idle_process": {
                "raw_pipeline": summary(raw), "photo_process": summary(pipeline),
                "wall_ratio": round(statistics.median(pipeline) / statistics.median(raw), 2),
                "cpu_raw": summary(raw_cpu), "cpu_photo_process": summary(pipeline_cpu),
                "cpu_ratio": round(statistics.median(pipeline_cpu) / statistics.median(raw_cpu), 2),
            },
            "options": {"face_detection": face_options(data), "pipeline": pipeline_options(data)},
        }
        results["machine"]["load_average_after"] = load()
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    out = ROOT / "bench" / "results" / "photo.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
