"""Precision and recall of promise matching on the hand-labelled pairs, per threshold.

`python -m benchmarks.promise_matching` prints the curve for `tests/data/promise_pairs.tsv` and
the pairs nearest the threshold on either side; `run.py` records it in the results.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from digests.matching import MATCH_THRESHOLD, same_work, similarity

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "promise_pairs.tsv"
REPOS = ("acme/api", "acme/web", "acme/mobile", "acme/infra")


def load_pairs(path: Path = PAIRS) -> list[tuple[bool, str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t") if row and row[0] in ("0", "1")]
    return [(row[0] == "1", row[1], row[2]) for row in rows]


def measure(pairs: list[tuple[bool, str, str]], threshold: float | None = None) -> dict[str, Any]:
    """Precision and recall of `same_work` (or of similarity ≥ `threshold`) on `pairs`."""
    tp = fp = fn = 0
    for expected, promise, later in pairs:
        if threshold is None:
            found = same_work(promise, later, repos=REPOS)
        else:
            found = similarity(promise, later) >= threshold
        tp += found and expected
        fp += found and not expected
        fn += expected and not found
    return {
        "pairs": len(pairs),
        "positives": sum(expected for expected, _, _ in pairs),
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "false_positives": fp,
        "false_negatives": fn,
    }


def run() -> dict[str, Any]:
    pairs = load_pairs()
    curve = {str(t): measure(pairs, float(t)) for t in range(70, 101, 2)}
    return {"threshold": MATCH_THRESHOLD, "at_threshold": measure(pairs), "curve": curve}


def main() -> None:
    result = run()
    print(f"threshold {result['threshold']}: {json.dumps(result['at_threshold'])}")
    for threshold, figures in result["curve"].items():
        precision, recall = figures["precision"], figures["recall"]
        print(f"  {threshold:>3}  precision {precision:.3f}  recall {recall:.3f}")
    pairs = load_pairs()
    scored = sorted((similarity(a, b), expected, a, b) for expected, a, b in pairs)
    print("highest-scoring different work:")
    for score, _, a, b in [s for s in scored if not s[1]][-4:]:
        print(f"  {score:5.1f}  {a!r} / {b!r}")
    print("lowest-scoring same work:")
    for score, _, a, b in [s for s in scored if s[1]][:4]:
        print(f"  {score:5.1f}  {a!r} / {b!r}")


if __name__ == "__main__":
    main()
