"""The engine's words per language: one module per language with the same names in each.

Adding a language: copy en.py to <code>.py, translate every list (an empty string where a
language has no such word), add the module to LANGUAGES, and give each row of metrics.py its
unit and cue words in the new language.
"""
from surveys.engine.words import en, zh

LANGUAGES = (en, zh)
CODES = ("en", "zh")


def joined(name: str) -> str:
    """The languages' patterns called `name`, as one alternation (empty ones left out)."""
    return "|".join(p for p in (getattr(lang, name) for lang in LANGUAGES) if p)


def merged(name: str) -> dict:
    """The languages' dicts called `name` merged: patterns joined per key, lists concatenated."""
    result: dict = {}
    for lang in LANGUAGES:
        for key, value in getattr(lang, name).items():
            if isinstance(value, str):
                result[key] = "|".join(p for p in (result.get(key, ""), value) if p)
            elif isinstance(value, list):
                result[key] = result.get(key, []) + value
            else:
                result[key] = value
    return result
