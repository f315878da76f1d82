"""factory_boy factories. Memberships go through the service so groups follow."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from agencies import services
from agencies.models import Agency, Jurisdiction, Membership
from agencies.second_factor import totp_enrol

PASSWORD = "correct-horse-battery-staple"
# Every test admin and reviewer has this authenticator app (pyotp.TOTP(TOTP_SECRET).now()).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SECOND_FACTOR_ROLES = {Membership.Role.AGENCY_ADMIN, Membership.Role.REVIEWER}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(PASSWORD)


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.LazyAttribute(lambda o: f"Country {o.code}")
    kind = Jurisdiction.Kind.COUNTRY


class RegimeFactory(JurisdictionFactory):
    code = factory.Sequence(lambda n: f"REGIME{n}")
    kind = Jurisdiction.Kind.REGIME


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG-{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Agency {o.code}")
    country = factory.SubFactory(JurisdictionFactory)
    kind = Agency.Kind.POLICE


def make_member(
    agency: Agency,
    username: str | None = None,
    role: str = Membership.Role.INVESTIGATOR,
    **kwargs,
):
    """A user with an active membership (groups synced), created through the service; admins
    and reviewers, who must use a second factor, get the test authenticator app."""
    user = UserFactory(**({"username": username} if username else {}))
    services.membership_set(actor=None, agency=agency, user=user, role=role, **kwargs)
    if role in SECOND_FACTOR_ROLES and not user.authenticator_set.exists():
        totp_enrol(user=user, secret=TOTP_SECRET)
    return user
