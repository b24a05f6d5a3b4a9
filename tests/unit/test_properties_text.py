"""Properties of the text normaliser on generated text: hostile input never breaks matching."""

from __future__ import annotations

import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from matchmaker.matching.text import char_ngrams, normalise

# Every code point, lone surrogates included: a JSON body may carry "\ud800" and
# json.loads turns it into one, so the normaliser sees what generated text contains.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)
BOUNDED = settings(max_examples=100, deadline=None, derandomize=True)

# Traditional → Simplified pairs that OpenCC folds one to one in any context.
TRADITIONAL_TO_SIMPLIFIED = {
    "裝": "装",
    "測": "测",
    "試": "试",
    "圓": "圆",
    "製": "制",
    "與": "与",
    "電": "电",
    "池": "池",
    "管": "管",
    "統": "统",
    "氣": "气",
    "體": "体",
    "導": "导",
    "檢": "检",
    "驗": "验",
    "車": "车",
    "規": "规",
    "級": "级",
    "設": "设",
    "備": "备",
}
TRADITIONAL = st.lists(st.sampled_from(sorted(TRADITIONAL_TO_SIMPLIFIED)), max_size=20)
PRINTABLE_ASCII = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E))


def full_width(text: str) -> str:
    """The full-width form an IME types: U+FF01..U+FF5E for ASCII, U+3000 for the space."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


@BOUNDED
@given(ANY_TEXT)
@example("\ud800 封裝")  # a lone surrogate, as json.loads gives for "\ud800"
@example("a\x00b")
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@BOUNDED
@given(ANY_TEXT)
def test_normalise_leaves_no_upper_case_ascii_nor_stray_spaces(text: str) -> None:
    result = normalise(text)
    assert not set(result) & set(string.ascii_uppercase)
    assert result == " ".join(result.split())


@BOUNDED
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_normalise_of_ascii_is_lower_case_with_single_spaces(text: str) -> None:
    assert normalise(text) == " ".join(text.lower().split())


@BOUNDED
@given(PRINTABLE_ASCII, PRINTABLE_ASCII)
def test_full_width_folds_to_half_width(left: str, right: str) -> None:
    half = f"{left} {right}"
    assert normalise(full_width(half)) == normalise(half)


@BOUNDED
@given(TRADITIONAL)
def test_traditional_folds_to_simplified(characters: list[str]) -> None:
    traditional = "".join(characters)
    simplified = "".join(TRADITIONAL_TO_SIMPLIFIED[c] for c in characters)
    assert normalise(traditional) == simplified
    assert normalise(simplified) == simplified


@BOUNDED
@given(ANY_TEXT)
def test_char_ngrams_are_short_pieces_of_the_text(text: str) -> None:
    normalised = normalise(text)
    grams = char_ngrams(normalised)
    assert all(gram and gram in normalised for gram in grams)
    assert all(len(gram) <= 2 for gram in grams if not gram.isascii())
