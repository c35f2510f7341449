"""Face protection measured on the labelled set of tests/imaging/face_set.py."""
from surveys.imaging.derivatives import face_boxes
from tests.imaging import face_set


def test_every_face_down_to_a_thirtieth_of_the_width_is_found_and_nothing_else():
    result = face_set.score(face_boxes)
    missed_fractions = {float(name.split("-")[1]) for name in result["missed"]}
    assert missed_fractions <= {0.02}, result["missed"]  # only the 1/50-width faces may be missed
    assert result["false_positives"] == 0, result
