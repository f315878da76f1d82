"""Input checks shared by the case, JIT and evidence services, with their message constants."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies.models import Agency, HandlingCode, Membership
from agencies.selectors import is_member
from cases.models import Case, OffenceCategory
from cases.permissions import circle_agency_ids

NOT_A_MEMBER = gettext_noop("You are not an active member of {agency}.")
NOT_IN_CASE = gettext_noop("Your agency does not take part in this case.")
H3_NEEDS_TEXT = gettext_noop("Handling code H3 needs the restriction in words.")
NAMED_USER_OUTSIDE = gettext_noop(
    "{user} is not an active member of an agency taking part in this case."
)
NOT_EDITABLE = gettext_noop("This field cannot be changed.")
UNKNOWN_CATEGORIES = gettext_noop("Unknown offence categories: {categories}.")
TAG_TOO_LONG = gettext_noop("A tag has at most 50 characters.")


def require_member(actor: Any, agency: Agency) -> None:
    if not is_member(user=actor, of=agency):
        raise PermissionDenied(_(NOT_A_MEMBER).format(agency=agency.code))


def require_in_circle(case: Case, agency: Agency) -> set[int]:
    """``agency`` takes part in ``case``; returns the case's circle (agency ids)."""
    circle = circle_agency_ids(case)
    if agency.pk not in circle:
        raise PermissionDenied(_(NOT_IN_CASE))
    return circle


def check_handling(handling_code: str, handling_text: str) -> None:
    if handling_code == HandlingCode.H3 and not (handling_text or "").strip():
        raise ValidationError({"handling_text": _(H3_NEEDS_TEXT)})


def check_categories(categories: Iterable[str]) -> list[str]:
    categories = list(dict.fromkeys(categories or []))
    unknown = [c for c in categories if c not in OffenceCategory.values]
    if unknown:
        raise ValidationError(
            {"offence_categories": _(UNKNOWN_CATEGORIES).format(categories=", ".join(unknown))}
        )
    return categories


def clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = [t.strip().lower() for t in tags or [] if t and t.strip()]
    if any(len(t) > 50 for t in cleaned):
        raise ValidationError({"tags": _(TAG_TOO_LONG)})
    return list(dict.fromkeys(cleaned))


def check_named_users(users: Iterable[Any], agency_ids: set[int]) -> list[Any]:
    """Named users (TLP:RED recipients, seconded members) are active members of ``agency_ids``."""
    users = list(users or [])
    active = set(
        Membership.objects.filter(
            user__in=users, agency_id__in=agency_ids, status=Membership.Status.ACTIVE
        ).values_list("user_id", flat=True)
    )
    for user in users:
        if user.pk not in active:
            raise ValidationError({"named_users": _(NAMED_USER_OUTSIDE).format(user=user.username)})
    return users


def check_editable(fields: dict[str, Any], editable: Iterable[str]) -> None:
    unknown = set(fields) - set(editable)
    if unknown:
        raise ValidationError({name: _(NOT_EDITABLE) for name in unknown})


def full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    # Uniqueness and constraints are the database's to check, on save.
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
