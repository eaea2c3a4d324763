"""Every re-anchoring answer on the dev cases and the generated set, recorded once.

    python -m tests.anchoring.recorded_answers record    # rewrite the file from today's code
    python -m tests.anchoring.recorded_answers compare   # list every answer that differs

``tests/fixtures/anchoring/reanchor_answers.jsonl`` holds, for each case of
``../shared/data/anchoring/dev_cases.jsonl`` and of the set ``bench/make_anchoring_cases.py``
generates, the answer ``reanchor`` gave (status, start, end, score) and a digest of the
case's input (new text and quote), so that a changed case is told apart from a changed
answer. No text of the cases is stored: the data stays in ``shared/``. Record only from
code whose answers are meant to be the reference (it was first recorded before the
matcher was made faster, issue 14); a deliberate change of answers re-records and lists
the changed answers in bench/README.md.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from corrigo.anchoring import TextQuote, reanchor
from tests.shared_data import SHARED_DATA

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "tests" / "fixtures" / "anchoring" / "reanchor_answers.jsonl"
DEV_CASES = SHARED_DATA / "anchoring" / "dev_cases.jsonl"


def generated_cases() -> list[dict]:
    """The set bench/make_anchoring_cases.py generates from the shared pages (in memory)."""
    spec = importlib.util.spec_from_file_location("make_anchoring_cases", REPO / "bench" / "make_anchoring_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    cases, _ = module.generate(SHARED_DATA)
    return cases


def dev_cases() -> list[dict]:
    with open(DEV_CASES, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def all_cases() -> Iterator[dict]:
    yield from dev_cases()
    yield from generated_cases()


def digest(case: dict) -> str:
    quote = case["quote"]
    key = [case["new_text"], quote["exact"], quote["prefix"], quote["suffix"], quote["start"], quote["end"]]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def answer(case: dict) -> dict:
    """Today's answer for one case, as recorded."""
    q = case["quote"]
    result = reanchor(TextQuote(q["exact"], q["prefix"], q["suffix"], q["start"], q["end"]), case["new_text"])
    return {
        "id": case["id"],
        "input": digest(case),
        "status": result.status,
        "start": result.start,
        "end": result.end,
        "score": result.score,
    }


def recorded() -> dict[str, dict]:
    with open(RECORDED, encoding="utf-8") as lines:
        return {row["id"]: row for row in map(json.loads, lines)}


def differences(cases: Iterator[dict], before: dict[str, dict]) -> list[str]:
    """One line for every case whose input or answer is not as recorded, or that is missing."""
    lines = []
    seen = set()
    for case in cases:
        seen.add(case["id"])
        now = answer(case)
        then = before.get(case["id"])
        if then is None:
            lines.append(f"{case['id']}: not recorded")
        elif then["input"] != now["input"]:
            lines.append(f"{case['id']}: the case itself changed (generator, text model or shared data): re-record")
        elif then != now:
            was = f"{then['status']} {then['start']}:{then['end']} score {then['score']}"
            lines.append(f"{case['id']}: was {was}, now {now['status']} {now['start']}:{now['end']} score {now['score']}")
    lines.extend(f"{case_id}: recorded, but no longer a case" for case_id in before.keys() - seen)
    return lines


def main(argv: list[str]) -> int:
    if argv == ["record"]:
        RECORDED.parent.mkdir(parents=True, exist_ok=True)
        with open(RECORDED, "w", encoding="utf-8") as out:
            for case in all_cases():
                out.write(json.dumps(answer(case)) + "\n")
        print(f"recorded -> {RECORDED}")
        return 0
    if argv == ["compare"]:
        lines = differences(all_cases(), recorded())
        print("\n".join(lines) if lines else "every answer as recorded")
        return 1 if lines else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
