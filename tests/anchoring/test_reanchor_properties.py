"""Properties of re-anchoring that must hold for every text (hypothesis).

* A quote taken from a text is found ``unchanged`` at its own offsets in that text —
  whenever its place can be told apart: in texts of distinct words always; in any text
  at all, the only other answer allowed is ``ambiguous`` (the same passage with the
  same context stands elsewhere too), never another span, ``changed`` or ``gone``.
* Offsets are code points: spans index Python strings, astral characters included.
* An edit far from the quote (beyond its 32 code points of context) never changes
  what becomes of it.
* Any exact of length ≥ 1 and any text, however hostile, gets an answer without raising.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corrigo.anchoring import TextQuote, quote_from_text, reanchor

# Dissimilar words in several scripts, astral emoji among them, so that two stretches
# of a text made of distinct words never look alike.
VOCABULARY = [
    "council",
    "ferry",
    "harbour",
    "island",
    "winter",
    "budget",
    "petition",
    "mayor",
    "fuel",
    "route",
    "vote",
    "spring",
    "crossing",
    "resident",
    "company",
    "warning",
    "decision",
    "report",
    "editor",
    "reader",
    "mistake",
    "correction",
    "article",
    "version",
    "passage",
    "archive",
    "morning",
    "evening",
    "bridge",
    "station",
    "museum",
    "library",
    "Київ",
    "новини",
    "редактор",
    "помилка",
    "виправлення",
    "читач",
    "стаття",
    "місто",
    "рада",
    "зима",
    "весна",
    "Москва",
    "газета",
    "правка",
    "東京",
    "新聞",
    "記者",
    "🔥fire",
    "🇺🇦flag",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "café",
    "naïve",
    "zebra",
    "quantum",
    "jigsaw",
    "oxygen",
    "velvet",
    "walnut",
    "yacht",
    "kayak",
    "lyric",
    "mosaic",
    "nectar",
    "orbit",
    "pepper",
    "quartz",
    "radish",
    "saddle",
    "tulip",
    "umbrella",
    "violin",
    "whistle",
    "xenon",
    "yogurt",
    "zipper",
    "anchor",
    "beacon",
    "candle",
    "dagger",
    "ember",
    "falcon",
    "garlic",
    "hammock",
    "igloo",
    "jasmine",
    "kettle",
    "lantern",
]
DISTINCT = VOCABULARY[: len(VOCABULARY) // 2]
SPARE = VOCABULARY[len(VOCABULARY) // 2 :]  # never in the text: for far insertions


@st.composite
def texts_of_distinct_words(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(DISTINCT), min_size=3, max_size=40, unique=True))
    separators = draw(
        st.lists(st.sampled_from([" ", " ", " ", "\n", ", ", ". "]), min_size=len(words) - 1, max_size=len(words) - 1)
    )
    out = [words[0]]
    for separator, word in zip(separators, words[1:], strict=False):
        out += [separator, word]
    return "".join(out)


@st.composite
def text_and_span(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> tuple[str, int, int]:
    text = draw(texts)
    assume(len(text) >= 1)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 40)))
    return text, start, end


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(text_and_span(texts_of_distinct_words()))
def test_quote_is_unchanged_at_its_own_offsets_in_a_text_of_distinct_words(case: tuple[str, int, int]) -> None:
    text, start, end = case
    result = reanchor(quote_from_text(text, start, end), text)
    assert (result.status, result.start, result.end) == ("unchanged", start, end)
    assert result.exact == text[start:end]


@PROPERTY_SETTINGS
@given(text_and_span(st.text(alphabet=st.sampled_from("ab \n"), max_size=120) | st.text(max_size=80)))
def test_quote_in_any_text_is_unchanged_at_its_offsets_or_ambiguous(case: tuple[str, int, int]) -> None:
    text, start, end = case
    quote = quote_from_text(text, start, end)
    result = reanchor(quote, text)
    if result.status == "ambiguous":
        assert result.start is None
    else:
        assert (result.status, result.start, result.end) == ("unchanged", start, end)


@st.composite
def far_edit(draw: st.DrawFn, text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """A word inserted, deleted or replaced at least 33 code points from the quote."""
    before = [i for i in range(len(text) + 1) if i <= start - 33 and (i == 0 or text[i - 1] in " \n,.")]
    after = [i for i in range(len(text) + 1) if i >= end + 33 and (i == len(text) or text[i - 1] in " \n,.")]
    places = before + after
    if not places:
        return None
    at = draw(st.sampled_from(places))
    kind = draw(st.sampled_from(["insert", "delete", "replace"]))
    word_end = at
    while word_end < len(text) and text[word_end] not in " \n,.":
        word_end += 1
    if kind != "insert" and (word_end == at or (at < start and word_end > start - 33)):
        kind = "insert"
    spare = draw(st.sampled_from(SPARE))
    if kind == "insert":
        return text[:at] + spare + " " + text[at:], at, len(spare) + 1
    if kind == "delete":
        return text[:at] + text[word_end:], at, -(word_end - at)
    return text[:at] + spare + text[word_end:], at, len(spare) - (word_end - at)


@PROPERTY_SETTINGS
@given(st.data())
def test_far_edit_never_changes_an_unchanged_passage(data: st.DataObject) -> None:
    text, start, end = data.draw(text_and_span(texts_of_distinct_words()))
    quote = quote_from_text(text, start, end)
    edit = data.draw(far_edit(text, start, end))
    assume(edit is not None)
    edited, at, shift = edit
    result = reanchor(quote, edited)
    moved = shift if at <= start else 0
    assert (result.status, result.start, result.end) == ("unchanged", start + moved, end + moved)


@PROPERTY_SETTINGS
@given(st.data())
def test_far_edit_never_changes_a_fixed_passage(data: st.DataObject) -> None:
    fixed, start, end = data.draw(text_and_span(texts_of_distinct_words()))
    # The old version had the passage wrong: "XQ" spliced into it; the new one is right.
    old = fixed[:start] + "XQ" + fixed[start:end] + fixed[end:]
    quote = quote_from_text(old, start, end + 2)
    before = reanchor(quote, fixed)
    assert before.status == "changed"
    edit = data.draw(far_edit(fixed, start, end))
    assume(edit is not None)
    edited, at, shift = edit
    after = reanchor(quote, edited)
    moved = shift if at <= start else 0
    assert after.status == "changed"
    assert (after.start, after.end, after.exact) == (before.start + moved, before.end + moved, before.exact)


any_character = st.characters(codec=None, exclude_categories=())  # every plane, lone surrogates too


@settings(max_examples=500, deadline=None)
@given(
    exact=st.text(any_character, min_size=1, max_size=50),
    prefix=st.text(any_character, max_size=50),
    suffix=st.text(any_character, max_size=50),
    start=st.none() | st.integers(-10, 10_000),
    text=st.text(any_character, max_size=300)
    | st.builds(lambda s, n: s * n, st.text(any_character, max_size=8), st.integers(1, 3000)),
)
def test_any_quote_and_any_text_get_an_answer(exact: str, prefix: str, suffix: str, start: int | None, text: str) -> None:
    quote = TextQuote(exact, prefix, suffix, start, None if start is None else start + len(exact))
    result = reanchor(quote, text)
    assert result.status in ("unchanged", "changed", "gone", "ambiguous")
    assert 0.0 <= result.score <= 1.0
    if result.start is None:
        assert result.end is None and result.exact is None
        assert result.status in ("gone", "ambiguous")
    else:
        assert 0 <= result.start <= result.end <= len(text)
        assert text[result.start : result.end] == result.exact
        if result.status == "unchanged":
            assert result.exact == exact
