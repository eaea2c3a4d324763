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


# -- telling places apart: position, and the quoted words with a whole side ----------

TEASER_BLOCK = "Related\nTHE FOOD CHAIN\nDarfur Withers as Sudan Sells Food, Aug. 9, 2008\nRead more\n"
BODY = (
    "The ministry said on Monday that grain deliveries to the western provinces had "
    "fallen by a third since the spring, and that aid convoys were being held at the "
    "border for weeks at a time. Officials blamed the rains; traders blamed the fees "
    "charged at every checkpoint along the road from the capital to the camps.\n"
)
TEASER_PAGE = "World news\n" + TEASER_BLOCK + BODY + BODY + TEASER_BLOCK + "Most read\n"


def _copies(text: str, words: str) -> list[int]:
    found, at = [], text.find(words)
    while at >= 0:
        found.append(at)
        at = text.find(words, at + 1)
    return found


@pytest.mark.parametrize("copy", [0, 1])
def test_equal_context_places_are_told_apart_by_position(copy: int) -> None:
    # A teaser line printed twice, far apart, with the same 32 code points around it:
    # the context cannot choose, the old offset can (both moved by the same few words).
    assert len(_copies(TEASER_PAGE, "Related\nTHE FOOD CHAIN\nDarfur Withers as Sudan")) == 2
    quote = quote_of(TEASER_PAGE, " as ", occurrence=copy)
    quote = quote_from_text(TEASER_PAGE, quote.start + 1, quote.start + 3)  # "as"
    new_text = "World news, updated\n" + TEASER_PAGE[len("World news\n") :]
    result = reanchor(quote, new_text)
    shift = len("World news, updated\n") - len("World news\n")
    assert (result.status, result.start, result.end) == ("unchanged", quote.start + shift, quote.end + shift)


def test_equal_context_places_side_by_side_stay_ambiguous() -> None:
    # The same teaser line printed twice in a row: the copies are too close for the
    # old offset to say which one the reader meant.
    quote = quote_of(TEASER_PAGE, "Withers as Sudan")
    doubled = TEASER_PAGE.replace(TEASER_BLOCK, TEASER_BLOCK + TEASER_BLOCK, 1)
    assert reanchor(quote, doubled).status == "ambiguous"


def test_position_does_not_overrule_a_better_fitting_context() -> None:
    # The reader's copy (the first) lost a word of its context; the far copy now fits
    # it better. Context says "far", position says "near": no guess.
    quote = quote_of(TEASER_PAGE, "Withers as Sudan", occurrence=0)
    edited = TEASER_PAGE.replace("Aug. 9, 2008\nRead more", "Aug. 9, 2008\nRead", 1)
    assert reanchor(quote, edited).status == "ambiguous"


HEADING_OLD = (
    "Some anarchists have argued that small groups working in secrecy are the only "
    "way for an underground movement to survive in order to function.\n"
    "A Few Famous Anarchists\n"
    "Please classify the following thinkers by the school they belong to.\n"
)
MOVED_SECTION = (
    "Anarchism and terrorism\n"
    "Late in the century a minority began to advocate violence, which most anarchists "
    "rejected, accepting force only as a means of self-defense.\n"
)


def test_words_with_a_whole_side_are_found_when_the_other_side_was_rewritten() -> None:
    # A section was moved down, in between a paragraph and the heading after it: the
    # heading's old prefix now stands elsewhere, before other words, and its own place
    # keeps only its words and its suffix. That unbroken run is the passage.
    intro = "Anarchism is a political philosophy.\n"
    old = intro + MOVED_SECTION + HEADING_OLD
    new = intro + HEADING_OLD.replace("function.\n", "function.\n" + MOVED_SECTION)
    quote = quote_of(old, "A Few")
    result = reanchor(quote, new)
    assert (result.status, result.start) == ("unchanged", new.index("A Few"))


def test_words_with_a_whole_side_never_become_a_one_sided_change() -> None:
    # The same edit with a new section (nothing moved): the old prefix still stands at
    # the old offset, now followed by other words. Whatever the answer, it is not
    # "the heading was changed into the section's title".
    intro = "Anarchism is a political philosophy.\n"
    old = intro + HEADING_OLD
    new = intro + HEADING_OLD.replace("function.\n", "function.\n" + MOVED_SECTION)
    result = reanchor(quote_of(old, "A Few"), new)
    assert result.status != "changed"
    assert result.status != "unchanged" or result.start == new.index("A Few")


def test_deleted_heading_whose_words_stand_elsewhere_is_gone() -> None:
    # "A Few" still occurs, but with neither side of its old context: not the passage.
    intro = "Anarchism is a political philosophy. A Few of its thinkers wrote in exile.\n"
    old = intro + HEADING_OLD + BODY
    new = intro + BODY
    quote = quote_of(old, "A Few", occurrence=1)
    assert reanchor(quote, new).status == "gone"
