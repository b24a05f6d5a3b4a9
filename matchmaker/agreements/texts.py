"""Display names of the agreement enumerations, as msgids translated where shown."""

from __future__ import annotations

from matchmaker.fields import AgreementStatus, AgreementType
from matchmaker.i18n import N_

TYPE_LABELS = {
    AgreementType.TECHNOLOGY: N_("Technology cooperation"),
    AgreementType.SUPPLY: N_("Supply"),
    AgreementType.INVESTMENT: N_("Investment"),
    AgreementType.INCUBATION: N_("Incubation"),
    AgreementType.SERVICE: N_("Service"),
}
STATUS_LABELS = {
    AgreementStatus.DRAFT: N_("Draft"),
    AgreementStatus.APPROVED: N_("Approved, ready to sign"),
    AgreementStatus.SIGNED: N_("Signed"),
}
# Keyed by value for templates: {{ _(LABELS[agreement.type.value]) }}.
LABELS: dict[str, str] = {
    **{str(k): v for k, v in TYPE_LABELS.items()},
    **{str(k): v for k, v in STATUS_LABELS.items()},
}
