import json
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from surveys.imaging.evidence import PhotoEvidence
from surveys.imaging.fingerprints import REUSE_THRESHOLD
from surveys.imaging.flags import (EDITING_SOFTWARE, FlagResult, editing_software, evaluate_flags,
                                   haversine_m)
from surveys.vocab import PhotoFlag

CST = timezone(timedelta(hours=8))
SITE = dict(site_lat=31.2304, site_lon=121.4737, site_radius_m=300)
START = datetime(2024, 5, 14, 7, 0, tzinfo=timezone.utc)  # 15:00 CST
END = datetime(2024, 5, 14, 8, 0, tzinfo=timezone.utc)


def ev(**kw) -> PhotoEvidence:
    base = PhotoEvidence(
        sha256="0" * 64, format="jpeg", width=1200, height=900,
        taken_at=datetime(2024, 5, 14, 15, 30, tzinfo=CST), taken_at_has_offset=True,
        modified_at=datetime(2024, 5, 14, 15, 30, tzinfo=CST),
        latitude=31.2310, longitude=121.4740,
        gps_time=datetime(2024, 5, 14, 7, 30, 2, tzinfo=timezone.utc),
        make="Apple", model="iPhone 13", software="17.1", exif_thumbnail_mismatch=False,
    )
    return replace(base, **kw)


def run(evidence, **kw):
    args = dict(SITE, visit_start=START, visit_end=END)
    args.update(kw)
    flags, distance = evaluate_flags(evidence, **args)
    json.dumps([f.details for f in flags])  # always JSON-serialisable
    return {f.flag: f.details for f in flags}, distance, flags


def test_clean_photo_has_no_flags():
    flags, distance, _ = run(ev())
    assert flags == {}
    assert distance == pytest.approx(haversine_m(31.2304, 121.4737, 31.2310, 121.4740), abs=0.1)
    assert 50 < distance < 100


def test_haversine():
    assert haversine_m(0, 0, 0, 0) == 0
    assert haversine_m(0, 0, 0, 1) == pytest.approx(111_195, rel=1e-3)
    # Shanghai -> Beijing ~1,068 km
    assert haversine_m(31.2304, 121.4737, 39.9042, 116.4074) == pytest.approx(1_067_000, rel=0.01)


def test_far_from_site_30km():
    flags, distance, _ = run(ev(latitude=31.2304 + 0.27, longitude=121.4737))
    d = flags[PhotoFlag.FAR_FROM_SITE]
    assert distance == pytest.approx(30_000, rel=0.01)
    assert d["distance_m"] == distance and d["radius_m"] == 300 and d["tolerance_m"] == 500


def test_far_from_site_boundary_uses_radius_plus_tolerance():
    inside = 31.2304 + 750 / 111_195  # 750 m < 300 + 500
    outside = 31.2304 + 850 / 111_195
    assert PhotoFlag.FAR_FROM_SITE not in run(ev(latitude=inside, longitude=121.4737))[0]
    assert PhotoFlag.FAR_FROM_SITE in run(ev(latitude=outside, longitude=121.4737))[0]
    assert PhotoFlag.FAR_FROM_SITE not in run(ev(latitude=outside, longitude=121.4737),
                                              distance_tolerance_m=1000)[0]


def test_site_without_position_gives_no_distance():
    flags, distance, _ = run(ev(), site_lat=None, site_lon=None, site_radius_m=None)
    assert distance is None and flags == {}


def test_no_location():
    flags, distance, _ = run(ev(latitude=None, longitude=None))
    assert PhotoFlag.NO_LOCATION in flags and distance is None
    assert PhotoFlag.FAR_FROM_SITE not in flags


def test_time_mismatch_outside_window():
    taken = datetime(2024, 5, 14, 20, 30, tzinfo=CST)  # 12:30 UTC: 2.5 h after end+2h
    flags, _, _ = run(ev(taken_at=taken, modified_at=taken, gps_time=None))
    d = flags[PhotoFlag.TIME_MISMATCH]
    assert d["taken_at"] == taken.isoformat()
    assert d["window"] == [(START - timedelta(hours=2)).isoformat(),
                           (END + timedelta(hours=2)).isoformat()]
    assert d["delta_minutes"] == 150.0


def test_time_mismatch_before_window_is_negative_and_open_visit_uses_start():
    taken = datetime(2024, 5, 13, 15, 0, tzinfo=CST)  # a day early
    flags, _, _ = run(ev(taken_at=taken, modified_at=taken, gps_time=None), visit_end=None)
    d = flags[PhotoFlag.TIME_MISMATCH]
    assert d["delta_minutes"] == -(24 * 60 - 120)
    assert d["window"][1] == (START + timedelta(hours=2)).isoformat()


