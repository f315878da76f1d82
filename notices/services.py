"""Every write on notices: drafting, pre-checks, submission, review, distribution, expiry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Jurisdiction, Membership
from agencies.selectors import active_memberships
from audit.services import audit_log
from common.errors import StateConflict
from notices.models import (
    PUBLIC_TYPES,
    RED_VALIDITY,
    REMINDER_BEFORE,
    Language,
    Notice,
    NoticePhoto,
    NoticeReview,
    NoticeType,
    Notification,
)
from notices.permissions import DIFFUSION_CIRCULATING, sync_notice_permissions

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

REQUIRED = "This field is required for a {type} before submission."
EXCLUDED_CATEGORY = (
    "Notices cannot be issued for private, family or administrative matters (Art. 3 / RPD)."
)
RED_PROSECUTION_THRESHOLD = (
    "A Red notice for prosecution needs a maximum penalty of at least 2 years (24 months)."
)
RED_SENTENCE_THRESHOLD = (
    "A Red notice to serve a sentence needs at least 6 months of the sentence remaining."
)
PUBLIC_TYPE_ONLY = "A public extract is possible only for Red, Yellow and UN Special notices."
PUBLIC_NOT_RESTRICTED = "A notice restricted to some jurisdictions cannot have a public extract."
DIFFUSION_RECIPIENTS = "A diffusion needs at least one recipient agency or jurisdiction."
NOT_EDITABLE = "The notice can be edited only while it is a draft or information was requested."
NOT_SUBMITTABLE = "Only a draft, or a notice whose information was requested, can be submitted."
NOT_REVIEWABLE = "Only a submitted notice or one under review can be reviewed."
NOT_CANCELLABLE = "This notice is already closed."
NOT_WITHDRAWABLE = "Only a published notice or a circulating diffusion can be withdrawn."
NOT_RENEWABLE = (
    "Only a published notice within six months of its expiry, or an expired one, can be renewed."
)
CHECK_REQUIRED = "This check must be confirmed to publish."
REASONS_REQUIRED = "Give the reasons for this decision."
CASE_NOT_VISIBLE = "Select a case your agency can see."
NOT_REQUESTER = "You are not an active member of the requesting agency."


class NoticeStateError(StateConflict):
    """The action is not allowed in the notice's current state (HTTP 409)."""


# --- minimum data ---------------------------------------------------------------------------

