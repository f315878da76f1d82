"""Assistance fixtures: a DE-BKA case, the Budapest Convention and the EU on record, a Dutch
hosting provider with a liaison, and a JIT with NL-NHTCU for the sharing rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency, Jurisdiction, Membership, SharingAgreement
from assistance import services
from assistance.models import AssistanceRequest, Instrument, Kind
from cases import jits
from cases.models import Case, JointInvestigationTeam
from sharing.services import agreement_record
from tests.cases.conftest import join, open_case
from tests.conftest import Side
from tests.factories import AgencyFactory, RegimeFactory, make_member

IP_ITEM = {
    "type": "ip",
    "value": "203.0.113.7",
    "port": 44321,
    "timestamp": "2026-01-05T10:00:00+01:00",
}


@dataclass
class AssistanceWorld:
    world: Any
    case: Case
    provider: Agency
    liaison: AbstractUser
    budapest: SharingAgreement
    eu: SharingAgreement

    @property
    def owner(self) -> Side:
        return self.world.owner

    @property
    def partner(self) -> Side:
        return self.world.partner

    @property
    def outsider(self) -> Side:
        return self.world.outsider


@pytest.fixture
def aw(world, settings, tmp_path) -> AssistanceWorld:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    budapest_parties = RegimeFactory(code="BUDAPEST", name="Parties to the Budapest Convention")
    for code in ("DE", "NL"):
        Jurisdiction.objects.get(code=code).regimes.add(budapest_parties)
    budapest = agreement_record(
        actor=None,
        name="Budapest Convention",
        basis=SharingAgreement.Basis.BUDAPEST,
        reference="ETS 185, CETS 224",
        jurisdictions=[budapest_parties],
        data_categories=[SharingAgreement.DataCategory.CASE_DATA],
    )
    eu = agreement_record(
        actor=None,
        name="e-Evidence",
        basis=SharingAgreement.Basis.E_EVIDENCE,
        reference="Regulation (EU) 2023/1543",
        jurisdictions=[Jurisdiction.objects.get(code="EU")],
        data_categories=[SharingAgreement.DataCategory.CASE_DATA],
    )
    provider = AgencyFactory(
        code="NL-HOST",
        name="Hosting BV",
        country=Jurisdiction.objects.get(code="NL"),
        kind=Agency.Kind.SERVICE_PROVIDER,
    )
    liaison = make_member(provider, "host_liaison", Membership.Role.PROVIDER_LIAISON)
    case = open_case(world.owner, offence_categories=["illegal_access"])
    return AssistanceWorld(world, case, provider, liaison, budapest, eu)


def add_jit(aw: AssistanceWorld) -> JointInvestigationTeam:
    """A JIT of the case with NL-NHTCU as an accepted member."""
    jit = jits.jit_create(
        actor=aw.owner.investigator,
        case=aw.case,
        name="JIT Botnet",
        legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
        period_start=dt.date(2026, 1, 1),
    )
    join(jit, aw.owner, aw.partner)
    return jit


def draft(aw: AssistanceWorld, **fields: Any) -> AssistanceRequest:
    """A preservation request from DE-BKA to the Dutch provider under Budapest Art. 29 (a
    European Production Order asks for subscriber data, which is not notified)."""
    values: dict[str, Any] = {
        "kind": Kind.PRESERVATION,
        "addressee": aw.provider,
        "instrument": Instrument.BUDAPEST_29,
        "summary": "C2 server logs",
        "identifiers": [IP_ITEM],
        "data_categories": ["subscriber", "traffic"],
    }
    if fields.get("instrument") == Instrument.EPOC:
        values["data_categories"] = ["subscriber"]
    values.update(fields)
    return services.request_create(actor=aw.owner.investigator, case=aw.case, **values)


def sent(aw: AssistanceWorld, **fields: Any) -> AssistanceRequest:
    return services.request_send(actor=aw.owner.investigator, request=draft(aw, **fields))


DATA = b"subscriber: J. Doe, Amsterdam; logins 2026-01-05"


def produce(aw: AssistanceWorld, request: AssistanceRequest, complete: bool = True) -> Any:
    """The provider's liaison answers with a file."""
    upload = SimpleUploadedFile("export.csv", DATA, "text/csv")
    return services.request_respond(
        actor=aw.liaison, request=request, file=upload, complete=complete, note="Export"
    )
