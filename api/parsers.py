"""JSON bodies read within bounds, so that no body can make the server fail (a 400, never a 500).

- nesting at most MAX_JSON_DEPTH arrays and objects deep (deeper input exhausts the
  recursion of the parser or of whatever walks the value later);
- numbers finite: `1e309`, `NaN` and `Infinity` are refused (Python would read infinity,
  which no integer, id or database column holds and no JSON response can render);
- a whole number past 64 bits is read as the float it stands for (as JavaScript means it),
  so a field wanting an integer refuses it and a field wanting a float gets one.
"""
import json
import math

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
_INT64 = 2**63 - 1


class _Refused(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"The number {text[:40]} is out of range.")
    return value


def _int(text: str) -> int | float:
    value = int(text)
    return value if -_INT64 <= value <= _INT64 else _finite_float(text)


def _refuse_constant(name: str):
    raise _Refused(f"{name} is not a number JSON allows.")


def _depth(value) -> int:
    """How deeply arrays and objects nest in `value`, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def json_loads_bounded(text: str | bytes):
    """json.loads within the bounds above; raises ValueError (with a message for the client)."""
    try:
        value = json.loads(text, parse_float=_finite_float, parse_int=_int, parse_constant=_refuse_constant)
    except RecursionError:
        raise _Refused(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise _Refused(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
    return value


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            return json_loads_bounded(stream.read().decode(encoding))
        except _Refused as error:
            raise ParseError(str(error)) from None
        except ValueError as error:  # UnicodeDecodeError included
            raise ParseError(f"JSON parse error - {error}") from None
