"""Extraction throughput, phrases/s on one core: this engine against the engine before issue 16
(commit b8bff19), on the same phrase list, in the same run.

The phrase list is every text of the engine's corpus, its family corpus and its held-out rows.
Each engine runs in its own child process pinned to one CPU; the two alternate for a few rounds
and the median of each is reported, with the machine's load (the machine may be shared).
Run: .venv/bin/python bench/extraction_bench.py [--seconds 5 --rounds 3]  (no database needed).
Writes bench/results/extraction.json; bench/matching_bench.py reports the same figures.
"""
import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, write_result  # noqa: E402

BASELINE_COMMIT = "b8bff19"  # the engine as it was before the metric table and issue 16
GOAL_PHRASES_PER_SECOND = 5000

# Runs in a child: import the engine found at sys.argv[1], read the phrases, time extract_observations.
_CHILD = """
import json, os, sys, time
from datetime import date
os.sched_setaffinity(0, {int(sys.argv[4])})
sys.path.insert(0, sys.argv[1])
from surveys.engine import extract_observations
phrases = json.load(open(sys.argv[2]))
seconds = float(sys.argv[3])
on = date(2025, 3, 10)
for text in phrases:
    extract_observations(text, visit_date=on)  # warm up: regexes compiled, unit registry built
count, started = 0, time.perf_counter()
while time.perf_counter() - started < seconds:
    for text in phrases:
        extract_observations(text, visit_date=on)
    count += len(phrases)
print(json.dumps(count / (time.perf_counter() - started)))
"""


def phrases() -> list[str]:
    from tests.engine.corpus import CORPUS
    from tests.engine.families import FAMILIES
    from tests.engine.heldout import HELDOUT

    return ([text for text, _ in CORPUS] + [text for rows in FAMILIES.values() for text, _ in rows]
            + [text for rows in HELDOUT.values() for text, _ in rows])


def _baseline_tree(into: Path) -> Path:
    """The baseline engine's files (only what it imports), taken from git into a scratch folder."""
    archive = subprocess.run(["git", "archive", BASELINE_COMMIT, "surveys/__init__.py", "surveys/vocab.py",
                              "surveys/engine"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _rate(root: Path, phrase_file: Path, seconds: float, cpu: int) -> float:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(phrase_file), str(seconds), str(cpu)],
                         capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()).stdout
    return json.loads(out)


def extraction(seconds: float = 5.0, rounds: int = 3) -> dict:
    texts = phrases()
    cpu = min(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as scratch:
        phrase_file = Path(scratch) / "phrases.json"
        phrase_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        baseline_root = _baseline_tree(Path(scratch) / "baseline")
        before, after = [], []
        for _ in range(rounds):  # alternate, so that a busy spell hurts both
            before.append(_rate(baseline_root, phrase_file, seconds, cpu))
            after.append(_rate(ROOT, phrase_file, seconds, cpu))
    now = statistics.median(after)
    return {
        "phrases": len(texts), "seconds_per_run": seconds, "rounds": rounds, "cpu": cpu,
        "before": {"commit": BASELINE_COMMIT, "phrases_per_second": round(statistics.median(before)),
                   "runs": [round(r) for r in before]},
        "after": {"phrases_per_second": round(now), "runs": [round(r) for r in after]},
        "ratio": round(now / statistics.median(before), 2),
        "goal_phrases_per_second": GOAL_PHRASES_PER_SECOND, "met": now >= GOAL_PHRASES_PER_SECOND,
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = extraction(args.seconds, args.rounds)
    print("extraction", json.dumps(result), flush=True)
    print(f"wrote {write_result('extraction', result)}")


if __name__ == "__main__":
    main()
