"""Self-service sign-up: an enterprise with its first user, or an organiser.

SME accounts work at once. Large-firm and organiser accounts can post needs or see every
contact, so they wait for an administrator (`User.confirmed_at` stays None until then).
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.accounts import security
from matchmaker.accounts.models import User
from matchmaker.changes import service as changes
from matchmaker.db import utcnow
from matchmaker.enterprises.models import Enterprise
from matchmaker.enterprises.schemas import EnterpriseData
from matchmaker.errors import Conflict, FieldError, ValidationFailed
from matchmaker.fields import USCC, Email, EnterpriseSize, Name, Phone, Role
from matchmaker.i18n import N_
from matchmaker.ids import new_id

EMAIL_TAKEN = N_("This email is already registered.")
USCC_TAKEN = N_("This USCC is already registered.")
PASSWORDS_DIFFER = N_("The two passwords are not the same.")
Password = Field(min_length=1, max_length=256)
# Shanghai's 16 districts, as enterprises record them.
District = Literal[
    "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
    "宝山区", "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区",
]  # fmt: skip
DISTRICTS: tuple[str, ...] = get_args(District)


def same_as(other: str, value: str, info: ValidationInfo) -> str:
    """For a "repeat the password" field: it must equal the field `other`."""
    if other in info.data and value != info.data[other]:
        raise ValueError(PASSWORDS_DIFFER)
    return value


class PasswordTwice(BaseModel):
    """A new password typed twice, so a typo does not lock the user out."""

    model_config = ConfigDict(extra="forbid")

    password: str = Password
    password_again: str = Password

    @field_validator("password_again")
    @classmethod
    def _repeated(cls, value: str, info: ValidationInfo) -> str:
        return same_as("password", value, info)


class AccountSignup(PasswordTwice):
    display_name: Name
    email: Email


class EnterpriseFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise_name: Name
    size: EnterpriseSize
    district: District
    uscc: USCC | None = None
    contact_name: Name
    contact_phone: Phone
    contact_email: Email


# Pydantic lists the last base's fields first, so forms show the enterprise before the login.
class EnterpriseSignup(AccountSignup, EnterpriseFields):
    """A large enterprise (role firm) or an SME (medium, small, micro) and its first user."""


class OrganiserFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: Name


class OrganiserSignup(AccountSignup, OrganiserFields):
    """An organiser: a body that runs matchmaking, with no enterprise of its own."""


Signup = EnterpriseSignup | OrganiserSignup


def register(db: Session, *, data: Signup) -> User:
    if isinstance(data, EnterpriseSignup):
        return register_enterprise(db, data=data)
    return register_organiser(db, data=data)


def needs_confirmation(role: Role) -> bool:
    return role is not Role.SME


def register_enterprise(db: Session, *, data: EnterpriseSignup) -> User:
    """Create the enterprise and its user in one transaction."""
    _check_free(db, data, uscc=data.uscc)
    role = Role.FIRM if data.size is EnterpriseSize.LARGE else Role.SME
    enterprise = Enterprise(
        id=new_id("ent"),
        **EnterpriseData(
            name=data.enterprise_name,
            size=data.size,
            district=data.district,
            uscc=data.uscc,
            contact_name=data.contact_name,
            contact_phone=data.contact_phone,
            contact_email=data.contact_email,
        ).model_dump(),
    )
    db.add(enterprise)
    db.flush()
    user = _new_user(db, data, role=role, enterprise_id=enterprise.id)
    changes.record(db, "enterprises", [enterprise.id])
    _commit(db)
    return user


def register_organiser(db: Session, *, data: OrganiserSignup) -> User:
    _check_free(db, data, uscc=None)
    user = _new_user(db, data, role=Role.ORGANISER, organisation=data.organisation)
    _commit(db)
    return user


def _new_user(db: Session, data: AccountSignup, *, role: Role, **belongs_to: str) -> User:
    user = User(
        id=new_id("user"),
        email=data.email,
        password_hash=security.hash_password(data.password),
        display_name=data.display_name,
        role=role,
        # null(), not None: the column's default would otherwise fill in "confirmed now".
        confirmed_at=null() if needs_confirmation(role) else utcnow(),
        **belongs_to,
    )
    db.add(user)
    return user


def _check_free(db: Session, data: AccountSignup, *, uscc: str | None) -> None:
    """Every reason to refuse at once, each beside its field."""
    errors = []
    if db.scalar(select(User.id).where(User.email == data.email)) is not None:
        errors.append(FieldError("email", EMAIL_TAKEN))
    if uscc and db.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc)) is not None:
        errors.append(FieldError("uscc", USCC_TAKEN))
    problem = security.check_password_rules(data.password, email=data.email, name=data.display_name)
    if problem is not None:
        errors.append(FieldError("password", problem))
    if errors:
        raise ValidationFailed("the sign-up form has errors", errors=errors)


def _commit(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:  # someone registered the same email or USCC a moment ago
        db.rollback()
        raise Conflict(
            "the email or USCC was registered a moment ago",
            errors=[FieldError("email", EMAIL_TAKEN)],
        ) from None