PERSON = ["family_name", "forenames", "date_of_birth", "sex", "nationalities"]
JUDICIAL = [
    "offence_category",
    "facts_summary",
    "facts_date",
    "facts_place",
    "charges",
    "law",
    "judicial_basis",
    "warrant_reference",
    "warrant_authority",
    "warrant_date",
]
MINIMUM_DATA: dict[str, list[str]] = {
    NoticeType.RED: ["languages", *PERSON, *JUDICIAL],
    NoticeType.YELLOW: [
        "languages",
        "family_name",
        "forenames",
        "date_of_birth",
        "sex",
        "facts_summary",
        "facts_date",
        "facts_place",
    ],
    NoticeType.BLUE: [
        "languages",
        "family_name",
        "forenames",
        "offence_category",
        "facts_summary",
        "charges",
    ],
    NoticeType.BLACK: ["languages", "sex", "facts_summary", "facts_date", "facts_place"],
    NoticeType.GREEN: ["languages", "subject_description", "offence_category", "facts_summary"],
    NoticeType.ORANGE: ["languages", "subject_description", "facts_summary"],
    NoticeType.PURPLE: ["languages", "subject_description", "offence_category"],
    NoticeType.SILVER: [
        "languages",
        "subject_description",
        "offence_category",
        "facts_summary",
        "charges",
    ],
    NoticeType.UN_SPECIAL: ["languages", "family_name", "facts_summary"],
    NoticeType.DIFFUSION: [
        "languages",
        "family_name",
        "offence_category",
        "facts_summary",
        "charges",
    ],
}


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def notice_precheck(notice: Notice) -> dict[str, list[str]]:
    """Automatic pre-checks before review: every problem, keyed by the field it concerns."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    type_label = notice.get_notice_type_display()
    for field in MINIMUM_DATA.get(notice.notice_type, []):
        if _blank(getattr(notice, field)):
            add(field, REQUIRED.format(type=type_label))
    if notice.notice_type == NoticeType.RED and notice.judicial_basis:
        if notice.judicial_basis == Notice.JudicialBasis.PROSECUTION:
            if notice.max_penalty_months is None:
                add("max_penalty_months", REQUIRED.format(type=type_label))
            elif notice.max_penalty_months < 24:
                add("max_penalty_months", RED_PROSECUTION_THRESHOLD)
        elif notice.sentence_remaining_months is None:
            add("sentence_remaining_months", REQUIRED.format(type=type_label))
        elif notice.sentence_remaining_months < 6:
            add("sentence_remaining_months", RED_SENTENCE_THRESHOLD)
    if notice.offence_category and notice.offence_category != Notice.OffenceCategory.CRIMINAL:
        add("offence_category", EXCLUDED_CATEGORY)
    if notice.public_extract_consent:
        if notice.notice_type not in PUBLIC_TYPES:
            add("public_extract_consent", PUBLIC_TYPE_ONLY)
        elif notice.recipient_jurisdictions.exists():
            add("public_extract_consent", PUBLIC_NOT_RESTRICTED)
    if notice.is_diffusion and not (
        notice.recipient_agencies.exists() or notice.recipient_jurisdictions.exists()
    ):
        add("recipients", DIFFUSION_RECIPIENTS)
    return errors


# --- helpers --------------------------------------------------------------------------------


def _validate_values(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    languages = data.get("languages")
    if languages is not None and (
        not isinstance(languages, list) or any(code not in Language.values for code in languages)
    ):
        errors["languages"] = [f"Choose from {', '.join(Language.values)}."]
    nationalities = data.get("nationalities")
    if nationalities is not None and (
        not isinstance(nationalities, list)
        or any(
            not (isinstance(c, str) and len(c) == 2 and c.isalpha() and c.isupper())
            for c in nationalities
        )
    ):
        errors["nationalities"] = ["Give ISO 3166-1 alpha-2 country codes, e.g. DE."]
    if errors:
        raise ValidationError(errors)


def _check_case(*, actor: Any, agency: Agency, case: Any) -> None:
    if case is None:
        return
    from cases.selectors import cases_visible_to

    if not cases_visible_to(user=actor, agency=agency).filter(pk=case.pk).exists():
        raise ValidationError({"case": CASE_NOT_VISIBLE})


def _require_requester(actor: Any, notice: Notice) -> None:
    if not active_memberships(user=actor).filter(agency_id=notice.requesting_agency_id).exists():
        raise ValidationError({"requesting_agency": NOT_REQUESTER})


def _reviewer_agency(actor: Any) -> Agency | None:
    membership = (
        active_memberships(user=actor)
        .filter(role=Membership.Role.REVIEWER, agency__kind=Agency.Kind.SECRETARIAT)
        .first()
    )
    return membership.agency if membership else None


def _notify(notice: Notice, kind: str, message: str) -> Notification:
    return Notification.objects.create(
        user=notice.created_by, notice=notice, kind=kind, message=message
    )


def _set_recipients(
    notice: Notice,
    recipient_agencies: Iterable[Agency] | None,
    recipient_jurisdictions: Iterable[Jurisdiction] | None,
) -> None:
    if recipient_agencies is not None:
        notice.recipient_agencies.set(recipient_agencies)
    if recipient_jurisdictions is not None:
        notice.recipient_jurisdictions.set(recipient_jurisdictions)


def _transition(notice: Notice, status: str, *, now: datetime, fields: Iterable[str] = ()) -> str:
    before = notice.status
    notice.status = status
    notice.updated_at = now
    notice.save(update_fields=["status", "updated_at", *fields])
    sync_notice_permissions(notice)
    return before


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
        raise ValidationError({"requesting_agency": NOT_REQUESTER})
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
        raise NoticeStateError(NOT_EDITABLE)
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


# --- lifecycle ------------------------------------------------------------------------------


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
        raise NoticeStateError(NOT_SUBMITTABLE)
    errors = notice_precheck(notice)
    if errors:
        raise ValidationError(errors)
    notice.submitted_at = now
    before = _transition(notice, target, now=now, fields=["submitted_at"])
    audit_log(
        actor=actor,
        action="notice.submitted" if before == Notice.Status.DRAFT else "notice.resubmitted",
        obj=notice,
        agency=notice.requesting_agency,
        summary={"from": before, "to": target, "renewal": notice.is_renewal},
    )
    return notice


@transaction.atomic
def notice_review_start(*, actor: Any, notice: Notice, now: datetime | None = None) -> Notice:
    """A reviewer takes a submitted notice into review."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Notice.Status.SUBMITTED:
        raise NoticeStateError(NOT_REVIEWABLE)
    _transition(notice, Notice.Status.UNDER_REVIEW, now=now)
    audit_log(
        actor=actor,
        action="notice.review_started",
        obj=notice,
        agency=_reviewer_agency(actor),
        summary={"from": Notice.Status.SUBMITTED, "to": Notice.Status.UNDER_REVIEW},
    )
    return notice


