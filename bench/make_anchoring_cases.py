"""Generate an independent set of re-anchoring cases from the real news pages.

The dev cases in shared/data/anchoring come from two sources (a blog and one Wikipedia
article). To check that the matcher is not fitted to them, this script builds cases of
the same schema from the 32 real pages in shared/data/pages, with their text taken by
our own text model, and edits of the kinds newsrooms make:

* ``unchanged``: a passage (random words, a short common word, a word that occurs
  several times) with unrelated edits elsewhere — sentences deleted or inserted,
  typos fixed, paragraphs moved — or an edit right in its context, or its whole
  paragraph moved;
* ``changed``: a real misspelling (Wikipedia's list of common misspellings) injected
  into the old version and fixed in the new one; a wrong number or a wrong name (often
  another name from the same article, so the wrong text still occurs elsewhere) put
  right; with or without nearby edits;
* ``gone``: the sentences holding the passage deleted.

    python bench/make_anchoring_cases.py [--data ../shared/data] [--out bench/out]

Writes ``anchoring_cases.jsonl`` and ``anchoring_cases.meta.jsonl`` (deterministic:
fixed seed). Nothing from shared/ is copied into the repository; bench/out/ is ignored.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from corrigo.anchoring import article_text
from corrigo.anchoring.quote import quote_from_text

SEED = 20240611
CASES_PER_PAGE = 26
REPO = Path(__file__).resolve().parents[1]
FAR = 90  # an edit this far from the quote's span leaves its context alone

WORD = re.compile(r"\w+(?:[’'-]\w+)*")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n")
SHORT_WORDS = ("the", "of", "and", "to", "a", "in", "is", "for", "that", "on", "it", "with", "as")


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def apply(base: str, edits: list[Edit]) -> str:
    out, at = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        out.append(base[at : edit.start])
        out.append(edit.text)
        at = edit.end
    out.append(base[at:])
    return "".join(out)


def moved(position: int, edits: list[Edit]) -> int:
    """Where a base position not inside any edit ends up."""
    shift = 0
    for edit in edits:
        if edit.end <= position and not (edit.start == edit.end == position):
            shift += len(edit.text) - (edit.end - edit.start)
    return position + shift


def overlaps(edits: list[Edit], start: int, end: int) -> bool:
    return any((e.start < end and start < e.end) or (e.start == e.end and start <= e.start <= end) for e in edits)


class Generator:
    def __init__(self, texts: dict[str, str], misspellings: dict[str, list[str]], seed: int) -> None:
        self.texts = texts
        self.misspellings = misspellings
        self.rng = random.Random(seed)
        self.skipped = 0
        self.all_sentences = [s for t in texts.values() for s in sentences(t) if 40 <= len(s[2]) <= 200]

    # -- edits elsewhere --------------------------------------------------------------

    def far_edits(self, base: str, start: int, end: int, count: int) -> list[Edit]:
        """Unrelated edits at least FAR code points away from base[start:end]."""
        edits: list[Edit] = []
        low, high = start - FAR, end + FAR
        spans = sentences(base)
        words = list(WORD.finditer(base))
        for _ in range(count * 4):
            if len(edits) >= count:
                break
            kind = self.rng.choice(["delete", "insert", "typo", "typo", "swap-words"])
            if kind == "delete":
                s, e, _ = self.rng.choice(spans)
                e = min(len(base), e + 1)
            elif kind == "insert":
                at = self.rng.choice(spans)[0]
                s = e = at
            else:
                w = self.rng.choice(words)
                s, e = w.start(), w.end()
            if not (e < low or s > high) or overlaps(edits, s - 2, e + 2):
                continue
            if kind == "delete":
                edits.append(Edit(s, e, ""))
            elif kind == "insert":
                edits.append(Edit(s, e, self.rng.choice(self.all_sentences)[2] + " "))
            elif kind == "typo":
                edits.append(Edit(s, e, mangle(base[s:e], self.rng)))
            else:
                other = self.rng.choice(words).group()
                edits.append(Edit(s, e, other))
        return edits

    def near_edit(self, base: str, start: int, end: int) -> Edit | None:
        """One edit inside the quote's 32-code-point context, not touching the quote."""
        side = self.rng.choice(["before", "after"])
        words = [
            w
            for w in WORD.finditer(base, max(0, start - 30), min(len(base), end + 30))
            if (w.end() < start - 1 if side == "before" else w.start() > end + 1)
        ]
        if not words:
            return None
        w = self.rng.choice(words)
        kind = self.rng.choice(["replace", "delete", "insert", "typo"])
        if kind == "replace":
            other = self.rng.choice(list(WORD.finditer(base))).group()
            return Edit(w.start(), w.end(), other)
        if kind == "delete":
            stop = w.end() + 1 if base[w.end() : w.end() + 1] == " " else w.end()
            return Edit(w.start(), stop, "")
        if kind == "insert":
            other = self.rng.choice(list(WORD.finditer(base))).group()
            return Edit(w.start(), w.start(), other + " ")
        return Edit(w.start(), w.end(), mangle(w.group(), self.rng))

    # -- cases ------------------------------------------------------------------------

    def case(self, page: str, base: str, kind: str) -> dict | None:
        maker = getattr(self, "make_" + kind.replace("-", "_"))
        return maker(page, base)

    def _unchanged(self, page: str, base: str, start: int, end: int, stratum: str, near: bool = False) -> dict | None:
        edits = self.far_edits(base, start, end, self.rng.randint(0, 3))
        if near:
            edit = self.near_edit(base, start, end)
            if edit is None or overlaps(edits, edit.start - 2, edit.end + 2):
                return None
            edits.append(edit)
        new = apply(base, edits)
        new_start = moved(start, edits)
        return self._record(page, base, new, start, end, "unchanged", new_start, new_start + end - start, stratum)

    def make_random(self, page: str, base: str) -> dict | None:
        words = list(WORD.finditer(base))
        if len(words) < 20:
            return None
        i = self.rng.randrange(len(words) - 6)
        j = i + self.rng.randint(0, 5)
        return self._unchanged(page, base, words[i].start(), words[j].end(), "random")

    def make_short_word(self, page: str, base: str) -> dict | None:
        word = self.rng.choice(SHORT_WORDS)
        hits = list(re.finditer(rf"\b{word}\b", base))
        if not hits:
            return None
        m = self.rng.choice(hits)
        return self._unchanged(page, base, m.start(), m.end(), "short-word")

    def make_repeated(self, page: str, base: str) -> dict | None:
        counts: dict[str, list[re.Match[str]]] = {}
        for m in WORD.finditer(base):
            if len(m.group()) >= 4:
                counts.setdefault(m.group(), []).append(m)
        repeated = [hits for hits in counts.values() if len(hits) >= 2]
        if not repeated:
            return None
        m = self.rng.choice(self.rng.choice(repeated))
        return self._unchanged(page, base, m.start(), m.end(), "repeated")

    def make_near_edit(self, page: str, base: str) -> dict | None:
        words = list(WORD.finditer(base))
        if len(words) < 20:
            return None
        i = self.rng.randrange(5, len(words) - 8)
        j = i + self.rng.randint(0, 3)
        return self._unchanged(page, base, words[i].start(), words[j].end(), "near-edit", near=True)

    def make_moved(self, page: str, base: str) -> dict | None:
        paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]{120,}", base)]
        if len(paragraphs) < 3:
            return None
        (ps, pe), (ts, _) = self.rng.sample(paragraphs, 2)
        words = [w for w in WORD.finditer(base, ps, pe) if w.start() > ps + 35 and w.end() < pe - 35]
        if not words:
            return None
        w = self.rng.choice(words)
        if pe >= len(base) or base[pe] != "\n":
            return None
        paragraph = base[ps:pe]
        without = base[:ps] + base[pe + 1 :]
        target = ts if ts < ps else ts - (pe + 1 - ps)
        new = without[:target] + paragraph + "\n" + without[target:]
        new_start = target + (w.start() - ps)
        if new[new_start : new_start + len(w.group())] != w.group():
            return None
        return self._record(page, base, new, w.start(), w.end(), "unchanged", new_start, new_start + len(w.group()), "moved")

    def _changed(self, page: str, base: str, start: int, end: int, wrong: str, stratum: str, near: bool) -> dict | None:
        # The old version carries the mistake; the new one is the base (fixed) plus edits.
        old = base[:start] + wrong + base[end:]
        quote_start, quote_end = start, start + len(wrong)
        if self.rng.random() < 0.3:  # the reader also selected a neighbouring word
            before = list(WORD.finditer(old, max(0, quote_start - 20), quote_start))
            if before and self.rng.random() < 0.5:
                quote_start = before[-1].start()
            else:
                after = WORD.search(old, quote_end, quote_end + 20)
                if after:
                    quote_end = after.end()
        edits = self.far_edits(base, start, end, self.rng.randint(0, 3))
        if near:
            # The quote's span in base coordinates (it may take in a neighbouring word).
            base_quote_start = quote_start
            base_quote_end = end + max(0, quote_end - (start + len(wrong)))
            edit = self.near_edit(base, base_quote_start, base_quote_end)
            if edit is None or overlaps(edits, edit.start - 2, edit.end + 2):
                return None
            if overlaps([edit], base_quote_start - 1, base_quote_end + 1):
                return None
            edits.append(edit)
        new = apply(base, edits)
        new_start = moved(start, edits)
        if new[new_start : new_start + end - start] != base[start:end]:
            return None
        return self._record(
            page, old, new, quote_start, quote_end, "changed", new_start, new_start + end - start, stratum, base_start=start
        )

    def make_typo(self, page: str, base: str, near: bool = False) -> dict | None:
        candidates = [m for m in WORD.finditer(base) if m.group() in self.misspellings]
        if not candidates:
            # Pages without a listed word still get a typo: letters swapped or dropped.
            candidates = [m for m in WORD.finditer(base) if len(m.group()) >= 5]
            if not candidates:
                return None
            m = self.rng.choice(candidates)
            wrong = mangle(m.group(), self.rng)
        else:
            m = self.rng.choice(candidates)
            wrong = self.rng.choice(self.misspellings[m.group()])
        if wrong == m.group():
            return None
        return self._changed(page, base, m.start(), m.end(), wrong, "typo-near-edit" if near else "typo", near)

    def make_typo_near_edit(self, page: str, base: str) -> dict | None:
        return self.make_typo(page, base, near=True)

    def make_number(self, page: str, base: str) -> dict | None:
        numbers = list(re.finditer(r"\b\d[\d,.]*\d\b|\b\d\b", base))
        if not numbers:
            return None
        m = self.rng.choice(numbers)
        digits = list(m.group())
        places = [i for i, c in enumerate(digits) if c.isdigit()]
        i = self.rng.choice(places)
        digits[i] = self.rng.choice([d for d in "0123456789" if d != digits[i]])
        return self._changed(page, base, m.start(), m.end(), "".join(digits), "number", False)

    def make_name(self, page: str, base: str) -> dict | None:
        names = list(re.finditer(r"(?<=[a-z,] )[A-Z][a-z]{2,}", base))
        if len(names) < 2:
            return None
        m = self.rng.choice(names)
        others = sorted({n.group() for n in names if n.group() != m.group()})
        if not others:
            return None
        return self._changed(page, base, m.start(), m.end(), self.rng.choice(others), "name", False)

    def make_deletion(self, page: str, base: str) -> dict | None:
        spans = sentences(base)
        if len(spans) < 6:
            return None
        k = self.rng.randrange(1, len(spans) - 1)
        s, e, _sentence = spans[k]
        words = list(WORD.finditer(base, s, e))
        if not words:
            return None
        i = self.rng.randrange(len(words))
        j = min(len(words) - 1, i + self.rng.randint(0, 3))
        q_start, q_end = words[i].start(), words[j].end()
        # Delete whole sentences until 40 code points each side of the quote are gone,
        # as an editor removing a sentence or a paragraph does.
        first, last = k, k
        while spans[first][0] > q_start - 40 and first > 0:
            first -= 1
        while spans[last][1] < q_end + 40 and last < len(spans) - 1:
            last += 1
        del_start, del_end = spans[first][0], min(len(base), spans[last][1] + 1)
        edits = [Edit(del_start, del_end, "")]
        edits += [
            e
            for e in self.far_edits(base, del_start - FAR, del_end + FAR, self.rng.randint(0, 2))
            if not overlaps(edits, e.start - 2, e.end + 2)
        ]
        new = apply(base, edits)
        return self._record(page, base, new, q_start, q_end, "gone", None, None, "deletion")

    def _record(self, page, old, new, start, end, status, new_start, new_end, stratum, base_start=None) -> dict | None:
        if start >= end:
            return None
        quote = quote_from_text(old, start, end)
        # Pages repeat menus and captions. Where the passage with its context occurs twice,
        # "ambiguous" is the right answer, not the one the generator knows: leave it out.
        window = quote.prefix + quote.exact + quote.suffix
        if old.count(window) > 1:
            self.skipped += 1
            return None
        # A "deleted" passage whose words still stand elsewhere with half their context
        # (a menu or a headline list repeated on the page) has moved, not gone.
        if status == "gone" and (quote.prefix + quote.exact in new or quote.exact + quote.suffix in new):
            self.skipped += 1
            return None
        if status != "gone":
            fixed = new[max(0, new_start - 32) : new_end + 32]
            if new.count(fixed) > 1:
                self.skipped += 1
                return None
        return {
            "id": "",
            "source": f"pages/{page}",
            "old_text": old,
            "new_text": new,
            "quote": {"exact": quote.exact, "prefix": quote.prefix, "suffix": quote.suffix, "start": start, "end": end},
            "expected": {"status": status, "start": new_start, "end": new_end},
            "_stratum": stratum,
        }


