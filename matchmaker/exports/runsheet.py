"""The signing ceremony run-sheet (签约清单): the agreements to sign at an event, in order.

Rows are plain data so that any source can feed them: the agreements area passes its
records with a converter, tests and scripts pass `RunSheetRow`s or dicts with the same
field names. `build_rows` puts them in signing order; the exporters lay them out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from matchmaker.exports.base import EventHeader

T = TypeVar("T")


@dataclass(frozen=True)
class RunSheetRow:
    """One agreement to sign on stage."""

    firm: str  # the large firm (甲方)
    sme: str  # the SME (乙方)
    subject: str  # project or agreement title
    kind: str  # agreement type, e.g. 战略合作协议, 采购合同
    amount_wan: float | None = None  # amount in 万元 (10,000 yuan); None: not disclosed
    firm_signatory: str = ""
    sme_signatory: str = ""
    venue: str = ""  # venue or sub-venue (分会场); empty: the event's venue
    order: int | None = None  # signing order; None: after the numbered ones, as given


@dataclass(frozen=True)
class RunSheet:
    event: EventHeader
    rows: tuple[RunSheetRow, ...]

    @property
    def total_wan(self) -> float:
        return sum(row.amount_wan or 0.0 for row in self.rows)


HEADERS = (
    "序号", "大企业（甲方）", "中小企业（乙方）", "项目/协议名称", "协议类型", "金额（万元）",
    "甲方签约人", "乙方签约人", "签约地点",
)  # fmt: skip
_FIELDS = {f.name for f in dataclasses.fields(RunSheetRow)}


def build_rows(
    source: Iterable[T], convert: Callable[[T], RunSheetRow] | None = None
) -> tuple[RunSheetRow, ...]:
    """Rows in signing order: by `order`, then those without one in the order given.

    Items are converted with `convert` when given; otherwise each must be a `RunSheetRow`
    or a mapping with its field names (other keys are ignored).
    """
    rows = [convert(item) if convert else _row(item) for item in source]
    return tuple(sorted(rows, key=lambda row: (row.order is None, row.order or 0)))


def _row(item: object) -> RunSheetRow:
    if isinstance(item, RunSheetRow):
        return item
    if isinstance(item, Mapping):
        values: dict[str, Any] = {k: v for k, v in item.items() if k in _FIELDS}
        amount = values.get("amount_wan")
        if isinstance(amount, Decimal | int):
            values["amount_wan"] = float(amount)
        return RunSheetRow(**values)
    raise TypeError(f"cannot make a run-sheet row of {type(item).__name__}; pass convert=")


def row_cells(number: int, row: RunSheetRow, event: EventHeader) -> list[object]:
    """One row in `HEADERS` order; the event's venue where the row names none."""
    return [
        number,
        row.firm,
        row.sme,
        row.subject,
        row.kind,
        row.amount_wan if row.amount_wan is not None else "",
        row.firm_signatory,
        row.sme_signatory,
        row.venue or event.place,
    ]
