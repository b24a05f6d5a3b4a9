"""Pieces of the in-memory search: growable columns, value codes, postings, ordering."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

Slots = npt.NDArray[np.int64]
Weights = npt.NDArray[np.float64]
T = TypeVar("T")


class Column:
    """A numpy array indexed by slot that grows as slots are added."""

    def __init__(self, dtype: Any, fill: Any) -> None:
        self.dtype, self.fill = dtype, fill
        self.data: npt.NDArray[Any] = np.full(1024, fill, dtype=dtype)

    def set(self, slot: int, value: Any) -> None:
        if slot >= len(self.data):
            grown = np.full(max(slot + 1, 2 * len(self.data)), self.fill, dtype=self.dtype)
            grown[: len(self.data)] = self.data
            self.data = grown
        self.data[slot] = value

    def keep(self, slots: Slots) -> None:
        """Keep only these slots, renumbered from 0 in this order."""
        kept = np.full(max(1024, 2 * len(slots)), self.fill, dtype=self.dtype)
        kept[: len(slots)] = self.data[slots]
        self.data = kept


class Codes:
    """Small integer codes for the values of one field, assigned on first sight."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.code: dict[str, int] = {}

    def of(self, value: str) -> int:
        code = self.code.get(value)
        if code is None:
            code = self.code[value] = len(self.values)
            self.values.append(value)
        return code


class Postings:
    """Key → the slots holding it, with a weight each; compact arrays, appended in order."""

    def __init__(self) -> None:
        self._slots: dict[str, array[int]] = {}
        self._weights: dict[str, array[float]] = {}

    def add(self, key: str, slot: int, weight: float) -> bool:
        """Append one posting; True when the key is new."""
        slots = self._slots.get(key)
        if slots is None:
            self._slots[key], self._weights[key] = array("i", [slot]), array("f", [weight])
            return True
        slots.append(slot)
        self._weights[key].append(weight)
        return False

    def get(self, key: str) -> tuple[Slots, Weights] | None:
        slots = self._slots.get(key)
        if slots is None:
            return None
        weights = np.array(self._weights[key], dtype=np.float64)
        return np.array(slots, dtype=np.int64), weights

    def items(self) -> Iterator[tuple[str, tuple[Slots, Weights]]]:
        for key in self._slots:
            found = self.get(key)
            if found is not None:
                yield key, found

    def renumber(self, new_of_old: Slots) -> list[str]:
        """Move postings to new slot numbers, dropping those mapped to -1; returns the keys
        left with no posting (which are forgotten)."""
        emptied = []
        for key, (slots, weights) in list(self.items()):
            moved = new_of_old[slots]
            kept = moved >= 0
            if not kept.any():
                del self._slots[key], self._weights[key]
                emptied.append(key)
                continue
            self._slots[key] = array("i", moved[kept].astype(np.int32).tobytes())
            self._weights[key] = array("f", weights[kept].astype(np.float32).tobytes())
        return emptied


def top_slots(
    slots: Slots, primary: Weights, created: Weights, id_ranks: Slots, start: int, end: int
) -> list[int]:
    """slots[start:end] ordered by primary (high first), then newer, then smaller id.

    Only the best `end` (and whatever ties with the last of them) are fully sorted.
    """
    if len(slots) > end:
        threshold = np.partition(primary, len(slots) - end)[len(slots) - end]
        chosen = primary >= threshold
        slots, primary, created = slots[chosen], primary[chosen], created[chosen]
    order = np.lexsort((id_ranks[slots], -created, -primary))
    return [int(slot) for slot in slots[order][start:end]]


def ranked(items: Iterable[tuple[T, int]]) -> list[tuple[T, int]]:
    """Facet values with a count, most first, ties by value."""
    return sorted(((k, n) for k, n in items if n > 0), key=lambda item: (-item[1], str(item[0])))
