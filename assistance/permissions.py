"""Derived guardian rows for assistance requests: who sees and who changes each one.

- the requesting agency sees and changes its request (its members in the case act for it);
- the addressee sees it from "sent" on (never a draft), and answers through the services;
- the enforcing authority of a European Production Order for traffic or content data sees it
  from "sent" on (Reg. 2023/1543 Art. 8: it is notified with the order);
- the accepted members of the case's open JITs see it only if the requester shares it with
  the JIT (``shared_with_jit``);
- nobody else: a 404, like a missing request.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from agencies.access import replace_object_permissions
from agencies.models import Agency
from assistance.models import AssistanceRequest, AssistanceRequestGroupObjectPermission
from cases.permissions import circle_agency_ids


def audience_agency_ids(request: AssistanceRequest) -> set[int]:
    """The agencies that see ``request``."""
    ids = {request.requesting_agency_id}
    if request.status != AssistanceRequest.Status.DRAFT:
        ids.add(request.addressee_id)
        if request.enforcing_authority_id is not None:
            ids.add(request.enforcing_authority_id)
    if request.shared_with_jit:
        ids |= circle_agency_ids(request.case)
    return ids


def _groups(agency_ids: set[int]) -> list[Group]:
    return list(
        Group.objects.filter(pk__in=Agency.objects.filter(pk__in=agency_ids).values("group_id"))
    )


def sync_assistance_permissions(request: AssistanceRequest) -> None:
    replace_object_permissions(
        request,
        group_model=AssistanceRequestGroupObjectPermission,
        groups={
            "view_assistancerequest": _groups(audience_agency_ids(request)),
            "change_assistancerequest": _groups({request.requesting_agency_id}),
        },
    )
