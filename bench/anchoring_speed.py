"""How fast re-anchoring is: per dev case, and for one long article with many open cases.

    python bench/anchoring_speed.py [--cases ../shared/data/anchoring/dev_cases.jsonl]
                                    [--data ../shared/data] [--repeat 5] [--pure-python]

1. Steady state, per case: re-anchors every case of the cases file ``--repeat`` times in
   a row and keeps the fastest run of each (so a scheduler hiccup or a garbage
   collection does not count as the matcher's time; the first run also warms the
   caches), then reports the mean, the median and the slowest case over those.
   Budget (issue 14, Hypothesis' matcher in node on the same cases: median 0.13 ms,
   mean 0.69 ms, slowest 61 ms): mean ≤ 0.20 ms, median ≤ 0.13 ms, slowest ≤ 5 ms.
2. Builds an article of 20,000 words from the real pages' text, opens 200 cases on it
   (quotes of 1–8 words, common short words among them), edits it the way a newsroom
   does (typos fixed, some of the quoted passages fixed, sentences added and removed)
   and re-anchors all 200 cases against the new version, best of 3. Budget: under a
   second.

Both run the compiled loops (``corrigo.anchoring._native``) where they were built;
``--pure-python`` runs the pure-Python fallback instead (same answers, decision 0040).
Per case the CPU time (``time.process_time``) is kept beside the wall time: the median's
CPU figure moves less on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

from make_anchoring_cases import shared_data

from corrigo.anchoring import article_text, fuzzy
from corrigo.anchoring.quote import TextQuote, quote_from_text
from corrigo.anchoring.reanchor import reanchor

REPO = Path(__file__).resolve().parents[1]
WORD = re.compile(r"\w+")


def time_cases(path: Path, repeat: int) -> None:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    best: list[tuple[float, str]] = []
    cpu: list[float] = []
    for case in cases:
        q = case["quote"]
        quote = TextQuote(q["exact"], q["prefix"], q["suffix"], q["start"], q["end"])
        text = case["new_text"]
        times, cpu_times = [], []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            reanchor(quote, text)
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu_started)
        best.append((min(times), case["id"]))
        cpu.append(min(cpu_times))
    means = [t for t, _ in best]
    slowest = max(best)
    print(f"## {path.name}: {len(cases)} cases, best of {repeat} runs each, {loops()}")
    print(
        f"mean {1000 * statistics.mean(means):.3f} ms a case, median {1000 * statistics.median(means):.3f} ms, "
        f"slowest {1000 * slowest[0]:.2f} ms ({slowest[1]}), "
        f"{sum(t > 0.050 for t in means)} over 50 ms; "
        f"CPU: mean {1000 * statistics.mean(cpu):.3f} ms, median {1000 * statistics.median(cpu):.3f} ms"
    )


def loops() -> str:
    return "compiled loops" if fuzzy.native_in_use() else "pure-Python loops"


def long_article(data: Path, words_wanted: int, rng: random.Random) -> str:
    paragraphs: list[str] = []
    for page in sorted((data / "pages").glob("*.html")):
        text = article_text(page.read_text(encoding="utf-8", errors="replace"), "body")
        paragraphs.extend(p for p in text.split("\n") if len(p) > 80)
    paragraphs = list(dict.fromkeys(paragraphs))  # pages repeat some paragraphs
    rng.shuffle(paragraphs)
    out, count = [], 0
    while count < words_wanted:
        for p in paragraphs:
            out.append(p)
            count += len(WORD.findall(p))
            if count >= words_wanted:
                break
    return "\n".join(out)


def edited_long_article(data: Path, cases_wanted: int, words_wanted: int, seed: int) -> tuple[str, list[TextQuote], str]:
    """A long article, quotes of its passages, and its next version as a newsroom edits it."""
    rng = random.Random(seed)
    old = long_article(data, words_wanted, rng)
    words = list(WORD.finditer(old))
    quotes = []
    for _ in range(cases_wanted):
        if rng.random() < 0.2:  # short common words: many exact hits
            common = [w for w in words if w.group() in ("the", "a", "of", "to", "and")]
            w = rng.choice(common)
            quotes.append(quote_from_text(old, w.start(), w.end()))
        else:
            i = rng.randrange(len(words) - 8)
            j = i + rng.randint(0, 7)
            quotes.append(quote_from_text(old, words[i].start(), words[j].end()))
    # The new version: a quarter of the quoted passages fixed, 50 other words changed,
    # 20 sentences added, 20 paragraphs' first sentence removed.
    edits: list[tuple[int, int, str]] = []
    for quote in rng.sample(quotes, cases_wanted // 4):
        edits.append((quote.start, quote.end, quote.exact[::-1]))
    for w in rng.sample(words, 50):
        edits.append((w.start(), w.end(), w.group().upper()))
    for w in rng.sample(words, 20):
        edits.append((w.start(), w.start(), "A sentence the editor added here. "))
    for m in rng.sample(list(re.finditer(r"\n[^.\n]{20,200}\. ", old)), 20):
        edits.append((m.start() + 1, m.end(), ""))
    edits.sort()
    new, at = [], 0
    for start, end, text in edits:
        if start < at:
            continue
        new.append(old[at:start])
        new.append(text)
        at = end
    new.append(old[at:])
    return old, quotes, "".join(new)


def time_long_article(data: Path, cases_wanted: int, words_wanted: int, seed: int) -> None:
    old, quotes, new_text = edited_long_article(data, cases_wanted, words_wanted, seed)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        results = [reanchor(quote, new_text) for quote in quotes]
        runs.append(time.perf_counter() - started)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    print(f"## long article: {len(WORD.findall(old))} words, {len(old)} code points, {len(quotes)} open cases, {loops()}")
    print(
        f"all {len(quotes)} re-anchored in {min(runs):.3f} s (best of 3; runs {', '.join(f'{r:.3f}' for r in runs)}); "
        f"answers: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=shared_data() / "anchoring" / "dev_cases.jsonl")
    parser.add_argument("--data", type=Path, default=shared_data())
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cases-only", action="store_true", help="skip the long-article run")
    parser.add_argument("--pure-python", action="store_true", help="run the pure-Python loops, not the compiled ones")
    args = parser.parse_args(argv)
    if args.pure_python:
        fuzzy.use_native(False)
    time_cases(args.cases, args.repeat)
    if not args.cases_only:
        time_long_article(args.data, 200, 20_000, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
