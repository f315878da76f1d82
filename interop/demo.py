"""Demo interop data (idempotent): TAXII versions for existing indicators, then, through
sharing's services, hit/no-hit matches and access requests (one pending at DE-BKA, one declined)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from agencies.models import Agency
from interop import services, versions
from sharing import access_requests
from sharing import ingest as sharing_ingest
from sharing.models import AccessRequest, Indicator, StixObject

# A small threat-intelligence graph for the object pages: who uses what, against whom.
_DEMO_CREATED = "2026-03-02T09:00:00.000Z"
_ACTOR = "threat-actor--5d6a1f8e-3c2b-4f7a-9e1d-2b8c4a6f0e11"
_MALWARE = "malware--8e2f4c1a-7b3d-4e5f-a6c7-1d2e3f4a5b62"
_CAMPAIGN = "campaign--2b7c9d1e-4f5a-4b6c-8d7e-9f0a1b2c3d73"
_INDICATOR = "indicator--c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e84"


def _sdo(type_: str, id_: str, **properties: Any) -> dict[str, Any]:
    common = {"spec_version": "2.1", "created": _DEMO_CREATED, "modified": _DEMO_CREATED}
    return {"type": type_, "id": id_, **common, **properties}


def _uses(number: int, source: str, kind: str, target: str) -> dict[str, Any]:
    id_ = f"relationship--0f1e2d3c-4b5a-4697-8877-66554433221{number}"
    return _sdo("relationship", id_, relationship_type=kind, source_ref=source, target_ref=target)


DEMO_GRAPH = [
    _sdo("threat-actor", _ACTOR, name="Nightjar crew", threat_actor_types=["crime-syndicate"]),
    _sdo("malware", _MALWARE, name="Nightjar loader", is_family=True, malware_types=["dropper"]),
    _sdo("campaign", _CAMPAIGN, name="Operation Nightjar", objective="Banking credentials"),
    _sdo(
        "indicator",
        _INDICATOR,
        name="Nightjar C2 beacon",
        pattern="[domain-name:value = 'nightjar-c2.example'] AND [url:value LIKE '%/gate.php']",
        pattern_type="stix",
        valid_from=_DEMO_CREATED,
    ),
    _uses(0, _ACTOR, "uses", _MALWARE),
    _uses(1, _CAMPAIGN, "attributed-to", _ACTOR),
    _uses(2, _INDICATOR, "indicates", _MALWARE),
]


def _add(user: Any, agency: Agency, type_: str, value: str, **extra: Any) -> Indicator | None:
    report = sharing_ingest.indicators_ingest(
        actor=user, agency=agency, source="demo", items=[{"type": type_, "value": value, **extra}]
    )
    return report.items[0][1] if report.items else None


def seed(stdout: Any) -> None:
    User = get_user_model()
    created = versions.versions_backfill()
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["DE-BKA", "NL-NHTCU", "IN-CBI"])}
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["cbi.investigator", "nhtcu.investigator", "bka.investigator"]
        )
    }
    if (
        len(agencies) < 3
        or len(users) < 3
        or not Indicator.objects.filter(owner=agencies["DE-BKA"]).exists()
    ):
        return
    cbi, nhtcu, bka = (
        users["cbi.investigator"],
        users["nhtcu.investigator"],
        users["bka.investigator"],
    )
    if not StixObject.objects.filter(stix_id=_ACTOR).exists():
        services.bundle_import(
            actor=bka, agency=agencies["DE-BKA"], objects=DEMO_GRAPH, source="demo"
        )
    if not AccessRequest.objects.exists():
        mine = _add(
            cbi, agencies["IN-CBI"], "ipv4", "203.0.113.66", description="Seen in UPI fraud"
        )
        _add(nhtcu, agencies["NL-NHTCU"], "domain", "update-checker.example", tlp="GREEN")
        strict = _add(nhtcu, agencies["NL-NHTCU"], "cidr", "198.51.100.0/24", tlp="AMBER")
        if mine is not None:
            access_requests.access_request_create(
                actor=cbi,
                indicator=mine,
                reason="The same C2 address serves a UPI fraud campaign against Indian banks.",
                legal_basis="MLAT request IN-DE 2026/17",
                handling_code="H1",
            )
        if strict is not None:
            request = access_requests.access_request_create(
                actor=nhtcu,
                indicator=strict,
                reason="Sinkhole range overlaps our botnet takedown.",
                legal_basis="Regulation (EU) 2023/977",
                handling_code="H0",
            )
            target = request.targets.get()
            access_requests.access_request_decline(
                actor=bka, target=target, reason="TLP:AMBER+STRICT: this range never leaves BKA."
            )
    stdout.write(
        f"Interop: TAXII at /taxii2/ ({created} versions backfilled); correlations at "
        "/correlations/ (cbi.investigator: hit on 203.0.113.66, request pending at DE-BKA; "
        "bka.investigator: inbox at /correlations/requests/); STIX objects at /objects/ "
        "(bka.investigator: the Nightjar crew, its loader and campaign)."
    )
