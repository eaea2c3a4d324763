"""Re-anchoring's shortcuts never change an answer.

``reanchor`` takes fast paths (the whole context found once, with no rival possible)
and leaves unscored the regions a rank bound shows cannot matter (docs/decisions/0010).
``reanchor_the_long_way`` scores every seeded region with no fast path. They must agree
on every quote and text: here on texts made to be hard for the shortcuts (few words,
so pieces of the context recur; sentences printed twice; edits in and around the
passage), and on every case of the dev set and the generated set.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrigo.anchoring import TextQuote, quote_from_text, reanchor
from corrigo.anchoring.reanchor import reanchor_the_long_way
from tests.anchoring.recorded_answers import DEV_CASES, all_cases
from tests.anchoring.test_reanchor_properties import VOCABULARY

# Common words, lookalikes and rarer words: pieces of context come back often, but a
# passage can still stand out (so that regions elsewhere are left unscored).
COMMON = [
    "the",
    "ferry",
    "fare",
    "council",
    "counsel",
    "voted",
    "vote",
    "on",
    "a",
    "of",
    "ferries",
    "2,400",
    "2,040",
    "Kovalenko",
]
WORDS = COMMON + VOCABULARY


@st.composite
def edited_texts(draw: st.DrawFn) -> tuple[TextQuote, str]:
    words = draw(st.lists(st.sampled_from(COMMON) | st.sampled_from(WORDS), min_size=4, max_size=200))
    separators = draw(st.lists(st.sampled_from([" ", " ", " ", ". ", "\n"]), min_size=len(words), max_size=len(words)))
    old = "".join(word + separator for word, separator in zip(words, separators, strict=True))
    start = draw(st.integers(0, len(old) - 1))
    end = draw(st.integers(start + 1, min(len(old), start + 24)))
    quote = quote_from_text(old, start, end)
    new = old
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(new)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "repeat"]))
        stop = min(len(new), at + draw(st.integers(1, 30)))
        piece = draw(st.sampled_from(WORDS)) + " "
        if kind == "insert":
            new = new[:at] + piece + new[at:]
        elif kind == "delete":
            new = new[:at] + new[stop:]
        elif kind == "replace":
            new = new[:at] + piece + new[stop:]
        else:  # a stretch printed twice
            new = new[:stop] + new[at:stop] + new[stop:]
    for _ in range(draw(st.integers(0, 3))):  # lookalikes: a side of the context, altered, elsewhere
        side = list(draw(st.sampled_from([quote.prefix, quote.suffix, quote.prefix + quote.exact])))
        for _ in range(draw(st.integers(0, 4))):
            if side:
                side[draw(st.integers(0, len(side) - 1))] = draw(st.sampled_from("xyz "))
        at = draw(st.integers(0, len(new)))
        new = new[:at] + " " + "".join(side) + " " + new[at:]
    return quote, new


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_texts())
def test_shortcuts_give_the_answer_of_the_long_way(case: tuple[TextQuote, str]) -> None:
    quote, new = case
    assert reanchor(quote, new) == reanchor_the_long_way(quote, new)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab ."), min_size=1, max_size=200), st.text(st.sampled_from("ab ."), max_size=200), st.data())
def test_shortcuts_give_the_answer_of_the_long_way_in_two_letter_texts(old: str, new: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(old) - 1))
    end = data.draw(st.integers(start + 1, min(len(old), start + 12)))
    quote = quote_from_text(old, start, end)
    assert reanchor(quote, new) == reanchor_the_long_way(quote, new)


@pytest.mark.skipif(not DEV_CASES.is_file(), reason=f"{DEV_CASES} is not beside the repository")
def test_shortcuts_give_the_answer_of_the_long_way_on_every_dev_and_generated_case() -> None:
    differ = []
    for case in all_cases():
        q = case["quote"]
        quote = TextQuote(q["exact"], q["prefix"], q["suffix"], q["start"], q["end"])
        if reanchor(quote, case["new_text"]) != reanchor_the_long_way(quote, case["new_text"]):
            differ.append(case["id"])
    assert differ == []
