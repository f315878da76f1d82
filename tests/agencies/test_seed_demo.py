"""seed_demo: the demo world of issue 2, idempotent."""

from __future__ import annotations

from io import StringIO

import pyotp
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from agencies.models import Agency, Cosignature, Jurisdiction, Membership
from agencies.selectors import cosigned_note
from assistance.models import AssistanceRequest, Kind
from audit import checkpoints, log
from audit.models import AuditEvent, SignedCheckpoint
from audit.selectors import verify_log
from tools.verify_log import Verifier, verify_cosignature


def counts() -> dict[str, int]:
    return {
        "jurisdictions": Jurisdiction.objects.count(),
        "agencies": Agency.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "groups": Group.objects.count(),
        "user_groups": get_user_model().groups.through.objects.count(),
        "agency_audit_events": AuditEvent.objects.filter(
            object_type__startswith="agencies."
        ).count(),
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent(db):
    seed()
    first = counts()
    output = seed()
    assert counts() == first
    assert "Demo data ready." in output
    assert verify_log() == (None, 0)


def test_seed_demo_builds_the_issue_2_world_and_prints_the_logins(db):
    output = seed()
    active = Agency.objects.filter(active=True)
    assert active.count() >= 6
    assert active.values("country").distinct().count() >= 4
    assert Jurisdiction.objects.filter(kind="regime").count() >= 2
    countries = set(active.values_list("country__code", flat=True))
    assert {"DE", "NL", "FR", "US"} <= countries
    assert active.filter(kind=Agency.Kind.INTERNATIONAL, code="EU-EC3").exists()
    secretariat = active.get(kind=Agency.Kind.SECRETARIAT)
    assert Membership.objects.filter(agency=secretariat, role="reviewer", status="active").exists()
    assert {c.code for c in Jurisdiction.objects.get(code="DE").regimes.all()} == {
        "EU",
        "BUDAPEST",
    }
    assert DEMO_PASSWORD in output
    for membership in Membership.objects.select_related("user", "agency"):
        assert membership.user.check_password(DEMO_PASSWORD)
        assert membership.user.username in output
        # every agency has an admin and the demo users are in their groups
        assert membership.agency.group in membership.user.groups.all()
    for agency in active:
        assert agency.memberships.filter(role="agency_admin", status="active").exists()
        assert agency.contact_email


def test_seed_demo_users_log_in_with_the_printed_authenticator_seed(db, client):
    output = seed()
    assert DEMO_TOTP_SECRET in output
    response = client.post("/login/", {"login": "bka.admin", "password": DEMO_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    assert client.post("/accounts/2fa/authenticate/", {"code": code})["Location"] == "/"
    response = client.get("/")
    assert [m.agency.code for m in response.context["memberships"]] == ["DE-BKA"]


def test_the_demo_log_is_signed_and_witnessed_by_nhtcu_once(db, log_key):
    output = seed()
    signed = SignedCheckpoint.objects.get()
    assert signed.tree_size == log.tree_size()
    cosignature = Cosignature.objects.get(checkpoint=signed)
    assert cosignature.witness.agency.code == "NL-NHTCU"
    witness = Verifier.parse(cosignature.witness.verifier_key)
    assert verify_cosignature(cosigned_note(signed), witness)[0].size == signed.tree_size
    key_file = checkpoints.key_path().with_name("demo-witness-nhtcu.key")
    assert f"witnessed by NL-NHTCU (/transparency/). Its witness key is {key_file}" in output
    seed()  # the same tree again: no second checkpoint, witness or cosignature
    assert (SignedCheckpoint.objects.count(), Cosignature.objects.count()) == (1, 1)
    assert verify_log() == (None, 2)  # the row and the file beside the key


def test_without_a_signing_key_the_demo_says_how_to_make_one(db, no_log_key):
    assert "no signing key, no checkpoint (run transparency_keygen)" in seed()
    assert not SignedCheckpoint.objects.exists()


def test_seed_demo_adds_a_hosting_provider_and_a_registrar_with_liaisons(db):
    output = seed()
    providers = Agency.objects.filter(kind=Agency.Kind.SERVICE_PROVIDER)
    assert {(a.code, a.country.code) for a in providers} == {
        ("NL-HOSTCO", "NL"),
        ("DE-REGISTRAR", "DE"),
    }
    for username, code in (
        ("nordhost.liaison", "NL-HOSTCO"),
        ("domainwerk.liaison", "DE-REGISTRAR"),
    ):
        liaison = get_user_model().objects.get(username=username)
        assert liaison.check_password(DEMO_PASSWORD)
        assert Membership.objects.get(user=liaison).role == Membership.Role.PROVIDER_LIAISON
        assert set(liaison.groups.values_list("name", flat=True)) == {f"agency:{code}"}
        assert username in output


def test_the_demo_case_has_a_preserved_request_and_its_production_follow_up(db):
    seed()
    seed()  # idempotent
    preservation, production = AssistanceRequest.objects.filter(
        case__reference="DE-BKA-2026-0001"
    ).order_by("pk")
    assert (preservation.kind, preservation.status, preservation.addressee.code) == (
        Kind.PRESERVATION,
        AssistanceRequest.Status.PRESERVED,
        "NL-HOSTCO",
    )
    assert (production.kind, production.status) == (Kind.PRODUCTION, AssistanceRequest.Status.SENT)
    assert preservation.follow_up == production
    assert production.agreement.basis == "e_evidence"
    assert production.enforcing_authority.code == "NL-NHTCU"
    assert production.awaits_enforcing_authority
