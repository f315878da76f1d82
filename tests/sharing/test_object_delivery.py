"""Shared STIX objects other than typed indicators (malware, relationships, reports, …) reach the
entitled partner endpoints as webhook pushes, exactly as indicators do: signed, retried, once,
in a STIX bundle, each object as its newest version with the markings and extension TAXII
serves; revoking one pushes its revoked version, withdrawing a share tombstones it where no
other share keeps it; an endpoint's object types choose which objects it takes."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from interop.models import ObjectVersion
from sharing import delivery, outbox, selectors, services, webhooks
from sharing.models import Delivery, DeliveryAttempt, DeliveryItem, OutboxFill, StixObject
from tests.interop.object_graph import build, load, sdo, share_with_partner
from tests.sharing.conftest import add


@pytest.fixture
def graph(world, eu_agreement):
    return build(world)


def _endpoint(side, name, url="http://127.0.0.1:9/", **filters):
    endpoint, _ = services.endpoint_create(
        actor=side.admin, agency=side.agency, name=name, url=url, **filters
    )
    return endpoint


def _served(stix_object: StixObject) -> dict:
    """The object's newest version as TAXII serves it."""
    version = ObjectVersion.objects.get(stix_object=stix_object, is_latest=True)
    return json.loads(version.body)


def _deliver_all() -> None:
    for d in Delivery.objects.filter(status="pending").order_by("pk"):
        delivery.deliver(d.pk)


def _bodies(receiver) -> list[dict]:
    return [json.loads(b) for (b,) in receiver.rows("SELECT body FROM objects ORDER BY rowid")]


def test_a_shared_malware_reaches_the_partner_endpoint_as_taxii_serves_it_and_no_one_else(
    world, graph, partner_endpoint, receiver, scripted
):
    outsider_endpoint = _endpoint(world.outsider, "outsider", url=scripted.url)
    owner_endpoint = _endpoint(world.owner, "own", url=scripted.url)
    share_with_partner(world, graph.malware)
    d = Delivery.objects.get()
    assert d.endpoint == partner_endpoint
    assert delivery.deliver(d.pk) == Delivery.Status.DELIVERED
    assert receiver.objects() == [(graph.malware.stix_id, 0)]
    (body,) = _bodies(receiver)
    assert body == _served(graph.malware)
    assert body["name"] == "Emotet loader" and body["object_marking_refs"]
    assert d.message_id in receiver.out.getvalue()  # its signature verified, then stored
    assert not Delivery.objects.filter(endpoint__in=[outsider_endpoint, owner_endpoint]).exists()
    assert scripted.seen == []


def test_a_failed_push_is_retried_with_the_same_signed_message_and_delivered_once(
    world, graph, scripted
):
    scripted.script.extend([(500, {}), (200, {})])
    endpoint, secret = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="ep", url=scripted.url
    )
    share_with_partner(world, graph.malware)
    d = Delivery.objects.get(endpoint=endpoint)
    assert delivery.deliver(d.pk) == Delivery.Status.FAILING
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(d.pk) == Delivery.Status.DELIVERED
    assert delivery.deliver(d.pk) is None  # delivered: never sent again
    first, second = scripted.seen
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == d.message_id
    assert first["body"] == second["body"]
    for request in scripted.seen:
        assert webhooks.verify(secret, request["headers"], request["body"]) == d.message_id
    assert [o["id"] for o in json.loads(second["body"])["objects"]] == [graph.malware.stix_id]
    assert [a.status_code for a in DeliveryAttempt.objects.filter(delivery=d)] == [500, 200]
    # sharing it again with the same agency sends nothing more to the endpoint
    services.stix_objects_share(
        actor=world.owner.investigator,
        objects=[graph.malware],
        spec=services.ShareSpec(jurisdictions=[world.partner.agency.country]),
    )
    assert DeliveryItem.objects.filter(endpoint=endpoint).count() == 1


