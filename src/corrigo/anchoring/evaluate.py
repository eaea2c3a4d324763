"""Score :func:`reanchor` on a file of re-anchoring cases.

    python -m corrigo.anchoring.evaluate CASES.jsonl [--meta META.jsonl] [--failures]

A case is one JSON object a line: ``{"id", "old_text", "new_text", "quote": {exact,
prefix, suffix, start, end}, "expected": {"status", "start", "end"}}`` (the schema of
``shared/data/anchoring/dev_cases.jsonl``). Scoring rules, from that data's README:

* expected ``unchanged``: right when the answer is ``unchanged`` with exactly the
  expected span;
* expected ``changed``: right when the answer is ``changed`` with a span overlapping
  the expected one;
* expected ``gone``: right when the answer is ``gone``;
* **wrong place**: an answer whose span overlaps no expected span (any span at all
  when the passage is gone), counted over all cases.

With ``--meta`` (one ``{"id", "stratum", "tags"}`` a line) the table is also broken down
by stratum and by tag.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from corrigo.anchoring.quote import Reanchored, TextQuote
from corrigo.anchoring.reanchor import reanchor

TARGETS = {"unchanged": 0.995, "changed": 0.95, "gone": 0.90}
WRONG_PLACE_TARGET = 0.01


@dataclass(frozen=True)
class Outcome:
    case_id: str
    expected: str
    answer: Reanchored
    right: bool
    wrong_place: bool


def judge(case: dict) -> Outcome:
    """Re-anchor one case and judge the answer by the scoring rules above."""
    q = case["quote"]
    quote = TextQuote(q["exact"], q.get("prefix", ""), q.get("suffix", ""), q.get("start"), q.get("end"))
    answer = reanchor(quote, case["new_text"])
    expected = case["expected"]
    status = expected["status"]
    has_span = answer.start is not None and answer.end is not None
    overlaps = (
        has_span and expected.get("start") is not None and _overlap(answer.start, answer.end, expected["start"], expected["end"])
    )
    if status == "unchanged":
        right = answer.status == "unchanged" and answer.start == expected["start"] and answer.end == expected["end"]
    elif status == "changed":
        right = answer.status == "changed" and overlaps
    else:
        right = answer.status == "gone"
    wrong_place = has_span and not overlaps
    return Outcome(case["id"], status, answer, right, wrong_place)


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    # An empty answer (the words were removed) counts when it falls inside the span.
    if a_start == a_end:
        return b_start <= a_start <= b_end
    return a_start < b_end and b_start < a_end


def read_jsonl(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def table(outcomes: list[Outcome], title: str = "all") -> str:
    """The accuracy table for a group of outcomes, as Markdown."""
    rows = [
        f"#### {title} ({len(outcomes)} cases)",
        "",
        "| expected | cases | right | rate | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for status in ("unchanged", "changed", "gone"):
        group = [o for o in outcomes if o.expected == status]
        if not group:
            continue
        right = sum(o.right for o in group)
        rows.append(f"| {status} | {len(group)} | {right} | {100 * right / len(group):.1f} % | ≥ {100 * TARGETS[status]:.1f} % |")
    wrong = sum(o.wrong_place for o in outcomes)
    rows.append(
        f"| wrong place (of all) | {len(outcomes)} | {wrong} | "
        f"{100 * wrong / max(1, len(outcomes)):.1f} % | ≤ {100 * WRONG_PLACE_TARGET:.1f} % |"
    )
    answers: dict[str, int] = defaultdict(int)
    for o in outcomes:
        answers[o.answer.status] += 1
    rows.append("")
    rows.append("answers: " + ", ".join(f"{k} {v}" for k, v in sorted(answers.items())))
    return "\n".join(rows)


def evaluate(cases: Iterable[dict]) -> list[Outcome]:
    return [judge(case) for case in cases]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", help="JSON lines of re-anchoring cases")
    parser.add_argument("--meta", help="JSON lines of {id, stratum, tags} for a breakdown")
    parser.add_argument("--failures", action="store_true", help="list the cases answered wrong")
    args = parser.parse_args(argv)

    outcomes = evaluate(read_jsonl(args.cases))
    print(table(outcomes))
    if args.meta:
        meta = {m["id"]: m for m in read_jsonl(args.meta)}
        by_group: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            m = meta.get(o.case_id, {})
            if "stratum" in m:
                by_group[f"stratum {m['stratum']}"].append(o)
            for tag in m.get("tags", []):
                by_group[f"tag {tag}"].append(o)
        print("\n#### By stratum and tag\n")
        print("| group | cases | unchanged right | changed right | gone right | wrong place |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name in sorted(by_group):
            group = by_group[name]
            cells = []
            for status in ("unchanged", "changed", "gone"):
                of = [o for o in group if o.expected == status]
                cells.append(f"{sum(o.right for o in of)}/{len(of)}" if of else "–")
            wrong = sum(o.wrong_place for o in group)
            print(f"| {name} | {len(group)} | {' | '.join(cells)} | {wrong} |")
    if args.failures:
        print("\n#### Answered wrong\n")
        for o in outcomes:
            if not o.right or o.wrong_place:
                a = o.answer
                print(f"- {o.case_id}: expected {o.expected}, got {a.status} {a.start}:{a.end} {a.exact!r} score {a.score}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
