"""Demo jurisdictions, agencies and users (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from agencies import services
from agencies.models import Agency, Jurisdiction, Membership
from agencies.second_factor import has_second_factor, totp_enrol

DEMO_PASSWORD = "cybercoop-demo"
# Admins and reviewers must sign in with a second factor: in the demo they share this
# authenticator-app seed, so anyone can compute the code (README, "Demo logins").
DEMO_TOTP_SECRET = "CYBERCOOPDEMOTOTPSEEDAAAAAAAAAAA"
SECOND_FACTOR_ROLES = {Membership.Role.AGENCY_ADMIN, Membership.Role.REVIEWER}

COUNTRIES = {
    "DE": "Germany",
    "NL": "Netherlands",
    "FR": "France",
    "US": "United States",
    "IN": "India",
}
REGIMES = {
    "EU": ("European Union", ["DE", "NL", "FR"]),
    "BUDAPEST": ("Budapest Convention on Cybercrime", ["DE", "NL", "FR", "US"]),
}

# code, name, country, kind, user prefix, roles
AGENCIES = [
    (
        "DE-BKA",
        "Bundeskriminalamt",
        "DE",
        Agency.Kind.POLICE,
        "bka",
        ["agency_admin", "investigator", "analyst"],
    ),
    (
        "NL-NHTCU",
        "National High Tech Crime Unit",
        "NL",
        Agency.Kind.POLICE,
        "nhtcu",
        ["agency_admin", "investigator"],
    ),
    (
        "FR-OFAC",
        "Office anti-cybercriminalité",
        "FR",
        Agency.Kind.POLICE,
        "ofac",
        ["agency_admin", "investigator"],
    ),
    (
        "US-FBI",
        "Federal Bureau of Investigation",
        "US",
        Agency.Kind.POLICE,
        "fbi",
        ["agency_admin", "investigator"],
    ),
    (
        "EU-EC3",
        "Europol European Cybercrime Centre",
        "NL",
        Agency.Kind.INTERNATIONAL,
        "ec3",
        ["agency_admin", "analyst"],
    ),
    (
        "INT-IPSG",
        "INTERPOL-style General Secretariat",
        "FR",
        Agency.Kind.SECRETARIAT,
        "ipsg",
        ["agency_admin", "reviewer"],
    ),
    (
        "IN-CBI",
        "Central Bureau of Investigation",
        "IN",
        Agency.Kind.POLICE,
        "cbi",
        ["agency_admin", "investigator"],
    ),
    # Service providers: they see only the assistance requests addressed to them.
    (
        "NL-HOSTCO",
        "NordHost B.V.",
        "NL",
        Agency.Kind.SERVICE_PROVIDER,
        "nordhost",
        ["agency_admin", "provider_liaison"],
    ),
    (
        "DE-REGISTRAR",
        "Domainwerk Registrar GmbH",
        "DE",
        Agency.Kind.SERVICE_PROVIDER,
        "domainwerk",
        ["agency_admin", "provider_liaison"],
    ),
]


def demo_username(prefix: str, role: str) -> str:
    """bka.admin, bka.investigator, nordhost.liaison, ..."""
    return f"{prefix}.{role.removeprefix('agency_').removeprefix('provider_')}"


@transaction.atomic
def seed(stdout: Any) -> None:
    User = get_user_model()
    for code, name in COUNTRIES.items():
        services.jurisdiction_upsert(code=code, name=name, kind=Jurisdiction.Kind.COUNTRY)
    for code, (name, members) in REGIMES.items():
        regime = services.jurisdiction_upsert(code=code, name=name, kind=Jurisdiction.Kind.REGIME)
        for member in Jurisdiction.objects.filter(code__in=members):
            member.regimes.add(regime)
    stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
    stdout.write(
        f"  Admins and reviewers also enter a code from the authenticator seed {DEMO_TOTP_SECRET}:"
        f" .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
    )
    for code, name, country, kind, prefix, roles in AGENCIES:
        agency = services.agency_upsert(
            code=code,
            name=name,
            country=Jurisdiction.objects.get(code=country),
            kind=kind,
            contact_name=f"{code} 24/7 desk",
            contact_phone="+00 000 000 000",
            contact_email=f"247@{prefix}.example",
        )
        for role in roles:
            username = demo_username(prefix, role)
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@{prefix}.example"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if not Membership.objects.filter(user=user, agency=agency, role=role).exists():
                services.membership_set(actor=None, agency=agency, user=user, role=role)
            if role in SECOND_FACTOR_ROLES and not has_second_factor(user):
                totp_enrol(user=user, secret=DEMO_TOTP_SECRET)
            stdout.write(f"  {username:<22} {role:<14} {code}")
