"""Demo interop data (idempotent): TAXII versions for existing indicators, then, through
sharing's services, hit/no-hit matches and access requests (one pending at DE-BKA, one declined)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from agencies.models import Agency
from interop import versions
from sharing import access_requests
from sharing import ingest as sharing_ingest
from sharing.models import AccessRequest, Indicator


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
        "bka.investigator: inbox at /correlations/requests/)."
    )
