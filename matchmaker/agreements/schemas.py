"""What a draft or an edit of an agreement may contain."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from matchmaker.fields import AgreementType, Money, Name, ShortText, TextList


class AgreementInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Name
    type: AgreementType
    amount_wan: Money | None = None  # 万元
    term: ShortText | None = None  # e.g. 2027-01-01 至 2029-12-31, or 三年
    clauses: TextList = []

    @field_validator("amount_wan")
    @classmethod
    def _to_the_yuan(cls, value: float | None) -> float | None:
        """Amounts are kept to one yuan (four decimals of 万元)."""
        return None if value is None else round(value, 4)