def test_time_within_tolerance():
    taken = datetime(2024, 5, 14, 17, 59, tzinfo=CST)  # 09:59 UTC = end + 1h59
    flags, _, _ = run(ev(taken_at=taken, modified_at=taken, gps_time=None))
    assert PhotoFlag.TIME_MISMATCH not in flags
    assert PhotoFlag.TIME_MISMATCH in run(ev(taken_at=taken, modified_at=taken, gps_time=None),
                                          time_tolerance=timedelta(hours=1))[0]


def test_no_capture_time_no_time_flag():
    flags, _, _ = run(ev(taken_at=None, modified_at=None))
    assert flags == {}


def test_reused_lists_matches_within_threshold():
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    flags, _, _ = run(ev(), reuse_matches=[(a, 3), (b, REUSE_THRESHOLD + 1), (c, 0)])
    d = flags[PhotoFlag.REUSED]
    assert d["matches"] == [{"photo_id": str(c), "distance": 0}, {"photo_id": str(a), "distance": 3}]
    assert d["threshold"] == REUSE_THRESHOLD
    assert PhotoFlag.REUSED not in run(ev(), reuse_matches=[(a, REUSE_THRESHOLD + 1)])[0]


@pytest.mark.parametrize("software", ["Adobe Photoshop 25.0 (Windows)", "GIMP 2.10.36",
                                      "Adobe Photoshop Lightroom Classic 13.1", "Snapseed 2.0",
                                      "PicsArt", "美图秀秀", "Meitu", "MTXX by Meitu"])
def test_edited_by_software(software):
    flags, _, _ = run(ev(software=software))
    d = flags[PhotoFlag.EDITED]
    assert d["reasons"] == ["software"] and d["software"]["value"] == software


@pytest.mark.parametrize("software", ["17.1", "G998BXXU5DWB5", "HDR+ 1.0.540104024zd",
                                      "MediaTek Camera Application", "Ver.1.00", ""])
def test_camera_firmware_is_not_an_editor(software):
    assert editing_software(software) is None


def test_editor_tuple_is_lowercase_module_level():
    assert all(name == name.lower() for name in EDITING_SOFTWARE)
    assert {"photoshop", "gimp", "lightroom", "snapseed", "picsart", "meitu", "美图"} <= set(EDITING_SOFTWARE)


def test_edited_by_modified_time():
    later = datetime(2024, 5, 14, 15, 31, 30, tzinfo=CST)
    d = run(ev(modified_at=later))[0][PhotoFlag.EDITED]
    assert d["reasons"] == ["modified_after_capture"]
    assert d["modified_after_capture"]["delta_minutes"] == 1.5
    assert PhotoFlag.EDITED not in run(ev(modified_at=datetime(2024, 5, 14, 15, 30, 50, tzinfo=CST)))[0]


def test_edited_by_gps_time():
    d = run(ev(gps_time=datetime(2024, 5, 14, 7, 36, tzinfo=timezone.utc)))[0][PhotoFlag.EDITED]
    assert d["reasons"] == ["gps_time_mismatch"] and d["gps_time_mismatch"]["delta_minutes"] == 6.0
    assert PhotoFlag.EDITED not in run(ev(gps_time=datetime(2024, 5, 14, 7, 34, tzinfo=timezone.utc)))[0]


def test_edited_by_thumbnail_and_combined_reasons():
    d = run(ev(exif_thumbnail_mismatch=True, software="GIMP 2.10"))[0][PhotoFlag.EDITED]
    assert d["reasons"] == ["software", "thumbnail_mismatch"]
    assert PhotoFlag.EDITED not in run(ev(exif_thumbnail_mismatch=None))[0]


def test_flags_in_vocabulary_order():
    _, _, flags = run(ev(latitude=None, longitude=None, software="Photoshop",
                         taken_at=datetime(2020, 1, 1, tzinfo=CST), modified_at=None),
                      reuse_matches=[(1, 0)])
    assert [f.flag for f in flags] == [PhotoFlag.REUSED, PhotoFlag.TIME_MISMATCH,
                                       PhotoFlag.NO_LOCATION, PhotoFlag.EDITED]
    assert all(isinstance(f, FlagResult) for f in flags)
    assert flags[0].details["matches"] == [{"photo_id": 1, "distance": 0}]


def test_end_to_end_with_read_evidence():
    from surveys.imaging.evidence import read_evidence
    from tests.imaging import samples

    data = samples.jpeg_with_metadata(lat=31.2304 + 0.27, software="Snapseed",
                                      modified_at=datetime(2024, 5, 20, 10, 0))
    flags, distance, _ = run(read_evidence(data, limits=samples.limits()))
    assert set(flags) == {PhotoFlag.FAR_FROM_SITE, PhotoFlag.EDITED}
    assert flags[PhotoFlag.EDITED]["reasons"] == ["modified_after_capture", "software"]


def test_importing_flags_loads_no_image_library():
    code = ("import sys, surveys.imaging, surveys.imaging.flags, surveys.imaging.errors;"
            "bad = [m for m in ('PIL', 'numpy', 'cv2', 'imagehash', 'pillow_heif', 'exifread', 'django')"
            " if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