def test_revoking_a_delivered_object_pushes_its_revoked_version(
    world, graph, partner_endpoint, receiver
):
    share_with_partner(world, graph.malware)
    _deliver_all()
    effects = selectors.stix_object_revoke_effects(stix_object=graph.malware)
    assert "This sends the revoked version to 1 partner endpoint." in effects
    revoked = services.stix_object_revoke(actor=world.owner.investigator, stix_object=graph.malware)
    tomb = Delivery.objects.get(status="pending")
    assert tomb.items.get().tombstone
    assert delivery.deliver(tomb.pk) == "delivered"
    assert receiver.objects() == [(graph.malware.stix_id, 0), (graph.malware.stix_id, 1)]
    pushed = _bodies(receiver)[-1]
    assert pushed["revoked"] is True and pushed["modified"] == revoked.body["modified"]
    assert pushed == _served(revoked)


def test_an_imported_newer_version_that_revokes_an_object_is_pushed(
    world, graph, partner_endpoint, receiver
):
    share_with_partner(world, graph.malware)
    _deliver_all()
    newer = {**graph.malware.body, "modified": "2026-02-01T00:00:00.000Z", "revoked": True}
    load(world.owner, newer)
    tomb = Delivery.objects.get(status="pending")
    assert delivery.deliver(tomb.pk) == "delivered"
    assert receiver.objects()[-1] == (graph.malware.stix_id, 1)
    pushed = _bodies(receiver)[-1]
    assert pushed["modified"] == "2026-02-01T00:00:00.000Z"
    graph.malware.refresh_from_db()
    assert pushed == _served(graph.malware)


def test_revoking_an_object_not_sent_yet_cancels_its_push(world, graph, partner_endpoint):
    share_with_partner(world, graph.malware)
    effects = selectors.stix_object_revoke_effects(stix_object=graph.malware)
    assert "This sends the revoked version to 0 partner endpoints." in effects
    assert any("1 partner endpoint that has not left yet is cancelled" in e for e in effects)
    services.stix_object_revoke(actor=world.owner.investigator, stix_object=graph.malware)
    assert not Delivery.objects.exists()


def test_withdrawal_tombstones_objects_only_where_no_other_share_keeps_them(
    world, graph, partner_endpoint, receiver
):
    first = share_with_partner(world, graph.malware)
    _deliver_all()
    second = services.stix_objects_share(
        actor=world.owner.investigator,
        objects=[graph.malware],
        spec=services.ShareSpec(jurisdictions=[world.partner.agency.country]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=first)
    assert Delivery.objects.count() == 1  # still entitled through the second share
    assert selectors.share_reach(share=second)["revocations"] == 1
    services.share_withdraw(actor=world.owner.investigator, share=second)
    tomb = Delivery.objects.get(status="pending")
    assert delivery.deliver(tomb.pk) == "delivered"
    assert receiver.objects()[-1] == (graph.malware.stix_id, 1)
    pushed = _bodies(receiver)[-1]
    assert pushed["id"] == graph.malware.stix_id and pushed["revoked"] is True
    assert pushed["modified"] > _served(graph.malware)["modified"]


def test_an_endpoints_object_types_choose_the_objects_and_the_indicator_filters_do_not_apply(
    world, graph
):
    all_types = _endpoint(world.partner, "all")
    malware_only = _endpoint(world.partner, "malware", object_types=["malware"])
    reports_only = _endpoint(world.partner, "reports", object_types=["report"])
    domains_confident = _endpoint(world.partner, "domains", types=["domain"], min_confidence=90)
    green_only = _endpoint(world.partner, "green", max_tlp="GREEN")  # the objects are AMBER
    share = share_with_partner(world, graph.malware, graph.uses)
    items = set(
        DeliveryItem.objects.filter(delivery__share=share).values_list(
            "endpoint_id", "stix_object_id"
        )
    )
    assert items == {
        (all_types.pk, graph.malware.pk),
        (all_types.pk, graph.uses.pk),
        (malware_only.pk, graph.malware.pk),
        (domains_confident.pk, graph.malware.pk),
        (domains_confident.pk, graph.uses.pk),
    }
    assert not Delivery.objects.filter(endpoint__in=[reports_only, green_only]).exists()


def test_an_unknown_object_type_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError, match=re.escape("Unknown STIX object types: no-such")):
        _endpoint(world.partner, "x", object_types=["malware", "no-such"])
    assert not world.partner.agency.partner_endpoints.exists()
    custom = _endpoint(world.partner, "custom", object_types=["x-acme-case"])
    assert custom.object_types == ["x-acme-case"]


