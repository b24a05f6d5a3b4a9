"""Index settings and mappings, written once for Elasticsearch 8 and OpenSearch 2/3.

Chinese text uses only built-in analysis (no plugin to install on a managed cluster): the
standard tokenizer, which cuts CJK text into single characters and keeps Latin words and
numbers whole, then `cjk_width` (full-width → half-width), lower case and `cjk_bigram`
with the unigrams kept, so a two-character word matches as a pair and a one-character
query still finds something. Traditional characters are folded to Simplified by
`matching.text.normalise` before the text is sent, since the built-in analysis cannot. A
`.std` subfield analysed by the plain standard analyzer adds single-character evidence
for scoring. Filters read keyword fields; the original record rides along unindexed.
"""

from __future__ import annotations

from typing import Any

CJK_ANALYZER = "matchmaker_cjk"

TEXT = {
    "type": "text",
    "analyzer": CJK_ANALYZER,
    "fields": {"std": {"type": "text", "analyzer": "standard"}},
}
KEYWORD = {"type": "keyword"}
OPEN_END = 1e15
STORED = {"type": "object", "enabled": False}  # kept in _source, never indexed


def settings(replicas: int) -> dict[str, Any]:
    return {
        "number_of_shards": 1,
        "number_of_replicas": replicas,
        "analysis": {
            "filter": {"cjk_pairs": {"type": "cjk_bigram", "output_unigrams": True}},
            "analyzer": {
                CJK_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["cjk_width", "lowercase", "cjk_pairs"],
                }
            },
        },
    }


NEED_PROPERTIES: dict[str, Any] = {
    "id": KEYWORD,
    "enterprise_id": KEYWORD,
    "district": KEYWORD,
    "type": KEYWORD,
    "status": KEYWORD,
    "title": TEXT,
    "body": TEXT,
    # Title and body together: a query word must occur in one or the other.
    "text": {"type": "text", "analyzer": CJK_ANALYZER},
    "segments": KEYWORD,
    "chains": KEYWORD,
    # A budget's open end is stored as ±OPEN_END so that an overlap is two range clauses.
    "budget_low": {"type": "double"},
    "budget_high": {"type": "double"},
    "deadline": {"type": "date", "format": "strict_date"},
    "created_at": {"type": "date"},
    "confidential": {"type": "boolean"},
    "record": STORED,
}

PROFILE_PROPERTIES: dict[str, Any] = {
    "id": KEYWORD,
    "enterprise_id": KEYWORD,
    "title": TEXT,
    "text": TEXT,
    "terms": KEYWORD,  # the matching engine's analysed terms (jieba words, folded synonyms)
    "segments": KEYWORD,  # the profile's assigned segments
    "neighbours": KEYWORD,  # segments directly upstream or downstream of those
    "certifications": KEYWORD,
    "regions": KEYWORD,
    "district": KEYWORD,
    "tags": KEYWORD,
    "open_to": KEYWORD,
}


def index_body(properties: dict[str, Any], replicas: int) -> dict[str, Any]:
    return {
        "settings": settings(replicas),
        "mappings": {"dynamic": "strict", "properties": properties},
    }
