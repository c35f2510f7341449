"""The pure cell formatting shared by every export (mirrored in SQL for COPY)."""
import datetime as dt
import random
import struct

import pytest

from surveys.exports.columns import Column, Kind
from surveys.exports.formats import chunked, csv_lines, datetime_text, neutralise, number_text


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-5 cars", "'-5 cars"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("门卫说", "门卫说"), ("'quoted", "'quoted"),
])
def test_formula_like_text_is_prefixed_with_a_quote(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize("value, expected", [
    (2500.0, "2500"), (-5.0, "-5"), (0.6, "0.6"), (0.1 + 0.2, "0.30000000000000004"), (1 / 3, "0.3333333333333333"),
    (0.0001, "0.0001"), (1.5e-7, "1.5e-07"), (-0.0, "-0"), (8e9, "8000000000"), ("2500.0", "2500"),
    (123456789012345.6, "123456789012345.6"), (1e16, "1e+16"), (1e20, "1e+20"),
    (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
    (float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity"),
])
def test_numbers_are_their_shortest_digits_and_whole_numbers_have_no_fraction(value, expected):
    assert number_text(value) == expected


def test_every_float_reads_back_as_itself():
    rng = random.Random(20261202)
    values = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(20_000)]
    values += [sign * 10.0 ** e for e in range(-20, 30) for sign in (1, -1)] + [0.0, -0.0, 2.0 ** 53, 1e23]
    for value in values:
        text = number_text(value)
        assert bits(float(text)) == bits(value) if value == value else text == "NaN", (value, text)


def bits(number: float) -> bytes:
    return struct.pack("<d", number)


def test_datetimes_are_utc_with_z_and_fractions_only_when_present():
    cst = dt.timezone(dt.timedelta(hours=8))
    assert datetime_text(dt.datetime(2025, 10, 14, 14, 5, tzinfo=cst)) == "2025-10-14T06:05:00Z"
    assert datetime_text(dt.datetime(2025, 10, 14, 6, 5, 1, 120000, tzinfo=dt.timezone.utc)) == "2025-10-14T06:05:01.12Z"


def test_csv_quotes_like_postgresql_copy():
    columns = (Column("a", "a", Kind.TEXT), Column("b", "b", Kind.NUMBER), Column("c", "c", Kind.LIST),
               Column("d", "d", Kind.BOOL))
    rows = [("x,y", -5.0, ["门", "a"], False), ('say "hi"', None, [], True), ("line\rbreak", 1.0, None, None),
            ("", 2.0, ["=x"], None)]
    assert list(csv_lines(columns, rows)) == [
        '"x,y",-5,"[""门"", ""a""]",false\n',
        '"say ""hi""",,,true\n',
        '"line\rbreak",1,,\n',
        ',2,"[""=x""]",\n',
    ]


def test_chunks_are_bounded_and_lose_nothing():
    parts = [f"{i:05d}\n" for i in range(10_000)]
    chunks = list(chunked(parts, size=1000))
    assert b"".join(chunks).decode() == "".join(parts)
    assert max(len(chunk) for chunk in chunks) < 1000 + 10
