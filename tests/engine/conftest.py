"""After a run that collected the family tests: precision and recall per family on the corpus,
exact-figure and spurious rates on the held-out rows."""
from tests.engine.families import FAMILIES
from tests.engine.heldout import HELDOUT
from tests.engine.scoring import Score, score

_REPORT = {"wanted": False}


def pytest_collection_modifyitems(session, config, items):
    _REPORT["wanted"] = any(item.nodeid.startswith("tests/engine/test_families.py") for item in items)


def _table(title: str, rows: dict[str, list], columns) -> list[str]:
    lines = [title, f"{'family':<20}" + "".join(f"{name:>12}" for name, _ in columns)]
    total = Score()
    for family, family_rows in rows.items():
        s = score(family_rows)
        total.add_score(s)
        lines.append(f"{family:<20}" + "".join(f"{fmt(s):>12}" for _, fmt in columns))
    lines.append(f"{'all':<20}" + "".join(f"{fmt(total):>12}" for _, fmt in columns))
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _REPORT["wanted"]:
        return
    corpus = _table("Family corpus (tests/engine/families.py)", FAMILIES, [
        ("rows", lambda s: f"{s.rows_right}/{s.rows}"), ("figures", lambda s: s.expected),
        ("precision", lambda s: f"{s.precision:.1%}"), ("recall", lambda s: f"{s.recall:.1%}")])
    held_out = _table("Held-out rows (tests/engine/heldout.py, never tuned on)", HELDOUT, [
        ("rows", lambda s: f"{s.rows_right}/{s.rows}"), ("figures", lambda s: s.expected),
        ("exact", lambda s: f"{s.recall:.1%}"), ("spurious", lambda s: f"{s.spurious:.1%}")])
    terminalreporter.section("extraction by family")
    for line in [*corpus, "", *held_out]:
        terminalreporter.write_line(line)
