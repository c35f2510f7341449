"""Photo flags from evidence (pure Python: no image libraries, no Django)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable

from surveys.vocab import PhotoFlag

from .fingerprints import REUSE_THRESHOLD

if TYPE_CHECKING:  # pragma: no cover
    from .evidence import PhotoEvidence

#: Substrings (case-insensitive) of EXIF Software values written by editing programs.
#: Camera firmware / phone OS versions ("17.1", "G998BXXU5", "HDR+ 1.0") never match.
EDITING_SOFTWARE: tuple[str, ...] = (
    "photoshop", "lightroom", "gimp", "snapseed", "picsart", "meitu", "美图", "美颜",
    "醒图", "xingtu", "facetune", "vsco", "afterlight", "polarr", "pixlr", "pixelmator",
    "affinity photo", "paint.net", "paintshop", "capture one", "darktable", "rawtherapee",
    "luminar", "acdsee", "photoscape", "photodirector", "picasa", "canva", "fotor",
    "b612", "faceapp", "lightx", "remini", "photolab", "inshot", "perfect365", "camera360",
    "wink", "天天p图", "光影魔术手", "picmonkey", "photopea", "gnu image",
)
#: DateTime may trail DateTimeOriginal by this much without counting as an edit.
MODIFIED_TOLERANCE = timedelta(minutes=1)
#: GPS time may differ from the capture time by this much.
GPS_TIME_TOLERANCE = timedelta(minutes=5)
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class FlagResult:
    flag: PhotoFlag
    details: dict  # JSON-serialisable numbers behind the flag

    def as_dict(self) -> dict:
        return {"flag": self.flag.value, "details": self.details}


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def editing_software(software: str) -> str | None:
    """The editing program named in an EXIF Software value, or None."""
    lowered = (software or "").lower()
    for name in EDITING_SOFTWARE:
        if name in lowered:
            return name
    return None


def edit_reasons(evidence: "PhotoEvidence") -> dict:
    """Why the photo looks edited: {} when it does not. Keys: software,
    modified_after_capture, gps_time_mismatch, thumbnail_mismatch."""
    reasons: dict[str, Any] = {}
    program = editing_software(evidence.software)
    if program:
        reasons["software"] = {"value": evidence.software, "matched": program}
    taken, modified = evidence.taken_at, evidence.modified_at
    if taken is not None and modified is not None and modified - taken > MODIFIED_TOLERANCE:
        reasons["modified_after_capture"] = {
            "taken_at": taken.isoformat(),
            "modified_at": modified.isoformat(),
            "delta_minutes": _minutes(modified - taken),
        }
    gps = evidence.gps_time
    if taken is not None and gps is not None and abs(gps - taken) > GPS_TIME_TOLERANCE:
        reasons["gps_time_mismatch"] = {
            "taken_at": taken.isoformat(),
            "gps_time": gps.isoformat(),
            "delta_minutes": _minutes(gps - taken),
            "taken_at_has_offset": evidence.taken_at_has_offset,
        }
    if evidence.exif_thumbnail_mismatch:
        reasons["thumbnail_mismatch"] = True
    return reasons


def evaluate_flags(
    evidence: "PhotoEvidence",
    *,
    site_lat: float | None,
    site_lon: float | None,
    site_radius_m: float | None,
    visit_start: datetime,
    visit_end: datetime | None,
    distance_tolerance_m: float = 500,
    time_tolerance: timedelta = timedelta(hours=2),
    reuse_matches: Iterable[tuple[Any, int]] = (),
) -> tuple[list[FlagResult], float | None]:
    """Flags for one photo (in PhotoFlag order) and its distance from the site in metres.

    ``reuse_matches``: (other photo id, reuse_distance) pairs; those within
    REUSE_THRESHOLD make a single ``reused`` flag listing them.
    """
    flags: list[FlagResult] = []
    distance_m: float | None = None
    has_gps = evidence.latitude is not None and evidence.longitude is not None

    # far_from_site
    if has_gps and site_lat is not None and site_lon is not None:
        distance_m = round(haversine_m(site_lat, site_lon, evidence.latitude, evidence.longitude), 1)
        radius = float(site_radius_m or 0)
        if distance_m > radius + distance_tolerance_m:
            flags.append(FlagResult(PhotoFlag.FAR_FROM_SITE, {
                "distance_m": distance_m,
                "radius_m": radius,
                "tolerance_m": float(distance_tolerance_m),
                "excess_m": round(distance_m - radius - distance_tolerance_m, 1),
            }))

    # reused
    matches = sorted(
        ((pid, int(d)) for pid, d in reuse_matches if d is not None and d <= REUSE_THRESHOLD),
        key=lambda m: (m[1], str(m[0])),
    )
    if matches:
        flags.append(FlagResult(PhotoFlag.REUSED, {
            "matches": [{"photo_id": _json_id(pid), "distance": d} for pid, d in matches],
            "threshold": REUSE_THRESHOLD,
        }))

    # time_mismatch
    if evidence.taken_at is not None and visit_start is not None:
        start = _aware(visit_start)
        end = _aware(visit_end) if visit_end is not None else start
        if end < start:
            start, end = end, start
        low, high = start - time_tolerance, end + time_tolerance
        taken = evidence.taken_at
        if taken < low or taken > high:
            delta = taken - low if taken < low else taken - high  # negative: before window
            flags.append(FlagResult(PhotoFlag.TIME_MISMATCH, {
                "taken_at": taken.isoformat(),
                "taken_at_has_offset": evidence.taken_at_has_offset,
                "window": [low.isoformat(), high.isoformat()],
                "tolerance_minutes": _minutes(time_tolerance),
                "delta_minutes": _minutes(delta),
            }))

    # no_location
    if not has_gps:
        flags.append(FlagResult(PhotoFlag.NO_LOCATION, {}))

    # edited
    reasons = edit_reasons(evidence)
    if reasons:
        flags.append(FlagResult(PhotoFlag.EDITED, {"reasons": sorted(reasons), **reasons}))

    order = list(PhotoFlag)
    flags.sort(key=lambda f: order.index(f.flag))
    return flags, distance_m


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def _json_id(value: Any) -> Any:
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else str(value)
