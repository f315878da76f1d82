"""An API client reads the refusals of assistance requests in its own language (the request's
Accept-Language), and an outsider learns nothing from them: the same 404 as a missing request,
the same 400 as a missing case."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assistance import services
from tests.assistance.conftest import draft, sent

BASE = "/api/v1/assistance-requests/"
FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}

# The French of the new sentences (ahead of the catalogues); a pgettext msgid is keyed by its
# context, then \x04, then the text.
FRENCH = {
    "Only {agency} (the requesting agency) can {verb} this request.": (
        "Seule {agency} (l'agence requérante) peut {verb} cette demande."
    ),
    "Only {agency} (the addressee) can {verb} this request.": (
        "Seul {agency} (le destinataire) peut {verb} cette demande."
    ),
    "assistance request action\x04change": "modifier",
    "assistance request action\x04acknowledge": "accuser réception de",
    "Not a field of a request.": "Pas un champ d'une demande.",
    "No case {pk} that you take part in.": "Aucune affaire {pk} à laquelle vous participez.",
}


@pytest.fixture
def clients(aw, api_client_for, catalogue):
    catalogue("fr", FRENCH)
    return {
        "owner": api_client_for(aw.owner.investigator, aw.owner.agency),
        "addressee": api_client_for(aw.liaison, aw.provider),
        "outsider": api_client_for(aw.outsider.investigator, aw.outsider.agency),
    }


def test_the_addressee_is_refused_the_requesters_change_in_its_language(aw, clients):
    request = sent(aw)
    response = clients["addressee"].patch(
        f"{BASE}{request.pk}/", {"summary": "x"}, format="json", **FR
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Seule DE-BKA (l'agence requérante) peut modifier cette demande."
    }


def test_the_requester_is_refused_the_addressees_step_in_its_language(aw, clients):
    request = sent(aw)
    response = clients["owner"].post(f"{BASE}{request.pk}/acknowledge/", **FR)
    assert response.status_code == 403
    assert response.json() == {
        "detail": f"Seul {aw.provider.code} (le destinataire) peut accuser réception de "
        "cette demande."
    }


def test_an_outsider_gets_the_404_of_a_missing_request_whatever_the_step(aw, clients):
    request = sent(aw)
    outsider = clients["outsider"]
    missing = outsider.post(f"{BASE}{request.pk + 1000}/acknowledge/", **FR)
    assert missing.status_code == 404
    for step in ("acknowledge/", "start/", "extend/", "send/"):
        response = outsider.post(f"{BASE}{request.pk}/{step}", **FR)
        assert (response.status_code, response.json()) == (404, missing.json())
    patched = outsider.patch(f"{BASE}{request.pk}/", {"summary": "x"}, format="json", **FR)
    assert (patched.status_code, patched.json()) == (404, missing.json())


def test_a_field_that_is_not_a_requests_is_refused_by_name_in_the_readers_language(aw, clients):
    request = draft(aw)
    with translation.override("fr"), pytest.raises(ValidationError) as info:
        services.request_update(actor=aw.owner.investigator, request=request, colour="red")
    assert info.value.message_dict == {"colour": ["Pas un champ d'une demande."]}


def test_a_case_outside_the_callers_cases_reads_as_a_missing_one_in_its_language(aw, clients):
    body = {"kind": "preservation", "addressee": "DE-BKA"}
    hidden = clients["outsider"].post(BASE, {**body, "case": aw.case.pk}, format="json", **FR)
    missing = clients["outsider"].post(
        BASE, {**body, "case": aw.case.pk + 1000}, format="json", **FR
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json() == {"case": [f"Aucune affaire {aw.case.pk} à laquelle vous participez."]}
    assert missing.json() == {
        "case": [f"Aucune affaire {aw.case.pk + 1000} à laquelle vous participez."]
    }
