"""Demo sharing data (idempotent): agreements, indicators, shares, a loopback partner endpoint.

EU agencies share among themselves on an EU basis; all Budapest Convention parties on the
Budapest Convention; IN-CBI holds no agreement and shows the refusal.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test.utils import override_settings

from agencies.models import TLP, Agency, Jurisdiction, PartnerEndpoint, SharingAgreement
from sharing import ingest, services
from sharing.models import Indicator

DEMO_RECEIVER_PORT = 8765
# The one path the printed command and README use for the receiver's own store.
DEMO_RECEIVER_DB = "/tmp/nhtcu-receiver.sqlite3"
# The receiver runs under the demo's settings (``make demo``'s DEBUG=1), which need no SECRET_KEY.
DEMO_RECEIVER_ENV = "DEBUG=1"

INDICATOR_DATA: list[str] = [SharingAgreement.DataCategory.INDICATORS]
# name, basis, jurisdiction, reference, in force from, data categories
AGREEMENTS: list[tuple[str, str, str, str, str, list[str]]] = [
    (
        "EU law-enforcement information exchange",
        SharingAgreement.Basis.EU,
        "EU",
        "Regulation (EU) 2016/794 (Europol); Directive (EU) 2016/680",
        "2001-11-23",
        INDICATOR_DATA,
    ),
    (
        "Budapest Convention on Cybercrime",
        SharingAgreement.Basis.BUDAPEST,
        "BUDAPEST",
        "ETS No. 185, Art. 25–35 (mutual assistance, spontaneous information)",
        "2001-11-23",
        INDICATOR_DATA,
    ),
    (
        "EU e-Evidence Regulation",
        SharingAgreement.Basis.E_EVIDENCE,
        "EU",
        "applicable from 18 August 2026 (Art. 34); binds the demo's EU members (not Denmark)",
        "2026-08-18",
        [SharingAgreement.DataCategory.CASE_DATA],
    ),
]

INDICATORS = [
    ("ipv4", "203.0.113.66", TLP.GREEN, 90, "Botnet C2 (Emotet-like loader)"),
    ("domain", "update-checker.example", TLP.GREEN, 80, "C2 domain"),
    ("url", "HTTPS://Login-Bank.example:443/verify", TLP.AMBER, 70, "Phishing kit landing page"),
    (
        "sha256",
        "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
        TLP.AMBER,
        95,
        "Ransomware dropper",
    ),
    ("btc", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", TLP.GREEN, 60, "Ransom payment wallet"),
    ("eth", "0x52908400098527886E0F7030069857D2E4169EE7", TLP.AMBER, 60, "Laundering wallet"),
    ("asn", "AS64500", TLP.CLEAR, 50, "Bulletproof hosting AS"),
    ("email", "payments@Bücher.example", TLP.RED, 85, "Extortion contact (named recipients only)"),
    ("cidr", "198.51.100.0/24", TLP.AMBER_STRICT, 75, "Internal sinkhole range (never leaves BKA)"),
]


def _agreements() -> None:
    for name, basis, code, reference, valid_from, categories in AGREEMENTS:
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction and not SharingAgreement.objects.filter(name=name).exists():
            services.agreement_record(
                actor=None,
                name=name,
                basis=basis,
                reference=reference,
                jurisdictions=[jurisdiction],
                data_categories=categories,
                valid_from=valid_from,
            )


def receiver_command(secret: str) -> str:
    """The shell command that starts the demo's partner receiver, exactly as seed prints it."""
    return (
        f"{DEMO_RECEIVER_ENV} .venv/bin/python manage.py run_partner_receiver "
        f"--port {DEMO_RECEIVER_PORT} --secret {secret} --db {DEMO_RECEIVER_DB}"
    )


def _endpoint(nhtcu: Agency | None) -> PartnerEndpoint | None:
    if nhtcu is None:
        return None
    existing = PartnerEndpoint.objects.filter(agency=nhtcu, name="NHTCU SOC (demo receiver)")
    if endpoint := existing.first():
        return endpoint
    admin = get_user_model().objects.filter(username="nhtcu.admin").first()
    # The demo's partner lives on loopback: allow it explicitly, as tests do.
    with override_settings(SHARING_ENDPOINT_ALLOWED_NETWORKS=["127.0.0.0/8", "::1/128"]):
        endpoint, _ = services.endpoint_create(
            actor=admin,
            agency=nhtcu,
            name="NHTCU SOC (demo receiver)",
            url=f"http://127.0.0.1:{DEMO_RECEIVER_PORT}/",
            max_tlp=TLP.AMBER,
        )
    return endpoint


def _indicators(actor: Any, bka: Agency) -> None:
    for type_, value, tlp, confidence, description in INDICATORS:
        ingest.indicators_ingest(
            actor=actor,
            agency=bka,
            source="demo",
            items=[
                {
                    "type": type_,
                    "value": value,
                    "tlp": tlp,
                    "confidence": confidence,
                    "description": description,
                    "labels": ["demo"],
                }
            ],
        )


def _shares(actor: Any, bka: Agency, agencies: dict[str, Agency]) -> None:
    shareable = list(Indicator.objects.filter(owner=bka, tlp__in=[TLP.GREEN, TLP.AMBER, TLP.CLEAR]))
    eu_partners = [a for code, a in agencies.items() if code in ("NL-NHTCU", "FR-OFAC", "EU-EC3")]
    services.indicator_share(
        actor=actor, indicators=shareable, spec=services.ShareSpec(agencies=eu_partners)
    )
    green = [i for i in shareable if i.tlp in (TLP.GREEN, TLP.CLEAR)]
    if "US-FBI" in agencies:
        services.indicator_share(
            actor=actor,
            indicators=green,
            spec=services.ShareSpec(agencies=[agencies["US-FBI"]]),
        )
    red = Indicator.objects.filter(owner=bka, tlp=TLP.RED).first()
    named = get_user_model().objects.filter(username="nhtcu.investigator").first()
    if red and named:
        services.indicator_share(
            actor=actor, indicators=[red], spec=services.ShareSpec(users=[named])
        )


def _refusal(actor: Any, bka: Agency, other: Agency, stdout: Any) -> None:
    try:
        services.share_preview(
            actor=actor,
            indicators=list(Indicator.objects.filter(owner=bka, tlp=TLP.GREEN)[:1]),
            spec=services.ShareSpec(agencies=[other]),
        )
    except ValidationError as error:
        stdout.write(f"  Refusal demo (DE-BKA -> {other.code}): " + " ".join(error.messages))


def seed(stdout: Any) -> None:
    agencies = {a.code: a for a in Agency.objects.all()}
    if "DE-BKA" not in agencies:
        return
    _agreements()
    bka = agencies["DE-BKA"]
    actor = get_user_model().objects.filter(username="bka.investigator").first()
    if actor is None:
        return
    endpoint = _endpoint(agencies.get("NL-NHTCU"))
    if not Indicator.objects.filter(owner=bka).exists():
        _indicators(actor, bka)
        _shares(actor, bka, agencies)
    stdout.write(
        "Sharing: agreements EU (EU agencies) and Budapest (DE, NL, FR, US); "
        "DE-BKA indicators shared with NL/FR/EC3 and (GREEN) US-FBI."
    )
    if "IN-CBI" in agencies:
        _refusal(actor, bka, agencies["IN-CBI"], stdout)
    if endpoint is not None:
        # Demo only: its secret is printed so the receiver can verify the demo's signatures.
        stdout.write(
            "  Partner receiver of NL-NHTCU's demo endpoint (run it in a second shell):\n"
            f"    {receiver_command(endpoint.secret)}"
        )
