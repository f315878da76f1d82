"""Shared set-up for the benchmarks: Django, and a small bench world in the bench database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cybercoop.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # pages render without collectstatic


def setup() -> None:
    import django

    django.setup()


def bench_world(partners: int = 1):
    """DE owner + ``partners`` partner agencies in the EU regime with an EU agreement."""
    from django.contrib.auth import get_user_model

    from agencies import services as agency_services
    from agencies.models import Jurisdiction, Membership, SharingAgreement
    from sharing import services

    User = get_user_model()
    eu = agency_services.jurisdiction_upsert(code="EU", name="European Union", kind="regime")
    de = agency_services.jurisdiction_upsert(code="DE", name="Germany", kind="country")
    nl = agency_services.jurisdiction_upsert(code="NL", name="Netherlands", kind="country")
    for country in (de, nl):
        country.regimes.add(eu)
    if not SharingAgreement.objects.filter(name="bench EU").exists():
        services.agreement_record(actor=None, name="bench EU", basis="eu", jurisdictions=[eu])

    def member(agency, username, role):
        user, _ = User.objects.get_or_create(username=username)
        if not Membership.objects.filter(user=user, agency=agency).exists():
            agency_services.membership_set(actor=None, agency=agency, user=user, role=role)
        return user

    owner = agency_services.agency_upsert(
        code="DE-BENCH", name="Bench owner", country=de, kind="police"
    )
    owner_user = member(owner, "bench.owner", Membership.Role.AGENCY_ADMIN)
    partner_agencies = []
    for n in range(partners):
        agency = agency_services.agency_upsert(
            code=f"NL-BENCH{n}", name=f"Bench partner {n}", country=nl, kind="police"
        )
        member(agency, f"bench.partner{n}", Membership.Role.AGENCY_ADMIN)
        partner_agencies.append(agency)
    del Jurisdiction
    return owner, owner_user, partner_agencies
