"""A European Production Order for traffic or content data is notified to the enforcing
authority of the provider's Member State (Regulation (EU) 2023/1543 Art. 8), which sees the
order but not the data, and may raise a ground for refusal within 10 days (96 hours in an
emergency, Art. 10, 12); outside emergencies the provider produces after that window or once
the authority confirms it raises none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance import services
from assistance.models import (
    AssistanceRequest,
    EnforcingDecision,
    Instrument,
    Kind,
    RefusalGrounds,
)
from common.errors import StateConflict
from notifications.models import Notification
from tests.assistance.conftest import draft, produce
from tests.factories import AgencyFactory

BASE = "/api/v1/assistance-requests/"
TRAFFIC = {"kind": Kind.TRAFFIC, "instrument": Instrument.EPOC, "data_categories": ["traffic"]}


def about(order: AssistanceRequest):
    """The notification centre's rows about ``order``."""
    return Notification.objects.filter(
        object_type="assistance.assistancerequest", object_id=order.pk
    ).order_by("pk")


def notified(aw, **fields) -> AssistanceRequest:
    """An EPOC for traffic data, sent, notified to NL-NHTCU (the partner, in NL)."""
    order = draft(aw, **{**TRAFFIC, "enforcing_authority": aw.partner.agency, **fields})
    return services.request_send(actor=aw.owner.investigator, request=order)


def test_an_order_for_traffic_data_is_not_sent_without_naming_the_enforcing_authority(aw):
    order = draft(aw, **TRAFFIC)
    with pytest.raises(ValidationError, match="notified to the enforcing authority") as error:
        services.request_send(actor=aw.owner.investigator, request=order)
    assert "enforcing_authority" in error.value.message_dict
    order.refresh_from_db()
    assert order.status == "draft"


def test_the_art_8_2_exception_sends_the_order_without_notification(aw):
    order = draft(aw, **TRAFFIC, enforcing_exempt=True)
    order = services.request_send(actor=aw.owner.investigator, request=order)
    assert order.status == "sent" and order.enforcing_notified_at is None


def test_subscriber_data_are_not_notified_and_naming_an_authority_is_a_field_error(aw):
    with pytest.raises(ValidationError, match="Only a European Production Order for traffic"):
        draft(
            aw,
            kind=Kind.SUBSCRIBER,
            instrument=Instrument.EPOC,
            data_categories=["subscriber", "identifying"],
            enforcing_authority=aw.partner.agency,
        )


def test_the_enforcing_authority_is_of_the_providers_country_and_not_a_provider(aw):
    with pytest.raises(ValidationError, match="an authority of Netherlands, where NL-HOST"):
        draft(aw, **TRAFFIC, enforcing_authority=aw.outsider.agency)
    other_provider = AgencyFactory(
        code="NL-MAIL", country=aw.provider.country, kind=aw.provider.Kind.SERVICE_PROVIDER
    )
    with pytest.raises(ValidationError, match="A service provider is not an enforcing"):
        draft(aw, **TRAFFIC, enforcing_authority=other_provider)


def test_the_enforcing_authority_sees_the_order_from_sent_on_and_is_notified(aw, client_for):
    order = draft(aw, **TRAFFIC, enforcing_authority=aw.partner.agency)
    enforcing = client_for(aw.partner.investigator)
    assert enforcing.get(f"/assistance/{order.pk}/").status_code == 404
    order = services.request_send(actor=aw.owner.investigator, request=order)
    page = enforcing.get(f"/assistance/{order.pk}/").content.decode()
    assert "may raise a ground for refusal until" in page
    assert 'id="action-no_grounds"' in page and 'id="action-refuse"' in page
    assert 'id="action-respond"' not in page and "<h2>Responses</h2>" not in page
    notices = about(order).filter(user=aw.partner.investigator)
    assert [n.kind for n in notices] == ["assistance_new"]
    assert "notified to you (Regulation (EU) 2023/1543 Art. 8)" in notices[0].sentence
    assert client_for(aw.outsider.investigator).get(f"/assistance/{order.pk}/").status_code == 404


