"""Writes for agencies: memberships, invitations, API keys, and the groups that follow them."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies import providers
from agencies.models import Agency, APIKey, Invitation, Jurisdiction, Membership
from audit.services import audit_log

User = get_user_model()

INVITATION_NOT_OPEN = gettext_noop("This invitation is no longer valid (used, revoked or expired).")
LAST_ADMIN = gettext_noop("An agency must keep at least one active agency admin.")
NOT_ACCEPTED = gettext_noop("This person has not accepted the invitation yet; revoke it or wait.")
ALREADY_MEMBER = gettext_noop("{email} is already a member of {agency}.")
REGIME_NOT_COUNTRY = "{code} is a regime, not a country."
PROVIDER_KIND_FIXED = gettext_noop(
    "An agency does not become a service provider, nor stop being one: what it was given or "
    "addressed stays with it. Create a new agency instead."
)
NOT_ACTIVE_MEMBER = gettext_noop("{username} is not an active member of {agency}.")
EXPIRY_IN_PAST = gettext_noop("The expiry must be in the future.")
KEY_SCOPES = gettext_noop("Choose one or more scopes among: {scopes}.")
KEY_NETWORK = gettext_noop("{network!r} is not a network in CIDR notation, e.g. 192.0.2.0/24.")
NOT_THE_INVITED_ADDRESS = gettext_noop(
    "This invitation was sent to another e-mail address: sign in as that person, or ask the"
    " agency's admin to invite {email}."
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- groups -------------------------------------------------------------------------------


def sync_user_groups(user: Any) -> None:
    """Make the user's agency, jurisdiction and reviewer groups equal what their active
    memberships give (a service provider's membership gives its agency group only)."""
    memberships = (
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, agency__active=True)
        .select_related("agency__country")
        .prefetch_related("agency__country__regimes")
    )
    wanted: set[int] = set()
    for membership in memberships:
        wanted.add(membership.agency.group_id)
        wanted |= {j.group_id for j in membership.agency.principal_jurisdictions()}
        if membership.role == Membership.Role.REVIEWER and membership.agency.is_secretariat:
            reviewers, _created = Group.objects.get_or_create(
                name=membership.agency.reviewer_group_name
            )
            wanted.add(reviewers.pk)
    managed = Group.objects.filter(name__regex=r"^(agency|jurisdiction|reviewers):")
    current = set(user.groups.filter(pk__in=managed.values("pk")).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))


def sync_agency_groups(agency: Agency) -> None:
    """Re-sync every member of an agency (after its activity or jurisdictions change)."""
    for user in User.objects.filter(memberships__agency=agency).distinct():
        sync_user_groups(user)


# --- jurisdictions and agencies -------------------------------------------------------------


@transaction.atomic
def jurisdiction_upsert(
    *, code: str, name: str, kind: str, regimes: list[Jurisdiction] | None = None
) -> Jurisdiction:
    jurisdiction, _created = Jurisdiction.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind}
    )
    jurisdiction.full_clean()
    if regimes is not None:
        jurisdiction.regimes.set(regimes)
        for agency in jurisdiction.agencies.all():
            sync_agency_groups(agency)
    return jurisdiction


@transaction.atomic
def agency_upsert(*, actor: Any = None, code: str, **fields: Any) -> Agency:
    """Create or update an agency; an update that changes nothing writes nothing."""
    existing = Agency.objects.select_for_update().filter(code=code).first()
    created = existing is None
    if existing is None:
        agency = Agency(code=code, **fields)
    elif all(getattr(existing, name) == value for name, value in fields.items()):
        return existing
    else:
        agency = existing
        was_provider = existing.is_service_provider
        for name, value in fields.items():
            setattr(agency, name, value)
        if agency.is_service_provider != was_provider:
            raise ValidationError({"kind": _(PROVIDER_KIND_FIXED)})
    if agency.country.kind != Jurisdiction.Kind.COUNTRY:
        raise ValidationError({"country": REGIME_NOT_COUNTRY.format(code=agency.country.code)})
    agency.full_clean()
    agency.save()
    sync_agency_groups(agency)
    audit_log(
        actor=actor,
        action="agency.created" if created else "agency.updated",
        obj=agency,
        agency=agency,
        summary={"code": code, "name": agency.name, "active": agency.active},
    )
    return agency


