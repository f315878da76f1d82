"""Writes of the requesting agency on notices: drafting, submission, cancelling, renewal; and the
state steps (transition, notification) that review and expiry share.

Pre-checks are in ``notices.prechecks``, the secretariat's review in ``notices.review``, the
expiry sweep in ``notices.expiry``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from agencies.models import Agency, Jurisdiction
from agencies.providers import refuse_provider
from agencies.selectors import active_memberships
from audit.services import audit_log
from cases.selectors import cases_visible_to
from common.errors import StateConflict
from notices.models import REMINDER_BEFORE, Language, Notice, NoticePhoto, NoticeType
from notices.permissions import sync_notice_permissions
from notices.prechecks import notice_precheck
from notifications import services as notifications
from notifications.models import Notification
from notifications.sentences import source_label

# Fields a requester writes (everything else is lifecycle state).
EDITABLE_FIELDS = [
    "title",
    "case",
    "languages",
    "tlp",
    "family_name",
    "forenames",
    "date_of_birth",
    "sex",
    "nationalities",
    "place_of_birth",
    "country_of_birth",
    "height_cm",
    "weight_kg",
    "eye_colour",
    "hair_colour",
    "distinguishing_marks",
    "languages_spoken",
    "subject_description",
    "offence_category",
    "facts_summary",
    "facts_date",
    "facts_place",
    "charges",
    "law",
    "judicial_basis",
    "max_penalty_months",
    "sentence_remaining_months",
    "warrant_reference",
    "warrant_authority",
    "warrant_date",
    "public_extract_consent",
]

NOT_EDITABLE = gettext_noop(
    "The notice can be edited only while it is a draft or information was requested."
)
NOT_SUBMITTABLE = gettext_noop(
    "Only a draft, or a notice whose information was requested, can be submitted."
)
NOT_CANCELLABLE = gettext_noop("This notice is already closed.")
NOT_RENEWABLE = gettext_noop(
    "Only a published notice within six months of its expiry, or an expired one, can be renewed."
)
CASE_NOT_VISIBLE = gettext_noop("Select a case your agency can see.")
NOT_REQUESTER = gettext_noop("You are not an active member of the requesting agency.")
CHOOSE_LANGUAGES = gettext_noop("Choose from {languages}.")
COUNTRY_CODES = gettext_noop("Give ISO 3166-1 alpha-2 country codes, e.g. DE.")

# Once a notice is in one of these states, it is closed for good (a renewal reopens an expiry).
CLOSED = frozenset(
    {
        Notice.Status.REFUSED,
        Notice.Status.CANCELLED,
        Notice.Status.WITHDRAWN,
        Notice.Status.EXPIRED,
    }
)


class NoticeStateError(StateConflict):
    """The action is not allowed in the notice's current state (HTTP 409)."""


# --- state steps shared by every lifecycle write ---------------------------------------------


def transition(notice: Notice, status: str, *, now: datetime, fields: Iterable[str] = ()) -> str:
    """Move ``notice`` to ``status``, saving ``fields`` too; re-derive access. Returns the old."""
    before = notice.status
    notice.status = status
    notice.updated_at = now
    notice.save(update_fields=["status", "updated_at", *fields])
    sync_notice_permissions(notice)
    return before


def notify(notice: Notice, kind: str, **params: Any) -> list[Notification]:
    """A notification to the notice's author about the notice (the sentence is written when
    read, from ``params`` and the notice's type and name)."""
    return notifications.notify(
        users=[notice.created_by],
        kind=kind,
        about=notice,
        link=notice.get_absolute_url(),
        subject=f"{NoticeType(notice.notice_type).label}: {notice.subject_label}".strip(),
        params={
            "notice": notice.pk,
            "type_label": source_label(NoticeType(notice.notice_type).label),
            "name": notice.subject_label,
            **params,
        },
    )


# --- checks --------------------------------------------------------------------------------


