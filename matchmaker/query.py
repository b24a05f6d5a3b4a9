"""Query building blocks shared by the list endpoints: filters, text match, pagination."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from matchmaker.schemas import PageParams


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def json_list_contains(column: InstrumentedAttribute[list[str]], value: str) -> ColumnElement[bool]:
    """Whether a JSON list column holds `value`, portable across SQLite and PostgreSQL.

    Lists are stored with one fixed serialiser (matchmaker.db), so the quoted item appears
    verbatim in the stored text; the pattern is escaped, so user input stays data.
    """
    needle = json.dumps(value, ensure_ascii=False)
    return cast(column, String).like(f"%{_like_escape(needle)}%", escape="\\")


def text_matches(columns: Sequence[Any], query: str) -> ColumnElement[bool]:
    """Every whitespace-separated term appears in at least one of the columns."""
    terms = [term for term in query.split() if term][:10]
    clauses = []
    for term in terms:
        pattern = f"%{_like_escape(term.lower())}%"
        clauses.append(
            or_(
                *(func.lower(cast(column, String)).like(pattern, escape="\\") for column in columns)
            )
        )
    return and_(true(), *clauses)


def paginate(db: Session, statement: Select[Any], page: PageParams) -> tuple[list[Any], int]:
    total = db.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = db.scalars(statement.limit(page.per_page).offset(page.offset)).all()
    return list(rows), total
