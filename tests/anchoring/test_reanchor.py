"""What re-anchoring promises editors, one example each."""

from __future__ import annotations

import pytest

from corrigo.anchoring import TextQuote, reanchor
from corrigo.anchoring.quote import QuoteMismatch, quote_from_text, spans_overlap

STORY = (
    "Harbour town votes to keep its night ferry\n"
    "The council voted on Tuesday to keep the ferry running from Augest to March, "
    "after a petition signed by 2,400 residents.\n"
    "About 340 islanders rely on the late crossing, said councillor Maria Kovalenko.\n"
    "The ferry company had warned that fuel costs made the route unprofitable. "
    "Its chief executive, Petro Kovalenko, said the decision was welcome.\n"
    "A final vote on the budget is expected in the spring."
)


def quote_of(text: str, words: str, occurrence: int = 0) -> TextQuote:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return quote_from_text(text, start, start + len(words))


def test_untouched_passage_is_unchanged_at_its_place() -> None:
    quote = quote_of(STORY, "the late crossing")
    result = reanchor(quote, STORY)
    assert (result.status, result.start, result.end) == ("unchanged", quote.start, quote.end)
    assert result.exact == "the late crossing"


def test_passage_moved_by_an_edit_above_is_unchanged_where_it_is_now() -> None:
    quote = quote_of(STORY, "the late crossing")
    new_text = "UPDATED: this story was corrected.\n" + STORY
    result = reanchor(quote, new_text)
    assert result.status == "unchanged"
    assert new_text[result.start : result.end] == "the late crossing"
    assert result.start == quote.start + len("UPDATED: this story was corrected.\n")


def test_fixed_typo_is_reported_changed() -> None:
    quote = quote_of(STORY, "Augest")
    result = reanchor(quote, STORY.replace("Augest", "August"))
    assert result.status == "changed"
    assert result.exact == "August"
    assert result.start == quote.start


def test_corrected_name_does_not_jump_to_lookalike() -> None:
    # "Maria Kovalenko" was wrong and became "Maria Kovalenka"; another Kovalenko
    # still stands further down, with other words around it.
    quote = quote_of(STORY, "Kovalenko")
    fixed = STORY.replace("Maria Kovalenko", "Maria Kovalenka")
    result = reanchor(quote, fixed)
    assert result.status == "changed"
    assert result.exact == "Kovalenka"
    assert result.start == quote.start


def test_reader_selection_around_the_typo_is_changed_too() -> None:
    quote = quote_of(STORY, "from Augest to")
    result = reanchor(quote, STORY.replace("Augest", "August"))
    assert result.status == "changed"
    assert "August" in result.exact


def test_deleted_sentence_is_gone() -> None:
    sentence = "About 340 islanders rely on the late crossing, said councillor Maria Kovalenko.\n"
    quote = quote_of(STORY, "islanders rely on")
    result = reanchor(quote, STORY.replace(sentence, ""))
    assert result.status == "gone"
    assert (result.start, result.end, result.exact) == (None, None, None)


def test_deleted_passage_is_not_read_as_changed_into_the_text_after_it() -> None:
    paragraph = (
        "The ferry company had warned that fuel costs made the route unprofitable. "
        "Its chief executive, Petro Kovalenko, said the decision was welcome.\n"
    )
    quote = quote_of(STORY, "fuel costs made the route unprofitable")
    result = reanchor(quote, STORY.replace(paragraph, ""))
    assert result.status == "gone"


def test_two_equal_places_are_ambiguous() -> None:
    line = "About 340 islanders rely on the late crossing, said councillor Maria Kovalenko.\n"
    quote = quote_of(STORY, "the late crossing")
    doubled = STORY.replace(line, line + line)  # a CMS glitch printed the line twice
    result = reanchor(quote, doubled)
    assert result.status == "ambiguous"
    assert result.start is None


def test_short_common_word_is_told_apart_by_its_context() -> None:
    quote = quote_of(STORY, "the", occurrence=3)
    new_text = "Breaking: " + STORY
    result = reanchor(quote, new_text)
    assert result.status == "unchanged"
    assert result.start == quote.start + len("Breaking: ")


def test_edit_next_to_the_passage_leaves_it_unchanged() -> None:
    quote = quote_of(STORY, "the late crossing")
    edited = STORY.replace("About 340 islanders rely on", "Some 340 islanders depend on")
    result = reanchor(quote, edited)
    assert result.status == "unchanged"
    assert edited[result.start : result.end] == "the late crossing"


