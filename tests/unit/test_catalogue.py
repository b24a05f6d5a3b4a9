"""The Chinese catalogue covers every message id in the code and templates."""

from __future__ import annotations

import datetime as dt

from matchmaker import catalogue, i18n


def test_every_message_has_a_chinese_translation() -> None:
    absent = catalogue.missing("zh_Hans")
    assert absent == [], "run `matchmaker messages`:\n" + catalogue.as_po(absent)


def test_extraction_finds_template_and_python_messages() -> None:
    texts = {m.text for m in catalogue.msgids()}
    assert {"Skip to content", "Technology R&D"} <= texts


def test_english_is_the_source_text() -> None:
    assert i18n.gettext("en", "Open needs") == "Open needs"
    assert i18n.gettext("zh_Hans", "Open needs") == "需求广场"


def test_placeholders_are_filled_after_translation() -> None:
    message = "At most %(max_length)s characters."
    assert i18n.gettext("zh_Hans", message, max_length=5) == "最多 5 个字符。"
    assert i18n.gettext("en", message, max_length=5) == "At most 5 characters."


def test_clock_shows_shanghai_time_of_day() -> None:
    moment = dt.datetime(2027, 3, 18, 1, 50, tzinfo=dt.UTC)
    assert (i18n.format_clock(moment, "zh_Hans"), i18n.format_clock(moment, "en")) == (
        "09:50",
        "09:50",
    )