def test_object_types_over_the_api_400_on_unknown_types_and_404_to_other_agencies(
    world, api_client_for
):
    admin = api_client_for(world.partner.admin, world.partner.agency)
    bad = admin.post(
        "/api/v1/partner-endpoints/",
        {"url": "http://127.0.0.1:9/", "name": "x", "object_types": ["malware", "bogus"]},
        format="json",
    )
    assert bad.status_code == 400 and "bogus" in bad.json()["object_types"][0]
    assert not world.partner.agency.partner_endpoints.exists()
    created = admin.post(
        "/api/v1/partner-endpoints/",
        {"url": "http://127.0.0.1:9/", "name": "x", "object_types": ["malware"]},
        format="json",
    )
    assert created.status_code == 201 and created.json()["object_types"] == ["malware"]
    url = f"/api/v1/partner-endpoints/{created.json()['id']}/"
    patched = admin.patch(url, {"object_types": ["report", "relationship"]}, format="json")
    assert patched.json()["object_types"] == ["report", "relationship"]
    refused = admin.patch(url, {"object_types": ["bogus"]}, format="json")
    assert refused.status_code == 400 and "object_types" in refused.json()
    for side in (world.owner, world.outsider):
        other = api_client_for(side.admin, side.agency)
        assert other.patch(url, {"object_types": []}, format="json").status_code == 404
    assert admin.get(url).json()["object_types"] == ["report", "relationship"]


def test_the_endpoints_page_sets_object_types_and_shows_them_in_words(world, client_for):
    url = f"/agencies/{world.partner.agency.code}/endpoints/"
    admin = client_for(world.partner.admin)
    form = {"name": "SOC", "url": "http://127.0.0.1:8765/", "min_confidence": 0, "max_tlp": "AMBER"}
    refused = admin.post(url, {**form, "object_types": ["bogus"]})
    assert refused.status_code == 400 and "object_types" in refused.context["form"].errors
    assert not world.partner.agency.partner_endpoints.exists()
    response = admin.post(url, {**form, "object_types": ["threat-actor", "malware"]})
    assert response.status_code == 302
    assert world.partner.agency.partner_endpoints.get().object_types == ["threat-actor", "malware"]
    page = admin.get(url).content.decode()
    assert "Threat actor, Malware" in page and "STIX object types" in page
    assert client_for(world.owner.admin).get(url).status_code == 404
    assert client_for(world.outsider.admin).get(url).status_code == 404


