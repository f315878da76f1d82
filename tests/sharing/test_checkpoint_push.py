"""Signed checkpoints pushed to partner endpoints through the outbox: one delivery per active
endpoint that receives checkpoints, written with the checkpoint (or not at all), sent after
commit as a Standard Webhooks message whose note verifies with the log's key, retried with the
same webhook id; the endpoint page and API let an agency's admins opt in."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from celery import current_app
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agencies.models import TLP, PartnerEndpoint
from audit import checkpoints
from audit.models import AuditEvent, SignedCheckpoint
from audit.services import audit_log
from sharing import delivery, services, webhooks
from sharing.models import Delivery, DeliveryItem
from sharing.outbox import checkpoint_fan_out
from tools.verify_log import verify_checkpoint


def endpoint(side, name: str, url: str = "http://127.0.0.1:9/", **fields) -> PartnerEndpoint:
    return services.endpoint_create(
        actor=side.admin, agency=side.agency, name=name, url=url, **fields
    )[0]


def append(count: int) -> None:
    for n in range(count):
        audit_log(actor=None, action="test.append", object_type="t", object_id=str(n))


def test_signing_a_checkpoint_writes_one_delivery_per_active_endpoint_that_receives_them(
    world, log_key
):
    partner = endpoint(world.partner, "witness", receives_checkpoints=True)
    # the indicator filters do not apply to checkpoints
    outsider = endpoint(
        world.outsider,
        "picky",
        receives_checkpoints=True,
        types=["domain"],
        min_confidence=100,
        max_tlp=TLP.CLEAR,
    )
    endpoint(world.partner, "indicators only")
    inactive = endpoint(world.owner, "switched off", receives_checkpoints=True)
    services.endpoint_update(actor=world.owner.admin, endpoint=inactive, active=False)
    append(3)
    checkpoint = checkpoints.checkpoint_sign()
    assert set(Delivery.objects.values_list("endpoint_id", "checkpoint_id", "status")) == {
        (partner.pk, checkpoint.pk, Delivery.Status.PENDING),
        (outsider.pk, checkpoint.pk, Delivery.Status.PENDING),
    }
    assert not DeliveryItem.objects.exists()


def test_a_new_checkpoint_is_sent_on_commit(world, log_key, django_capture_on_commit_callbacks):
    endpoint(world.partner, "witness", receives_checkpoints=True)
    append(2)
    with django_capture_on_commit_callbacks() as callbacks:
        checkpoints.checkpoint_sign()
    assert len(callbacks) == 1


def test_signing_the_same_tree_again_writes_nothing_new(world, log_key):
    witness = endpoint(world.partner, "witness", receives_checkpoints=True)
    append(4)
    first = checkpoints.checkpoint_sign()
    assert checkpoints.checkpoint_sign() == first
    assert checkpoint_fan_out(first) == []
    assert Delivery.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(endpoint=witness, checkpoint=first)
    append(1)
    second = checkpoints.checkpoint_sign()
    assert list(
        Delivery.objects.order_by("pk").values_list("checkpoint__tree_size", flat=True)
    ) == [
        first.tree_size,
        second.tree_size,
    ]


def test_a_refused_signing_writes_no_delivery(world, log_key):
    endpoint(world.partner, "witness", receives_checkpoints=True)
    append(10)
    signed = checkpoints.checkpoint_sign()
    cut = signed.tree_size - 3
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE leaf_index >= %s", [cut])
        cursor.execute("DELETE FROM audit_lognode WHERE level = 0 AND index >= %s", [cut])
    with pytest.raises(checkpoints.CheckpointRefused):
        checkpoints.checkpoint_sign()
    assert list(Delivery.objects.values_list("checkpoint", flat=True)) == [signed.pk]


def test_a_checkpoint_rolled_back_takes_its_deliveries_with_it(world, log_key):
    endpoint(world.partner, "witness", receives_checkpoints=True)
    append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        checkpoints.checkpoint_sign()
        assert Delivery.objects.count() == 1
        raise RuntimeError("the signing transaction fails after the outbox write")
    assert not SignedCheckpoint.objects.exists() and not Delivery.objects.exists()


def test_the_worker_pushes_the_checkpoint_as_a_signed_webhook_the_partner_verifies(
    world, log_key, receiver, partner_endpoint, django_capture_on_commit_callbacks
):
    services.endpoint_update(
        actor=world.partner.admin, endpoint=partner_endpoint, receives_checkpoints=True
    )
    append(6)
    with django_capture_on_commit_callbacks() as callbacks:
        checkpoint = checkpoints.checkpoint_sign()
    sent = Delivery.objects.get(checkpoint=checkpoint)
    # the callbacks hand the delivery to the Celery worker; run it here, in-process
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        for callback in callbacks:
            callback()
    finally:
        current_app.conf.task_always_eager = eager
    sent.refresh_from_db()
    assert sent.status == Delivery.Status.DELIVERED and sent.attempts == 1
    ((webhook_id, tree_size, note),) = receiver.rows(
        "SELECT webhook_id, tree_size, note FROM checkpoints"
    )
    assert (webhook_id, tree_size, note) == (sent.message_id, checkpoint.tree_size, checkpoint.note)
    assert checkpoints.verifier() == log_key
    found = verify_checkpoint(note, log_key)
    assert (found.origin, found.size, found.root) == (
        "cybercoop.test/log",
        checkpoint.tree_size,
        bytes(checkpoint.root_hash),
    )
    body = json.loads(delivery.build_payloads([sent])[sent.pk])
    assert body["type"] == "checkpoint" and body["origin"] == "cybercoop.test/log"
    assert body["tree_size"] == checkpoint.tree_size and body["note"] == checkpoint.note
    assert f"{sent.message_id} checkpoint {checkpoint.tree_size} received" in (
        receiver.out.getvalue()
    )


def test_a_failing_partner_gets_the_checkpoint_again_with_the_same_webhook_id(
    world, log_key, scripted
):
    scripted.script.extend([(503, {}), (200, {})])
    witness, secret = services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="witness",
        url=scripted.url,
        receives_checkpoints=True,
    )
    append(3)
    checkpoint = checkpoints.checkpoint_sign()
    sent = Delivery.objects.get(endpoint=witness)
    before = timezone.now()
    assert delivery.deliver(sent.pk) == Delivery.Status.FAILING
    sent.refresh_from_db()
    # SHARING_RETRY_SCHEDULE is [1, 2, 4] with 10% jitter in these tests
    assert timedelta(seconds=0.8) <= sent.next_attempt_at - before <= timedelta(seconds=1.2)
    append(2)
    checkpoints.checkpoint_sign()  # a newer checkpoint does not change the message
    Delivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(sent.pk) == Delivery.Status.DELIVERED
    first, second = scripted.seen[:2]
    assert first["body"] == second["body"]
    for request in (first, second):
        assert webhooks.verify(secret, request["headers"], request["body"]) == sent.message_id
    assert json.loads(first["body"])["note"] == checkpoint.note


def test_the_deliveries_page_says_which_checkpoint_a_delivery_carries(world, log_key, client_for):
    endpoint(world.partner, "witness", receives_checkpoints=True)
    append(2)
    checkpoint = checkpoints.checkpoint_sign()
    page = client_for(world.partner.admin).get(f"/agencies/{world.partner.agency.code}/deliveries/")
    assert f"Checkpoint at {checkpoint.tree_size} entries" in page.content.decode()
    assert "0 objects" not in page.content.decode()


def test_the_api_lists_a_checkpoint_delivery_with_its_tree_size(world, log_key, api_client_for):
    endpoint(world.partner, "witness", receives_checkpoints=True)
    append(2)
    checkpoint = checkpoints.checkpoint_sign()
    admin = api_client_for(world.partner.admin, world.partner.agency)
    (listed,) = admin.get("/api/v1/deliveries/").json()["results"]
    assert (listed["checkpoint_tree_size"], listed["objects"]) == (checkpoint.tree_size, 0)


# --- opting in: the endpoint form and the API ---------------------------------------------------


def _form(**extra) -> dict:
    return {
        "name": "SOC",
        "url": "http://127.0.0.1:8765/",
        "min_confidence": 0,
        "max_tlp": "AMBER",
    } | extra


def test_an_agency_admin_registers_an_endpoint_that_receives_checkpoints(world, client_for):
    url = f"/agencies/{world.partner.agency.code}/endpoints/"
    admin = client_for(world.partner.admin)
    page = admin.get(url).content.decode()
    assert 'name="receives_checkpoints"' in page and "without polling" in page
    # Post/redirect/get: the new endpoint's secret is shown once, on the page after the redirect.
    assert admin.post(url, _form(receives_checkpoints="on")).url == url
    assert admin.post(url, _form(name="indicators only")).url == url
    assert dict(
        world.partner.agency.partner_endpoints.values_list("name", "receives_checkpoints")
    ) == {
        "SOC": True,
        "indicators only": False,
    }
    created = AuditEvent.objects.filter(action="partner_endpoint.created").order_by("pk").first()
    assert created.summary["receives_checkpoints"] is True
    assert admin.get(url).content.decode().count("<td>pushed</td>") == 1


def test_only_the_agencys_own_admins_may_register_an_endpoint_for_checkpoints(world, client_for):
    url = f"/agencies/{world.partner.agency.code}/endpoints/"
    for user in (world.owner.admin, world.partner.investigator):
        member = client_for(user)
        assert member.get(url).status_code == 404
        assert member.post(url, _form(receives_checkpoints="on")).status_code == 404
    assert not PartnerEndpoint.objects.exists()


def test_the_api_registers_and_changes_whether_an_endpoint_receives_checkpoints(
    world, api_client_for, clients
):
    admin = api_client_for(world.partner.admin, world.partner.agency)
    created = admin.post(
        "/api/v1/partner-endpoints/",
        {"url": "http://127.0.0.1:8765/", "name": "witness", "receives_checkpoints": True},
        format="json",
    )
    assert created.status_code == 201 and created.json()["receives_checkpoints"] is True
    url = f"/api/v1/partner-endpoints/{created.json()['id']}/"
    other_admin = api_client_for(world.owner.admin, world.owner.agency)
    assert other_admin.patch(url, {"receives_checkpoints": False}, format="json").status_code == 404
    assert (
        clients["partner"].patch(url, {"receives_checkpoints": False}, format="json").status_code
        == 404
    )
    assert PartnerEndpoint.objects.get().receives_checkpoints
    patched = admin.patch(url, {"receives_checkpoints": False}, format="json")
    assert patched.json()["receives_checkpoints"] is False
    assert not PartnerEndpoint.objects.get().receives_checkpoints
