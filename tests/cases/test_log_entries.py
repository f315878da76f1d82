"""One log entry's content over HTTP: served to whoever may see the object it records (the
case's agency and its JIT partners for evidence), 404 to everyone else, the same 404 as an
index that does not exist; an inclusion proof by event id under the same rule."""

from __future__ import annotations

import base64
import json

import pytest

from agencies.models import Membership
from audit import log
from audit.models import AuditEvent
from audit.services import audit_log
from tests.cases.conftest import api_clients
from tools.verify_log import leaf_hash, verify_inclusion


def intake_event(cw) -> AuditEvent:
    return AuditEvent.objects.get(
        object_type="cases.evidence", object_id=str(cw.evidence.pk), action="evidence.added"
    )


@pytest.mark.parametrize(
    ("side", "status"), [("owner", 200), ("partner", 200), ("former", 404), ("outsider", 404)]
)
def test_an_evidence_entry_is_readable_by_those_who_see_the_evidence(
    case_world, api_client_for, side, status
):
    event = intake_event(case_world)
    client = api_clients(case_world, api_client_for)[side]
    response = client.get(f"/api/v1/transparency/entries/{event.leaf_index}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["index"] == event.leaf_index and body["event"] == event.pk
        assert json.loads(body["leaf"])["object_id"] == str(case_world.evidence.pk)
        assert base64.b64decode(body["leaf_hash"]) == leaf_hash(body["leaf"].encode())
    else:
        missing = client.get(f"/api/v1/transparency/entries/{log.tree_size() + 5}")
        assert (response.status_code, response.json()) == (404, missing.json())


@pytest.mark.parametrize(("side", "status"), [("owner", 200), ("partner", 200), ("outsider", 404)])
def test_an_inclusion_proof_by_event_id_follows_the_same_rule(
    case_world, api_client_for, side, status
):
    event = intake_event(case_world)
    size = log.tree_size()
    client = api_clients(case_world, api_client_for)[side]
    response = client.get(f"/api/v1/transparency/proof/inclusion?event={event.pk}&tree_size={size}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["index"] == event.leaf_index
        path = [base64.b64decode(h) for h in body["hashes"]]
        verify_inclusion(leaf_hash(event.leaf()), event.leaf_index, size, path, log.root(size))


def test_an_event_past_the_tree_asked_for_is_a_400_naming_tree_size(case_world, api_client_for):
    event = intake_event(case_world)
    client = api_clients(case_world, api_client_for)["owner"]
    response = client.get(f"/api/v1/transparency/proof/inclusion?event={event.pk}&tree_size=1")
    assert response.status_code == 400 and "tree_size" in response.json()


def test_membership_entries_are_for_the_agencys_admins_only(world, api_client_for):
    membership = Membership.objects.get(user=world.owner.analyst, agency=world.owner.agency)
    event = AuditEvent.objects.filter(
        object_type="agencies.membership", object_id=str(membership.pk)
    ).first()
    url = f"/api/v1/transparency/entries/{event.leaf_index}"
    assert api_client_for(world.owner.admin, world.owner.agency).get(url).status_code == 200
    assert api_client_for(world.owner.analyst, world.owner.agency).get(url).status_code == 404
    assert api_client_for(world.partner.admin, world.partner.agency).get(url).status_code == 404


def test_an_entry_of_an_unregistered_kind_is_read_by_no_one(world, api_client_for):
    event = audit_log(actor=None, action="account.locked_out", object_type="auth.user", object_id=1)
    client = api_client_for(world.owner.admin, world.owner.agency)
    assert client.get(f"/api/v1/transparency/entries/{event.leaf_index}").status_code == 404
