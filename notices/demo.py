"""Demo notices in several states (idempotent): a published Red notice with a public extract,
one waiting for review, one waiting for information, a diffusion, a draft, and one near expiry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Jurisdiction
from notices import expiry, review, services
from notices.models import Notice

RED = {
    "languages": ["EN", "FR"],
    "offence_category": "criminal",
    "judicial_basis": "prosecution",
    "max_penalty_months": 120,
    "law": "StGB §303b (computer sabotage), §253 (extortion)",
    "warrant_authority": "Amtsgericht Wiesbaden",
    "warrant_date": date(2025, 6, 1),
    "facts_date": date(2025, 3, 2),
}

NOTICES: list[dict[str, Any]] = [
    {
        "title": "demo: ransomware affiliate (published, public)",
        "requester": ("bka.investigator", "DE-BKA"),
        "type": "RED",
        "state": "published",
        "data": {
            **RED,
            "family_name": "Schäfer",
            "forenames": "Jürgen",
            "date_of_birth": date(1984, 2, 29),
            "sex": "M",
            "nationalities": ["DE"],
            "facts_summary": "Affiliate of a ransomware group that encrypted hospital systems.",
            "facts_place": "Wiesbaden, DE",
            "charges": "Computer sabotage; extortion",
            "warrant_reference": "AG-WI-2025-117",
            "public_extract_consent": True,
            "distinguishing_marks": "Tattoo of a padlock on the right forearm",
        },
    },
    {
        "title": "demo: botnet operator (under review)",
        "requester": ("nhtcu.investigator", "NL-NHTCU"),
        "type": "RED",
        "state": "submitted",
        "data": {
            **RED,
            "family_name": "Smith",
            "forenames": "John",
            "date_of_birth": date(1990, 7, 14),
            "sex": "M",
            "nationalities": ["GB"],
            "facts_summary": "Ran a DDoS-for-hire botnet used against Dutch banks.",
            "facts_place": "Amsterdam, NL",
            "charges": "Computer intrusion; DDoS",
            "law": "Wetboek van Strafrecht art. 138ab",
            "warrant_authority": "Rechtbank Amsterdam",
            "warrant_reference": "RBA-2025-0042",
        },
    },
    {
        "title": "demo: missing teenager (information requested)",
        "requester": ("ofac.investigator", "FR-OFAC"),
        "type": "YELLOW",
        "state": "info_requested",
        "data": {
            "languages": ["FR", "EN"],
            "family_name": "Lefèvre",
            "forenames": "Chloé",
            "date_of_birth": date(2010, 4, 3),
            "sex": "F",
            "nationalities": ["FR"],
            "facts_summary": "Left home after contact with an online groomer.",
            "facts_date": date(2026, 9, 20),
            "facts_place": "Lyon, FR",
            "public_extract_consent": True,
        },
    },
    {
        "title": "demo: phishing kit seller (diffusion)",
        "requester": ("ofac.investigator", "FR-OFAC"),
        "type": "DIFFUSION",
        "state": "submitted",
        "agencies": ["NL-NHTCU", "DE-BKA"],
        "data": {
            "languages": ["EN"],
            "family_name": "Dubois",
            "forenames": "Marc",
            "offence_category": "criminal",
            "facts_summary": "Sells phishing kits on forums.",
            "charges": "Fraud; sale of hacking tools",
        },
    },
    {
        "title": "demo: SIM-swap modus operandi (draft)",
        "requester": ("bka.investigator", "DE-BKA"),
        "type": "PURPLE",
        "state": "draft",
        "data": {
            "languages": ["EN"],
            "offence_category": "criminal",
            "subject_description": "SIM-swap via bribed shop staff, then 2FA reset.",
        },
    },
    {
        "title": "demo: crypto launderer (EU only, expires soon)",
        "requester": ("bka.investigator", "DE-BKA"),
        "type": "RED",
        "state": "published",
        "jurisdictions": ["EU"],
        "expires_in": timedelta(days=90),
        "data": {
            **RED,
            "family_name": "Novak",
            "forenames": "Petra",
            "date_of_birth": date(1979, 11, 5),
            "sex": "F",
            "nationalities": ["CZ"],
            "facts_summary": "Laundered ransomware proceeds through mixers.",
            "facts_place": "Frankfurt, DE",
            "charges": "Money laundering",
            "warrant_reference": "AG-F-2021-330",
        },
    },
]


@transaction.atomic
def seed(stdout: Any) -> None:
    User = get_user_model()
    reviewer = User.objects.filter(username="ipsg.reviewer").first()
    if reviewer is None:
        return
    stdout.write("Notices:")
    for spec in NOTICES:
        existing = Notice.objects.filter(title=spec["title"]).first()
        if existing:
            stdout.write(f"  #{existing.pk:<4} {existing.status:<15} {spec['title']}")
            continue
        username, code = spec["requester"]
        actor = User.objects.get(username=username)
        notice = services.notice_create(
            actor=actor,
            agency=Agency.objects.get(code=code),
            notice_type=spec["type"],
            data={"title": spec["title"], **spec["data"]},
            recipient_agencies=Agency.objects.filter(code__in=spec.get("agencies", [])),
            recipient_jurisdictions=Jurisdiction.objects.filter(
                code__in=spec.get("jurisdictions", [])
            ),
        )
        state = spec["state"]
        if state != "draft":
            services.notice_submit(actor=actor, notice=notice)
        if state == "published":
            review.notice_review(
                actor=reviewer,
                notice=notice,
                decision="publish",
                reasons="Compliant.",
                art3_neutrality=True,
                art2_human_rights=True,
                minimum_data=True,
            )
        elif state == "info_requested":
            review.notice_review(
                actor=reviewer,
                notice=notice,
                decision="request_info",
                reasons="Add a photo and the clothing she wore when last seen.",
            )
        if "expires_in" in spec:
            # Demo only: pretend it was published long ago, then let the sweep remind.
            Notice.objects.filter(pk=notice.pk).update(
                expires_at=timezone.now() + spec["expires_in"]
            )
            expiry.notices_send_expiry_reminders()
        notice.refresh_from_db()
        stdout.write(f"  #{notice.pk:<4} {notice.status:<15} {spec['title']}")