def test_the_provider_waits_for_the_enforcing_authority_then_produces(aw, client_for):
    order = notified(aw)
    liaison_page = client_for(aw.liaison).get(f"/assistance/{order.pk}/").content.decode()
    assert 'id="action-respond"' not in liaison_page
    with pytest.raises(StateConflict, match="NL-NHTCU, the enforcing authority, may raise"):
        produce(aw, order)
    with pytest.raises(PermissionDenied, match="Only NL-NHTCU .the enforcing authority."):
        services.request_no_grounds(actor=aw.liaison, request=order)
    services.request_no_grounds(actor=aw.partner.investigator, request=order)
    order.refresh_from_db()
    assert order.enforcing_decision == EnforcingDecision.NO_GROUNDS
    assert any("No ground for refusal" in n.sentence for n in about(order).filter(user=aw.liaison))
    produce(aw, order)
    order.refresh_from_db()
    assert order.status == "answered_fully"


def test_the_enforcing_authority_sees_no_produced_data(aw, api_client_for):
    order = notified(aw)
    services.request_no_grounds(actor=aw.partner.investigator, request=order)
    response = produce(aw, order)
    enforcing = api_client_for(aw.partner.investigator, aw.partner.agency)
    shown = enforcing.get(f"{BASE}{order.pk}/").json()
    assert shown["responses"] == [] and shown["enforcing_decision"] == "no_grounds"
    download = f"{BASE}{order.pk}/responses/{response.pk}/download/"
    assert enforcing.get(download).status_code == 404
    owner = api_client_for(aw.owner.investigator, aw.owner.agency)
    assert owner.get(download).status_code == 200


def test_a_ground_for_refusal_from_the_enforcing_authority_refuses_the_order(aw, api_client_for):
    order = notified(aw)
    enforcing = api_client_for(aw.partner.investigator, aw.partner.agency)
    body = {"grounds": RefusalGrounds.IMMUNITY, "text": "Journalist's source"}
    got = enforcing.post(f"{BASE}{order.pk}/refuse/", body, format="json")
    assert got.status_code == 200, got.content
    assert got.json()["status"] == "refused"
    assert got.json()["enforcing_decision"] == "refused"
    again = enforcing.post(f"{BASE}{order.pk}/no-grounds/")
    assert again.status_code == 409
    assert "already decided" in again.json()["detail"]
    assert any(
        "Ground for refusal raised" in n.sentence for n in about(order).filter(user=aw.liaison)
    )


def test_after_ten_days_the_order_stands_and_the_provider_produces(aw):
    order = notified(aw)
    AssistanceRequest.objects.filter(pk=order.pk).update(
        enforcing_notified_at=timezone.now() - dt.timedelta(days=10, minutes=1)
    )
    order.refresh_from_db()
    with pytest.raises(StateConflict, match="ended on .*: the order stands"):
        services.request_refuse(
            actor=aw.partner.investigator, request=order, grounds=RefusalGrounds.NE_BIS_IN_IDEM
        )
    produce(aw, order)
    order.refresh_from_db()
    assert order.status == "answered_fully"


def test_in_an_emergency_the_window_is_96_hours_and_the_provider_produces_at_once(aw):
    order = notified(aw, urgency="emergency", emergency_justification="Hostage held")
    assert order.enforcing_window_ends == order.enforcing_notified_at + dt.timedelta(hours=96)
    produce(aw, order)
    order.refresh_from_db()
    assert order.status == "answered_fully"


def test_the_no_grounds_endpoint_is_404_for_an_outsider_and_403_for_the_provider(
    aw, api_client_for
):
    order = notified(aw)
    url = f"{BASE}{order.pk}/no-grounds/"
    outsider = api_client_for(aw.outsider.investigator, aw.outsider.agency)
    assert outsider.post(url).status_code == 404
    provider = api_client_for(aw.liaison, aw.provider)
    assert provider.post(url).status_code == 403
    enforcing = api_client_for(aw.partner.investigator, aw.partner.agency)
    assert enforcing.post(url).json()["enforcing_decision"] == "no_grounds"