@transaction.atomic
def agency_require_second_factor(*, actor: Any, agency: Agency, required: bool) -> Agency:
    """Turn on or off "every member signs in with a second factor" (admins always do)."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if agency.require_second_factor != required:
        agency.require_second_factor = required
        agency.save(update_fields=["require_second_factor"])
        audit_log(
            actor=actor,
            action="agency.second_factor_policy",
            obj=agency,
            agency=agency,
            summary={"required_for_all_members": required},
        )
    return agency


CENTRAL_AUTHORITY_ITSELF = "An agency is not its own central authority: leave the field empty."
CENTRAL_AUTHORITY_COUNTRY = (
    "{authority} is in {theirs}; the central authority of {agency} must be an agency of {ours}."
)
CENTRAL_AUTHORITY_INACTIVE = "{authority} is not active."
CENTRAL_AUTHORITY_PROVIDER = "{authority} is a service provider, not an authority."
PROVIDER_HAS_NO_AUTHORITY = (
    "A service provider answers requests; it names no central authority for mutual legal "
    "assistance."
)
DETAIL_FIELDS = ("contact_name", "contact_phone", "contact_email", "central_authority")


def _check_central_authority(agency: Agency, authority: Agency | None) -> None:
    if authority is None:
        return
    error = ""
    if agency.is_service_provider:
        error = PROVIDER_HAS_NO_AUTHORITY
    elif authority.pk == agency.pk:
        error = CENTRAL_AUTHORITY_ITSELF
    elif authority.is_service_provider:
        error = CENTRAL_AUTHORITY_PROVIDER.format(authority=authority.code)
    elif not authority.active:
        error = CENTRAL_AUTHORITY_INACTIVE.format(authority=authority.code)
    elif authority.country_id != agency.country_id:
        error = CENTRAL_AUTHORITY_COUNTRY.format(
            authority=authority.code,
            theirs=authority.country.code,
            agency=agency.code,
            ours=agency.country.code,
        )
    if error:
        raise ValidationError({"central_authority": error})


@transaction.atomic
def agency_details_update(
    *,
    actor: Any,
    agency: Agency,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    central_authority: Agency | None = None,
) -> Agency:
    """An agency admin sets the agency's 24/7 contact point (Budapest Convention Art. 35) and
    the central authority that receives its mutual legal assistance requests (Art. 27): an
    active agency of the same country, not a service provider; empty means the agency itself."""
    agency = Agency.objects.select_for_update().select_related("country").get(pk=agency.pk)
    _check_central_authority(agency, central_authority)
    before = {name: _detail_value(agency, name) for name in DETAIL_FIELDS}
    agency.contact_name, agency.contact_phone = contact_name.strip(), contact_phone.strip()
    agency.contact_email = contact_email.strip()
    agency.central_authority = central_authority
    agency.full_clean()
    after = {name: _detail_value(agency, name) for name in DETAIL_FIELDS}
    if after != before:
        agency.save(update_fields=list(DETAIL_FIELDS))
        audit_log(
            actor=actor,
            action="agency.details_updated",
            obj=agency,
            agency=agency,
            summary={
                "changed": {
                    name: {"before": before[name], "after": after[name]}
                    for name in DETAIL_FIELDS
                    if before[name] != after[name]
                }
            },
        )
    return agency


def _detail_value(agency: Agency, name: str) -> str:
    if name == "central_authority":
        return agency.central_authority.code if agency.central_authority else ""
    return getattr(agency, name)


# --- memberships ----------------------------------------------------------------------------


@transaction.atomic
def membership_set(
    *,
    actor: Any,
    agency: Agency,
    user: Any,
    role: str,
    status: str = Membership.Status.ACTIVE,
    seconded: bool = False,
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, agency=agency, defaults={"role": role, "status": status, "seconded": seconded}
    )
    if not created:
        membership.role, membership.status, membership.seconded = role, status, seconded
    membership.full_clean()
    membership.save()
    sync_user_groups(user)
    audit_log(
        actor=actor,
        action="membership.created" if created else "membership.updated",
        obj=membership,
        agency=agency,
        summary={"user": user.username, "role": role, "status": status, "seconded": seconded},
    )
    return membership


def _ensure_admin_remains(membership: Membership, *, role: str, status: str) -> None:
    was_admin = (
        membership.role == Membership.Role.AGENCY_ADMIN
        and membership.status == Membership.Status.ACTIVE
    )
    stays_admin = role == Membership.Role.AGENCY_ADMIN and status == Membership.Status.ACTIVE
    if was_admin and not stays_admin:
        others = (
            Membership.objects.filter(
                agency=membership.agency,
                role=Membership.Role.AGENCY_ADMIN,
                status=Membership.Status.ACTIVE,
            )
            .exclude(pk=membership.pk)
            .exists()
        )
        if not others:
            raise ValidationError({"role": _(LAST_ADMIN)})


@transaction.atomic
def membership_update(
    *, actor: Any, membership: Membership, role: str | None = None, status: str | None = None
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Membership.Status.INVITED:
        raise ValidationError({"status": _(NOT_ACCEPTED)})
    new_role = role or membership.role
    new_status = status or membership.status
    if new_status not in (Membership.Status.ACTIVE, Membership.Status.SUSPENDED):
        raise ValidationError({"status": _("Status must be active or suspended.")})
    _ensure_admin_remains(membership, role=new_role, status=new_status)
    before = {"role": membership.role, "status": membership.status}
    membership.role, membership.status = new_role, new_status
    membership.full_clean()
    membership.save(update_fields=["role", "status"])
    sync_user_groups(membership.user)
    audit_log(
        actor=actor,
        action="membership.updated",
        obj=membership,
        agency=membership.agency,
        summary={
            "user": membership.user.username,
            "before": before,
            "role": new_role,
            "status": new_status,
        },
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    _ensure_admin_remains(membership, role="", status="")
    user, agency, pk = membership.user, membership.agency, membership.pk
    membership.delete()
    sync_user_groups(user)
    audit_log(
        actor=actor,
        action="membership.removed",
        object_type="agencies.membership",
        object_id=pk,
        agency=agency,
        summary={"user": user.username},
    )


# --- invitations ----------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, actor: Any, agency: Agency, email: str, role: str
) -> tuple[Invitation, str]:
    """Create an invitation; returns it and its token (shown once, stored only hashed)."""
    if role == Membership.Role.REVIEWER and not agency.is_secretariat:
        raise ValidationError({"role": _("Only secretariat agencies have reviewers.")})
    if role not in Membership.Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    providers.check_role(agency, role)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        agency=agency,
        email=email.strip().lower(),
        role=role,
        token_hash=hash_token(token),
        created_by=actor,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    invitation.full_clean()
    if Membership.objects.filter(
        agency=agency,
        user__email__iexact=invitation.email,
        status__in=[Membership.Status.ACTIVE, Membership.Status.SUSPENDED],
    ).exists():
        raise ValidationError(
            {"email": _(ALREADY_MEMBER).format(email=invitation.email, agency=agency.code)}
        )
    invitation.save()
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing and not Membership.objects.filter(user=existing, agency=agency).exists():
        Membership.objects.create(
            user=existing, agency=agency, role=role, status=Membership.Status.INVITED
        )
    audit_log(
        actor=actor,
        action="invitation.created",
        obj=invitation,
        agency=agency,
        summary={"email": invitation.email, "role": role},
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("agency").filter(token_hash=hash_token(token)).first()


@transaction.atomic
def invitation_accept(
    *, token: str, user: Any | None = None, username: str = "", password: str = ""
) -> Membership:
    """Accept as the signed-in ``user``, or create an account with username and password."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_open:
        raise ValidationError({"token": _(INVITATION_NOT_OPEN)})
    if user is not None and user.email.strip().lower() != invitation.email.strip().lower():
        raise ValidationError({"token": _(NOT_THE_INVITED_ADDRESS).format(email=user.email)})
    if user is None:
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("This username is taken.")})
        user = User(username=username, email=invitation.email)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
        user.full_clean()
        user.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    membership, _created = Membership.objects.update_or_create(
        user=user,
        agency=invitation.agency,
        defaults={"role": invitation.role, "status": Membership.Status.ACTIVE},
    )
    # The invitation is used up: drop placeholder memberships of anyone else it was meant for.
    Membership.objects.filter(
        agency=invitation.agency,
        user__email__iexact=invitation.email,
        status=Membership.Status.INVITED,
    ).exclude(user=user).delete()
    sync_user_groups(user)
    audit_log(
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        agency=invitation.agency,
        summary={"user": user.username, "role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    if not invitation.is_open:
        raise ValidationError({"invitation": _(INVITATION_NOT_OPEN)})
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    Membership.objects.filter(
        agency=invitation.agency,
        user__email__iexact=invitation.email,
        status=Membership.Status.INVITED,
    ).delete()
    audit_log(
        actor=actor,
        action="invitation.revoked",
        obj=invitation,
        agency=invitation.agency,
        summary={"email": invitation.email},
    )
    return invitation


# --- API keys -------------------------------------------------------------------------------

API_KEY_PREFIX = "cc"


def _key_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(scopes))
    unknown = [scope for scope in chosen if scope not in APIKey.Scope.values]
    if unknown or not chosen:
        raise ValidationError(
            {"scopes": _(KEY_SCOPES).format(scopes=", ".join(APIKey.Scope.values))}
        )
    return chosen


def _key_networks(networks: Iterable[str]) -> list[str]:
    parsed = []
    for network in networks:
        try:
            parsed.append(str(ipaddress.ip_network(network.strip(), strict=False)))
        except ValueError:
            raise ValidationError(
                {"allowed_networks": _(KEY_NETWORK).format(network=network)}
            ) from None
    return parsed


@transaction.atomic
def api_key_issue(
    *,
    actor: Any,
    agency: Agency,
    user: Any,
    name: str,
    expires_at: datetime | None = None,
    scopes: Iterable[str] | None = None,
    allowed_networks: Iterable[str] = (),
) -> tuple[APIKey, str]:
    """Issue a key; returns it and the plaintext ``cc_<prefix>_<secret>`` (shown once).
    Callers choose the scopes (none chosen: every scope the agency's keys may have); the pages
    and ``issue_api_key`` default to read only."""
    if not Membership.objects.filter(
        user=user, agency=agency, status=Membership.Status.ACTIVE
    ).exists():
        raise ValidationError(
            {"user": _(NOT_ACTIVE_MEMBER).format(username=user.username, agency=agency.code)}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _(EXPIRY_IN_PAST)})
    if scopes is None:
        scopes = providers.key_scopes_for(agency)
    chosen_scopes = _key_scopes(scopes)
    providers.check_key_scopes(agency, chosen_scopes)
    networks = _key_networks(allowed_networks)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    key = APIKey(
        user=user,
        agency=agency,
        name=name,
        prefix=prefix,
        key_hash=hash_token(plaintext),
        created_by=actor,
        expires_at=expires_at,
        scopes=chosen_scopes,
        allowed_networks=networks,
    )
    key.full_clean()
    key.save()
    audit_log(
        actor=actor,
        action="api_key.issued",
        obj=key,
        agency=agency,
        summary={
            "name": name,
            "user": user.username,
            "prefix": prefix,
            "scopes": chosen_scopes,
            "allowed_networks": networks,
        },
    )
    return key, plaintext


@transaction.atomic
def api_key_revoke(*, actor: Any, key: APIKey) -> APIKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_log(
            actor=actor,
            action="api_key.revoked",
            obj=key,
            agency=key.agency,
            summary={"prefix": key.prefix},
        )
    return key
