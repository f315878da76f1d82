"""Filters of the agency's invitations list (django-filter, drawn by ``_filters.html``)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Invitation, Membership

STATES = [
    ("open", _("Open")),
    ("accepted", _("Accepted")),
    ("revoked", _("Revoked")),
    ("expired", _("Expired")),
]


class InvitationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATES, method="filter_state", empty_label=_("Any state")
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Membership.Role.choices, empty_label=_("Any role")
    )

    class Meta:
        model = Invitation
        fields = ["state", "role"]

    def filter_state(
        self, queryset: QuerySet[Invitation], name: str, value: str
    ) -> QuerySet[Invitation]:
        # The same order of precedence as ``Invitation.state``.
        now = timezone.now()
        accepted = Q(accepted_at__isnull=False)
        revoked = Q(revoked_at__isnull=False) & ~accepted
        expired = Q(expires_at__lte=now) & ~accepted & Q(revoked_at__isnull=True)
        states = {
            "accepted": accepted,
            "revoked": revoked,
            "expired": expired,
            "open": ~accepted & Q(revoked_at__isnull=True) & Q(expires_at__gt=now),
        }
        return queryset.filter(states[value])
