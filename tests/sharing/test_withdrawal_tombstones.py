"""A withdrawn share's tombstones are valid STIX 2.1 for every object family: what STIX versions
(typed indicators and other domain objects, relationship objects, language contents) is pushed
as its revoked version, in a bundle that passes ``stix2-validator --strict``; what it does not
(cyber observables, marking definitions: no ``revoked`` there) as a withdrawal message carrying
its id only, never an invalid object (TAXII: ``tests/interop/test_taxii_withdrawn_objects.py``)."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from stix2validator import ValidationOptions, validate_string

from sharing import delivery, selectors, services, webhooks
from sharing.models import Delivery, Share, StixObject
from sharing.stix import has_versions
from tests.interop.object_graph import (
    CREATED,
    ipv4_observable,
    load,
    relationship,
    sdo,
    share_with_partner,
    statement_marking,
)
from tests.sharing.conftest import add

STRICT = ValidationOptions(strict=True, version="2.1")


def _malware() -> dict:
    return sdo("malware", name="Qakbot", is_family=True)


def _relationship() -> dict:
    return relationship(f"threat-actor--{uuid.uuid4()}", "uses", f"malware--{uuid.uuid4()}")


def _language_content() -> dict:
    return sdo(
        "language-content",
        object_ref=f"malware--{uuid.uuid4()}",
        object_modified=CREATED,
        contents={"fr": {"name": "Qakbot"}},
    )


def _observable() -> dict:
    return ipv4_observable("198.51.100.77")


def _marking() -> dict:
    return statement_marking("Handle with care")


VERSIONED = {"SDO": _malware, "SRO": _relationship, "language content": _language_content}
UNVERSIONED = {"SCO": _observable, "marking definition": _marking}


def _imported(world, make) -> StixObject:
    obj = make()
    return load(world.owner, obj)[obj["id"]]


def _delivered(world, *objects: StixObject) -> Share:
    """Share the objects with the partner and deliver them: the share."""
    share = share_with_partner(world, *objects)
    for d in Delivery.objects.filter(status="pending"):
        assert delivery.deliver(d.pk) == Delivery.Status.DELIVERED
    return share


def _delivered_then_withdrawn(world, *objects: StixObject) -> list[Delivery]:
    """Share the objects with the partner, deliver them, withdraw the share: its tombstones."""
    share = _delivered(world, *objects)
    services.share_withdraw(actor=world.owner.investigator, share=share)
    return list(Delivery.objects.filter(status="pending").order_by("pk"))


def _message(d: Delivery) -> dict:
    return json.loads(delivery.build_payloads([d])[d.pk])


def _strict_errors(text: str) -> list[str]:
    results = validate_string(text, STRICT)
    return [str(e) for e in results.errors] + [str(w) for w in results.warnings]


@pytest.fixture
def owner_shares(world, eu_agreement, partner_endpoint):
    return world


@pytest.mark.parametrize("make", VERSIONED.values(), ids=VERSIONED.keys())
def test_a_withdrawn_object_with_versions_is_pushed_as_its_revoked_version_strictly_valid(
    owner_shares, receiver, make
):
    world = owner_shares
    stix_object = _imported(world, make)
    assert has_versions(stix_object.body)
    (tomb,) = _delivered_then_withdrawn(world, stix_object)
    body = delivery.build_payloads([tomb])[tomb.pk].decode()
    assert _strict_errors(body) == []
    (pushed,) = json.loads(body)["objects"]
    assert pushed["id"] == stix_object.stix_id and pushed["revoked"] is True
    assert pushed["modified"] > stix_object.body["modified"]
    assert delivery.deliver(tomb.pk) == Delivery.Status.DELIVERED
    assert receiver.objects() == [(stix_object.stix_id, 0), (stix_object.stix_id, 1)]
    assert receiver.rows("SELECT stix_id FROM withdrawals") == []


def test_a_typed_indicator_is_pushed_and_withdrawn_as_strictly_valid_stix(owner_shares, receiver):
    world = owner_shares
    (indicator,) = add(world.owner, ("ipv4", "198.51.100.79"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[indicator],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    push = Delivery.objects.get(share=share)
    assert _strict_errors(delivery.build_payloads([push])[push.pk].decode()) == []
    assert delivery.deliver(push.pk) == Delivery.Status.DELIVERED
    services.share_withdraw(actor=world.owner.investigator, share=share)
    tomb = Delivery.objects.get(status="pending")
    body = delivery.build_payloads([tomb])[tomb.pk].decode()
    assert _strict_errors(body) == []
    (revoked,) = json.loads(body)["objects"]
    assert revoked["revoked"] is True and revoked["description"].startswith("Indicator of type")
    assert delivery.deliver(tomb.pk) == Delivery.Status.DELIVERED
    assert receiver.objects() == [(indicator.stix_id, 0), (indicator.stix_id, 1)]


@pytest.mark.parametrize("make", UNVERSIONED.values(), ids=UNVERSIONED.keys())
def test_a_withdrawn_object_without_versions_is_a_withdrawal_of_its_id_and_no_stix_object(
    owner_shares, receiver, make
):
    world = owner_shares
    stix_object = _imported(world, make)
    assert not has_versions(stix_object.body)
    (tomb,) = _delivered_then_withdrawn(world, stix_object)
    assert tomb.items.get().tombstone
    assert _message(tomb) == {"type": "withdrawal", "ids": [stix_object.stix_id]}
    assert delivery.deliver(tomb.pk) == Delivery.Status.DELIVERED
    # The object as first pushed, unrevoked, and its withdrawal by id: never a revoked SCO.
    assert receiver.objects() == [(stix_object.stix_id, 0)]
    assert receiver.rows("SELECT stix_id FROM withdrawals") == [(stix_object.stix_id,)]
    assert f"{tomb.message_id} 1 objects withdrawn stored" in receiver.out.getvalue()


def test_a_withdrawal_of_every_family_at_once_sends_a_strict_bundle_and_a_separate_withdrawal(
    owner_shares, receiver
):
    world = owner_shares
    versioned = [_imported(world, make) for make in VERSIONED.values()]
    unversioned = [_imported(world, make) for make in UNVERSIONED.values()]
    revocations, withdrawal = _delivered_then_withdrawn(world, *versioned, *unversioned)
    bundle = delivery.build_payloads([revocations])[revocations.pk].decode()
    assert _strict_errors(bundle) == []
    pushed = json.loads(bundle)["objects"]
    assert sorted(o["id"] for o in pushed) == sorted(o.stix_id for o in versioned)
    assert all(o["revoked"] is True for o in pushed)
    assert _message(withdrawal) == {
        "type": "withdrawal",
        "ids": [o.stix_id for o in sorted(unversioned, key=lambda o: o.pk)],
    }
    for d in (revocations, withdrawal):
        assert delivery.deliver(d.pk) == Delivery.Status.DELIVERED
    withdrawn = {stix_id for (stix_id,) in receiver.rows("SELECT stix_id FROM withdrawals")}
    assert withdrawn == {o.stix_id for o in unversioned}
    revoked = {stix_id for stix_id, flag in receiver.objects() if flag}
    assert revoked == {o.stix_id for o in versioned}


REVOCATION = "This sends a revocation to up to 1 partner endpoint"
NOTICE = "This sends a withdrawal notice to up to 1 partner endpoint"


def _withdrawal_effects(world, *objects: StixObject) -> str:
    return " ".join(selectors.share_withdraw_effects(share=_delivered(world, *objects)))


@pytest.mark.parametrize("make", VERSIONED.values(), ids=VERSIONED.keys())
def test_withdrawing_a_share_of_versioned_objects_announces_revocations_only(owner_shares, make):
    effects = _withdrawal_effects(owner_shares, _imported(owner_shares, make))
    assert REVOCATION in effects
    assert "withdrawal notice" not in effects


@pytest.mark.parametrize("make", UNVERSIONED.values(), ids=UNVERSIONED.keys())
def test_withdrawing_a_share_of_observables_or_markings_announces_withdrawal_notices_only(
    owner_shares, make
):
    effects = _withdrawal_effects(owner_shares, _imported(owner_shares, make))
    assert NOTICE in effects
    assert "revocation" not in effects


def test_withdrawing_a_mixed_share_announces_revocations_and_withdrawal_notices(owner_shares):
    world = owner_shares
    effects = _withdrawal_effects(world, _imported(world, _malware), _imported(world, _observable))
    assert (
        "This sends a revocation of the indicators and versioned STIX objects to up to "
        "1 partner endpoint." in effects
    )
    assert (
        "This sends a withdrawal notice of the cyber observables and marking definitions to "
        "up to 1 partner endpoint." in effects
    )
    assert "Partner endpoints still entitled through another share keep the data." in effects


@pytest.mark.parametrize(
    "body",
    [{"type": "withdrawal"}, {"type": "withdrawal", "ids": "ipv4-addr--x"}],
    ids=["no ids", "not a list"],
)
def test_the_reference_receiver_refuses_a_withdrawal_without_a_list_of_ids_and_stores_nothing(
    receiver, body
):
    raw = json.dumps(body).encode()
    headers = webhooks.sign_headers(receiver.secret, "msg_bad_withdrawal", raw)
    response = requests.post(receiver.url, data=raw, headers=headers, timeout=5)
    assert response.status_code == 400
    assert response.text == "expected a STIX bundle, a checkpoint or a withdrawal"
    assert receiver.rows("SELECT count(*) FROM messages") == [(0,)]
    assert receiver.rows("SELECT count(*) FROM withdrawals") == [(0,)]


def test_the_deliveries_page_calls_a_withdrawal_by_id_a_withdrawal_for_the_receiving_admins_only(
    owner_shares, client_for, api_client_for
):
    world = owner_shares
    malware, observable = _imported(world, _malware), _imported(world, _observable)
    revocations, withdrawal = _delivered_then_withdrawn(world, malware, observable)
    words = selectors.delivery_items_in_words(delivery_ids=[revocations.pk, withdrawal.pk])
    assert [str(i) for i in words[revocations.pk]] == ["Malware: Qakbot (revocation)"]
    assert [str(i) for i in words[withdrawal.pk]] == ["IPv4 address: 198.51.100.77 (withdrawal)"]
    url = f"/agencies/{world.partner.agency.code}/deliveries/"
    page = client_for(world.partner.admin).get(url).content.decode()
    assert "IPv4 address: 198.51.100.77 (withdrawal)" in page
    api = f"/api/v1/deliveries/{withdrawal.pk}/"
    items = api_client_for(world.partner.admin, world.partner.agency).get(api).json()["items"]
    assert [(i["stix_id"], i["tombstone"], i["withdrawal"]) for i in items] == [
        (observable.stix_id, True, True)
    ]
    for side in (world.owner, world.outsider):
        assert client_for(side.admin).get(url).status_code == 404
        assert api_client_for(side.admin, side.agency).get(api).status_code == 404
