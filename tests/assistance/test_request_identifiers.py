"""The identifiers sought are checked item by item, and a bad item is named."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.assistance.conftest import IP_ITEM, draft


def test_well_formed_identifiers_of_every_type_are_kept(aw):
    identifiers = [
        IP_ITEM,
        {"type": "ip", "value": "2001:db8::1", "timestamp": "2026-01-05T09:00:00Z"},
        {"type": "account", "value": "darkseller99"},
        {"type": "domain", "value": "c2.example.net"},
        {"type": "email", "value": "ops@example.org"},
        {"type": "phone", "value": "+31 20 123 4567"},
        {"type": "other", "value": "bitcoin wallet bc1q…"},
    ]
    assert draft(aw, identifiers=identifiers).identifiers == identifiers


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"type": "ip", "value": "203.0.113.7"}, "Item 1: an IP address needs a timestamp"),
        (
            {"type": "ip", "value": "203.0.113.7", "timestamp": "2026-01-05T10:00:00"},
            "Item 1: an IP address needs a timestamp with a time zone",
        ),
        ({"type": "ip", "value": "300.1.1.1", "timestamp": "x"}, "'300.1.1.1' is not an IPv4"),
        (
            {**IP_ITEM, "port": 70000},
            "Item 1: the port must be a whole number from 0 to 65535",
        ),
        ({"type": "domain", "value": "not a domain"}, "'not a domain' is not a domain name"),
        ({"type": "email", "value": "nobody"}, "'nobody' is not an e-mail address"),
        ({"type": "phone", "value": "0201234567"}, "not a phone number in international form"),
        ({"type": "mac", "value": "x"}, "Item 1: the type must be one of"),
        ({"type": "account", "value": " "}, "Item 1: give a value"),
        ("203.0.113.7", "Item 1: give an object with a type and a value"),
        ({"type": "other", "value": "a\x00b"}, "Item 1: 'value' must be text"),
        ({"type": "account", "value": "x", "owner": "y"}, "Item 1: unknown keys owner"),
    ],
)
def test_a_bad_identifier_is_refused_naming_the_item(aw, item, message):
    with pytest.raises(ValidationError, match=message) as caught:
        draft(aw, identifiers=[item])
    assert "identifiers" in caught.value.message_dict


def test_identifiers_must_be_a_list(aw):
    with pytest.raises(ValidationError, match="Give the identifiers as a list"):
        draft(aw, identifiers={"type": "ip"})


def test_an_emergency_states_the_threat_to_life_or_safety(aw):
    with pytest.raises(ValidationError, match="states the threat to the life or safety") as caught:
        draft(aw, urgency="emergency")
    assert "emergency_justification" in caught.value.message_dict


def test_unknown_data_categories_are_refused(aw):
    with pytest.raises(ValidationError, match="Choose data categories among"):
        draft(aw, data_categories=["metadata"])
