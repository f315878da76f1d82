"""Demo case (idempotent): a DE-BKA-led botnet case with an EU JIT that NL-NHTCU and EU-EC3
accepted, with evidence, tasks and notes at several TLP levels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from agencies.models import TLP, Agency, Jurisdiction
from cases import evidence as evidence_services
from cases import jits, services
from cases.models import Case, JITMembership, JointInvestigationTeam

TITLE = "Operation Nightjar: botnet C2 takedown"


@dataclass
class _Cast:
    """The demo agencies and people the case is about (seeded by the agencies demo)."""

    bka: Agency
    nhtcu: Agency
    ec3: Agency
    investigator: Any
    bka_analyst: Any
    nl_admin: Any
    nl_investigator: Any
    ec3_admin: Any


def _cast() -> _Cast | None:
    User = get_user_model()
    try:
        return _Cast(
            bka=Agency.objects.get(code="DE-BKA"),
            nhtcu=Agency.objects.get(code="NL-NHTCU"),
            ec3=Agency.objects.get(code="EU-EC3"),
            investigator=User.objects.get(username="bka.investigator"),
            bka_analyst=User.objects.get(username="bka.analyst"),
            nl_admin=User.objects.get(username="nhtcu.admin"),
            nl_investigator=User.objects.get(username="nhtcu.investigator"),
            ec3_admin=User.objects.get(username="ec3.admin"),
        )
    except (Agency.DoesNotExist, User.DoesNotExist):
        return None


@transaction.atomic
def seed(stdout: Any) -> None:
    cast = _cast()
    if cast is None:
        stdout.write("cases demo: agencies demo data missing, skipped")
        return
    if Case.objects.filter(lead_agency=cast.bka, title=TITLE).exists():
        stdout.write("cases demo: already present")
        return
    case = services.case_open(
        actor=cast.investigator,
        lead_agency=cast.bka,
        title=TITLE,
        summary="A Mirai-derived botnet controlled from servers in Frankfurt and Amsterdam "
        "runs DDoS-for-hire and credential stuffing against European banks.",
        status=Case.Status.ACTIVE,
        tlp=TLP.AMBER,
        offence_categories=["illegal_access", "system_interference", "misuse_of_devices"],
        tags=["botnet", "ddos", "credential-stuffing"],
    )
    jit = _form_jit(case, cast)
    _add_evidence(case, cast)
    _add_tasks_and_notes(case, cast)
    stdout.write(f"cases demo: {case.reference} with {jit.name} (NL-NHTCU, EU-EC3 accepted)")


def _form_jit(case: Case, cast: _Cast) -> JointInvestigationTeam:
    jit = jits.jit_create(
        actor=cast.investigator,
        case=case,
        name="JIT Nightjar (DE–NL–Europol)",
        purpose="Identify the operators, seize the C2 infrastructure, and secure evidence.",
        legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
        legal_basis_text="JIT agreement signed 2026-01-15 under Art. 13 of the 2000 EU MLA "
        "Convention / Council Framework Decision 2002/465/JHA.",
        period_start=dt.date(2026, 1, 15),
        period_end=dt.date(2026, 7, 15),
        states_of_operation=Jurisdiction.objects.filter(code__in=["DE", "NL"]),
    )
    nl = jits.jit_invite(
        actor=cast.investigator,
        jit=jit,
        agency=cast.nhtcu,
        role=JITMembership.Role.PARTY,
        seconded_members=[cast.nl_investigator],
    )
    jits.jit_respond(actor=cast.nl_admin, membership=nl, accept=True)
    eu = jits.jit_invite(
        actor=cast.investigator, jit=jit, agency=cast.ec3, role=JITMembership.Role.PARTICIPANT
    )
    jits.jit_respond(actor=cast.ec3_admin, membership=eu, accept=True)
    return jit


def _add_evidence(case: Case, cast: _Cast) -> None:
    collected = dt.datetime(2026, 2, 3, 6, 30, tzinfo=dt.UTC)
    for title, content, tlp, agency, actor, where in (
        (
            "C2 server memory image",
            b"demo memory image\n" * 4096,
            TLP.AMBER,
            cast.bka,
            cast.investigator,
            "Frankfurt data centre, rack 12",
        ),
        (
            "Netflow extract AS1234",
            b"ts,src,dst,bytes\n" * 2048,
            TLP.GREEN,
            cast.nhtcu,
            cast.nl_investigator,
            "Amsterdam IXP",
        ),
        (
            "Informant statement",
            b"restricted statement",
            TLP.AMBER_STRICT,
            cast.bka,
            cast.investigator,
            "BKA Wiesbaden",
        ),
    ):
        evidence_services.evidence_add(
            actor=actor,
            case=case,
            agency=agency,
            file=ContentFile(content, name=f"{title.lower().replace(' ', '-')}.bin"),
            title=title,
            collected_by=actor.username,
            collected_at=collected,
            collected_where=where,
            tlp=tlp,
        )


def _add_tasks_and_notes(case: Case, cast: _Cast) -> None:
    services.task_create(
        actor=cast.investigator,
        case=case,
        agency=cast.bka,
        title="Prepare seizure of Frankfurt C2",
        assignee=cast.bka_analyst,
        due_date=dt.date(2026, 3, 1),
        tlp=TLP.AMBER,
    )
    services.task_create(
        actor=cast.nl_investigator,
        case=case,
        agency=cast.nhtcu,
        title="Preserve Amsterdam hosting records",
        assignee=cast.nl_investigator,
        due_date=dt.date(2026, 2, 20),
        tlp=TLP.AMBER,
    )
    services.note_add(
        actor=cast.investigator,
        case=case,
        agency=cast.bka,
        body="Operators appear to reuse one Jabber account; see netflow extract.",
        tlp=TLP.AMBER,
    )
    services.note_add(
        actor=cast.investigator,
        case=case,
        agency=cast.bka,
        body="Source identity is known to BKA only.",
        tlp=TLP.AMBER_STRICT,
    )