def test_words_inserted_beside_the_passage_leave_it_unchanged() -> None:
    quote = quote_of(STORY, "the late crossing")
    edited = STORY.replace("late crossing,", "late crossing and the early one,")
    result = reanchor(quote, edited)
    assert result.status == "unchanged"
    assert edited[result.start : result.end] == "the late crossing"


def test_word_completed_by_the_fix_is_changed() -> None:
    text = STORY.replace("unprofitable", "unprofit")
    quote = quote_of(text, "unprofit")
    result = reanchor(quote, STORY)
    assert result.status == "changed"
    assert result.exact == "unprofitable"


def test_removed_duplicate_word_is_changed() -> None:
    text = STORY.replace("keep the ferry", "keep the the ferry")
    quote = quote_of(text, "the the")
    result = reanchor(quote, STORY)
    assert result.status == "changed"
    assert (result.start, result.exact) == (STORY.index("the ferry"), "the")


def test_words_removed_from_an_intact_sentence_read_changed_and_empty() -> None:
    text = STORY.replace("rely on the late crossing", "rely on the very late crossing")
    quote = quote_of(text, "very ")
    result = reanchor(quote, STORY)
    assert result.status == "changed"
    assert result.exact == ""
    assert result.start == result.end == STORY.index("late crossing")


def test_quote_at_the_very_start_uses_the_text_start_as_context() -> None:
    quote = quote_of(STORY, "Harbour")
    result = reanchor(quote, STORY.replace("Harbour town", "Harbor town"))
    assert (result.status, result.start, result.exact) == ("changed", 0, "Harbor")


def test_unrelated_text_is_gone() -> None:
    quote = quote_of(STORY, "the late crossing")
    other = "Weather: sunny spells, light winds from the west, highs of 14 degrees. " * 20
    assert reanchor(quote, other).status == "gone"


def test_empty_exact_is_gone() -> None:
    assert reanchor(TextQuote(exact="", prefix="a", suffix="b"), "ab").status == "gone"


def test_quote_without_offsets_is_still_found() -> None:
    quote = quote_of(STORY, "the late crossing")
    bare = TextQuote(quote.exact, quote.prefix, quote.suffix)
    result = reanchor(bare, STORY)
    assert (result.status, result.start) == ("unchanged", quote.start)


def test_huge_text_with_one_letter_quote_answers() -> None:
    text = "a" * 200_000
    result = reanchor(quote_from_text(text, 100_000, 100_001), text)
    assert result.status == "ambiguous"  # every "a" has the same context


# -- quote helpers -------------------------------------------------------------------


def test_quote_from_text_keeps_32_code_points_of_context() -> None:
    text = "🔥" * 40 + "word" + "é" * 40
    quote = quote_from_text(text, 40, 44)
    assert (quote.exact, quote.prefix, quote.suffix) == ("word", "🔥" * 32, "é" * 32)
    assert (quote.start, quote.end) == (40, 44)


def test_validate_accepts_a_quote_taken_from_the_text() -> None:
    quote = quote_of(STORY, "Augest")
    quote.validate(STORY)
    assert quote.fits(STORY)


@pytest.mark.parametrize(
    "quote",
    [
        TextQuote("Augest", "", "", 0, 6),  # offsets point elsewhere
        TextQuote("", "", "", 0, 0),  # nothing selected
        TextQuote("Augest", "", ""),  # no offsets
        TextQuote("Harbour", "", "", -1, 6),
        TextQuote("Harbour", "x", "", 0, 7),  # prefix is not the text before
        TextQuote("Harbour", "", " city", 0, 7),  # suffix is not the text after
    ],
)
def test_validate_rejects_a_quote_that_does_not_fit(quote: TextQuote) -> None:
    with pytest.raises(QuoteMismatch):
        quote.validate(STORY)
    assert not quote.fits(STORY)


def test_spans_overlap() -> None:
    assert spans_overlap(0, 5, 4, 8)
    assert not spans_overlap(0, 5, 5, 8)  # touching is not overlapping
    assert spans_overlap(3, 3, 0, 5)  # an empty span inside a span
    assert not spans_overlap(5, 5, 0, 5)
    assert spans_overlap(2, 9, 3, 3)