def _validate_values(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    languages = data.get("languages")
    if languages is not None and (
        not isinstance(languages, list) or any(code not in Language.values for code in languages)
    ):
        choices = ", ".join(Language.values)
        errors["languages"] = [gettext(CHOOSE_LANGUAGES).format(languages=choices)]
    nationalities = data.get("nationalities")
    if nationalities is not None and (
        not isinstance(nationalities, list)
        or any(
            not (isinstance(c, str) and len(c) == 2 and c.isalpha() and c.isupper())
            for c in nationalities
        )
    ):
        errors["nationalities"] = [gettext(COUNTRY_CODES)]
    if errors:
        raise ValidationError(errors)


def _check_case(*, actor: Any, agency: Agency, case: Any) -> None:
    if case is None:
        return
    if not cases_visible_to(user=actor, agency=agency).filter(pk=case.pk).exists():
        raise ValidationError({"case": gettext(CASE_NOT_VISIBLE)})


def _require_requester(actor: Any, notice: Notice) -> None:
    if not active_memberships(user=actor).filter(agency_id=notice.requesting_agency_id).exists():
        raise ValidationError({"requesting_agency": gettext(NOT_REQUESTER)})


def _set_recipients(
    notice: Notice,
    recipient_agencies: Iterable[Agency] | None,
    recipient_jurisdictions: Iterable[Jurisdiction] | None,
) -> None:
    if recipient_agencies is not None:
        recipient_agencies = list(recipient_agencies)
        for agency in recipient_agencies:
            refuse_provider(agency, what="notices", field="recipient_agencies")
        notice.recipient_agencies.set(recipient_agencies)
    if recipient_jurisdictions is not None:
        notice.recipient_jurisdictions.set(recipient_jurisdictions)


# --- drafting -------------------------------------------------------------------------------


@transaction.atomic
def notice_create(
    *,
    actor: Any,
    agency: Agency,
    notice_type: str,
    data: dict[str, Any] | None = None,
    recipient_agencies: Iterable[Agency] | None = None,
    recipient_jurisdictions: Iterable[Jurisdiction] | None = None,
    photos: Iterable[Any] = (),
) -> Notice:
    """A new draft requested by ``agency`` (the actor must be an active member of it)."""
    data = {k: v for k, v in (data or {}).items() if k in EDITABLE_FIELDS}
    if agency.is_secretariat or not active_memberships(user=actor).filter(agency=agency).exists():
        raise ValidationError({"requesting_agency": gettext(NOT_REQUESTER)})
    _validate_values(data)
    _check_case(actor=actor, agency=agency, case=data.get("case"))
    notice = Notice(notice_type=notice_type, requesting_agency=agency, created_by=actor, **data)
    notice.full_clean()
    notice.save()
    _set_recipients(notice, recipient_agencies, recipient_jurisdictions)
    for upload in photos:
        _add_photo(notice, upload)
    sync_notice_permissions(notice)
    audit_log(
        actor=actor,
        action="notice.created",
        obj=notice,
        agency=agency,
        summary={"type": notice.notice_type, "status": notice.status},
    )
    return notice


def _add_photo(notice: Notice, upload: Any) -> NoticePhoto:
    photo = NoticePhoto(notice=notice, image=upload)
    photo.full_clean(exclude=["notice"])
    photo.save()
    return photo


@transaction.atomic
def notice_update(
    *,
    actor: Any,
    notice: Notice,
    data: dict[str, Any] | None = None,
    recipient_agencies: Iterable[Agency] | None = None,
    recipient_jurisdictions: Iterable[Jurisdiction] | None = None,
    photos: Iterable[Any] = (),
) -> Notice:
    """Edit a draft, or a notice whose reviewer asked for more information."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_requester(actor, notice)
    if not notice.is_editable:
        raise NoticeStateError(gettext(NOT_EDITABLE))
    data = {k: v for k, v in (data or {}).items() if k in EDITABLE_FIELDS}
    _validate_values(data)
    if "case" in data:
        _check_case(actor=actor, agency=notice.requesting_agency, case=data["case"])
    changed = sorted(k for k, v in data.items() if getattr(notice, k) != v)
    for key, value in data.items():
        setattr(notice, key, value)
    notice.updated_at = timezone.now()
    notice.full_clean()
    notice.save()
    _set_recipients(notice, recipient_agencies, recipient_jurisdictions)
    if recipient_agencies is not None or recipient_jurisdictions is not None:
        changed.append("recipients")
    photos = list(photos)
    for upload in photos:
        _add_photo(notice, upload)
    if photos:
        changed.append("photos")
    sync_notice_permissions(notice)
    audit_log(
        actor=actor,
        action="notice.updated",
        obj=notice,
        agency=notice.requesting_agency,
        summary={"fields": changed, "status": notice.status},
    )
    return notice


# --- the requester's lifecycle -------------------------------------------------------------


@transaction.atomic
def notice_submit(*, actor: Any, notice: Notice, now: datetime | None = None) -> Notice:
    """Run the pre-checks and send the notice to review (a diffusion also circulates now)."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_requester(actor, notice)
    if notice.status == Notice.Status.DRAFT:
        target = Notice.Status.SUBMITTED
    elif notice.status == Notice.Status.INFO_REQUESTED:
        target = Notice.Status.UNDER_REVIEW
    else:
        raise NoticeStateError(gettext(NOT_SUBMITTABLE))
    errors = notice_precheck(notice)
    if errors:
        raise ValidationError(errors)
    notice.submitted_at = now
    before = transition(notice, target, now=now, fields=["submitted_at"])
    audit_log(
        actor=actor,
        action="notice.submitted" if before == Notice.Status.DRAFT else "notice.resubmitted",
        obj=notice,
        agency=notice.requesting_agency,
        summary={"from": before, "to": target, "renewal": notice.is_renewal},
    )
    return notice


@transaction.atomic
def notice_cancel(*, actor: Any, notice: Notice, reason: str = "") -> Notice:
    """The requester cancels its notice (from draft up to published)."""
    now = timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_requester(actor, notice)
    if notice.status in CLOSED:
        raise NoticeStateError(gettext(NOT_CANCELLABLE))
    notice.closed_at = now
    before = transition(notice, Notice.Status.CANCELLED, now=now, fields=["closed_at"])
    audit_log(
        actor=actor,
        action="notice.cancelled",
        obj=notice,
        agency=notice.requesting_agency,
        summary={"from": before, "to": Notice.Status.CANCELLED, "reason": reason},
    )
    return notice


@transaction.atomic
def notice_renew(*, actor: Any, notice: Notice, now: datetime | None = None) -> Notice:
    """Send a notice near (or past) its expiry through review again."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_requester(actor, notice)
    due = (
        notice.status == Notice.Status.PUBLISHED
        and notice.expires_at is not None
        and notice.expires_at - REMINDER_BEFORE <= now
    )
    if not (due or notice.status == Notice.Status.EXPIRED):
        raise NoticeStateError(gettext(NOT_RENEWABLE))
    errors = notice_precheck(notice)
    if errors:
        raise ValidationError(errors)
    notice.is_renewal = True
    notice.submitted_at = now
    notice.closed_at = None
    before = transition(
        notice, Notice.Status.SUBMITTED, now=now, fields=["is_renewal", "submitted_at", "closed_at"]
    )
    audit_log(
        actor=actor,
        action="notice.renewal_requested",
        obj=notice,
        agency=notice.requesting_agency,
        summary={"from": before, "to": Notice.Status.SUBMITTED, "expires_at": notice.expires_at},
    )
    return notice
