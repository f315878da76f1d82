"""Case fixtures: a DE-BKA case with a JIT that NL-NHTCU accepted and FR-OFAC left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import TLP, Jurisdiction, Membership
from cases import evidence as evidence_services
from cases import jits, services
from cases.models import Case, Evidence, JITMembership, JointInvestigationTeam, Note, Task
from tests.conftest import Side, _side


@dataclass
class CaseWorld:
    world: Any
    former: Side
    case: Case
    jit: JointInvestigationTeam
    evidence: Evidence
    task: Task
    note: Note

    @property
    def owner(self) -> Side:
        return self.world.owner

    @property
    def partner(self) -> Side:
        return self.world.partner

    @property
    def outsider(self) -> Side:
        return self.world.outsider


def api_clients(cw: CaseWorld, api_client_for: Any, role: str = "investigator") -> dict[str, Any]:
    """An API client per side (owner, partner, former, outsider), keyed by the side's name."""
    return {
        name: api_client_for(getattr(side, role), side.agency)
        for name, side in (
            ("owner", cw.owner),
            ("partner", cw.partner),
            ("former", cw.former),
            ("outsider", cw.outsider),
        )
    }


def open_case(side: Side, **kwargs: Any) -> Case:
    fields = {"title": "Botnet takedown", "summary": "C2 servers", "tlp": TLP.AMBER}
    fields.update(kwargs)
    return services.case_open(actor=side.investigator, lead_agency=side.agency, **fields)


def add_evidence(case: Case, side: Side, content: bytes = b"pcap bytes", **kwargs: Any) -> Evidence:
    fields = {
        "title": "Capture",
        "collected_by": "KOK Meyer",
        "collected_at": dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC),
        "collected_where": "Frankfurt data centre",
        "tlp": TLP.AMBER,
    }
    fields.update(kwargs)
    return evidence_services.evidence_add(
        actor=side.investigator,
        case=case,
        agency=side.agency,
        file=SimpleUploadedFile("capture.pcap", content, "application/octet-stream"),
        **fields,
    )


def join(jit: JointInvestigationTeam, owner: Side, side: Side, status: str = "accepted") -> None:
    membership = jits.jit_invite(actor=owner.investigator, jit=jit, agency=side.agency)
    if status in ("accepted", "left"):
        jits.jit_respond(actor=side.admin, membership=membership, accept=True)
    if status == "declined":
        jits.jit_respond(actor=side.admin, membership=membership, accept=False)
    if status == "left":
        jits.jit_leave(actor=side.admin, membership=JITMembership.objects.get(pk=membership.pk))


@pytest.fixture
def case_world(world, settings, tmp_path) -> CaseWorld:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    former = _side("FR-OFAC", Jurisdiction.objects.get(code="FR"), "former")
    case = open_case(world.owner, offence_categories=["illegal_access"], tags=["botnet"])
    jit = jits.jit_create(
        actor=world.owner.investigator,
        case=case,
        name="JIT Botnet",
        purpose="Take down the botnet",
        legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    join(jit, world.owner, world.partner, "accepted")
    join(jit, world.owner, former, "left")
    evidence = add_evidence(case, world.owner)
    task = services.task_create(
        actor=world.owner.investigator, case=case, agency=world.owner.agency, title="Seize C2"
    )
    note = services.note_add(
        actor=world.owner.investigator, case=case, agency=world.owner.agency, body="C2 in NL"
    )
    return CaseWorld(world, former, case, jit, evidence, task, note)


__all__ = ["Membership", "add_evidence", "api_clients", "join", "open_case"]
