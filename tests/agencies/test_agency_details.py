"""An agency admin sets the agency's 24/7 contact point and its central authority for mutual
legal assistance: another active agency of the same country that is no service provider."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies import services
from agencies.models import Agency, Membership
from audit.models import AuditEvent
from tests.factories import AgencyFactory, make_member


@pytest.fixture
def ministry(world) -> Agency:
    """Germany's Federal Office of Justice, a prosecutor-kind agency of the owner's country."""
    return AgencyFactory(
        code="DE-BFJ",
        name="Bundesamt für Justiz",
        country=world.owner.agency.country,
        kind=Agency.Kind.PROSECUTOR,
    )


def _details(code: str) -> str:
    return reverse("agency_details", args=[code])


def test_the_owners_admin_sets_the_contact_point_and_central_authority(world, ministry, client_for):
    client = client_for(world.owner.admin)
    page = client.get(_details("DE-BKA"))
    assert page.status_code == 200
    assert "DE-BFJ" in page.content.decode()
    response = client.post(
        _details("DE-BKA"),
        {
            "contact_name": "BKA 24/7 desk",
            "contact_phone": "+49 611 55-0",
            "contact_email": "247@bka.example",
            "central_authority": "DE-BFJ",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(code="DE-BKA")
    assert agency.contact_name == "BKA 24/7 desk"
    assert agency.contact_email == "247@bka.example"
    assert agency.central_authority == ministry
    event = AuditEvent.objects.get(action="agency.details_updated", object_id=str(agency.pk))
    assert event.summary["changed"]["central_authority"] == {"before": "", "after": "DE-BFJ"}


def test_saving_the_same_details_again_writes_no_audit_event(world, ministry):
    for _ in range(2):
        services.agency_details_update(
            actor=world.owner.admin, agency=world.owner.agency, central_authority=ministry
        )
    assert AuditEvent.objects.filter(action="agency.details_updated").count() == 1


def test_another_agencys_admin_gets_404(world, client_for):
    client = client_for(world.partner.admin)
    assert client.get(_details("DE-BKA")).status_code == 404
    response = client.post(_details("DE-BKA"), {"contact_name": "hijacked"})
    assert response.status_code == 404
    assert Agency.objects.get(code="DE-BKA").contact_name != "hijacked"


def test_a_non_admin_member_gets_404(world, client_for):
    assert client_for(world.owner.investigator).get(_details("DE-BKA")).status_code == 404


def test_an_authority_of_another_country_is_a_field_error(world, client_for):
    response = client_for(world.owner.admin).post(
        _details("DE-BKA"), {"central_authority": "NL-NHTCU"}
    )
    assert response.status_code == 400
    message = services.CENTRAL_AUTHORITY_COUNTRY.format(
        authority="NL-NHTCU", theirs="NL", agency="DE-BKA", ours="DE"
    )
    assert response.context["form"].errors["central_authority"] == [message]
    assert Agency.objects.get(code="DE-BKA").central_authority is None


def test_the_page_offers_only_agencies_of_the_same_country(world, ministry, client_for):
    AgencyFactory(code="DE-HOSTER", country=ministry.country, kind=Agency.Kind.SERVICE_PROVIDER)
    text = client_for(world.owner.admin).get(_details("DE-BKA")).content.decode()
    assert 'value="DE-BFJ"' in text
    assert 'value="NL-NHTCU"' not in text and 'value="DE-HOSTER"' not in text


@pytest.mark.parametrize(
    ("authority", "message"),
    [
        ("self", services.CENTRAL_AUTHORITY_ITSELF),
        ("provider", services.CENTRAL_AUTHORITY_PROVIDER.format(authority="DE-HOSTER")),
        ("inactive", services.CENTRAL_AUTHORITY_INACTIVE.format(authority="DE-OLD")),
    ],
)
def test_the_central_authority_must_be_another_active_authority(world, authority, message):
    de = world.owner.agency.country
    choice = {
        "self": world.owner.agency,
        "provider": AgencyFactory(code="DE-HOSTER", country=de, kind=Agency.Kind.SERVICE_PROVIDER),
        "inactive": AgencyFactory(code="DE-OLD", country=de, active=False),
    }[authority]
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        services.agency_details_update(
            actor=world.owner.admin, agency=world.owner.agency, central_authority=choice
        )
    assert "central_authority" in info.value.message_dict


def test_a_service_provider_names_no_central_authority(world, ministry):
    hoster = AgencyFactory(
        code="DE-HOSTER", country=ministry.country, kind=Agency.Kind.SERVICE_PROVIDER
    )
    with pytest.raises(ValidationError, match=re.escape(services.PROVIDER_HAS_NO_AUTHORITY)):
        services.agency_details_update(actor=None, agency=hoster, central_authority=ministry)
    updated = services.agency_details_update(
        actor=None, agency=hoster, contact_name="Abuse desk", contact_email="abuse@hoster.example"
    )
    assert updated.contact_name == "Abuse desk"


def test_a_providers_admin_sets_its_contact_point_without_a_central_authority(world, client_for):
    hoster = AgencyFactory(
        code="NL-HOSTCO", country=world.partner.agency.country, kind=Agency.Kind.SERVICE_PROVIDER
    )
    admin = make_member(hoster, "hostco_admin", Membership.Role.AGENCY_ADMIN)
    client = client_for(admin)
    page = client.get(_details("NL-HOSTCO"))
    assert page.status_code == 200
    assert "central_authority" not in page.context["form"].fields
    response = client.post(_details("NL-HOSTCO"), {"contact_name": "LE response team"})
    assert response.status_code == 302
    assert Agency.objects.get(code="NL-HOSTCO").contact_name == "LE response team"
