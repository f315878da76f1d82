"""Service providers (hosting companies, registrars, ISPs): agencies that see only what is
addressed to them, never the platform's cases, notices, indicators or directory.

It holds structurally, in three places: their members are in no jurisdiction group (so no
jurisdiction-wide, regime-wide or "every member agency" grant reaches them, see
``sync_user_groups`` and ``principal_group_ids``); no service names them as a recipient (JIT
invitations, shares, the community, notice diffusions: ``refuse_provider``); and the gate below
answers 404 for every page and endpoint outside the apps that serve them, so a new view of
cases, notices, sharing or interop is closed to them without anyone remembering to close it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import permissions
from rest_framework.exceptions import NotFound

from agencies.models import Agency, APIKey, Membership

# The roles a provider's members may hold; the liaison is the only one outside providers' reach.
PROVIDER_ROLES = frozenset({Membership.Role.PROVIDER_LIAISON, Membership.Role.AGENCY_ADMIN})
# What a provider's API key may do: REST reads and writes of what is addressed to it.
PROVIDER_KEY_SCOPES = frozenset({APIKey.Scope.READ, APIKey.Scope.WRITE})
# Modules whose views a provider's members may reach: their own agency's admin pages, the
# home page, sign-in and second factors, the API schema, the assistance requests and their
# notifications (the centre shows each user only what they may see).
PROVIDER_OPEN_MODULES = (
    "agencies.",
    "assistance.",
    "notifications.",
    "cybercoop.",
    "allauth.",
    "django.",
    "drf_spectacular.",
)

LIAISON_ONLY_IN_PROVIDERS = "Only service providers have provider liaisons."
PROVIDER_ROLE = "A service provider's members are provider liaisons or agency admins."
PROVIDER_NOT_RECIPIENT = (
    "{agency} is a service provider: it receives only assistance requests addressed to it, "
    "never {what}."
)
PROVIDER_KEY_SCOPE = "A service provider's API key may have the read and write scopes only."


def check_role(agency: Agency, role: str) -> None:
    """Liaisons only in providers; in providers, only liaisons and admins (a field error)."""
    if role == Membership.Role.PROVIDER_LIAISON and not agency.is_service_provider:
        raise ValidationError({"role": LIAISON_ONLY_IN_PROVIDERS})
    if agency.is_service_provider and role not in PROVIDER_ROLES:
        raise ValidationError({"role": PROVIDER_ROLE})


def roles_for(agency: Agency) -> list[tuple[str, str]]:
    """The roles an agency's admin may give (invitation and role change)."""
    if agency.is_service_provider:
        return [c for c in Membership.Role.choices if c[0] in PROVIDER_ROLES]
    excluded = {Membership.Role.PROVIDER_LIAISON}
    if not agency.is_secretariat:
        excluded.add(Membership.Role.REVIEWER)
    return [c for c in Membership.Role.choices if c[0] not in excluded]


def key_scopes_for(agency: Agency) -> list[str]:
    """Every scope an API key of ``agency`` may have."""
    if agency.is_service_provider:
        return [s for s in APIKey.Scope.values if s in PROVIDER_KEY_SCOPES]
    return list(APIKey.Scope.values)


def check_key_scopes(agency: Agency, scopes: list[str]) -> None:
    if agency.is_service_provider and not set(scopes) <= PROVIDER_KEY_SCOPES:
        raise ValidationError({"scopes": PROVIDER_KEY_SCOPE})


def refuse_provider(agency: Agency, *, what: str, field: str = "agency") -> None:
    """A provider is no recipient of ``what`` (a JIT invitation, a share, a notice)."""
    if agency.is_service_provider:
        raise ValidationError({field: PROVIDER_NOT_RECIPIENT.format(agency=agency.code, what=what)})


def partner_agencies() -> QuerySet[Agency]:
    """Active agencies that may be offered as recipients (JIT members, share and notice
    recipients): every one but the service providers."""
    return Agency.objects.filter(active=True).exclude(kind=Agency.Kind.SERVICE_PROVIDER)


def provider_only(user: Any, agency: Agency | None = None) -> bool:
    """Does ``user`` act only for service providers? With an API key (``agency``): is its
    agency one. In the browser: are all the user's active memberships in providers."""
    if agency is not None:
        return agency.is_service_provider
    if not getattr(user, "is_authenticated", False):
        return False
    kinds = set(
        Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE, agency__active=True
        ).values_list("agency__kind", flat=True)
    )
    return kinds == {Agency.Kind.SERVICE_PROVIDER}


def _view_module(view_func: Any) -> str:
    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    return getattr(view_class or view_func, "__module__", "") or ""


def closed_to_providers(view_func: Any) -> bool:
    return not _view_module(view_func).startswith(PROVIDER_OPEN_MODULES)


class ProviderGateMiddleware:
    """Pages and endpoints outside ``PROVIDER_OPEN_MODULES`` answer 404 to a signed-in member
    of service providers only (API keys: ``ProviderGatePermission``; TAXII: its own door)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        if closed_to_providers(view_func) and provider_only(request.user):
            raise Http404
        return None


class ProviderGatePermission(permissions.BasePermission):
    """The same gate for REST calls with an API key of a service provider: 404."""

    def has_permission(self, request: Any, view: Any) -> bool:
        key = request.auth
        if isinstance(key, APIKey) and key.agency.is_service_provider and closed_to_providers(view):
            raise NotFound
        return True