def test_a_mixed_share_pushes_its_indicators_then_its_objects_in_one_bundle(
    world, graph, partner_endpoint, receiver
):
    indicators = add(world.owner, ("ipv4", "192.0.2.70"), ("domain", "mixed.example"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=indicators,
        objects=[graph.uses, graph.malware],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    d = Delivery.objects.get(share=share)
    assert delivery.deliver(d.pk) == "delivered"
    objects = sorted([graph.uses, graph.malware], key=lambda o: o.pk)
    expected = [i.stix_id for i in indicators] + [o.stix_id for o in objects]
    assert [stix_id for stix_id, _ in receiver.objects()] == expected
    bodies = _bodies(receiver)
    assert bodies[0]["pattern"] == "[ipv4-addr:value = '192.0.2.70']"
    assert bodies[2:] == [_served(o) for o in objects]


def test_a_relationship_to_a_hidden_object_is_pushed_without_the_hidden_object(
    world, graph, partner_endpoint, receiver
):
    share_with_partner(world, graph.to_hidden)
    _deliver_all()
    assert receiver.objects() == [(graph.to_hidden.stix_id, 0)]
    (body,) = _bodies(receiver)
    assert body["target_ref"] == graph.hidden.stix_id  # the reference is an id only
    assert graph.hidden.stix_id not in {stix_id for stix_id, _ in receiver.objects()}


def test_a_large_object_share_is_written_chunk_by_chunk_after_its_indicators(
    world, graph, partner_endpoint, settings
):
    settings.SHARING_OUTBOX_CHUNK = 2
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.71"))
    extra = load(world.owner, *[sdo("tool", name=f"tool {n}") for n in range(3)])
    objects = sorted([graph.malware, *extra.values()], key=lambda o: o.pk)
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[indicator],
        objects=objects,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    fill = OutboxFill.objects.get(share=share)
    assert (fill.after_indicator, fill.after_object) == (indicator.pk, objects[0].pk)
    while outbox.fill_step(fill.pk):
        pass
    items = DeliveryItem.objects.filter(endpoint=partner_endpoint, tombstone=False)
    assert list(items.exclude(indicator=None).values_list("indicator_id", flat=True)) == [
        indicator.pk
    ]
    sent = sorted(items.exclude(stix_object=None).values_list("stix_object_id", flat=True))
    assert sent == [o.pk for o in objects]


def test_deliveries_show_their_objects_in_words_to_the_receiving_admins_only(
    world, graph, partner_endpoint, client_for, api_client_for
):
    share_with_partner(world, graph.malware, graph.uses)
    d = Delivery.objects.get()
    page = client_for(world.partner.admin).get(f"/agencies/{world.partner.agency.code}/deliveries/")
    html = page.content.decode()
    assert "Malware: Emotet loader" in html
    assert "Relationship: TA-505 uses Emotet loader" in html
    detail = api_client_for(world.partner.admin, world.partner.agency).get(
        f"/api/v1/deliveries/{d.pk}/"
    )
    items = detail.json()["items"]
    assert [(i["kind"], i["type_label"], i["name"], i["tombstone"]) for i in items] == [
        ("stix_object", "Malware", "Emotet loader", False),
        ("stix_object", "Relationship", "TA-505 uses Emotet loader", False),
    ]
    for side in (world.owner, world.outsider):
        other = api_client_for(side.admin, side.agency)
        assert other.get(f"/api/v1/deliveries/{d.pk}/").status_code == 404
        dashboard = f"/agencies/{world.partner.agency.code}/deliveries/"
        assert client_for(side.admin).get(dashboard).status_code == 404


def test_endpoints_of_an_agency_that_joins_the_jit_later_get_its_shared_objects_once(
    world, graph, partner_endpoint
):
    from cases import jits as case_services
    from tests.cases.conftest import join, open_case

    jit = case_services.jit_create(
        actor=world.owner.investigator,
        case=open_case(world.owner),
        name="JIT Nightjar",
        legal_basis="eu_jit",
    )
    services.stix_objects_share(
        actor=world.owner.investigator, objects=[graph.malware], spec=services.ShareSpec(jit=jit)
    )
    assert not DeliveryItem.objects.filter(endpoint=partner_endpoint).exists()
    join(jit, world.owner, world.partner)
    membership = jit.memberships.get(agency=world.partner.agency)
    case_services.jit_leave(actor=world.partner.admin, membership=membership)
    join(jit, world.owner, world.partner)
    items = DeliveryItem.objects.filter(endpoint=partner_endpoint)
    assert list(items.values_list("stix_object_id", "tombstone")) == [(graph.malware.pk, False)]
