"""PostgreSQL only (`make test-integration`): the COPY fast path against the portable one."""
import csv
import io
import random
import struct

import psycopg
import pytest
from django.db import connection

from surveys.exports.columns import DATASET_COLUMNS, FORMATS, Kind
from surveys.exports.formats import number_text
from surveys.selectors.exports import ExportFilters, export_stream
from tests.exports.conftest import read

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
CSV_EXPORTS = [name for name, export in FORMATS.items() if export.writer == "csv"]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (make test-integration)")


def both_paths(name, user, filters=ExportFilters(), bom=False):
    export = FORMATS[name]
    fast = b"".join(export_stream(export, user=user, filters=filters, bom=bom, copy=True))
    portable = b"".join(export_stream(export, user=user, filters=filters, bom=bom, copy=False))
    return fast, portable


def parsed(name, body: bytes) -> list[list]:
    """The CSV's rows as values: the text of every cell, the number columns' cells as floats (by their bits,
    so -0 and 0 differ), as a client that reads the file sees them."""
    numbers = [column.kind == Kind.NUMBER for column in DATASET_COLUMNS[FORMATS[name].dataset]]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return [rows[0]] + [[struct.pack("<d", float(cell)) if number and cell else cell
                         for number, cell in zip(numbers, row, strict=True)] for row in rows[1:]]


def same_values(name, fast: bytes, portable: bytes) -> bool:
    return fast[:3] == portable[:3] and parsed(name, fast) == parsed(name, portable)


@pytest.mark.parametrize("name", CSV_EXPORTS)
@pytest.mark.parametrize("role", ["editor", "exporter"])
def test_copy_and_python_paths_write_the_same_values(dataset, editor, exporter, name, role):
    user = {"editor": editor, "exporter": exporter}[role]
    fast, portable = both_paths(name, user)
    assert same_values(name, fast, portable)
    assert fast.count(b"\n") > 1


def test_same_values_with_filters_bom_and_tricky_values(dataset, editor):
    from tests.factories import ObservationFactory, VisitFactory

    visit = VisitFactory(site=dataset["park"], notes="\tTab first,\r\nCRLF \"quoted\" 完", activity_signs=[],
                         latitude=-0.0, longitude=1e-7)
    ObservationFactory(visit=visit, low=1e20, high=None, quote="\r", confidence=1 / 3, source_role="'")
    ObservationFactory(visit=visit, low=0.1 + 0.2, high=123456789.123456789, quote="@", source_role="-")
    ObservationFactory(visit=visit, low=2.0 ** 60 + 2 ** 8, high=1e23, quote="x", confidence=1e-5)
    for name in ("visits.csv", "observations.csv"):
        fast, portable = both_paths(name, editor, ExportFilters(site=dataset["park"].pk), bom=True)
        assert same_values(name, fast, portable)
        assert fast.startswith(b"\xef\xbb\xbf")
    fast, _ = both_paths("observations.csv", editor)
    assert b"1e+20" in fast and b"0.3333333333333333," in fast and b"9.999999999999999e+22" in fast


def test_number_text_reads_back_as_the_float_that_float8_text_reads_back_as():
    rng = random.Random(20261125)
    values = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(30_000)]
    values += [float(rng.randrange(2 ** 53, 10 ** 25)) for _ in range(10_000)]
    values += [round(rng.uniform(-180, 180), rng.randint(0, 8)) for _ in range(10_000)]
    values += [sign * 10.0 ** e for e in range(-20, 30) for sign in (1, -1)] + [0.0, -0.0, 5e-324]
    with connection.cursor() as cursor:
        cursor.execute("SET extra_float_digits = 1")
        cursor.execute("SELECT v::float8::text FROM unnest(%s::text[]) AS v", [[repr(v) for v in values]])
        postgresql = [text for (text,) in cursor.fetchall()]
        cursor.execute("RESET extra_float_digits")
    assert [struct.pack("<d", float(number_text(v))) for v in values] == \
        [struct.pack("<d", float(text)) for text in postgresql]


def test_copy_pins_float8_text_whatever_the_session_says(dataset, editor):
    from tests.factories import VisitFactory

    VisitFactory(site=dataset["park"], latitude=0.1 + 0.2, longitude=1 / 3)
    with connection.cursor() as cursor:
        cursor.execute("SET extra_float_digits = 0")  # 15 significant digits, as before PostgreSQL 12
        try:
            fast, portable = both_paths("visits.csv", editor)
        finally:
            cursor.execute("RESET extra_float_digits")
    assert same_values("visits.csv", fast, portable) and b"0.30000000000000004,0.3333333333333333," in fast


def test_csv_endpoint_takes_the_copy_path(editor_client, dataset, monkeypatch):
    from surveys.selectors import exports

    calls = []
    original = exports._copy_chunks
    monkeypatch.setattr(exports, "_copy_chunks", lambda *a, **k: calls.append(1) or original(*a, **k))
    body = read(editor_client.get("/api/v1/exports/visits.csv"))
    assert calls
    assert len(list(csv.reader(io.StringIO(body.decode())))) == 4  # header and three visits


def test_copy_streams_the_first_bytes_while_the_query_is_still_running(editor_client):
    from tests.exports.test_streaming import bulk_visits

    bulk_visits(20_000)
    chunks = iter(editor_client.get("/api/v1/exports/visits.csv").streaming_content)
    first = next(chunks) + next(chunks)
    with psycopg.connect(_dsn(), autocommit=True) as other:
        running = other.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                                "AND query LIKE 'COPY (SELECT%%'").fetchone()[0]
    assert running == 1 and 0 < first.count(b"\n") < 2000
    assert first.count(b"\n") + sum(chunk.count(b"\n") for chunk in chunks) == 20_001


def _dsn() -> str:
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def test_an_abandoned_copy_leaves_the_connection_usable(dataset, editor):
    from tests.factories import VisitFactory

    for _ in range(50):
        VisitFactory(site=dataset["park"], notes="x" * 3000)
    stream = export_stream(FORMATS["visits.csv"], user=editor, filters=ExportFilters())
    next(stream), next(stream)  # header, then the first 64 KB of rows
    stream.close()  # the client went away
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
