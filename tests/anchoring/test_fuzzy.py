"""The batched context fit (``fuzzy.PythonFits``) equals the reference edit distance, always.

``distances_ending_at`` is Myers' algorithm one text code point at a time and is kept as
the reference; ``fits_ending_at`` lays many windows on one integer and fills the table a
pattern code point at a time. For any patterns, windows and leads they must agree, with
the characters that stress the byte-splitting of the second: astral code points, lone
surrogates, NUL (the filler between windows), and code points that share a low byte.
Here with the compiled loops turned off (``tests/anchoring/test_native.py`` holds those
to these).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrigo.anchoring import fuzzy
from corrigo.anchoring.fuzzy import PythonFits, distances_ending_at, fits_ending_at, make_fits
from tests.anchoring.loops import pure_python_loops

# 'a' and U+0161 and U+2061 share the low byte 0x61; U+0100 and NUL share 0x00.
ALPHABET = "ab c.\x00\u0100\u0161\u2061\u2019\U0001f600\U00010061\ud800é"
characters = st.sampled_from(ALPHABET)
patterns = st.text(characters, min_size=1, max_size=34)
windows = st.text(characters, max_size=120)


@pytest.fixture(autouse=True, scope="module")
def pure_python():
    with pure_python_loops():
        yield


def test_the_fits_here_are_the_pure_python_ones() -> None:
    assert isinstance(make_fits(["abc"]), PythonFits)


def reference(pattern: str, window: str, lead: int) -> list[int]:
    return [len(pattern) - d for d in distances_ending_at(pattern, window)[lead:]]


@st.composite
def jobs(draw: st.DrawFn) -> list[tuple[str, str, int]]:
    """Up to six windows, each with a lead, over one or two patterns (as re-anchoring uses)."""
    chosen = draw(st.lists(patterns, min_size=1, max_size=2))
    out = []
    for _ in range(draw(st.integers(1, 6))):
        window = draw(windows)
        out.append((draw(st.sampled_from(chosen)), window, draw(st.integers(0, len(window)))))
    return out


@settings(max_examples=400, deadline=None)
@given(jobs())
def test_batched_fits_equal_the_reference_for_every_window(batch: list[tuple[str, str, int]]) -> None:
    assert fits_ending_at(batch) == [reference(pattern, window, lead) for pattern, window, lead in batch]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(), min_size=1, max_size=40), st.text(st.characters(), max_size=200), st.data())
def test_batched_fits_equal_the_reference_for_any_code_points(pattern: str, window: str, data: st.DataObject) -> None:
    lead = data.draw(st.integers(0, len(window)))
    second = data.draw(st.text(st.characters(), max_size=200))
    got = fits_ending_at([(pattern, window, lead), (pattern[::-1], second, 0)])
    assert got == [reference(pattern, window, lead), reference(pattern[::-1], second, 0)]


def test_a_window_does_not_see_its_neighbour_through_a_short_lead() -> None:
    # "abc" ends the first window; the second starts with "d": together they would fit
    # "abcd", apart the second window fits only "d" at its first end.
    assert fits_ending_at([("abcd", "xxabc", 5), ("abcd", "dxx", 0)]) == [[3], [0, 1, 0, 0]]


def test_no_jobs_get_no_answers_and_an_empty_pattern_is_refused() -> None:
    assert fits_ending_at([]) == []
    with pytest.raises(ValueError, match="at least one code point"):
        make_fits(["abc", ""])
    with pytest.raises(ValueError, match="at least one code point"):
        PythonFits(["abc", ""])
