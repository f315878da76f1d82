"""Interop fixtures: sharing indicators and TAXII/Basic credentials for a world side
(``add_indicators`` and the EU agreement, ``eu_agreement``, are in tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from agencies import services as agency_services
from sharing import services as sharing_services


@pytest.fixture
def share_with():
    def share(side: Any, indicators: list, agencies: list) -> Any:
        return sharing_services.indicator_share(
            actor=side.investigator,
            indicators=indicators,
            spec=sharing_services.ShareSpec(agencies=agencies),
        )

    return share


@dataclass
class Key:
    username: str
    key: str
    agency: Any

    @property
    def bearer(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.key}"}


@pytest.fixture
def key_for(db):
    def make(side: Any) -> Key:
        _, plaintext = agency_services.api_key_issue(
            actor=None, agency=side.agency, user=side.investigator, name="taxii"
        )
        return Key(side.investigator.username, plaintext, side.agency)

    return make
