"""Chinese-first tokens for the in-memory search: character pairs, whole Latin tokens, words.

Text is normalised first (matching.text: Simplified, half-width, lower case). Character
pairs of CJK runs decide whether a need matches, so a query word matches wherever it would
as a substring; jieba words with the chain dictionary only add to the relevance score.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from matchmaker.matching.chain import default_chain_graph, dictionary_terms
from matchmaker.matching.text import Analyzer, char_ngrams, normalise

GRAM = "g:"  # a CJK character pair, a lone CJK character or a whole Latin/digit token
WORD = "w:"  # a Chinese word from jieba
TITLE_WEIGHT = 2
MAX_QUERY = 200

_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


@cache
def default_analyzer() -> Analyzer:
    """One jieba tokenizer with the chain dictionary per process, made on first use."""
    return Analyzer(dictionary_terms(default_chain_graph()))


def is_cjk(text: str) -> bool:
    return bool(_CJK.match(text))


def _tokens(analyzer: Analyzer, text: str) -> list[str]:
    normalised = normalise(text)
    grams = [GRAM + gram for gram in char_ngrams(normalised)]
    # Latin and digit tokens are grams already; words add Chinese words only.
    words = [WORD + word for word in analyzer.words(normalised) if not word.isascii()]
    return grams + words


def document_tokens(analyzer: Analyzer, title: str, body: str) -> Counter[str]:
    """Token → weight: how often it occurs, title occurrences counting TITLE_WEIGHT times."""
    counts: Counter[str] = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (body, 1)):
        for token in _tokens(analyzer, text):
            counts[token] += weight
    return counts


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[str, ...]  # gram tokens every hit holds
    chars: tuple[str, ...]  # lone CJK characters every hit holds somewhere
    scoring: tuple[str, ...]  # tokens whose occurrences raise the score

    @property
    def empty(self) -> bool:
        return not self.required and not self.chars


def parse_query(analyzer: Analyzer, text: str) -> ParsedQuery:
    """What a hit must contain: every pair of every CJK run, every Latin token, and each
    character of one-character runs (which a pair or a lone character may hold)."""
    normalised = normalise(text[:MAX_QUERY])
    grams = char_ngrams(normalised)
    chars = tuple(dict.fromkeys(g for g in grams if len(g) == 1 and is_cjk(g)))
    required = tuple(dict.fromkeys(GRAM + g for g in grams if g not in chars))
    words = (WORD + word for word in analyzer.words(normalised) if not word.isascii())
    return ParsedQuery(required, chars, tuple(dict.fromkeys((*required, *words))))