@transaction.atomic
def notice_review(
    *,
    actor: Any,
    notice: Notice,
    decision: str,
    reasons: str = "",
    art3_neutrality: bool = False,
    art2_human_rights: bool = False,
    minimum_data: bool = False,
    now: datetime | None = None,
) -> NoticeReview:
    """Record a reviewer's checklist decision: publish, refuse or request information.

    Refusing a diffusion, which already circulates, withdraws it.
    """
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status not in (Notice.Status.SUBMITTED, Notice.Status.UNDER_REVIEW):
        raise NoticeStateError(NOT_REVIEWABLE)
    errors: dict[str, list[str]] = {}
    if decision not in NoticeReview.Decision.values:
        errors["decision"] = [f"Choose one of {', '.join(NoticeReview.Decision.values)}."]
    checklist = {
        "art3_neutrality": bool(art3_neutrality),
        "art2_human_rights": bool(art2_human_rights),
        "minimum_data": bool(minimum_data),
    }
    if decision == NoticeReview.Decision.PUBLISH:
        for field, ok in checklist.items():
            if not ok:
                errors[field] = [CHECK_REQUIRED]
        precheck = notice_precheck(notice)
        if precheck:
            errors.update(precheck)
    elif not (reasons or "").strip():
        errors["reasons"] = [REASONS_REQUIRED]
    if errors:
        raise ValidationError(errors)
    if notice.status == Notice.Status.SUBMITTED:
        notice_review_start(actor=actor, notice=notice, now=now)
        notice.refresh_from_db()
    review = NoticeReview.objects.create(
        notice=notice,
        reviewer=actor,
        decision=decision,
        reasons=reasons or "",
        created_at=now,
        **checklist,
    )
    fields: list[str] = []
    if decision == NoticeReview.Decision.PUBLISH:
        target, action = Notice.Status.PUBLISHED, "notice.published"
        notice.published_at = now
        notice.expires_at = now + RED_VALIDITY if notice.notice_type == NoticeType.RED else None
        notice.reminder_sent_at = None
        notice.is_renewal = False
        fields = ["published_at", "expires_at", "reminder_sent_at", "is_renewal"]
        message = f"Your {notice.get_notice_type_display()} was published."
    elif decision == NoticeReview.Decision.REQUEST_INFO:
        target, action = Notice.Status.INFO_REQUESTED, "notice.info_requested"
        message = f"The reviewer asks for more information: {reasons}"
    elif notice.is_diffusion:
        target, action = Notice.Status.WITHDRAWN, "notice.withdrawn"
        notice.closed_at = now
        fields = ["closed_at"]
        message = f"Your diffusion was withdrawn after review: {reasons}"
    else:
        target, action = Notice.Status.REFUSED, "notice.refused"
        notice.closed_at = now
        fields = ["closed_at"]
        message = f"Your {notice.get_notice_type_display()} was refused: {reasons}"
    before = _transition(notice, target, now=now, fields=fields)
    _notify(notice, Notification.Kind.REVIEW, message[:400])
    audit_log(
        actor=actor,
        action=action,
        obj=notice,
        agency=_reviewer_agency(actor),
        summary={
            "from": before,
            "to": target,
            "decision": decision,
            "checklist": checklist,
            "reasons": reasons,
            "expires_at": notice.expires_at,
        },
    )
    return review


