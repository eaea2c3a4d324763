"""The compiled loops (``corrigo.anchoring._native``) answer exactly as the pure-Python ones.

Re-anchoring runs the C extension where ``pip install`` built it and the pure-Python
loops where it could not (no C compiler); both must give the same answers, so the
compiled seed search is held to ``find_occurrences`` (``str.find`` a piece at a time)
and the compiled fit to :class:`PythonFits` and the reference edit distance, on texts of
every str width (Latin-1, BMP, astral), lone surrogates, NUL and chars that share a low
byte or a pair key; and every recorded answer is checked again with the pure-Python
loops (the compiled ones are what ``test_answers_as_recorded`` runs).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrigo.anchoring import fuzzy
from corrigo.anchoring.fuzzy import NativeFits, PythonFits, distances_ending_at, find_occurrences
from tests.anchoring.loops import pure_python_loops
from tests.anchoring.recorded_answers import DEV_CASES, all_cases, differences, recorded

# 'a', U+0161, U+2061 and U+1F661 share the low byte 0x61 (and the pair key's 7 bits
# with U+00E1); U+FDD0 and U+FDD1 are the matcher's text markers.
ALPHABET = "ab c.\x00\u00e1\u0100\u0161\u2061\u2019\ufdd0\ufdd1\U0001f600\U0001f661\ud800é"
characters = st.sampled_from(ALPHABET)

native = fuzzy._native  # None where the extension was not built: the first test says so


def test_the_extension_is_built_and_in_use() -> None:
    # `pip install -e .` builds it wherever a C compiler is (CI has gcc). Optional for an
    # install without one, but then this fails: the tests would not be testing it.
    assert native is not None, "corrigo.anchoring._native was not built (pip install -e . with gcc)"
    assert fuzzy.native_in_use() or os.environ.get(fuzzy.PURE_ENVIRONMENT) == "1"


@st.composite
def searches(draw: st.DrawFn) -> tuple[str, list[str], list[int]]:
    """A text and pieces of it (or not), each with a limit; the text of one str width or mixed."""
    text = draw(st.text(characters, max_size=300) | st.text(st.sampled_from("ab c."), max_size=300))
    pieces = []
    for _ in range(draw(st.integers(0, 14))):
        if text and draw(st.booleans()):
            start = draw(st.integers(0, len(text) - 1))
            pieces.append(text[start : start + draw(st.integers(1, 8))])
        else:
            pieces.append(draw(st.text(characters, min_size=1, max_size=7)))
    limits = [draw(st.integers(0, 30)) for _ in pieces]
    return text, pieces, limits


@settings(max_examples=500, deadline=None)
@given(searches())
def test_the_compiled_seed_search_finds_what_str_find_finds(search: tuple[str, list[str], list[int]]) -> None:
    text, pieces, limits = search
    assert native.occurrences(text, pieces, limits) == find_occurrences(text, pieces, limits)


@pytest.mark.parametrize("length", [2, 5, 6, 7, 16, 100, 255, 256, 257, 300])
def test_the_seed_search_finds_long_pieces_among_short_ones(length: int) -> None:
    # Pieces of one char, short ones and long ones are searched in separate passes, and
    # the long ones' jumps are capped at 255: each size must still find every hit.
    rng = random.Random(length)
    text = "".join(rng.choices("ab \u0161\ufdd0", k=3000))
    pieces = [text[at : at + length] for at in rng.sample(range(len(text) - length), 5)]
    pieces += [text[at : at + size] for at in rng.sample(range(2900), 5) for size in (1, 3, 6)]
    pieces.append("\U0001f600" + pieces[0])
    limits = [rng.choice([1, 24, 64, 10_000]) for _ in pieces]
    assert native.occurrences(text, pieces, limits) == find_occurrences(text, pieces, limits)


@settings(max_examples=200, deadline=None)
@given(st.text(characters, min_size=1, max_size=400), st.lists(st.integers(0, 399), min_size=1, max_size=12), st.data())
def test_enough_unique_agrees_with_the_pure_python_count(text: str, starts: list[int], data: st.DataObject) -> None:
    pieces = [text[at % len(text) : at % len(text) + data.draw(st.integers(1, 20))] for at in starts]
    needed = data.draw(st.integers(0, len(pieces) + 1)) + data.draw(st.sampled_from([0.0, 0.5]))
    once = sum(len(found) == 1 for found in find_occurrences(text, pieces, [1] * len(pieces)))
    assert fuzzy.enough_unique(text, pieces, needed) == (once >= needed)
    with pure_python_loops():
        assert fuzzy.enough_unique(text, pieces, needed) == (once >= needed)


def test_the_seed_search_counts_overlapping_hits_and_drops_a_piece_found_too_often() -> None:
    text = "\ufdd0aaaa banana\ufdd1"
    pieces = ["aa", "ana", "a", "\ufdd1", "n", "x"]
    expected = [[1, 2, 3], [7, 9], [], [12], [8, 10], []]
    assert native.occurrences(text, pieces, [3, 3, 3, 3, 3, 3]) == expected
    assert find_occurrences(text, pieces, [3, 3, 3, 3, 3, 3]) == expected


@pytest.mark.parametrize("search", [find_occurrences, fuzzy.occurrences])
def test_an_empty_piece_or_a_missing_limit_is_refused(search) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        search("abc", ["a", ""], [1, 1])
    with pytest.raises(ValueError, match="one limit for each piece"):
        search("abc", ["a"], [])


@st.composite
def fit_jobs(draw: st.DrawFn) -> tuple[list[str], list[tuple[int, str, int]]]:
    patterns = draw(st.lists(st.text(characters, min_size=1, max_size=64), min_size=1, max_size=2))
    jobs = []
    for _ in range(draw(st.integers(0, 6))):
        window = draw(st.text(characters, max_size=150))
        jobs.append((draw(st.integers(0, len(patterns) - 1)), window, draw(st.integers(0, len(window)))))
    return patterns, jobs


@settings(max_examples=400, deadline=None)
@given(fit_jobs())
def test_the_compiled_fit_equals_the_batched_one_and_the_reference(case) -> None:
    patterns, jobs = case
    got = NativeFits(patterns).fits(jobs)
    assert got == PythonFits(patterns).fits(jobs)
    for (number, window, lead), fit in zip(jobs, got, strict=True):
        pattern = patterns[number]
        assert fit == [len(pattern) - d for d in distances_ending_at(pattern, window)[lead:]]


@pytest.mark.parametrize("length", [1, 2, 31, 32, 33, 34, 48, 63, 64])
def test_the_compiled_fit_holds_at_every_pattern_length_up_to_a_word(length: int) -> None:
    # Re-anchoring's patterns are 32 or 33 code points; hypothesis seldom draws long ones.
    rng = random.Random(length)
    for _ in range(20):
        pattern = "".join(rng.choices("ab c", k=length))
        window = "".join(rng.choices("ab c\u0161", k=rng.randint(0, 200)))
        # The pattern itself, mutated, inside the window: fits near the full length too.
        window = window[:50] + pattern[: length // 2] + "x" + pattern[length // 2 :] + window[50:]
        lead = rng.randint(0, len(window))
        expected = [length - d for d in distances_ending_at(pattern, window)[lead:]]
        assert NativeFits([pattern]).fits([(0, window, lead)]) == [expected]


def test_a_pattern_longer_than_a_word_goes_to_the_pure_python_fit() -> None:
    long = "x" * 65
    with pytest.raises(ValueError, match="at most 64"):
        NativeFits([long])
    with pytest.raises(ValueError, match="at least one code point"):
        NativeFits(["abc", ""])
    if fuzzy.native_in_use():
        assert isinstance(fuzzy.make_fits([long]), PythonFits)
        assert isinstance(fuzzy.make_fits(["x" * 64]), NativeFits)
    assert fuzzy.make_fits([long]).fits([(0, "ab" + long, 0)])[0][-1] == 65


def test_the_environment_variable_turns_the_compiled_loops_off() -> None:
    code = "from corrigo.anchoring import fuzzy; print(fuzzy.native_in_use())"
    for value, expected in (("1", "False"), ("", "True" if native is not None else "False")):
        env = {**os.environ, fuzzy.PURE_ENVIRONMENT: value}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected


@pytest.fixture
def pure_python():
    with pure_python_loops():
        yield


@pytest.mark.skipif(not DEV_CASES.is_file(), reason=f"{DEV_CASES} is not beside the repository")
def test_the_pure_python_loops_answer_every_case_as_recorded(pure_python) -> None:
    assert not fuzzy.native_in_use()
    assert differences(all_cases(), recorded()) == []
