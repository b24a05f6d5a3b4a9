"""What an edit notice says: changed fields with old and new values, hidden text withheld."""

from __future__ import annotations

import datetime as dt

from matchmaker.needs.notices import differences


def test_only_changed_fields_are_listed_with_display_values() -> None:
    before = {
        "title": "A",
        "regions": ["上海"],
        "budget_max": None,
        "deadline": dt.date(2027, 1, 5),
    }
    after = {"title": "A", "regions": ["上海", "苏州"], "budget_max": 800.0, "deadline": None}
    assert differences(before, after, confidential=False) == [
        {"field": "regions", "old": "上海", "new": "上海、苏州"},
        {"field": "budget_max", "old": "", "new": "800"},
        {"field": "deadline", "old": "2027-01-05", "new": ""},
    ]


def test_confidential_text_changes_are_named_but_not_shown() -> None:
    before = {"description": "秘密A", "title": "T1"}
    after = {"description": "秘密B", "title": "T2"}
    assert differences(before, after, confidential=True) == [
        {"field": "description", "old": "", "new": ""},
        {"field": "title", "old": "T1", "new": "T2"},
    ]
