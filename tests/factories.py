"""factory_boy factories. Memberships go through the service so groups follow."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import factory
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.auth import get_user_model

from agencies import services
from agencies.models import Agency, Cosignature, Jurisdiction, Membership, Witness
from agencies.second_factor import totp_enrol
from agencies.witnesses import witness_register
from audit.models import SignedCheckpoint
from tools.verify_log import Verifier, parse_note
from tools.witness import cosign, cosigner_verifier

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


@dataclass
class WitnessKey:
    """A witness's Ed25519 key, as a partner agency holds it."""

    name: str
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def verifier(self) -> Verifier:
        return cosigner_verifier(self.name, self.key)

    def cosign(self, note: str, timestamp: int | None = None) -> str:
        """The log's signed ``note`` with this witness's cosignature line appended."""
        when = int(time.time()) if timestamp is None else timestamp
        return note + cosign(parse_note(note).text, self.name, self.key, when)


def make_witness(
    agency: Agency, name: str = "witness.example.org/w1"
) -> tuple[Witness, WitnessKey]:
    """A registered, active witness of ``agency`` and its key."""
    key = WitnessKey(name)
    return witness_register(actor=None, agency=agency, verifier_key=str(key.verifier)), key


def witness_cosign(
    checkpoint: SignedCheckpoint, *, agency: Agency, name: str = "witness.example/w1"
) -> Verifier:
    """A witness of ``agency`` with a fresh key cosigns ``checkpoint`` (stored as if received);
    its cosigner verifier key."""
    key = Ed25519PrivateKey.generate()
    verifier = cosigner_verifier(name, key)
    witness, _ = Witness.objects.get_or_create(
        agency=agency, name=name, defaults={"verifier_key": str(verifier)}
    )
    witness.verifier_key = str(verifier)
    witness.save(update_fields=["verifier_key"])
    timestamp = int(time.time())
    line = cosign(parse_note(checkpoint.note).text, name, key, timestamp)
    Cosignature.objects.create(
        checkpoint=checkpoint, witness=witness, timestamp=timestamp, line=line
    )
    return verifier
