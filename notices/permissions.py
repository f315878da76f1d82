"""Who may see a notice: ``sync_notice_permissions`` derives the guardian rows from its state."""

from __future__ import annotations

from django.contrib.auth.models import Group

from agencies.access import replace_object_permissions
from agencies.models import Agency, Jurisdiction
from notices.models import Notice, NoticeGroupObjectPermission

# A diffusion circulates from submission on and is reviewed afterwards.
DIFFUSION_CIRCULATING = {
    Notice.Status.SUBMITTED,
    Notice.Status.UNDER_REVIEW,
    Notice.Status.INFO_REQUESTED,
    Notice.Status.PUBLISHED,
}


def reviewer_groups() -> list[Group]:
    """The reviewer groups of every active secretariat (its other members are not reviewers)."""
    return [
        Group.objects.get_or_create(name=agency.reviewer_group_name)[0]
        for agency in Agency.objects.filter(kind=Agency.Kind.SECRETARIAT, active=True)
    ]


def recipient_groups(notice: Notice) -> list[Group]:
    """The groups a notice is distributed to in its current state (none while not circulating)."""
    if notice.is_diffusion:
        if notice.status not in DIFFUSION_CIRCULATING:
            return []
        agency_groups = notice.recipient_agencies.filter(active=True).values("group_id")
        jurisdiction_groups = notice.recipient_jurisdictions.values("group_id")
        return list(
            Group.objects.filter(pk__in=agency_groups)
            | Group.objects.filter(pk__in=jurisdiction_groups)
        )
    if notice.status != Notice.Status.PUBLISHED:
        return []
    restricted = notice.recipient_jurisdictions.values("group_id")
    if notice.recipient_jurisdictions.exists():
        return list(Group.objects.filter(pk__in=restricted))
    # Every member agency: each one belongs to its country's group.
    countries = Jurisdiction.objects.filter(kind=Jurisdiction.Kind.COUNTRY).values("group_id")
    return list(Group.objects.filter(pk__in=countries))


def sync_notice_permissions(notice: Notice) -> None:
    """Make the notice's permission rows match its state. The only writer of notice grants.

    - requester agency: view + change, always;
    - secretariat reviewers: view + review, always (drafts included);
    - recipients: view, while the notice circulates (published, or a diffusion once submitted),
      restricted to the listed jurisdictions when there are any.
    """
    requester = [notice.requesting_agency.group]
    reviewers = reviewer_groups()
    viewers = {g.pk: g for g in [*requester, *reviewers, *recipient_groups(notice)]}
    replace_object_permissions(
        notice,
        group_model=NoticeGroupObjectPermission,
        groups={
            "view_notice": viewers.values(),
            "change_notice": requester,
            "review_notice": reviewers,
        },
    )
