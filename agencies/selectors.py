"""Permission-aware reads for agencies, members, keys, and the witnesses of the audit log."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import get_visible_or_404
from agencies.models import Agency, APIKey, Cosignature, Invitation, Membership, Witness
from agencies.providers import provider_only
from audit.models import SignedCheckpoint


def active_memberships(*, user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, agency__active=True
    ).select_related("agency__country")


def agencies_of(*, user: Any) -> QuerySet[Agency]:
    """Agencies the user actively belongs to."""
    return Agency.objects.filter(pk__in=active_memberships(user=user).values("agency_id"))


def agency_directory(*, user: Any = None, agency: Agency | None = None) -> QuerySet[Agency]:
    """Active agencies with their 24/7 contact points; a service provider's members see only
    their own agency (the requests addressed to them name whoever asks)."""
    directory = Agency.objects.filter(active=True).select_related("country")
    if user is not None and provider_only(user, agency):
        own = agencies_of(user=user)
        directory = directory.filter(pk__in=own if agency is None else [agency.pk])
    return directory


def active_members(*, agency: Agency, roles: set[str] | None = None) -> QuerySet[Any]:
    """The active users with an active membership of ``agency`` (in one of ``roles``): who
    is told about what is addressed to the agency."""
    memberships = Membership.objects.filter(agency=agency, status=Membership.Status.ACTIVE)
    if roles:
        memberships = memberships.filter(role__in=roles)
    User = get_user_model()
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True)


def administered_agencies(*, user: Any, agency: Agency | None = None) -> QuerySet[Agency]:
    """Agencies the user administers (restricted to ``agency`` when acting with its key)."""
    memberships = active_memberships(user=user).filter(role=Membership.Role.AGENCY_ADMIN)
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return Agency.objects.filter(pk__in=memberships.values("agency_id"))


def _administered(model: Any) -> Any:
    def visible(*, user: Any, agency: Agency | None = None) -> QuerySet[Any]:
        return model.objects.filter(agency__in=administered_agencies(user=user, agency=agency))

    return visible


# What an agency's admins administer, by audit object type (audit.access reads it).
ADMINISTERED = {
    "agencies.membership": _administered(Membership),
    "agencies.invitation": _administered(Invitation),
    "agencies.apikey": _administered(APIKey),
}


def access_admin_agency(*, user: Any, code: str, agency: Agency | None = None) -> Agency:
    """The agency with ``code`` if the user administers it, else 404."""
    return get_visible_or_404(administered_agencies(user=user, agency=agency), code=code)


def second_factor_required(*, user: Any) -> bool:
    """Operators (Django's /admin/), agency admins and reviewers, and every member of an agency
    that asks for it."""
    if user.is_staff or user.is_superuser:
        return True
    return (
        active_memberships(user=user)
        .filter(
            Q(role__in=[Membership.Role.AGENCY_ADMIN, Membership.Role.REVIEWER])
            | Q(agency__require_second_factor=True)
        )
        .exists()
    )


def is_member(
    *, user: Any, of: Agency, roles: set[str] | None = None, agency: Agency | None = None
) -> bool:
    """An active member of ``of`` (in one of ``roles``); acting for ``agency`` (a key's
    agency), only when that is ``of``."""
    if agency is not None and agency.pk != of.pk:
        return False
    memberships = active_memberships(user=user).filter(agency=of)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return memberships.exists()


def agency_members(*, agency: Agency) -> QuerySet[Membership]:
    """The agency's memberships, each with ``has_second_factor`` (an app or a security key)."""
    factors = Authenticator.objects.filter(
        user=OuterRef("user"),
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
    )
    return (
        agency.memberships.select_related("user")
        .annotate(has_second_factor=Exists(factors))
        .order_by("user__username")
    )


def agency_invitations(*, agency: Agency) -> QuerySet[Invitation]:
    return agency.invitations.select_related("created_by", "accepted_by")


def agency_api_keys(*, agency: Agency) -> QuerySet[APIKey]:
    return agency.api_keys.select_related("user")


def access_membership(*, agency: Agency, pk: Any) -> Membership:
    return get_visible_or_404(agency_members(agency=agency), pk=pk)


def access_invitation(*, agency: Agency, pk: Any) -> Invitation:
    return get_visible_or_404(agency_invitations(agency=agency), pk=pk)


def access_api_key(*, agency: Agency, pk: Any) -> APIKey:
    return get_visible_or_404(agency_api_keys(agency=agency), pk=pk)


def user_api_keys(*, user: Any) -> QuerySet[APIKey]:
    """The keys that act as ``user`` (in any of their agencies)."""
    return APIKey.objects.filter(user=user).select_related("agency")


def access_own_api_key(*, user: Any, pk: Any) -> APIKey:
    return get_visible_or_404(user_api_keys(user=user), pk=pk)


def cosignatures_of(checkpoint: SignedCheckpoint) -> QuerySet[Cosignature]:
    """The witnesses' cosignatures of one signed checkpoint, with who made them."""
    return checkpoint.cosignatures.select_related("witness__agency").order_by("witness__name")


def cosigned_note(checkpoint: SignedCheckpoint) -> str:
    """The checkpoint's signed note with every stored cosignature line appended (C2SP:
    verifiers use the signatures they know and ignore the rest)."""
    lines = "".join(c.line for c in cosignatures_of(checkpoint))
    return checkpoint.note + lines


def agency_witnesses(*, agency: Agency) -> QuerySet[Witness]:
    """The agency's witnesses (active first), each with when it last cosigned."""
    return (
        agency.witnesses.select_related("created_by")
        .annotate(last_cosigned_at=Max("cosignatures__received_at"))
        .order_by("-active", "name", "pk")
    )


def access_witness(*, agency: Agency, pk: Any) -> Witness:
    return get_visible_or_404(agency_witnesses(agency=agency), pk=pk)


def latest_checkpoint() -> SignedCheckpoint | None:
    return SignedCheckpoint.objects.order_by("-tree_size").first()


def signed_checkpoints() -> QuerySet[SignedCheckpoint]:
    """The log's signed checkpoints, newest first, each with its cosignatures and who made
    them (the log is the same for every agency: nothing in it is an event's content)."""
    cosignatures = Cosignature.objects.select_related("witness__agency").order_by(
        "witness__agency__code", "witness__name"
    )
    return SignedCheckpoint.objects.order_by("-tree_size").prefetch_related(
        Prefetch("cosignatures", queryset=cosignatures)
    )


def witnessed_checkpoint(*, size: int) -> SignedCheckpoint | None:
    """The latest signed checkpoint of at least ``size`` entries that a witness cosigned (the
    newest one is often not cosigned yet), or None."""
    cosigned = SignedCheckpoint.objects.filter(tree_size__gte=size, cosignatures__isnull=False)
    return cosigned.order_by("-tree_size").first()


# --- what an admin's action does, for its confirmation page -----------------------------------


def suspension_effects(*, membership: Membership) -> list[str]:
    """The sentences of a suspension's confirmation page, with the numbers it touches."""
    user, agency = membership.user, membership.agency
    keys = APIKey.objects.filter(user=user, agency=agency, revoked_at__isnull=True).count()
    others = (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        .exclude(agency=agency)
        .count()
    )
    return [
        _("%(user)s loses access at once to everything %(agency)s sees and shares.")
        % {"user": user.username, "agency": agency.code},
        ngettext(
            "%(count)d active API key of %(user)s for %(agency)s stops working.",
            "%(count)d active API keys of %(user)s for %(agency)s stop working.",
            keys,
        )
        % {"count": keys, "user": user.username, "agency": agency.code},
        ngettext(
            "Their membership of %(count)d other agency is not affected.",
            "Their memberships of %(count)d other agencies are not affected.",
            others,
        )
        % {"count": others},
        _("Reactivate restores the membership."),
    ]


def api_key_revoke_effects(*, key: APIKey) -> list[str]:
    """The sentences of an API key revocation's confirmation page."""
    used = (
        _("It was last used %(when)s UTC.")
        % {"when": date_format(timezone.localtime(key.last_used_at), "SHORT_DATETIME_FORMAT")}
        if key.last_used_at
        else _("It has never been used.")
    )
    return [
        _(
            "Key %(name)s (%(prefix)s…) of %(user)s stops working at once: every system that "
            "uses it is refused from now on."
        )
        % {"name": key.name, "prefix": key.prefix, "user": key.user.username},
        used,
        _("A revoked key cannot be restored; a new key must be created."),
    ]


def invitation_revoke_effects(*, invitation: Invitation) -> list[str]:
    return [
        _("The link sent to %(email)s stops working at once.") % {"email": invitation.email},
        _("A new invitation can be sent later."),
    ]
