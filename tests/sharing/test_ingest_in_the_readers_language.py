"""Ingest refusals in the API client's language (``Accept-Language``): each item's reason is
a sentence translated when the answer is written, naming the field and the value refused."""

from __future__ import annotations

import uuid

import pytest

from sharing import ingest, stix
from tests.stix_objects import stix_indicator

pytestmark = pytest.mark.django_db
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture
def french(catalogue):
    catalogue(
        "fr",
        {
            str(ingest.NOT_AN_OBJECT): "Chaque élément doit être un objet JSON.",
            str(ingest.VALUE_REQUIRED): "Une valeur (chaîne) est requise.",
            str(ingest.CONFIDENCE): "Un entier de 0 à 100 est requis.",
            str(ingest.NOT_A_CHOICE): "%(value)s n'est pas parmi %(choices)s.",
            str(ingest.NOT_A_DATETIME): "%(value)s n'est pas une date ISO 8601.",
            str(ingest.STRING_REQUIRED): "Une chaîne est requise.",
            str(ingest.STRINGS_REQUIRED): "Une liste de chaînes est requise.",
            str(ingest.LAST_SEEN_BEFORE): "last_seen précède first_seen.",
            str(ingest.DUPLICATE): "Doublon de l'élément %(index)s de cette requête.",
            str(ingest.NO_SUCH_CASE): "Aucune affaire de ce nom.",
            str(ingest.VALUE_HELD): "Cette agence détient déjà cette valeur sous %(id)s.",
        },
    )


def test_a_french_client_gets_each_refused_item_in_french_naming_its_field(world, clients, french):
    items = [
        "just text",
        {"type": "ipv4"},
        {"type": "ipv4", "value": "192.0.2.1", "confidence": 101},
        {"type": "ipv4", "value": "192.0.2.2", "tlp": "purple"},
        {"type": "ipv4", "value": "192.0.2.3", "first_seen": "yesterday"},
        {"type": "ipv4", "value": "192.0.2.4", "description": 7},
        {"type": "ipv4", "value": "192.0.2.5", "labels": "x"},
        {
            "type": "ipv4",
            "value": "192.0.2.6",
            "first_seen": "2026-03-14T00:00:00Z",
            "last_seen": "2026-03-13T00:00:00Z",
        },
        {"type": "ipv4", "value": "192.0.2.7"},
        {"type": "ipv4", "value": "192.0.2.7"},
        {"type": "ipv4", "value": "192.0.2.8", "case": 999999},
    ]
    response = clients["owner"].post("/api/v1/indicators/", items, format="json", **FRENCH)
    assert response.status_code == 201, response.content
    errors = [(e["index"], e["field"], e["reason"]) for e in response.json()["errors"]]
    assert errors == [
        (0, "non_field_errors", "Chaque élément doit être un objet JSON."),
        (1, "value", "Une valeur (chaîne) est requise."),
        (2, "confidence", "Un entier de 0 à 100 est requis."),
        (3, "tlp", "'purple' n'est pas parmi AMBER, AMBER+STRICT, CLEAR, GREEN, RED."),
        (4, "first_seen", "'yesterday' n'est pas une date ISO 8601."),
        (5, "description", "Une chaîne est requise."),
        (6, "labels", "Une liste de chaînes est requise."),
        (7, "last_seen", "last_seen précède first_seen."),
        (9, "value", "Doublon de l'élément 8 de cette requête."),
        (10, "case", "Aucune affaire de ce nom."),
    ]


def test_a_french_client_is_told_in_french_which_id_holds_the_value(world, clients, french):
    first = f"indicator--{uuid.uuid4()}"
    clients["owner"].post(
        "/api/v1/indicators/", {"id": first, "type": "ipv4", "value": "192.0.2.97"}, format="json"
    )
    second = {"id": f"indicator--{uuid.uuid4()}", "type": "ipv4", "value": "192.0.2.97"}
    response = clients["owner"].post("/api/v1/indicators/", second, format="json", **FRENCH)
    assert response.status_code == 400
    assert response.json() == {"id": [f"Cette agence détient déjà cette valeur sous {first}."]}


def test_an_english_client_gets_the_sentences_in_english(world, clients, french):
    response = clients["owner"].post(
        "/api/v1/indicators/",
        {"type": "ipv4", "value": "192.0.2.1", "confidence": -1},
        format="json",
    )
    assert response.json() == {"confidence": ["An integer from 0 to 100 is required."]}


def test_a_french_client_is_told_in_french_why_a_stix_indicator_is_refused(
    world, clients, catalogue
):
    catalogue(
        "fr",
        {
            str(stix.ID_EXPECTED): "attendu : %(form)s",
            str(stix.SINGLE_COMPARISONS): "seules les comparaisons simples sont prises en charge",
        },
    )
    items = [
        stix_indicator("[ipv4-addr:value = '192.0.2.1']", id="indicator--1"),
        stix_indicator("[ipv4-addr:value = '192.0.2.2'] OR [ipv4-addr:value = '192.0.2.3']"),
    ]
    response = clients["owner"].post("/api/v1/indicators/", items, format="json", **FRENCH)
    errors = [(e["field"], e["reason"]) for e in response.json()["errors"]]
    assert errors == [
        ("id", "attendu : indicator--<uuid>"),
        ("pattern", "seules les comparaisons simples sont prises en charge"),
    ]