@transaction.atomic
def notice_cancel(*, actor: Any, notice: Notice, reason: str = "") -> Notice:
    """The requester cancels its notice (from draft up to published)."""
    now = timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    _require_requester(actor, notice)
    closed = {
        Notice.Status.REFUSED,
        Notice.Status.CANCELLED,
        Notice.Status.WITHDRAWN,
        Notice.Status.EXPIRED,
    }
    if notice.status in closed:
        raise NoticeStateError(NOT_CANCELLABLE)
    notice.closed_at = now
    before = _transition(notice, Notice.Status.CANCELLED, now=now, fields=["closed_at"])
    audit_log(
        actor=actor,
        action="notice.cancelled",
        obj=notice,
        agency=notice.requesting_agency,
        summary={"from": before, "to": Notice.Status.CANCELLED, "reason": reason},
    )
    return notice


@transaction.atomic
def notice_withdraw(*, actor: Any, notice: Notice, reasons: str) -> Notice:
    """The secretariat withdraws a published notice or a circulating diffusion."""
    now = timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    circulating = notice.status == Notice.Status.PUBLISHED or (
        notice.is_diffusion and notice.status in DIFFUSION_CIRCULATING
    )
    if not circulating:
        raise NoticeStateError(NOT_WITHDRAWABLE)
    if not (reasons or "").strip():
        raise ValidationError({"reasons": REASONS_REQUIRED})
    notice.closed_at = now
    before = _transition(notice, Notice.Status.WITHDRAWN, now=now, fields=["closed_at"])
    _notify(notice, Notification.Kind.REVIEW, f"Withdrawn by the secretariat: {reasons}"[:400])
    audit_log(
        actor=actor,
        action="notice.withdrawn",
        obj=notice,
        agency=_reviewer_agency(actor),
        summary={"from": before, "to": Notice.Status.WITHDRAWN, "reasons": reasons},
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
        raise NoticeStateError(NOT_RENEWABLE)
    errors = notice_precheck(notice)
    if errors:
        raise ValidationError(errors)
    notice.is_renewal = True
    notice.submitted_at = now
    notice.closed_at = None
    before = _transition(
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


# --- expiry (run by the beat task) ----------------------------------------------------------


@transaction.atomic
def notices_expire_due(*, now: datetime | None = None) -> list[int]:
    """Expire every published notice past its expiry; returns their ids."""
    now = now or timezone.now()
    due = list(
        Notice.objects.select_for_update(skip_locked=True)
        .filter(status=Notice.Status.PUBLISHED, expires_at__lte=now)
        .select_related("requesting_agency", "created_by")
    )
    for notice in due:
        notice.closed_at = now
        _transition(notice, Notice.Status.EXPIRED, now=now, fields=["closed_at"])
        _notify(
            notice,
            Notification.Kind.EXPIRED,
            f"{notice.get_notice_type_display()} #{notice.pk} ({notice.subject_label}) expired.",
        )
        audit_log(
            actor=None,
            action="notice.expired",
            obj=notice,
            agency=notice.requesting_agency,
            summary={
                "from": Notice.Status.PUBLISHED,
                "to": Notice.Status.EXPIRED,
                "expires_at": notice.expires_at,
            },
        )
    return [notice.pk for notice in due]


@transaction.atomic
def notices_send_expiry_reminders(*, now: datetime | None = None) -> list[int]:
    """Notify requesters once, six months before their notice expires; returns the ids."""
    now = now or timezone.now()
    due = list(
        Notice.objects.select_for_update(skip_locked=True)
        .filter(
            status=Notice.Status.PUBLISHED,
            reminder_sent_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + REMINDER_BEFORE,
        )
        .select_related("requesting_agency", "created_by")
    )
    for notice in due:
        message = (
            f"{notice.get_notice_type_display()} #{notice.pk} ({notice.subject_label}) expires on "
            f"{notice.expires_at:%Y-%m-%d}. Renew it to keep it in force."
        )
        _notify(notice, Notification.Kind.EXPIRY_REMINDER, message)
        notice.reminder_sent_at = now
        notice.save(update_fields=["reminder_sent_at"])
        if notice.created_by.email:
            email = notice.created_by.email
            transaction.on_commit(
                lambda email=email, message=message: send_mail(
                    "CyberCoop: notice expiry",
                    message,
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                    fail_silently=True,
                )
            )
        audit_log(
            actor=None,
            action="notice.expiry_reminder_sent",
            obj=notice,
            agency=notice.requesting_agency,
            summary={"expires_at": notice.expires_at, "user": notice.created_by.username},
        )
    return [notice.pk for notice in due]


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    if notification.user_id != actor.pk:
        raise ValidationError({"notification": "Not your notification."})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
