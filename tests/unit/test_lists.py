import pytest

from matchmaker.transfer.lists import join_cell, split_cell


@pytest.mark.parametrize(
    "items",
    [[], ["ISO 9001"], ["ISO 9001", "IATF 16949"], ["a;b", "c\\d", "e\\;f"], ["中文；全角", "x"]],
)
def test_join_then_split_gives_the_items_back(items: list[str]) -> None:
    assert split_cell(join_cell(items)) == items


def test_split_drops_blank_items_and_trims() -> None:
    assert split_cell(" ISO 9001 ; GMP;; ") == ["ISO 9001", "GMP"]


def test_escaped_separator_stays_inside_an_item() -> None:
    assert split_cell(r"a\;b;c") == ["a;b", "c"]