def mangle(word: str, rng: random.Random) -> str:
    """A plausible typo: two letters swapped, one dropped or one doubled."""
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap" and word[i] != word[i + 1 if i + 1 < len(word) else i - 1]:
        j = i + 1 if i + 1 < len(word) else i - 1
        chars = list(word)
        chars[i], chars[j] = chars[j], chars[i]
        return "".join(chars)
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def sentences(text: str) -> list[tuple[int, int, str]]:
    out, at = [], 0
    for m in SENTENCE_END.finditer(text):
        if m.start() > at:
            out.append((at, m.start(), text[at : m.start()]))
        at = m.end()
    if at < len(text):
        out.append((at, len(text), text[at:]))
    return out


def read_misspellings(path: Path) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    correct = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("$"):
            correct = line[1:].strip()
        elif correct and line.strip():
            table.setdefault(correct, []).append(line.strip())
    return table


def read_texts(pages: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(pages.glob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        text = article_text(html)
        if len(text) < 2000:  # the first <article> of some pages is a teaser
            text = article_text(html, "body")
        texts[path.stem] = text
    return texts


PLAN = {  # kind: share of cases, shaped like the dev set
    "random": 3,
    "short-word": 3,
    "repeated": 3,
    "near-edit": 3,
    "moved": 1,
    "typo": 5,
    "typo-near-edit": 2,
    "number": 2,
    "name": 2,
    "deletion": 4,
}


def shared_data() -> Path:
    """The workplace's real data: beside the repository, or where a worktree's clone finds it."""
    for candidate in (REPO.parent / "shared" / "data", Path("/work/shared/data")):
        if (candidate / "pages").is_dir():
            return candidate
    return REPO.parent / "shared" / "data"


def generate(data: Path, seed: int = SEED) -> tuple[list[dict], int]:
    """The cases (each with its ``id`` and ``_stratum``) and how many were left out."""
    texts = read_texts(data / "pages")
    generator = Generator(texts, read_misspellings(data / "misspellings" / "wikipedia-common-misspellings.dat"), seed)
    kinds = [kind for kind, share in PLAN.items() for _ in range(share)]
    cases = []
    for page, base in texts.items():
        made = 0
        for attempt in range(CASES_PER_PAGE * 5):
            if made == CASES_PER_PAGE:
                break
            case = generator.case(page, base, kinds[attempt % len(kinds)])
            if case is not None:
                cases.append(case)
                made += 1
    for n, case in enumerate(cases):
        case["id"] = f"gen-{n:04d}"
    return cases, generator.skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data())
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    cases, skipped = generate(args.data, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        open(args.out / "anchoring_cases.jsonl", "w", encoding="utf-8") as out,
        open(args.out / "anchoring_cases.meta.jsonl", "w", encoding="utf-8") as meta,
    ):
        for case in cases:
            stratum = case.pop("_stratum")
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
            meta.write(
                json.dumps({"id": case["id"], "status": case["expected"]["status"], "stratum": stratum, "tags": []}) + "\n"
            )
    pages = len({case["source"] for case in cases})
    print(
        f"{len(cases)} cases from {pages} pages -> {args.out} ({skipped} left out: passage and context repeated in the page)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
