"""Cell and document formatting for every export format. Pure functions.

The CSV rules here are mirrored in SQL by `sql.py` for PostgreSQL's COPY path;
both must give the same values once parsed (tested on PostgreSQL): the same text, and
numbers that read back as the same float.
"""
import datetime as dt
import json
from typing import Callable, Iterable, Iterator

from .columns import Column, Kind

BOM = "\ufeff".encode()
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 64 * 1024


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# PostgreSQL's spelling of what repr() writes as nan, inf, -inf.
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def number_text(value) -> str:
    """A float's shortest digits that read back as the same float (repr), whole numbers without ".0".

    COPY's float8 text (with the extra_float_digits that sql.py pins) reads back as the same
    float too, though it may spell it otherwise (1e15 for 1000000000000000): the two paths give
    the same values, not always the same bytes.
    """
    text = repr(float(value))
    if text in _NON_FINITE:
        return _NON_FINITE[text]
    return text[:-2] if text.endswith(".0") else text


def datetime_text(value: dt.datetime) -> str:
    text = value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text.rstrip("0").rstrip(".") + "Z"


def _quoted(text: str) -> str:
    # Quote exactly when PostgreSQL's COPY ... CSV does: delimiter, quote, CR or LF.
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_text(value) -> str:
    return _quoted(neutralise(value)) if value else ""


def _csv_code(value) -> str:
    return _quoted(value) if value else ""


def _csv_list(value) -> str:
    return _quoted(json.dumps(value, ensure_ascii=False)) if value else ""


def _csv_bool(value) -> str:
    return "" if value is None else ("true" if value else "false")


CSV_CELL: dict[Kind, Callable] = {
    Kind.TEXT: _csv_text,
    Kind.CODE: _csv_code,
    Kind.NUMBER: number_text,
    Kind.INT: str,
    Kind.BOOL: _csv_bool,
    Kind.DATETIME: datetime_text,
    Kind.DATE: dt.date.isoformat,
    Kind.UUID: str,
    Kind.LIST: _csv_list,
    Kind.REPORTER: _csv_text,
}


def _json_text(value):
    return value


JSON_VALUE: dict[Kind, Callable] = {
    Kind.TEXT: _json_text,
    Kind.CODE: _json_text,
    Kind.NUMBER: float,
    Kind.INT: int,
    Kind.BOOL: bool,
    Kind.DATETIME: datetime_text,
    Kind.DATE: dt.date.isoformat,
    Kind.UUID: str,
    Kind.LIST: list,
    Kind.REPORTER: _json_text,
}


def csv_header(columns: Iterable[Column]) -> str:
    return ",".join(column.name for column in columns) + "\n"


def csv_lines(columns: tuple[Column, ...], rows: Iterable[tuple]) -> Iterator[str]:
    cells = [CSV_CELL[column.kind] for column in columns]
    pairs = list(enumerate(cells))
    for row in rows:
        yield ",".join("" if row[i] is None else cell(row[i]) for i, cell in pairs) + "\n"


def json_records(columns: tuple[Column, ...], rows: Iterable[tuple]) -> Iterator[dict]:
    converters = [(column.name, JSON_VALUE[column.kind]) for column in columns]
    for row in rows:
        yield {name: None if value is None else convert(value) for (name, convert), value in zip(converters, row)}


def json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def jsonl_lines(records: Iterable[dict]) -> Iterator[str]:
    for record in records:
        yield json_dumps(record) + "\n"


def geojson_parts(records: Iterable[dict]) -> Iterator[str]:
    """An RFC 7946 FeatureCollection of visits, written piece by piece.

    The point is the visit's own position when the viewer may see it, else its
    site's (the exporter policy withholds visit positions, so exporters get the site's).
    """
    yield '{"type":"FeatureCollection","features":[\n'
    separator = ""
    for record in records:
        if record["latitude"] is not None and record["longitude"] is not None:
            lon, lat, source = record["longitude"], record["latitude"], "visit"
        else:
            lon, lat, source = record["site_longitude"], record["site_latitude"], "site"
        geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
        feature = {"type": "Feature", "id": record["id"], "geometry": geometry,
                   "properties": {**record, "position_source": source if geometry else None}}
        yield separator + json_dumps(feature)
        separator = ",\n"
    yield "\n]}\n"


# A confirmed discrepancy says the claim is not borne out; its severity says how far.
RATINGS = {
    "high": (1, "Not supported by what we saw"),
    "medium": (2, "Mostly not supported by what we saw"),
    "low": (3, "Partly supported by what we saw"),
}
BEST_RATING, WORST_RATING = 5, 1
PERSON_SOURCE_KINDS = frozenset({"other"})


def _compact(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def claim_review(record: dict, *, newsroom_name: str, newsroom_url: str) -> dict:
    """schema.org ClaimReview for one confirmed discrepancy (record: CLAIM_REVIEW_COLUMNS)."""
    rating_value, rating_name = RATINGS[record["severity"]]
    source_type = "Person" if record["source_kind"] in PERSON_SOURCE_KINDS else "Organization"
    base_url = newsroom_url.rstrip("/")
    return _compact({
        "@type": "ClaimReview",
        "url": f"{base_url}/discrepancies/{record['id']}" if base_url else None,
        "claimReviewed": record["claim_text"],
        "reviewBody": record["explanation"],
        "datePublished": record["reviewed_at"],
        "author": _compact({"@type": "Organization", "name": newsroom_name, "url": base_url or None}),
        "itemReviewed": _compact({
            "@type": "Claim",
            "author": _compact({"@type": source_type, "name": record["source_name"] or "Unknown source",
                                "url": record["source_url"]}),
            "datePublished": record["published_on"],
        }),
        "reviewRating": {"@type": "Rating", "ratingValue": rating_value, "bestRating": BEST_RATING,
                         "worstRating": WORST_RATING, "alternateName": rating_name},
    })


def jsonld_parts(reviews: Iterable[dict]) -> Iterator[str]:
    yield '{"@context":"https://schema.org","@graph":[\n'
    separator = ""
    for review in reviews:
        yield separator + json_dumps(review)
        separator = ",\n"
    yield "\n]}\n"


def chunked(parts: Iterable[str], *, size: int = FLUSH_BYTES) -> Iterator[bytes]:
    """UTF-8 chunks of about `size` bytes: few enough writes, small enough memory."""
    buffer: list[str] = []
    length = 0
    for part in parts:
        buffer.append(part)
        length += len(part)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()
