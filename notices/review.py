"""The secretariat's writes on notices: taking one into review, the checklist decision
(publish, refuse, request information) and withdrawing a circulating notice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from agencies.models import Agency, Membership
from agencies.selectors import active_memberships
from audit.services import audit_log
from notices.models import RED_VALIDITY, Notice, NoticeReview, NoticeType
from notices.permissions import DIFFUSION_CIRCULATING
from notices.prechecks import notice_precheck
from notices.services import NoticeStateError, notify, transition
from notifications.models import Notification

NOT_REVIEWABLE = gettext_noop("Only a submitted notice or one under review can be reviewed.")
NOT_WITHDRAWABLE = gettext_noop(
    "Only a published notice or a circulating diffusion can be withdrawn."
)
CHECK_REQUIRED = gettext_noop("This check must be confirmed to publish.")
REASONS_REQUIRED = gettext_noop("Give the reasons for this decision.")
CHOOSE_DECISION = gettext_noop("Choose one of {decisions}.")

REVIEWABLE = (Notice.Status.SUBMITTED, Notice.Status.UNDER_REVIEW)


def _reviewer_agency(actor: Any) -> Agency | None:
    """The secretariat the reviewer acts for (the audit event's agency)."""
    membership = (
        active_memberships(user=actor)
        .filter(role=Membership.Role.REVIEWER, agency__kind=Agency.Kind.SECRETARIAT)
        .first()
    )
    return membership.agency if membership else None


@transaction.atomic
def notice_review_start(*, actor: Any, notice: Notice, now: datetime | None = None) -> Notice:
    """A reviewer takes a submitted notice into review."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != Notice.Status.SUBMITTED:
        raise NoticeStateError(gettext(NOT_REVIEWABLE))
    transition(notice, Notice.Status.UNDER_REVIEW, now=now)
    audit_log(
        actor=actor,
        action="notice.review_started",
        obj=notice,
        agency=_reviewer_agency(actor),
        summary={"from": Notice.Status.SUBMITTED, "to": Notice.Status.UNDER_REVIEW},
    )
    return notice


# --- the review decision, in steps ------------------------------------------------------------


def _check_decision(
    notice: Notice, decision: str, reasons: str, checklist: dict[str, bool]
) -> None:
    """Every problem with the decision at once: publishing needs the checklist and the
    pre-checks; refusing or asking for information needs reasons."""
    errors: dict[str, list[str]] = {}
    if decision not in NoticeReview.Decision.values:
        errors["decision"] = [
            gettext(CHOOSE_DECISION).format(decisions=", ".join(NoticeReview.Decision.values))
        ]
    if decision == NoticeReview.Decision.PUBLISH:
        errors.update({name: [gettext(CHECK_REQUIRED)] for name, ok in checklist.items() if not ok})
        errors.update(notice_precheck(notice))
    elif not (reasons or "").strip():
        errors["reasons"] = [gettext(REASONS_REQUIRED)]
    if errors:
        raise ValidationError(errors)


@dataclass
class _Outcome:
    """Where a decision takes the notice, what it writes and what the requester is told."""

    status: str
    action: str  # the audit action
    told: str  # the notification's variant (``notifications.sentences``)
    fields: list[str] = field(default_factory=list)


def _decide(notice: Notice, decision: str, reasons: str, now: datetime) -> _Outcome:
    """Set the decision's dates on ``notice`` (unsaved) and say where it goes."""
    if decision == NoticeReview.Decision.PUBLISH:
        notice.published_at = now
        notice.expires_at = now + RED_VALIDITY if notice.notice_type == NoticeType.RED else None
        notice.reminder_sent_at = None
        notice.is_renewal = False
        return _Outcome(
            Notice.Status.PUBLISHED,
            "notice.published",
            "published",
            ["published_at", "expires_at", "reminder_sent_at", "is_renewal"],
        )
    if decision == NoticeReview.Decision.REQUEST_INFO:
        return _Outcome(
            Notice.Status.INFO_REQUESTED,
            "notice.info_requested",
            "info_requested",
        )
    notice.closed_at = now
    if notice.is_diffusion:  # it already circulates: refusing it withdraws it
        return _Outcome(
            Notice.Status.WITHDRAWN,
            "notice.withdrawn",
            "diffusion_withdrawn",
            ["closed_at"],
        )
    return _Outcome(
        Notice.Status.REFUSED,
        "notice.refused",
        "refused",
        ["closed_at"],
    )


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
    if notice.status not in REVIEWABLE:
        raise NoticeStateError(gettext(NOT_REVIEWABLE))
    checklist = {
        "art3_neutrality": bool(art3_neutrality),
        "art2_human_rights": bool(art2_human_rights),
        "minimum_data": bool(minimum_data),
    }
    _check_decision(notice, decision, reasons, checklist)
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
    outcome = _decide(notice, decision, reasons, now)
    before = transition(notice, outcome.status, now=now, fields=outcome.fields)
    notify(
        notice,
        Notification.Kind.NOTICE_REVIEW,
        variant=outcome.told,
        reasons=(reasons or "")[:400],
    )
    audit_log(
        actor=actor,
        action=outcome.action,
        obj=notice,
        agency=_reviewer_agency(actor),
        summary={
            "from": before,
            "to": outcome.status,
            "decision": decision,
            "checklist": checklist,
            "reasons": reasons,
            "expires_at": notice.expires_at,
        },
    )
    return review


@transaction.atomic
def notice_withdraw(*, actor: Any, notice: Notice, reasons: str) -> Notice:
    """The secretariat withdraws a published notice or a circulating diffusion."""
    now = timezone.now()
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    circulating = notice.status == Notice.Status.PUBLISHED or (
        notice.is_diffusion and notice.status in DIFFUSION_CIRCULATING
    )
    if not circulating:
        raise NoticeStateError(gettext(NOT_WITHDRAWABLE))
    if not (reasons or "").strip():
        raise ValidationError({"reasons": gettext(REASONS_REQUIRED)})
    notice.closed_at = now
    before = transition(notice, Notice.Status.WITHDRAWN, now=now, fields=["closed_at"])
    notify(notice, Notification.Kind.NOTICE_REVIEW, variant="withdrawn", reasons=reasons[:400])
    audit_log(
        actor=actor,
        action="notice.withdrawn",
        obj=notice,
        agency=_reviewer_agency(actor),
        summary={"from": before, "to": Notice.Status.WITHDRAWN, "reasons": reasons},
    )
    return notice
