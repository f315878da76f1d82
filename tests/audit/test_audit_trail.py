"""Basic audit trail: agency services append events to the log that name actor, agency and
change."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from agencies import services
from agencies.models import Membership
from audit.models import AuditEvent, LogNode
from audit.selectors import events_for_objects, verify_log
from tools.verify_log import leaf_hash


def test_events_are_the_leaves_in_order_with_their_leaf_hashes_stored(world):
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.leaf_index for e in events] == list(range(len(events)))
    stored = dict(LogNode.objects.filter(level=0).values_list("index", "hash"))
    assert [bytes(stored[e.leaf_index]) for e in events] == [leaf_hash(e.leaf()) for e in events]
    assert verify_log() == (None, 0)


def test_agency_admin_actions_are_audited_with_actor_agency_and_change(world):
    admin = world.owner.admin
    membership = Membership.objects.get(user=world.owner.analyst, agency=world.owner.agency)
    services.membership_update(actor=admin, membership=membership, role="investigator")
    invitation, token = services.invitation_create(
        actor=admin, agency=world.owner.agency, email="a@example.org", role="analyst"
    )
    services.invitation_revoke(actor=admin, invitation=invitation)
    key, plaintext = services.api_key_issue(
        actor=admin, agency=world.owner.agency, user=world.owner.analyst, name="k"
    )
    services.api_key_revoke(actor=admin, key=key)

    latest = list(AuditEvent.objects.order_by("-id")[:5])[::-1]
    assert [e.action for e in latest] == [
        "membership.updated",
        "invitation.created",
        "invitation.revoked",
        "api_key.issued",
        "api_key.revoked",
    ]
    assert {e.actor_id for e in latest} == {admin.pk}
    assert {e.agency_code for e in latest} == {"DE-BKA"}
    assert latest[0].summary["before"] == {"role": "analyst", "status": "active"}
    assert latest[0].summary["role"] == "investigator"
    # secrets never reach the trail
    dumped = " ".join(e.canonical() for e in AuditEvent.objects.all())
    assert token not in dumped and plaintext not in dumped
    assert verify_log() == (None, 0)


def test_events_for_an_object_are_found_newest_first(world):
    membership = Membership.objects.get(user=world.owner.analyst, agency=world.owner.agency)
    services.membership_update(actor=None, membership=membership, status="suspended")
    events = events_for_objects([("agencies.membership", membership.pk)])
    assert [e.action for e in events] == ["membership.updated", "membership.created"]


def test_a_refused_change_writes_no_event(world):
    count = AuditEvent.objects.count()
    membership = Membership.objects.get(user=world.owner.admin, agency=world.owner.agency)
    with pytest.raises(ValidationError, match=re.escape(services.LAST_ADMIN)):
        services.membership_update(actor=None, membership=membership, role="analyst")
    assert AuditEvent.objects.count() == count


def test_verify_audit_reports_an_intact_log_and_names_an_edited_entry(world):
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("audit log intact: ")
    victim = AuditEvent.objects.order_by("id")[2]
    AuditEvent.objects.filter(pk=victim.pk).update(summary={"forged": True})
    broken, _ = verify_log()
    assert broken is not None and broken.index == victim.leaf_index
