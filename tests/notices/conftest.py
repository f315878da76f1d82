"""Notice fixtures: complete Red notice data and helpers to bring a notice to a state."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from notices import review, services
from notices.models import Notice

RED_DATA: dict[str, Any] = {
    "languages": ["EN", "FR"],
    "family_name": "Smith",
    "forenames": "John",
    "date_of_birth": date(1985, 3, 14),
    "sex": "M",
    "nationalities": ["GB", "DE"],
    "offence_category": "criminal",
    "facts_summary": "Ran a ransomware affiliate programme that encrypted hospital systems.",
    "facts_date": date(2024, 5, 2),
    "facts_place": "Wiesbaden, DE",
    "charges": "Computer sabotage; extortion",
    "law": "StGB §303b, §253",
    "judicial_basis": "prosecution",
    "max_penalty_months": 120,
    "warrant_reference": "AG-WI-2024-117",
    "warrant_authority": "Amtsgericht Wiesbaden",
    "warrant_date": date(2024, 6, 1),
}


def red_payload(**overrides: Any) -> dict[str, Any]:
    """RED_DATA as JSON for the API."""
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in RED_DATA.items()}
    return {"notice_type": "RED", **data, **overrides}


@pytest.fixture
def make_notice(world):
    """``make_notice(state, notice_type="RED", **fields)``: a notice by DE-BKA in ``state``."""

    def make(
        state: str = "draft",
        notice_type: str = "RED",
        recipient_agencies: Any = None,
        recipient_jurisdictions: Any = None,
        **fields: Any,
    ) -> Notice:
        actor = world.owner.investigator
        data = {**RED_DATA, **fields} if notice_type == "RED" else fields
        notice = services.notice_create(
            actor=actor,
            agency=world.owner.agency,
            notice_type=notice_type,
            data=data,
            recipient_agencies=recipient_agencies,
            recipient_jurisdictions=recipient_jurisdictions,
        )
        if state == "draft":
            return notice
        services.notice_submit(actor=actor, notice=notice)
        if state == "published":
            review.notice_review(
                actor=world.reviewer,
                notice=notice,
                decision="publish",
                art3_neutrality=True,
                art2_human_rights=True,
                minimum_data=True,
            )
        notice.refresh_from_db()
        assert notice.status == state, notice.status
        return notice

    return make
