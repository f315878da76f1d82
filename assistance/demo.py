"""Demo: in DE-BKA's case "Operation Nightjar", a preservation request to the Dutch hosting
provider NordHost (Budapest Convention Art. 29) that its liaison has acknowledged and
preserved, followed by a European Production Order (Regulation (EU) 2023/1543) for the
preserved data, sent, notified to NL-NHTCU as the enforcing authority (Art. 8: it asks for
traffic data) and awaiting the provider's answer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from agencies.models import Agency
from assistance import services
from assistance.models import AssistanceRequest, Instrument, Kind
from cases.models import Case

CASE = "DE-BKA-2026-0001"
PROVIDER = "NL-HOSTCO"
ENFORCING = "NL-NHTCU"
C2_SERVER = {
    "type": "ip",
    "value": "203.0.113.66",
    "port": 443,
    "timestamp": "2026-02-02T23:41:00+01:00",
}


def seed(stdout: Any) -> None:
    users = get_user_model().objects
    case = Case.objects.filter(reference=CASE).first()
    provider = Agency.objects.filter(code=PROVIDER).first()
    enforcing = Agency.objects.filter(code=ENFORCING).first()
    investigator = users.filter(username="bka.investigator").first()
    liaison = users.filter(username="nordhost.liaison").first()
    if case is None or None in (provider, enforcing, investigator, liaison):
        return
    if AssistanceRequest.objects.filter(case=case).exists():
        return  # seeded before
    common: dict[str, Any] = {
        "addressee": provider,
        "identifiers": [C2_SERVER],
        "data_categories": ["subscriber", "traffic"],
    }
    preservation = services.request_create(
        actor=investigator,
        case=case,
        kind=Kind.PRESERVATION,
        instrument=Instrument.BUDAPEST_29,
        summary="Preserve the rental account and the connection logs of the C2 server.",
        **common,
    )
    services.request_send(actor=investigator, request=preservation)
    services.request_acknowledge(actor=liaison, request=preservation)
    services.request_preserve(actor=liaison, request=preservation, reference="NH-PRES-2026-0042")
    production = services.request_create(
        actor=investigator,
        case=case,
        kind=Kind.PRODUCTION,
        instrument=Instrument.EPOC,
        summary="Produce the preserved subscriber and traffic data of the C2 server.",
        follow_up_of=preservation,
        enforcing_authority=enforcing,
        **common,
    )
    services.request_send(actor=investigator, request=production)
    stdout.write(
        f"Assistance: {CASE} has a preservation request to {PROVIDER} (preserved by "
        "nordhost.liaison) and a European Production Order awaiting its answer, notified to "
        f"{ENFORCING} (/assistance/, nordhost.liaison sees only these)."
    )
